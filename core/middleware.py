"""Cross-cutting request handling: request ids, idle time-outs, no-store for personal data."""

import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from core.logs import request_id_var

# A proxy's X-Request-ID is kept when it is a plain token (no spaces or control characters that
# could forge log lines or headers); anything else gets a fresh id.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestIdMiddleware:
    """Give every request an id (or keep the proxy's) for audit rows and logs.

    The id is also put in ``core.logs.request_id_var`` for the request's duration, so every log
    line written while handling it carries it (``core.logs.RequestIdFilter``), and so do the Celery
    tasks it publishes (``core.celery_context``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


IDLE_KEY = "_last_seen"
# The last-seen time is rewritten at most this often, so that a page view does not cost a
# session write; the idle limits are then exact to within this many seconds.
IDLE_RESOLUTION_SECONDS = 60


def idle_limit_for(user) -> int:
    if getattr(user, "is_staff_member", False):
        return settings.SESSION_IDLE_SECONDS_STAFF
    return settings.SESSION_IDLE_SECONDS_ACCOUNTANT


class IdleTimeoutMiddleware:
    """End a signed-in session after the idle limit of its kind of user (30 / 15 minutes).

    The limit is enforced server-side from a timestamp in the session, so a stolen cookie
    dies with the idle time as well.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(IDLE_KEY)
            limit = idle_limit_for(user)
            if last_seen is not None and now - last_seen > limit:
                is_staff = getattr(user, "is_staff_member", False)
                logout(request)
                login_url = "identity:staff_login" if is_staff else "identity:login"
                return redirect(f"{reverse(login_url)}?timeout=1")
            if last_seen is None or now - last_seen >= IDLE_RESOLUTION_SECONDS:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in users carry personal data: never let a cache keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "personal_data", False):
            response["Cache-Control"] = "no-store"
        return response
