"""Cached data read at most once per request: a memo in front of the cache (issue #10).

Option lists (dossier.options, integrity.options) are read from the cache for every label a page
shows: 14–19 reads per page, each a network round trip with Redis. `cached()` keeps what one
request has read in a per-request memo, and the first read of any registered key fetches every
registered key in one `cache.get_many` — one round trip per request for all option lists.

The memo lives in a context variable set when a request starts and cleared when it ends
(`request_started` / `request_finished`). Outside a request (Celery, shell, migrations) there is
no memo: every read goes to the cache, as before. `forget()` drops a key from the memo and the
cache, so a request that edits an option list reads its own write.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)
# key -> (loader, seconds): the keys fetched together on a request's first read.
_registered: dict[str, tuple[Callable, int]] = {}


def register(key: str, loader: Callable, seconds: int) -> None:
    """Declare a cache entry read through `cached()`: its loader (on a miss) and lifetime."""
    _registered[key] = (loader, seconds)


def cached(key: str):
    """The value of a registered key: from this request's memo, else the cache, else its loader."""
    memo = _memo.get()
    if memo is not None and key in memo:
        return memo[key]
    wanted = [key] if memo is None else [k for k in _registered if k not in memo] or [key]
    if len(wanted) > 1:
        found = cache.get_many(wanted)
    else:
        found = {}
        single = cache.get(key)
        if single is not None:
            found[key] = single
    value = found.get(key)
    if value is None:
        loader, seconds = _registered[key]
        value = loader()
        cache.set(key, value, seconds)
        found[key] = value
    if memo is not None:
        memo.update(found)
    return value


def forget(key: str) -> None:
    """Drop a key from the cache and from this request's memo."""
    cache.delete(key)
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


def _start(**kwargs) -> None:
    _memo.set({})


def _finish(**kwargs) -> None:
    _memo.set(None)


request_started.connect(_start, dispatch_uid="core.request_memo.start")
request_finished.connect(_finish, dispatch_uid="core.request_memo.finish")
