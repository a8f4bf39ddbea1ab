"""Staff unlock accountants locked by 100 wrong SMS codes (identity.accountant_services.unlock_accountant)."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from audit.models import AuditEvent
from identity.accountant_services import AccountantError, unlock_accountant

from .factories import AccountantFactory, StaffFactory, last_sms_code, login_data

pytestmark = pytest.mark.django_db


def test_staff_unlock_a_locked_accountant_and_the_unlock_is_audited():
    locked = AccountantFactory(locked=True)
    reviewer = StaffFactory()
    unlock_accountant(user=locked, actor=reviewer)
    locked.refresh_from_db()
    assert locked.sms_locked_at is None
    assert locked.sms_failed_count == 0
    event = AuditEvent.objects.get(action="auth.accountant_unlocked")
    assert event.actor == reviewer
    assert event.object_id == str(locked.pk)
    assert event.detail["was_locked"] is True
    assert locked.id_number not in str(event.detail)


def test_an_accountant_cannot_unlock_anyone():
    locked = AccountantFactory(locked=True)
    with pytest.raises(AccountantError):
        unlock_accountant(user=locked, actor=AccountantFactory())
    locked.refresh_from_db()
    assert locked.is_sms_locked
    assert not AuditEvent.objects.filter(action="auth.accountant_unlocked").exists()


def test_an_unlocked_accountant_can_sign_in_again(client, settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0
    locked = AccountantFactory(locked=True)
    client.post(reverse("identity:send_code"), login_data(locked))
    assert client.post(reverse("identity:login"), login_data(locked, sms_code="123456")).status_code == 200

    unlock_accountant(user=locked, actor=StaffFactory())
    caches["default"].clear()  # the 60-second cooldown of the first request
    client.post(reverse("identity:send_code"), login_data(locked))
    response = client.post(reverse("identity:login"), login_data(locked, sms_code=last_sms_code(locked.phone)))
    assert response.status_code == 302
