from celery import shared_task

from . import services


@shared_task(name="notifications.deliver_notification")
def deliver_notification(notification_id: int) -> bool:
    return services.deliver_notification(notification_id)
