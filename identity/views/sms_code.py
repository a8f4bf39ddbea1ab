"""The "获取短信验证码" (get SMS code) step shared by every page built on `AccountantCodeForm`:
accountant sign-in and registration, and the 手机号更换 application and progress lookup.

The form (with `sending=True`: the code itself is not asked for) names the purpose; the code goes to
the form's `phone`. The page's template shows the row with `identity/accountant/_sms_code_row.html`.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.request_types import ProjectHttpRequest

from .. import codes
from ..accountant_forms import AccountantCodeForm
from ..accountant_services import AccountantError, send_code


def code_sent(request: HttpRequest, purpose: str) -> bool:
    """A code was sent in this session: the image captcha is not asked again (hidden)."""
    return bool(codes.current_challenge(request.session, purpose))


def show_code_error(form: AccountantCodeForm, exc: AccountantError) -> dict[str, Any]:
    """Put the refusal on the form; the page's extra context (the error's code, the cooldown left)."""
    form.add_error(exc.field, exc.message)
    extra: dict[str, Any] = {"error_code": exc.code}
    if exc.code == "cooldown":
        extra["countdown"] = exc.retry_after
    return extra


def send_form_code(request: HttpRequest, form: AccountantCodeForm) -> tuple[int, dict[str, Any]]:
    """Send a code for a valid form (to its phone, for its purpose): (status, extra context) for the page."""
    data = form.cleaned_data
    try:
        message = send_code(
            request=request,
            purpose=form.purpose,
            id_type=data["id_type"],
            id_number=data["id_number"],
            phone=data["phone"],
        )
    except AccountantError as exc:
        return exc.status, show_code_error(form, exc)
    form.fields["sms_code"].widget.attrs["autofocus"] = True
    return 200, {"sent_message": message, "countdown": settings.SMS_COOLDOWN_SECONDS}


def send_code_response(
    request: ProjectHttpRequest, form: AccountantCodeForm, render_form: Callable[..., HttpResponse]
) -> HttpResponse:
    """The whole "get code" POST for a page whose form is swapped as one fragment (htmx), or the whole
    page without JS: `render_form(request, form, status=…, fragment=…, **extra)` renders either."""
    fragment = bool(request.htmx)
    if not form.is_valid():
        return render_form(request, form, fragment=fragment)
    status, extra = send_form_code(request, form)
    return render_form(request, form, status=status, fragment=fragment, **extra)
