"""Staff sign-in (工作人员登录), the staff workbench (工作台) and the lockout page."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core.request_types import ProjectHttpRequest
from identity.constants import StaffRole
from identity.models import User
from identity.permissions import staff_required
from identity.request_types import SignedInRequest
from identity.staff_forms import StaffLoginForm
from identity.staff_services import StaffSignInError, sign_in_staff


def _landing_url(user: User | AnonymousUser | None = None) -> str:
    # Training-institution staff land on their institution's pages (app `institutions`).
    if user is not None and getattr(user, "role", "") == StaffRole.INSTITUTION:
        try:
            return reverse("institutions:home")
        except NoReverseMatch:
            pass
    # The reviewer inbox is the staff's daily page once the review engine exists.
    try:
        return reverse("reviews:inbox")
    except NoReverseMatch:
        return reverse("identity:staff_home")


def _next_url(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _is_verified_staff(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_staff_member and user.is_verified()


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request: ProjectHttpRequest) -> HttpResponse:
    """Username + password + TOTP in one form. Every refusal shows the same message, except a
    code used before together with the right password (that person knows the password)."""
    if request.method == "GET" and _is_verified_staff(request.user):
        return redirect(_next_url(request) or _landing_url(request.user))
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_staff(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                token=form.cleaned_data["otp_token"],
            )
        except StaffSignInError as exc:
            # A lockout is answered by django-axes' middleware with staff_locked.html.
            reused = exc.reason == StaffSignInError.REUSED_TOTP
            form.add_error(None, StaffLoginForm.CODE_REUSED if reused else StaffLoginForm.REFUSED)
        else:
            return redirect(_next_url(request) or _landing_url(request.user))
    return render(
        request,
        "identity/staff/login.html",
        {
            "form": form,
            "next": _next_url(request) or "",
            "timed_out": request.GET.get("timeout") == "1",
        },
    )


@staff_required
@require_http_methods(["GET"])
def staff_home(request: SignedInRequest) -> HttpResponse:
    """工作台: who is signed in, their role and unit (read fresh on every request), and links."""
    try:
        inbox_url = reverse("reviews:inbox")
    except NoReverseMatch:
        inbox_url = None
    admin_url = reverse("admin:index") if request.user.is_staff and request.user.is_superuser else None
    return render(request, "identity/staff/home.html", {"inbox_url": inbox_url, "admin_url": admin_url})


def _lockout_ends_at(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime | None:
    """When the lockout of this username or this address ends (django-axes counts per each)."""
    from axes.helpers import get_client_username, get_cool_off
    from axes.models import AccessAttempt

    cool_off: timedelta | None = get_cool_off(request)
    if not cool_off:
        return None
    username = get_client_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    match = Q(ip_address=ip_address)
    if username:
        match |= Q(username=username)
    last: datetime | None = AccessAttempt.objects.filter(match).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def staff_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The page django-axes answers with once sign-in is locked (settings.AXES_LOCKOUT_CALLABLE)."""
    ends_at = _lockout_ends_at(request, credentials)
    minutes = None
    if ends_at is not None:
        minutes = max(1, -(-int((ends_at - timezone.now()) / timedelta(seconds=1)) // 60))
    return render(
        request,
        "identity/staff_locked.html",
        {"ends_at": ends_at, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        # django-axes puts its defaults on settings when imported (axes.conf): the plugin cannot see them.
        status=settings.AXES_HTTP_RESPONSE_CODE,  # type: ignore[misc]
    )
