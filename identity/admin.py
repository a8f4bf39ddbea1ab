"""Users in the Django admin (system administrators only; the admin site asks for TOTP too).

Staff changes go through identity.staff_services so that the rules and the audit rows are the
same as everywhere else. Accountants are listed by name and masked ID number (their usernames are
generated `acc-<hex>`); ID numbers and phones are shown masked, never whole. The search finds an
accountant by the exact ID number or phone (indexed lookups; no substring search on those
columns); their identity is changed only by the reviewed 信息变更 / 手机号更换 applications, never here.
"""

import re
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.admin_paging import EstimatedCountPaginator
from core.masking import mask_id_number, mask_phone

from .constants import IdType, UserKind
from .models import User
from .staff_forms import StaffCreationForm
from .staff_services import (
    StaffAccountError,
    check_new_staff,
    create_staff,
    move_staff,
    set_staff_active,
    set_staff_role,
)

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


def _admin_user(request: HttpRequest) -> User:
    # The admin site lets in signed-in staff only (`has_permission`, and `admin_login` below).
    return cast(User, request.user)


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin has no sign-in form of its own: staff sign in once, at the staff sign-in page.

    That page is the one with the lockout, the TOTP step and the audit rows. A verified staff
    member without admin rights gets a 404 (not a redirect, which would loop back here).
    """
    user = request.user
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if user.is_authenticated and getattr(user, "is_staff_member", False) and user.is_verified():
        if admin.site.has_permission(request):
            return redirect(next_url)
        raise Http404
    return redirect_to_login(next_url, reverse("identity:staff_login"))


# The admin's sign-in is replaced on purpose (staff sign in with password + TOTP on our page).
admin.site.login = admin_login  # type: ignore[method-assign]


class SmsLockedFilter(admin.SimpleListFilter):
    title = _("locked by failed SMS codes")
    parameter_name = "sms_locked"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Locked")), ("no", _("Not locked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "yes":
            return queryset.filter(sms_locked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sms_locked_at__isnull=True)
        return queryset


class AdminStaffCreationForm(StaffCreationForm):
    """Checks the new account with the service's own rules, each error next to its field."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            check_new_staff(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                password=cleaned.get("password1", ""),
                role=cleaned.get("role", ""),
                unit=cleaned.get("unit"),
                email=cleaned.get("email", ""),
            )
        except StaffAccountError as exc:
            for field, field_messages in exc.message_dict.items():
                target = "password1" if field == "password" else field
                for message in field_messages:
                    self.add_error(target if target in self.fields else None, message)
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    add_form = AdminStaffCreationForm
    # Django's user add template says more options follow; here everything is on the one form.
    add_form_template = "admin/change_form.html"
    add_fieldsets: "_FieldsetSpec" = (
        (
            _("New staff member"),
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "role", "unit", "password1", "password2"),
                "description": _(
                    "Accountants register themselves; here you add finance bureau staff. "
                    "A TOTP device is created with the account: show its QR code to the person once."
                ),
            },
        ),
    )
    list_display = [
        "account",
        "username_column",
        "role",
        "unit",
        "masked_id_number",
        "masked_phone",
        "is_active",
        "sms_locked",
    ]
    # Issue #10, 1 M users: the unit filter lists the review units (RelatedOnlyFieldListFilter ran
    # SELECT DISTINCT unit_id over every user); searches use indexes only: the exact username
    # (unique) and a name prefix (identity_user_name_order).
    list_filter = ["kind", "role", "unit", "is_active", SmsLockedFilter]
    list_select_related = ["unit"]
    search_fields = ["=username", "^full_name"]
    ordering = ["kind", "username"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # no COUNT(*) of the whole table (issue #10)
    actions = ["unlock_accountants", "deactivate_staff", "activate_staff"]
    readonly_fields = [
        "kind",
        "id_type",
        "masked_id_number",
        "masked_phone",
        "sms_failed_count",
        "sms_locked_at",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> "_FieldsetSpec":
        if obj is None:
            return self.add_fieldsets
        if obj.is_staff_member:
            return (
                (None, {"fields": ("username", "password")}),
                (_("Staff member"), {"fields": ("kind", "full_name", "email", "role", "unit", "is_active")}),
                (_("Django admin rights (follow the role)"), {"fields": ("is_staff", "is_superuser")}),
                (_("Dates"), {"fields": ("last_login", "date_joined")}),
            )
        return (
            (None, {"fields": ("username",)}),
            (_("Accountant"), {"fields": ("kind", "full_name", "id_type", "masked_id_number", "masked_phone")}),
            (_("Sign-in"), {"fields": ("is_active", "sms_failed_count", "sms_locked_at", "last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str] | tuple[str, ...]:
        if obj is not None and not obj.is_staff_member:
            return [*self.readonly_fields, "username", "full_name"]
        return self.readonly_fields

    search_help_text = _("Staff: username or name. Accountants: the exact ID number or mobile phone, or the name.")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """An 11-digit term finds the accountant with that phone, an ID-number-like term the one with
        that exact ID number (equality on indexed columns, never a substring search); else by name."""
        term = search_term.strip().upper()
        if re.fullmatch(r"1\d{10}", term):
            return queryset.filter(kind=UserKind.ACCOUNTANT, phone=term), False
        if re.fullmatch(r"[0-9A-Z()（）-]{8,32}", term) and re.search(r"\d{6}", term):
            return queryset.filter(kind=UserKind.ACCOUNTANT, id_type__in=IdType.values, id_number=term), False
        # Else the exact username or a name prefix, as written: Django's `=username` / `^full_name`
        # compare UPPER(...) on both sides, which no index serves (a scan of a million users; names are
        # Chinese, usernames are case-sensitive anyway). These two use identity_user_username_key and
        # identity_user_name_order.
        raw = search_term.strip()
        if not raw:
            return queryset, False
        return queryset.filter(Q(username=raw) | Q(full_name__startswith=raw)), False

    # ------------------------------------------------------------------ columns

    @admin.display(description=_("Full name"), ordering="full_name")
    def account(self, obj: User) -> str:
        """Accountants by name and masked ID number; staff by name."""
        if obj.is_accountant:
            masked = mask_id_number(obj.id_number)
            return f"{obj.full_name or '—'}（{masked}）" if masked else obj.full_name or "—"
        return obj.full_name or obj.username

    @admin.display(description=_("username"), ordering="username")
    def username_column(self, obj: User) -> str:
        """Staff sign in with their username; an accountant's is generated and means nothing."""
        return "—" if obj.is_accountant else obj.username

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: User) -> str:
        return mask_id_number(obj.id_number) or "—"

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) or "—"

    @admin.display(description=_("SMS locked"), boolean=True)
    def sms_locked(self, obj: User) -> bool | None:
        return obj.is_sms_locked if obj.is_accountant else None

    # ------------------------------------------------------------------ saving

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool) -> None:
        if not change:
            user, device = create_staff(
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                email=form.cleaned_data.get("email", ""),
                actor=_admin_user(request),
            )
            assert device is not None  # not an enrol-at-first-sign-in account: it has its device
            obj.pk = user.pk
            obj._state.adding = False
            obj._state.db = user._state.db
            qr_url = reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Give the new staff member their authenticator QR code, once:"),
                    qr_url,
                    _("show the QR code"),
                ),
                messages.WARNING,
            )
            return
        if not obj.is_staff_member:
            # Only the active flag of an accountant is editable here.
            super().save_model(request, obj, form, change)
            return
        # Role, unit and active flag change through the services (rules + audit); the rest here.
        initial = User.objects.get(pk=obj.pk)
        new_role, new_unit, new_active = obj.role, obj.unit, obj.is_active
        obj.role, obj.unit, obj.is_active = initial.role, initial.unit, initial.is_active
        super().save_model(request, obj, form, change)
        try:
            if new_role != initial.role:
                set_staff_role(user=obj, role=new_role, actor=_admin_user(request))
            if new_unit is None:
                raise StaffAccountError({"unit": _("Choose an active review unit.")})
            if new_unit.pk != initial.unit_id:
                move_staff(user=obj, unit=new_unit, actor=_admin_user(request))
            if new_active != initial.is_active:
                set_staff_active(user=obj, active=new_active, actor=_admin_user(request))
        except StaffAccountError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    # ------------------------------------------------------------------ actions

    @admin.action(description=_("Unlock selected accountants locked by failed SMS codes"))
    def unlock_accountants(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from .accountant_services import unlock_accountant

        done = 0
        for user in queryset.filter(kind=UserKind.ACCOUNTANT, sms_locked_at__isnull=False):
            unlock_accountant(user=user, actor=_admin_user(request))
            done += 1
        self.message_user(request, _("Unlocked %(count)d accountant(s).") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Deactivate selected staff (their sessions end at once)"))
    def deactivate_staff(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Activate selected staff"))
    def activate_staff(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], *, active: bool) -> None:
        done = 0
        for user in queryset.filter(kind=UserKind.STAFF).select_related("unit"):
            try:
                set_staff_active(user=user, active=active, actor=_admin_user(request))
            except StaffAccountError as exc:
                self.message_user(request, f"{user.username}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("Changed %(count)d staff account(s).") % {"count": done}, messages.SUCCESS)
