"""The public 手机号更换 pages (manual §9): apply, the confirmation, and the progress lookup.

Nobody is signed in here. Every answer is the same whether or not the document is registered: the
SMS code goes to the new number in every case, the application page always ends on the same
confirmation, the lookup says "未查询到申请" for anything it cannot show. Thin views: parse, call a
service, render.
"""

import secrets
import time

from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from identity.views.sms_code import code_sent, send_code_response, send_form_code

from . import submissions
from .constants import PHOTO_FIELDS, STATUS_RESULT_SECONDS
from .forms import PhoneChangeApplyForm, PhoneChangeCodeForm, PhoneChangeStatusForm
from .selectors import application_for_status
from .services import PhoneChangeError, check_status, submit_phone_change

STATUS_SESSION_KEY = "phone_change_status"
STILL_PROCESSING = _("Your application is still being processed. Please wait a moment and reload the page.")


def _code_sent(request) -> bool:
    return code_sent(request, "phone_change")


def _personal(request) -> None:
    request.personal_data = True  # the page shows the ID number and phone typed: no-store


def _add_errors(form, exc: PhoneChangeError) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


# --------------------------------------------------------------------------- apply


def _render_apply(request, form, *, block_form=None, status=200, **extra):
    if form.is_bound or (block_form is not None and block_form.is_bound):
        _personal(request)
    context = {"form": form, "block_form": block_form or form, "code_sent": _code_sent(request), **extra}
    return render(request, "phone_change/apply.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    """手机号更换申请: the public application page (GET) and its final submission (POST)."""
    if request.method != "POST":
        return _render_apply(request, PhoneChangeApplyForm(initial={"submission": secrets.token_urlsafe(24)}))
    form = PhoneChangeApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_apply(request, form)
    data = form.cleaned_data
    token = data["submission"]
    claimed = submissions.claim(token)
    if claimed == submissions.ALREADY_DONE:
        return redirect("phone_change:submitted")
    if claimed == submissions.STILL_BUSY:
        form.add_error(None, STILL_PROCESSING)
        return _render_apply(request, form)
    try:
        submit_phone_change(
            request=request,
            id_type=data["id_type"],
            id_number=data["id_number"],
            full_name=data["full_name"],
            new_phone=data["phone"],
            code=data["sms_code"],
            reason=data["reason"],
            unit=data["unit"],
            photos={name: data[name] for name in PHOTO_FIELDS},
        )
    except PhoneChangeError as exc:
        submissions.finish(token, done=False)
        _add_errors(form, exc)
        return _render_apply(request, form, status=exc.status)
    except BaseException:
        submissions.finish(token, done=False)
        raise
    submissions.finish(token, done=True)
    return redirect("phone_change:submitted")


@require_POST
def apply_send_code(request):
    """获取短信验证码 on the application page: the identity part (htmx), or the whole page without JS."""
    block_form = PhoneChangeCodeForm(request.POST, sending=True)
    status, extra = 200, {}
    if block_form.is_valid():
        status, extra = send_form_code(request, block_form)
    _personal(request)
    if request.htmx:
        context = {"block_form": block_form, "code_sent": _code_sent(request), **extra}
        return render(request, "phone_change/_identity_block.html", context, status=status)
    # Without JavaScript the whole form came (files too): show it again, keeping what was typed.
    kept = {name: request.POST.get(name, "") for name in ("reason", "submission")}
    kept["unit"] = (request.POST.get("unit_city", ""), request.POST.get("unit", ""))
    form = PhoneChangeApplyForm(initial=kept)
    files_dropped = any(name in request.FILES for name in PHOTO_FIELDS)
    return _render_apply(request, form, block_form=block_form, status=status, files_dropped=files_dropped, **extra)


@require_safe
def submitted(request):
    """The one confirmation every submission ends on, registered or not."""
    return render(request, "phone_change/submitted.html")


# --------------------------------------------------------------------------- status lookup


def _render_status(request, form, *, status=200, fragment=False, **extra):
    if form.is_bound:
        _personal(request)
    template = "phone_change/_status_form.html" if fragment else "phone_change/status.html"
    return render(request, template, {"form": form, "code_sent": _code_sent(request), **extra}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    """查询进度: document + new number + SMS code to that number → the result page."""
    if request.method != "POST":
        return _render_status(request, PhoneChangeStatusForm())
    form = PhoneChangeStatusForm(request.POST)
    if not form.is_valid():
        return _render_status(request, form)
    data = form.cleaned_data
    try:
        found = check_status(
            request=request,
            id_type=data["id_type"],
            id_number=data["id_number"],
            new_phone=data["phone"],
            code=data["sms_code"],
        )
    except PhoneChangeError as exc:
        _add_errors(form, exc)
        return _render_status(request, form, status=exc.status)
    request.session[STATUS_SESSION_KEY] = {"application": found, "at": int(time.time())}
    return redirect("phone_change:status_result")


@require_POST
def status_send_code(request):
    """获取短信验证码 on the lookup page: the form as an htmx fragment, or the whole page without JS."""
    return send_code_response(request, PhoneChangeStatusForm(request.POST, sending=True), _render_status)


@require_safe
def status_result(request):
    """What the last lookup in this browser found, for a few minutes; then the lookup again."""
    looked_up = request.session.get(STATUS_SESSION_KEY)
    if not isinstance(looked_up, dict) or time.time() - looked_up.get("at", 0) > STATUS_RESULT_SECONDS:
        request.session.pop(STATUS_SESSION_KEY, None)
        return redirect("phone_change:status")
    _personal(request)
    application = application_for_status(looked_up.get("application"))
    return render(request, "phone_change/status_result.html", {"application": application})
