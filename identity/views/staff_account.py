"""账号管理 (one's own password and recent sign-ins) and the first sign-in (new password +
authenticator enrolment); the rules are in identity.staff_credentials."""

from typing import TypeVar

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from audit.actions import label_for
from core.request_types import ProjectHttpRequest
from identity.models import User
from identity.permissions import any_staff_required
from identity.request_types import SignedInRequest
from identity.staff_credentials import (
    PENDING_KEY,
    begin_first_sign_in,
    change_own_password,
    confirm_enrolment,
    enrolment_device,
    pending_user,
    qr_data_uri,
    recent_sign_ins,
    secret_base32,
    set_first_password,
)
from identity.staff_forms import EnrolTokenForm, FirstSignInForm
from identity.staff_services import StaffSignInError

from .staff import _landing_url, staff_locked_out

_Form = TypeVar("_Form", bound=forms.BaseForm)


def _locked_out(request: HttpRequest, user: User) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    locked: bool = AxesProxyHandler.is_locked(request, credentials={"username": user.username})
    return locked


def _password_fields(form: _Form) -> _Form:
    for field in form.fields.values():
        field.widget.attrs.setdefault("autocomplete", "new-password")
    return form


@any_staff_required
@never_cache
@require_http_methods(["GET"])
def account(request: SignedInRequest) -> HttpResponse:
    """账号管理: who I am, a link to change my password, my last 20 sign-in events."""
    events = [
        {"event": event, "label": label_for(event.action), "reason": (event.detail or {}).get("reason", "")}
        for event in recent_sign_ins(request.user)
    ]
    return render(request, "identity/staff/account/account.html", {"events": events})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@any_staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: SignedInRequest) -> HttpResponse:
    """Change one's own password: the current one, then the new one twice (Django's validators)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    form.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
    for name in ("new_password1", "new_password2"):
        form.fields[name].widget.attrs["autocomplete"] = "new-password"
    if request.method == "POST" and form.is_valid():
        change_own_password(request=request, form=form)
        return render(request, "identity/staff/account/password_done.html", {"landing_url": _landing_url(request.user)})
    return render(
        request,
        "identity/staff/account/password.html",
        {"form": form, "forced": request.user.must_change_password},
    )


# --------------------------------------------------------------------------- first sign-in


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def first_sign_in(request: ProjectHttpRequest) -> HttpResponse:
    """首次登录 / 验证器重置后登录: username + password, then the next step of the first sign-in."""
    form = FirstSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = begin_first_sign_in(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except StaffSignInError:
            # A lockout is answered by django-axes' middleware with staff_locked.html.
            form.add_error(None, FirstSignInForm.REFUSED)
        else:
            return redirect("identity:staff_first_password" if user.must_change_password else "identity:staff_enrol")
    return render(request, "identity/staff/first/sign_in.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def first_password(request: ProjectHttpRequest) -> HttpResponse:
    """Step 2 of a first sign-in: replace the one-time password."""
    user = pending_user(request)
    if user is None:
        return redirect("identity:staff_first_sign_in")
    if not user.must_change_password:
        return redirect("identity:staff_enrol")
    form = _password_fields(SetPasswordForm(user, request.POST or None))
    if request.method == "POST" and form.is_valid():
        set_first_password(request=request, user=user, password=form.cleaned_data["new_password1"])
        return redirect("identity:staff_enrol")
    return render(request, "identity/staff/first/password.html", {"form": form, "member": user})


@sensitive_post_parameters("otp_token")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: ProjectHttpRequest) -> HttpResponse:
    """Step 3: scan the QR code of a new authenticator and confirm it with a code; signs in."""
    user = pending_user(request)
    if user is None:
        return redirect("identity:staff_first_sign_in")
    if user.must_change_password:
        return redirect("identity:staff_first_password")
    if request.method == "POST" and _locked_out(request, user):
        # Wrong codes count like failed sign-ins: once locked, the pending sign-in ends.
        request.session.pop(PENDING_KEY, None)
        return staff_locked_out(request, credentials={"username": user.username})
    form = EnrolTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_enrolment(request=request, user=user, token=form.cleaned_data["otp_token"]):
            return redirect(_landing_url(user))
        form.add_error("otp_token", EnrolTokenForm.WRONG_CODE)
    device = enrolment_device(user)
    return render(
        request,
        "identity/staff/first/enrol.html",
        {"form": form, "member": user, "qr_src": qr_data_uri(device), "secret": secret_base32(device)},
    )
