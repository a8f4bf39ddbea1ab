"""Rate limits on SMS codes (SECURITY.md; ASVS 2.4.1: SMS costs money and can be abused).

Kept in Django's cache (Redis in production, local memory on a laptop), with only atomic
operations, so that any number of app servers agree:

- 60 s between sends to one phone: one `cache.add` (SET NX), so of 20 parallel requests
  exactly one gets through;
- ≤ 5 sends an hour and ≤ 10 a day per phone, as sliding windows: each send takes one of N
  slots (`cache.add` again), and a slot frees itself when its window has passed;
- per-IP hourly and daily caps and a global daily budget: counters (`cache.incr`) per hour or
  per calendar day;
- code checks per IP per hour, so that guessing codes across many accounts is slow too.

If the cache fails in any way, every function raises `LimiterUnavailable`: the caller refuses
(HTTP 503) rather than send without limits. Keys hold HMACs, never a phone number or an IP.
"""

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

_P = ParamSpec("_P")
_R = TypeVar("_R")

logger = logging.getLogger(__name__)

HOUR = 3600
DAY = 86400


class LimiterUnavailable(Exception):
    """The limiter's store is down: nothing may be sent or checked until it is back."""

    message = _("The SMS code service is temporarily unavailable. Please try again in a few minutes.")


@dataclass
class RateLimited(Exception):
    """A limit was reached. `reason` names it; `retry_after` is in seconds."""

    reason: str
    retry_after: int

    @property
    def message(self) -> StrOrPromise:
        if self.reason == "cooldown":
            return _("Please wait %(seconds)s seconds before asking for another code.") % {"seconds": self.retry_after}
        return MESSAGES[self.reason]


MESSAGES = {
    "phone_hourly": _("This phone has received too many codes in the last hour. Please try again later."),
    "phone_daily": _("This phone has received the most codes allowed in 24 hours. Please try again tomorrow."),
    "ip_hourly": _("Too many codes have been asked for from your network. Please try again later."),
    "ip_daily": _("Too many codes have been asked for from your network today. Please try again tomorrow."),
    "global_daily": _(
        "The system has sent its whole SMS budget for today. Please try again tomorrow or contact your finance bureau."
    ),
    "checks_hourly": _("Too many codes have been tried from your network. Please try again later."),
}


def _cache() -> BaseCache:
    return caches[getattr(settings, "SMS_RATELIMIT_CACHE", "default")]


def _key(kind: str, value: str) -> str:
    digest = salted_hmac("identity.ratelimit", value, algorithm="sha256").hexdigest()[:32]
    return f"hbkj:sms:{kind}:{digest}"


def _guarded(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn any failure of the cache into LimiterUnavailable (fail closed)."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except RateLimited:
            raise
        except Exception as exc:
            logger.error("SMS rate limiter unavailable: %s", exc.__class__.__name__)
            raise LimiterUnavailable from exc

    return wrapper


def _count(key: str, timeout: int) -> int:
    """Atomically add one to a counter that dies after `timeout` seconds; return the new value."""
    cache = _cache()
    for _attempt in range(2):
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:  # it expired between add and incr
            continue
    raise RuntimeError("counter vanished twice")


def _take_slot(prefix: str, limit: int, window: int, now: float) -> str | None:
    """Take one of `limit` slots that each live `window` seconds. None when all are taken."""
    cache = _cache()
    keys = [f"{prefix}:{i}" for i in range(limit)]
    held = cache.get_many(keys)
    for key in keys:
        if key not in held and cache.add(key, now, window):
            return key
    return None


def _slot_retry_after(prefix: str, limit: int, window: int, now: float) -> int:
    held = _cache().get_many([f"{prefix}:{i}" for i in range(limit)]).values()
    oldest = min(held, default=now)
    return max(1, math.ceil(oldest + window - now))


@_guarded
def reserve_sms_send(*, phone: str, ip: str | None) -> None:
    """Count one send to `phone` from `ip`, or raise RateLimited / LimiterUnavailable.

    Call before deciding whether to send at all, so that every request for a code meets the
    same limits and gets the same answer whether or not a code is then sent.
    """
    cache = _cache()
    now = time.time()
    ip = ip or "unknown"

    cooldown = settings.SMS_COOLDOWN_SECONDS
    cooldown_key = _key("cooldown", phone)
    if not cache.add(cooldown_key, now, cooldown):
        started = cache.get(cooldown_key) or now
        raise RateLimited("cooldown", max(1, math.ceil(started + cooldown - now)))

    try:
        _count_against_caps(phone=phone, ip=ip, now=now)
    except RateLimited:
        cache.delete(cooldown_key)  # nothing was sent: the phone's cooldown has not started
        raise


def _count_against_caps(*, phone: str, ip: str, now: float) -> None:
    cache = _cache()
    hour, today = int(now // HOUR), timezone.localdate().isoformat()
    if _count(f"{_key('ip-h', ip)}:{hour}", HOUR + 60) > settings.SMS_IP_HOURLY_LIMIT:
        raise RateLimited("ip_hourly", HOUR - int(now % HOUR))
    if _count(f"{_key('ip-d', ip)}:{today}", DAY + HOUR) > settings.SMS_IP_DAILY_LIMIT:
        raise RateLimited("ip_daily", DAY)

    hourly_prefix, daily_prefix = _key("phone-h", phone), _key("phone-d", phone)
    hourly_slot = _take_slot(hourly_prefix, settings.SMS_PHONE_HOURLY_LIMIT, HOUR, now)
    if hourly_slot is None:
        raise RateLimited("phone_hourly", _slot_retry_after(hourly_prefix, settings.SMS_PHONE_HOURLY_LIMIT, HOUR, now))
    daily_slot = _take_slot(daily_prefix, settings.SMS_PHONE_DAILY_LIMIT, DAY, now)
    if daily_slot is None:
        cache.delete(hourly_slot)
        raise RateLimited("phone_daily", _slot_retry_after(daily_prefix, settings.SMS_PHONE_DAILY_LIMIT, DAY, now))

    if _count(f"hbkj:sms:global:{today}", 2 * DAY) > settings.SMS_GLOBAL_DAILY_LIMIT:
        cache.delete_many([hourly_slot, daily_slot])
        raise RateLimited("global_daily", DAY)


@_guarded
def hit_code_check(*, ip: str | None) -> None:
    """Count one code check from `ip`, or raise RateLimited / LimiterUnavailable."""
    now = time.time()
    # Generous next to the send caps (one code may take a few tries; offices share one address).
    limit = getattr(settings, "SMS_CHECK_IP_HOURLY_LIMIT", 300)
    if _count(f"{_key('check-h', ip or 'unknown')}:{int(now // HOUR)}", HOUR + 60) > limit:
        raise RateLimited("checks_hourly", HOUR - int(now % HOUR))
