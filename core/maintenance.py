"""Scheduled maintenance: purges that keep only what is still needed (SECURITY.md "Personal data").

A job is a plain function returning how many things it removed. Each part registers its own jobs
in its `maintenance` module with `@job("name")` (core knows nobody: it finds them with
`discover()`, the way the admin finds `admin` modules). Each job becomes a Celery task named
`maintenance.<name>`, scheduled in settings.CELERY_BEAT_SCHEDULE (at night Asia/Shanghai, codes
and captchas hourly), and can be run by hand: `manage.py run_maintenance [--only NAME]`.

Jobs defined here purge what Django and the captcha library keep: expired sessions and captchas.
Every job is safe to run twice or concurrently: it deletes by age, so a second run finds nothing.
"""

import logging
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

TASK_PREFIX = "maintenance."
JOBS: dict[str, Callable[[], int]] = {}


def job(name: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    """Register `function` (no arguments, returns a count) as maintenance job `name` and its task."""

    def register(function: Callable[[], int]) -> Callable[[], int]:
        if JOBS.get(name, function) is not function:
            raise ValueError(f"maintenance job {name!r} is registered twice")
        JOBS[name] = function

        @shared_task(name=TASK_PREFIX + name)
        def run_task() -> int:
            return run(name)

        # The task rides on the function (a function attribute mypy cannot declare).
        function.task = run_task  # type: ignore[attr-defined]
        return function

    return register


def discover() -> dict[str, Callable[[], int]]:
    """Import every installed app's `maintenance` module; returns the registry."""
    autodiscover_modules("maintenance")
    return JOBS


def run(name: str) -> int:
    """Run one job, log what it removed and how long it took; returns the count."""
    function = JOBS[name] if name in JOBS else discover()[name]
    started = time.monotonic()
    try:
        count = function()
    except Exception:
        logger.exception("maintenance %s failed", name)
        raise
    logger.info("maintenance %s: removed %d in %.1f s", name, count, time.monotonic() - started)
    return count


def delete_in_batches(rows: QuerySet[Any], *, batch_size: int) -> int:
    """Delete `rows` oldest first (`created_at`, then pk), `batch_size` at a time, each batch in its own
    short transaction; returns how many were deleted.

    Each batch deletes `rows.filter(pk__in=ids)`: the conditions are checked again, so a row that
    changed since it was listed (retried, say) stays.
    """
    deleted = 0
    while True:
        ids = list(rows.order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            gone, _by_model = rows.filter(pk__in=ids).delete()
        deleted += gone
        if len(ids) < batch_size:
            return deleted


@job("sessions")
def purge_expired_sessions() -> int:
    """Delete expired sessions (what `clearsessions` does), counting them where sessions are rows."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        # Cache or signed-cookie sessions expire by themselves.
        store.clear_expired()
        return 0
    deleted, _by_model = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@job("captchas")
def purge_expired_captchas() -> int:
    """Delete expired image captchas (CaptchaStore.remove_expired, with a count)."""
    from captcha.models import CaptchaStore

    deleted, _by_model = CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()
    return deleted
