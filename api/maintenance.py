"""Stored idempotent responses expire (core.maintenance job `api_idempotency`).

A client retries a POST within minutes, not days: a stored response older than
IDEMPOTENCY_TTL_HOURS (24) is deleted every night, in batches, so the table holds about a day of
writes. A key reused after that is a new request (docs/api.md "Idempotent POSTs").
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.maintenance import job

from .constants import IDEMPOTENCY_TTL_HOURS
from .models import IdempotencyRecord

BATCH_SIZE = 5_000


def purge_idempotency_records(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete stored responses created more than IDEMPOTENCY_TTL_HOURS ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=IDEMPOTENCY_TTL_HOURS)
    old = IdempotencyRecord.objects.filter(created_at__lt=cutoff)
    deleted = 0
    while True:
        ids = list(old.order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            gone, _by_model = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += gone
        if len(ids) < batch_size:
            return deleted


@job("api_idempotency")
def purge_api_idempotency() -> int:
    return purge_idempotency_records()
