"""SMS outbox retention as a maintenance job (core.maintenance).

Rows that were sent or finally failed are kept NOTIFICATION_RETENTION_DAYS (default 90) for
enquiries ("did the SMS go out?"), then deleted. Pending and sending rows are never touched.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.maintenance import job

from .models import Notification

BATCH_SIZE = 5_000


def purge_old_notifications(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Delete sent/failed outbox rows created more than NOTIFICATION_RETENTION_DAYS ago, in batches."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    finished = Notification.objects.filter(
        status__in=[Notification.Status.SENT, Notification.Status.FAILED], created_at__lt=cutoff
    )
    deleted = 0
    while True:
        ids = list(finished.order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            # The status and age are checked again: a row retried meanwhile stays.
            gone, _by_model = finished.filter(pk__in=ids).delete()
        deleted += gone
        if len(ids) < batch_size:
            return deleted


@job("notifications")
def purge_notifications() -> int:
    return purge_old_notifications()
