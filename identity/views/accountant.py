"""Accountant registration and sign-in pages (manual §4.1, §4.2). Thin: parse, call a service, render."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.request_types import ProjectHttpRequest

from ..accountant_forms import AccountantCodeForm, AccountantLoginForm, AccountantRegistrationForm
from ..accountant_services import AccountantError, register_accountant, sign_in_accountant
from .sms_code import code_sent, send_code_response, show_code_error

PAGES: dict[str, tuple[type[AccountantCodeForm], str]] = {
    "login": (AccountantLoginForm, "identity/accountant/login.html"),
    "register": (AccountantRegistrationForm, "identity/accountant/register.html"),
}
FRAGMENT = "identity/accountant/_form.html"


def _optional_url(name: str) -> str | None:
    """A page built by another part of the system, if it exists yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _safe_next(request: HttpRequest) -> str:
    """`next` only when it is a path on this site (no open redirect)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return ""


def _render(
    request: ProjectHttpRequest, form: AccountantCodeForm, *, status: int = 200, fragment: bool = False, **extra: Any
) -> HttpResponse:
    if form.is_bound:
        request.personal_data = True  # the page shows the ID number and phone typed: no-store
    context = {
        "form": form,
        "purpose": form.purpose,
        "next": _safe_next(request),
        "phone_change_url": _optional_url("phone_change:apply"),
        "code_sent": code_sent(request, form.purpose),
        **extra,
    }
    template = FRAGMENT if fragment else PAGES[form.purpose][1]
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: ProjectHttpRequest) -> HttpResponse:
    """会计人员登录: 证件类型 + 证件号码 + 手机号 + 图形验证码 + 短信验证码, no password."""
    if request.method != "POST":
        return _render(request, AccountantLoginForm(), timed_out=request.GET.get("timeout") == "1")
    form = AccountantLoginForm(request.POST)
    if not form.is_valid():
        return _render(request, form)
    data = form.cleaned_data
    try:
        sign_in_accountant(
            request=request,
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
            code=data["sms_code"],
        )
    except AccountantError as exc:
        return _render(request, form, status=exc.status, **show_code_error(form, exc))
    return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


@require_http_methods(["GET", "HEAD", "POST"])
def register_view(request: ProjectHttpRequest) -> HttpResponse:
    """会计人员注册: 证件类型 + 证件号码 + 姓名 + 手机号 + 图形验证码 + 短信验证码."""
    if request.method != "POST":
        return _render(request, AccountantRegistrationForm())
    form = AccountantRegistrationForm(request.POST)
    if not form.is_valid():
        return _render(request, form)
    data = form.cleaned_data
    try:
        register_accountant(
            request=request,
            id_type=data["id_type"],
            id_number=data["id_number"],
            full_name=data["full_name"],
            phone=data["phone"],
            code=data["sms_code"],
        )
    except AccountantError as exc:
        return _render(request, form, status=exc.status, **show_code_error(form, exc))
    return redirect(_safe_next(request) or _optional_url("dossier:collect") or reverse("core:home"))


@require_POST
def send_code_view(request: ProjectHttpRequest) -> HttpResponse:
    """获取短信验证码 for the sign-in or registration form: an htmx fragment, or the whole page without JS."""
    purpose = request.POST.get("purpose", "")
    if purpose not in PAGES:
        return HttpResponseBadRequest()
    return send_code_response(request, PAGES[purpose][0](request.POST, sending=True), _render)
