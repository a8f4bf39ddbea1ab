import pytest
from django.db import transaction

from notifications import backends
from notifications.backends import SmsBackend, SmsDeliveryError, register
from notifications.models import Notification
from notifications.services import deliver_notification, queue_notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_queued_notification_is_sent_once_after_commit():
    with transaction.atomic():
        queue_notification(
            phone="13800000001",
            template="application_approved",
            params={"label": "信息采集"},
            dedupe_key="app:1:approved",
        )
        assert backends.outbox == []  # nothing leaves before the commit

    assert backends.outbox == [("13800000001", "【湖北省会计人员管理系统】您的信息采集已审核通过。")]
    assert Notification.objects.get().status == Notification.Status.SENT


def test_a_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_notification(
            phone="13800000001", template="application_approved", params={"label": "x"}, dedupe_key="app:2:approved"
        )
        raise RuntimeError

    assert backends.outbox == []
    assert not Notification.objects.exists()


def test_the_same_key_is_queued_and_sent_only_once():
    queue_notification(
        phone="13800000001", template="application_approved", params={"label": "x"}, dedupe_key="app:3:approved"
    )
    queue_notification(
        phone="13800000001", template="application_approved", params={"label": "x"}, dedupe_key="app:3:approved"
    )
    notification = Notification.objects.get()

    assert deliver_notification(notification.pk) is False  # already sent: a retry is harmless
    assert len(backends.outbox) == 1


def test_a_provider_failure_keeps_the_row_pending_for_a_retry(settings):
    @register("failing-test")
    class FailingBackend(SmsBackend):
        def send(self, message):
            raise SmsDeliveryError("provider timeout")

    try:
        settings.SMS_BACKEND = "failing-test"
        queue_notification(
            phone="13800000001", template="application_approved", params={"label": "x"}, dedupe_key="app:4:approved"
        )
        notification = Notification.objects.get()
        assert notification.status == Notification.Status.PENDING
        assert notification.attempts == 1
        assert notification.last_error == "provider timeout"
    finally:
        backends._registry.pop("failing-test")


def test_a_backend_name_cannot_be_registered_twice():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        register("locmem")(type("Dup", (SmsBackend,), {}))


def test_the_developer_outbox_does_not_exist_without_debug(client):
    assert client.get("/dev/outbox/").status_code == 404
