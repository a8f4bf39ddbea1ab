"""The code API the 手机号更换 application builds on: a code to the NEW phone (send_code / verify_code)."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.test import RequestFactory

from audit.models import AuditEvent
from identity.accountant_services import AccountantError, send_code, verify_code
from notifications import backends
from notifications.backends import SmsDeliveryError

from .factories import AccountantFactory, last_sms_code

pytestmark = pytest.mark.django_db

NEW_PHONE = "13700001111"


@pytest.fixture
def request_():
    request = RequestFactory().post("/", REMOTE_ADDR="10.9.8.7")
    request.session = SessionStore()
    request.user = mock.Mock(is_authenticated=False)
    return request


@pytest.fixture
def accountant():
    return AccountantFactory(phone="13911112222")


def change(accountant, **overrides):
    return {"purpose": "phone_change", "id_type": accountant.id_type, "id_number": accountant.id_number, **overrides}


def test_a_phone_change_code_goes_to_the_new_phone_and_verifies_once(request_, accountant):
    message = send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    assert "137****1111" in message
    assert [to for to, _text in backends.outbox] == [NEW_PHONE]
    code = last_sms_code(NEW_PHONE)
    verify_code(request=request_, phone=NEW_PHONE, code=code, **change(accountant))
    with pytest.raises(AccountantError) as info:
        verify_code(request=request_, phone=NEW_PHONE, code=code, **change(accountant))
    assert info.value.field == "sms_code"


def test_a_phone_change_code_does_not_open_a_sign_in(request_, accountant):
    send_code(request=request_, phone=accountant.phone, **change(accountant))
    with pytest.raises(AccountantError):
        verify_code(
            request=request_,
            purpose="login",
            id_type=accountant.id_type,
            id_number=accountant.id_number,
            phone=accountant.phone,
            code=last_sms_code(),
        )


def test_a_wrong_phone_change_code_is_refused_and_audited_without_counting_against_the_account(request_, accountant):
    send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    wrong = f"{(int(last_sms_code()) + 1) % 1_000_000:06d}"
    with pytest.raises(AccountantError) as info:
        verify_code(request=request_, phone=NEW_PHONE, code=wrong, **change(accountant))
    assert "短信验证码错误或已失效" in str(info.value.message)
    accountant.refresh_from_db()
    assert accountant.sms_failed_count == 0
    assert AuditEvent.objects.filter(action="auth.code_check_failed", detail__purpose="phone_change").exists()


def test_phone_change_codes_meet_the_same_rate_limits(request_, accountant):
    send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    with pytest.raises(AccountantError) as info:
        send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    assert info.value.status == 429
    assert info.value.code == "cooldown"
    assert len(backends.outbox) == 1


def test_checking_a_phone_change_code_refuses_with_503_when_the_limiter_is_down(request_, accountant):
    send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    with (
        mock.patch.object(caches["default"], "incr", side_effect=ConnectionError),
        pytest.raises(AccountantError) as info,
    ):
        verify_code(request=request_, phone=NEW_PHONE, code=last_sms_code(), **change(accountant))
    assert info.value.status == 503


def test_a_provider_failure_is_reported_for_phone_change_codes(request_, accountant):
    with mock.patch("identity.accountant_services.send_sms_now", side_effect=SmsDeliveryError("down")):
        with pytest.raises(AccountantError) as info:
            send_code(request=request_, phone=NEW_PHONE, **change(accountant))
    assert info.value.status == 503
    assert AuditEvent.objects.filter(action="auth.sms_delivery_failed").exists()
