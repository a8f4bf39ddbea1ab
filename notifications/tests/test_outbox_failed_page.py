"""The failed-SMS page of system administrators: who may see it, what it shows, resending."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from notifications import backends
from notifications.models import Notification
from reviews.tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:failed_list")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def failed_row(key="k:1", phone="13912345678", attempts=5, error="SmsRetryableError: 503") -> Notification:
    return Notification.objects.create(
        dedupe_key=key,
        phone=phone,
        template="application_approved",
        params={"label": "信息采集"},
        text="【湖北省会计人员管理系统】您的信息采集已审核通过。",
        status=Notification.Status.FAILED,
        attempts=attempts,
        last_error=error,
    )


@pytest.fixture
def admin_client(client, login_staff):
    return login_staff(client, StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000")))


def resend_url(notification) -> str:
    return reverse("notifications:resend", args=[notification.pk])


def test_a_system_administrator_sees_failed_sms_with_masked_phones(admin_client):
    failed = failed_row()
    Notification.objects.create(dedupe_key="k:sent", phone="13700000000", text="x", status=Notification.Status.SENT)

    response = admin_client.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert [n.pk for n in response.context["notifications"]] == [failed.pk]
    assert "139****5678" in html and "13912345678" not in html
    assert "SmsRetryableError: 503" in html and "application_approved" in html
    assert "发送失败的短信" in html and "重新发送" in html
    assert f'action="{resend_url(failed)}"' in html and "data-confirm" in html


def test_resending_puts_the_row_back_with_a_fresh_budget_audits_and_sends(
    admin_client, django_capture_on_commit_callbacks
):
    failed = failed_row()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(resend_url(failed))

    assert response.status_code == 302 and response["Location"] == LIST
    sent = Notification.objects.get(pk=failed.pk)
    assert (sent.status, sent.attempts) == (Notification.Status.SENT, 1)  # a fresh budget: this was attempt 1
    assert backends.outbox == [("13912345678", "【湖北省会计人员管理系统】您的信息采集已审核通过。")]
    audit = AuditEvent.objects.get(action="notifications.resend")
    assert audit.object_id == str(failed.pk) and audit.result == "success"
    assert audit.detail == {
        "phone": "139****5678",
        "template": "application_approved",
        "attempts": 5,
        "last_error": "SmsRetryableError: 503",
    }
    assert "13912345678" not in str(audit.detail)


def test_a_resent_row_waits_for_the_relay_if_the_broker_is_down(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.tasks import deliver_notification

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_notification, "apply_async", broker_down)
    failed = failed_row()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(resend_url(failed))

    assert response.status_code == 302
    pending = Notification.objects.get(pk=failed.pk)
    assert (pending.status, pending.attempts, pending.next_attempt_at) == (Notification.Status.PENDING, 0, None)


def test_a_row_that_is_no_longer_failed_is_not_resent(admin_client):
    sent = failed_row()
    Notification.objects.filter(pk=sent.pk).update(status=Notification.Status.SENT, attempts=2)

    response = admin_client.post(resend_url(sent), follow=True)

    assert response.status_code == 200
    assert "已有人重新发送" in response.content.decode()
    assert Notification.objects.get(pk=sent.pk).attempts == 2
    assert not AuditEvent.objects.filter(action="notifications.resend").exists()
    assert backends.outbox == []


def test_resending_an_unknown_row_is_404_and_get_is_not_allowed(admin_client):
    failed = failed_row()
    assert admin_client.post(reverse("notifications:resend", args=[failed.pk + 1000])).status_code == 404
    assert admin_client.get(resend_url(failed)).status_code == 405
    assert Notification.objects.get(pk=failed.pk).status == Notification.Status.FAILED


@pytest.mark.parametrize("role", [StaffRole.REVIEWER, StaffRole.UNIT_ADMIN])
def test_other_staff_get_404_and_change_nothing(client, login_staff, role):
    failed = failed_row()
    login_staff(client, StaffFactory(role=role, unit=review_unit("420000")))

    assert client.get(LIST).status_code == 404
    assert client.post(resend_url(failed)).status_code == 404
    assert Notification.objects.get(pk=failed.pk).status == Notification.Status.FAILED


def test_accountants_get_404_and_visitors_are_sent_to_the_staff_sign_in(client):
    failed = failed_row()
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:staff_login"))

    client.force_login(ApplicantFactory())
    assert client.get(LIST).status_code == 404
    assert client.post(resend_url(failed)).status_code == 404
    assert Notification.objects.get(pk=failed.pk).status == Notification.Status.FAILED


def test_an_administrator_without_the_totp_step_is_sent_to_sign_in(client):
    client.force_login(StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000")))
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:staff_login"))


def test_the_django_admin_lists_notifications_read_only_with_masked_phones(admin_client):
    failed = failed_row()
    changelist = admin_client.get(reverse("admin:notifications_notification_changelist"))
    assert changelist.status_code == 200
    assert "139****5678" in changelist.content.decode() and "13912345678" not in changelist.content.decode()

    change = admin_client.get(reverse("admin:notifications_notification_change", args=[failed.pk]))
    assert change.status_code == 200 and "13912345678" not in change.content.decode()
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    assert admin_client.post(reverse("admin:notifications_notification_delete", args=[failed.pk])).status_code == 403
