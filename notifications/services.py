"""Sending SMS: now (one-time codes) or through the outbox (notices after a change commits)."""

import logging

from django.db import transaction
from django.utils import timezone

from core.masking import mask_phone

from .backends import SmsDeliveryError, get_backend
from .messages import SmsMessage, render
from .models import Notification

logger = logging.getLogger(__name__)


def send_sms_now(*, phone: str, template: str, params: dict) -> None:
    """Send at once, for one-time codes. The code is never logged or stored outside the dev outbox."""
    get_backend().send(SmsMessage(phone=phone, template=template, params=params))
    logger.info("sms %s sent to %s", template, mask_phone(phone))


def queue_notification(*, phone: str, template: str, params: dict, dedupe_key: str) -> Notification:
    """Write an outbox row in the caller's transaction; deliver it once that commits."""
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"phone": phone, "template": template, "params": params, "text": render(template, params)[:500]},
    )
    if created:
        from .tasks import deliver_notification

        transaction.on_commit(lambda: deliver_notification.delay(notification.pk))
    return notification


def deliver_notification(notification_id: int) -> bool:
    """Send one outbox row if it is still pending. Returns whether it was sent now."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            get_backend().send(
                SmsMessage(
                    phone=notification.phone,
                    template=notification.template,
                    params=notification.params,
                    out_id=str(notification.pk),
                )
            )
        except SmsDeliveryError as exc:
            notification.last_error = str(exc)[:200]
            if notification.attempts >= 5:
                notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("sms to %s failed: %s", mask_phone(notification.phone), exc)
            return False
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        return True
