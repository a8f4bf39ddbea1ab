"""Who and where a request comes from, for audit rows."""

from django.conf import settings


def client_ip(request) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def request_id(request) -> str:
    return getattr(request, "request_id", "") if request is not None else ""
