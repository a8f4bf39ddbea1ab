"""Celery tasks of the outbox. Both are safe to run twice or at the same time (see services)."""

from typing import Any

from celery import shared_task
from django.conf import settings

from . import services

# A send must end (soft limit: recorded as a retry) before its lease expires, or another worker
# could claim the row while the provider is still answering.
_DELIVER_SOFT_LIMIT = max(settings.SMS_LEASE_SECONDS - 15, 5)
_DELIVER_HARD_LIMIT = max(settings.SMS_LEASE_SECONDS - 5, _DELIVER_SOFT_LIMIT + 1)
# The relay stops claiming after its time budget; the last send it started still has its lease.
_RELAY_SOFT_LIMIT = settings.SMS_RELAY_TIME_BUDGET_SECONDS + _DELIVER_SOFT_LIMIT
_RELAY_HARD_LIMIT = settings.SMS_RELAY_TIME_BUDGET_SECONDS + _DELIVER_HARD_LIMIT


@shared_task(
    name="notifications.deliver_notification",
    ignore_result=True,
    soft_time_limit=_DELIVER_SOFT_LIMIT,
    time_limit=_DELIVER_HARD_LIMIT,
)
def deliver_notification(notification_id: int) -> bool:
    """Dispatched after the commit that queued the row; a no-op if the row is sent or leased."""
    return services.deliver_notification(notification_id)


@shared_task(
    name="notifications.relay_outbox",
    ignore_result=True,
    soft_time_limit=_RELAY_SOFT_LIMIT,
    time_limit=_RELAY_HARD_LIMIT,
)
def relay_outbox() -> dict[str, Any]:
    """Run by Celery beat (CELERY_BEAT_SCHEDULE): sends due rows and rows whose lease expired."""
    return services.relay_outbox()
