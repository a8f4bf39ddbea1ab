"""Stored idempotent responses expire (core.maintenance job `api_idempotency`).

A client retries a POST within minutes, not days: a stored response older than
IDEMPOTENCY_TTL_HOURS (24) is deleted every night, in batches, so the table holds about a day of
writes. A key reused after that is a new request (docs/api.md "Idempotent POSTs").
"""

from datetime import datetime, timedelta

from django.utils import timezone

from core.maintenance import delete_in_batches, job

from .constants import IDEMPOTENCY_TTL_HOURS
from .models import IdempotencyRecord

BATCH_SIZE = 5_000


def purge_idempotency_records(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete stored responses created more than IDEMPOTENCY_TTL_HOURS ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=IDEMPOTENCY_TTL_HOURS)
    return delete_in_batches(IdempotencyRecord.objects.filter(created_at__lt=cutoff), batch_size=batch_size)


@job("api_idempotency")
def purge_api_idempotency() -> int:
    return purge_idempotency_records()
