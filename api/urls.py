"""/api/…: version 1 (django-ninja), every call audited; anything else under /api/ answers JSON too."""

from functools import wraps

from django.urls import path, re_path

from audit.models import AuditEvent
from audit.services import record_event

from .errors import error_response
from .v1 import api

_STATUS_CODES = {404: "not_found", 405: "method_not_allowed"}


def _audited(view):
    """Audit every call (api.call, or api.denied for a refusal) and turn bodiless errors into JSON."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in _STATUS_CODES and "json" not in response.get("Content-Type", ""):
            response = error_response(_STATUS_CODES[response.status_code])
        if request.path.endswith(("/docs", "/openapi.json")):
            return response
        client = getattr(request, "api_client", None)
        ok = response.status_code < 400
        record_event(
            action="api.call" if ok else "api.denied",
            request=request,
            actor=client.service_user if client and getattr(request, "api_authenticated", False) else None,
            object_type="api.apiclient" if client else "",
            object_id=str(client.pk) if client else "",
            result=AuditEvent.Result.SUCCESS if ok else AuditEvent.Result.DENIED,
            detail={
                "client_id": client.client_id if client else request.headers.get("X-Client-Id", "")[:40],
                "method": request.method,
                "path": request.path[:200],
                "status": response.status_code,
            },
        )
        return response

    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapper


def _wrap(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):  # a router's include
            _wrap(pattern.url_patterns)
        elif getattr(pattern, "callback", None) is not None:
            pattern.callback = _audited(pattern.callback)
    return patterns


def not_found(request, rest=""):
    return error_response("not_found")


_v1_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("v1/", (_wrap(_v1_patterns), _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", _audited(not_found)),
]
