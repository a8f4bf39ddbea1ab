"""SMS outbox retention as a maintenance job (core.maintenance).

Rows that were sent or finally failed are kept NOTIFICATION_RETENTION_DAYS (default 90) for
enquiries ("did the SMS go out?"), then deleted. Pending and sending rows are never touched.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.maintenance import delete_in_batches, job

from .models import Notification

BATCH_SIZE = 5_000


def purge_old_notifications(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete sent/failed outbox rows created more than NOTIFICATION_RETENTION_DAYS ago, in batches."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    finished = Notification.objects.filter(
        status__in=[Notification.Status.SENT, Notification.Status.FAILED], created_at__lt=cutoff
    )
    # The status and age are checked again in each batch: a row retried meanwhile stays.
    return delete_in_batches(finished, batch_size=batch_size)


@job("notifications")
def purge_notifications() -> int:
    return purge_old_notifications()
