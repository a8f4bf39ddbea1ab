"""One answer per submitted page (SECURITY.md: a double click, the back button or a retry
creates one application — and the person sees the confirmation, not a "wrong code" error).

The application page carries a random token. The first POST with a token claims it in the cache
and marks it done when the submission went through; a repeat of a done token is answered with the
confirmation at once, and a repeat that arrives while the first is still running waits for it.
The database needs none of this to keep one application per person (the engine's constraint and
the single-use SMS code do that); this only makes the second answer the right one.
"""

import logging
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

BUSY, DONE = "busy", "done"
CLAIM_SECONDS = 120
DONE_SECONDS = 3600
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.2

NEW, ALREADY_DONE, STILL_BUSY = "new", "done", "busy"


def _key(token: str) -> str:
    return "hbkj:phone_change:submission:" + salted_hmac("phone_change.submissions", token).hexdigest()[:32]


def claim(token: str) -> str:
    """NEW: go ahead; ALREADY_DONE: this page was submitted already; STILL_BUSY: still running elsewhere.

    Without a token, or when the cache fails, every request goes ahead (NEW).
    """
    if not token:
        return NEW
    key = _key(token)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            if cache.add(key, BUSY, CLAIM_SECONDS):
                return NEW
            if cache.get(key) == DONE:
                return ALREADY_DONE
            if time.monotonic() >= deadline:
                return STILL_BUSY
            time.sleep(POLL_SECONDS)
    except Exception as exc:  # the cache is only a convenience here
        logger.warning("submission token store unavailable: %s", exc.__class__.__name__)
        return NEW


def finish(token: str, *, done: bool) -> None:
    """Mark the token done (the submission went through) or release it (it was refused)."""
    if not token:
        return
    try:
        if done:
            cache.set(_key(token), DONE, DONE_SECONDS)
        else:
            cache.delete(_key(token))
    except Exception as exc:
        logger.warning("submission token store unavailable: %s", exc.__class__.__name__)
