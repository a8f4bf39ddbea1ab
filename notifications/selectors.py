"""Reads of the SMS outbox."""

from django.db.models import QuerySet

from .models import Notification


def failed_notifications() -> QuerySet[Notification]:
    """The dead letters, newest first (index notif_status_idx: status, created_at)."""
    return Notification.objects.filter(status=Notification.Status.FAILED).order_by("-created_at", "-pk")
