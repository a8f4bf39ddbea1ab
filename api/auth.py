"""Authentication of API calls by signed requests, nonce replay refusal and per-client rate limits.

The nonce store and the rate counters live in the strict cache alias of the SMS limits
(settings.SMS_RATELIMIT_CACHE: Redis without IGNORE_EXCEPTIONS in production): when it is down every
call is refused with 503, never served without replay protection or limits.
"""

import hmac
import logging
import math
import re
import time

from django.conf import settings
from django.core.cache import caches
from ninja.security.base import AuthBase

from . import signing
from .constants import (
    HEADER_CLIENT_ID,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MAX_SKEW_SECONDS,
    NONCE_PATTERN,
    NONCE_TTL_SECONDS,
)
from .errors import ApiError
from .models import ApiClient
from .services import secret_for

logger = logging.getLogger(__name__)
_NONCE_RE = re.compile(NONCE_PATTERN)
_TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")


def _strict_cache():
    return caches[getattr(settings, "SMS_RATELIMIT_CACHE", "default")]


def _header(request, name: str) -> str:
    return request.headers.get(name, "") or ""


def authenticate(request) -> ApiClient:
    """The client of a correctly signed, fresh, never-seen request within its rate limit; else ApiError."""
    client_id, timestamp = _header(request, HEADER_CLIENT_ID), _header(request, HEADER_TIMESTAMP)
    nonce, signature = _header(request, HEADER_NONCE), _header(request, HEADER_SIGNATURE)
    if not (client_id and timestamp and nonce and signature):
        raise ApiError("missing_credentials")
    client = (
        ApiClient.objects.select_related("service_user", "institution", "unit")
        .filter(client_id=client_id[:40], is_active=True)
        .first()
    )
    if client is None:
        raise ApiError("unknown_client")
    request.api_client = client
    now = time.time()
    if not _TIMESTAMP_RE.fullmatch(timestamp) or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise ApiError("invalid_timestamp")
    if not _NONCE_RE.fullmatch(nonce):
        raise ApiError("invalid_nonce")
    expected = signing.sign(
        secret_for(client),
        method=request.method,
        path=request.path,
        query_string=request.META.get("QUERY_STRING", ""),
        timestamp=timestamp,
        nonce=nonce,
        body=request.body,
    )
    if not hmac.compare_digest(expected, signature.lower()):
        raise ApiError("invalid_signature")
    _remember_nonce(client, nonce)
    _count_call(client, now)
    request.api_authenticated = True
    return client


def _guarded(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ApiError:
            raise
        except Exception as exc:
            logger.error("API nonce/rate store unavailable: %s", exc.__class__.__name__)
            raise ApiError("service_unavailable") from exc

    return wrapper


@_guarded
def _remember_nonce(client: ApiClient, nonce: str) -> None:
    # SET NX: of two requests with the same nonce exactly one gets through, on any number of servers.
    if not _strict_cache().add(f"hbkj:api:nonce:{client.client_id}:{nonce}", 1, NONCE_TTL_SECONDS):
        raise ApiError("replayed_nonce")


@_guarded
def _count_call(client: ApiClient, now: float) -> None:
    """Fixed one-minute windows per client: the call over the limit answers 429 with Retry-After."""
    cache = _strict_cache()
    window = int(now // 60)
    key = f"hbkj:api:rate:{client.client_id}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 120)
        count = 1
    if count > client.rate_limit_per_minute:
        retry_after = max(1, math.ceil((window + 1) * 60 - now))
        raise ApiError("rate_limited", headers={"Retry-After": str(retry_after)})


def require_scope(request, scope: str) -> ApiClient:
    client = request.auth
    if not client.has_scope(scope):
        raise ApiError("insufficient_scope")
    return client


class SignedRequest(AuthBase):
    """django-ninja security scheme: the four signature headers (documented as an apiKey on X-Signature)."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = HEADER_SIGNATURE

    openapi_description = (
        "HMAC-SHA256 signed request: headers X-Client-Id, X-Timestamp, X-Nonce and X-Signature (docs/api.md)."
    )

    def __call__(self, request):
        return authenticate(request)
