"""人员管理: administrators manage the staff accounts of their scope (identity.staff_management)."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from identity.permissions import staff_required
from identity.request_types import SignedInRequest
from identity.staff_forms import StaffAssignmentForm, StaffMemberForm
from identity.staff_management import (
    change_staff_assignment,
    create_staff_member,
    get_manageable_staff,
    is_staff_manager,
    manageable_staff,
    reset_staff_password,
    reset_staff_totp,
    set_staff_member_active,
)
from identity.staff_services import StaffAccountError

PAGE_SIZE = 30

_P = ParamSpec("_P")
_R = TypeVar("_R")


def staff_manager_required(
    view: Callable[Concatenate[SignedInRequest, _P], _R],
) -> Callable[Concatenate[SignedInRequest, _P], _R | HttpResponseBase]:
    """Verified staff whose role manages staff (unit / system administrators); 404 for anyone else."""

    @staff_required
    @wraps(view)
    def wrapper(request: SignedInRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not is_staff_manager(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _add_errors(form: forms.BaseForm, exc: StaffAccountError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@staff_manager_required
@require_http_methods(["GET"])
def manage_list(request: SignedInRequest) -> HttpResponse:
    """The staff accounts in the administrator's scope, by unit, 30 a page; `q` filters by name."""
    query = (request.GET.get("q") or "").strip()[:30]
    staff = manageable_staff(request.user).select_related("unit")
    if query:
        from django.db.models import Q

        staff = staff.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    page = Paginator(staff.order_by("unit__path", "username", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "identity/staff/manage/list.html", {"page": page, "q": query})


@staff_manager_required
@never_cache
@require_http_methods(["GET", "POST"])
def manage_new(request: SignedInRequest) -> HttpResponse:
    """Add a staff member; the one-time password is shown once, on the answer to the POST."""
    form = StaffMemberForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member, password = create_staff_member(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
                email=data.get("email") or "",
            )
        except StaffAccountError as exc:
            _add_errors(form, exc)
        else:
            return render(
                request,
                "identity/staff/manage/one_time_password.html",
                {"member": member, "password": password, "created": True},
            )
    return render(request, "identity/staff/manage/new.html", {"form": form})


@staff_manager_required
@require_http_methods(["GET"])
def manage_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_manageable_staff(request.user, pk)
    form = StaffAssignmentForm(initial={"role": member.role, "unit": member.unit_id}, actor=request.user)
    return render(request, "identity/staff/manage/detail.html", {"member": member, "form": form})


@staff_manager_required
@require_POST
def manage_assign(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_manageable_staff(request.user, pk)
    form = StaffAssignmentForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            change_staff_assignment(
                actor=request.user, target=member, role=form.cleaned_data["role"], unit=form.cleaned_data["unit"]
            )
        except StaffAccountError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The role and unit of %(name)s were saved.") % {"name": member.display_name})
            return redirect("identity:staff_manage_detail", pk=member.pk)
    return render(request, "identity/staff/manage/detail.html", {"member": member, "form": form}, status=400)


@staff_manager_required
@require_POST
def manage_active(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_manageable_staff(request.user, pk)
    active = request.POST.get("active") == "1"
    set_staff_member_active(actor=request.user, target=member, active=active)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": member.display_name})
    else:
        messages.success(
            request, _("%(name)s was deactivated and signed out everywhere.") % {"name": member.display_name}
        )
    return redirect("identity:staff_manage_detail", pk=member.pk)


@staff_manager_required
@never_cache
@require_POST
def manage_reset_password(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_manageable_staff(request.user, pk)
    password = reset_staff_password(actor=request.user, target=member)
    return render(request, "identity/staff/manage/one_time_password.html", {"member": member, "password": password})


@staff_manager_required
@require_POST
def manage_reset_totp(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_manageable_staff(request.user, pk)
    reset_staff_totp(actor=request.user, target=member)
    messages.success(
        request,
        _("The authenticator of %(name)s was removed. At the next sign-in they bind a new one.")
        % {"name": member.display_name},
    )
    return redirect("identity:staff_manage_detail", pk=member.pk)
