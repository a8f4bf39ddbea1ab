"""A per-IP rate limit of the public verification page, in Django's cache (Redis in production).

The approach of `identity.ratelimit`: a counter per IP (an HMAC of it, never the address itself)
and time window, with atomic `add` + `incr`, so that every app server counts the same requests.
Unlike the SMS limits it fails open: a verification costs nothing and the tokens are 256-bit and
signed, so a cache outage must not stop anyone checking a certificate (it is logged).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from .constants import DEFAULT_VERIFY_LIMIT, DEFAULT_VERIFY_WINDOW

logger = logging.getLogger(__name__)


def verify_limit() -> tuple[int, int]:
    """(requests, window in seconds) allowed per IP address."""
    return (
        getattr(settings, "CERTIFICATES_VERIFY_LIMIT", DEFAULT_VERIFY_LIMIT),
        getattr(settings, "CERTIFICATES_VERIFY_WINDOW", DEFAULT_VERIFY_WINDOW),
    )


def hit_verify(ip: str | None) -> int | None:
    """Count one verification from `ip`; the seconds to wait when over the limit, else None."""
    limit, window = verify_limit()
    now = time.time()
    digest = salted_hmac("certificates.ratelimit", ip or "unknown", algorithm="sha256").hexdigest()[:32]
    key = f"hbkj:cert-verify:{digest}:{int(now // window)}"
    try:
        cache.add(key, 0, window + 60)
        count = cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open, logged
        logger.warning("certificate verification rate limit unavailable: %s", exc.__class__.__name__)
        return None
    if count > limit:
        return max(1, window - int(now % window))
    return None
