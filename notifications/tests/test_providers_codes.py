"""One-time codes through a real provider adapter: sent to the fake, and a clear 503 in Chinese when
the provider cannot take them (identity.accountant_services catches SmsDeliveryError)."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity.models import User
from identity.tests.factories import AccountantFactory, login_data, register_data
from notifications.fakes.aliyun import fake

from .provider_helpers import ALIYUN_CODES, SIGN_NAME, control, use_aliyun

pytestmark = pytest.mark.django_db

SEND = reverse("identity:send_code")
REGISTER = reverse("identity:register")
DELIVERY_FAILED = "短信暂时无法发送，请几分钟后再试。"


def error_next_to(response, field):
    match = re.search(
        rf'<div id="{field}-error" class="invalid-feedback d-block">(.*?)</div>', response.content.decode()
    )
    return match.group(1) if match else None


@pytest.fixture
def server(settings):
    with fake(sign_names=(SIGN_NAME,), templates=tuple(ALIYUN_CODES.values())) as server:
        use_aliyun(settings, server.url)
        yield server


def test_a_registration_code_goes_through_the_provider_and_registers(client, server):
    assert client.post(SEND, register_data()).status_code == 200
    [received] = server.state.accepted()
    assert (received["phone"], received["template_code"]) == ("13800000000", ALIYUN_CODES["verification_code"])
    code = received["params"]["code"]
    assert re.fullmatch(r"\d{6}", code)
    response = client.post(REGISTER, register_data(sms_code=code))
    assert response.status_code == 302
    assert User.objects.filter(phone="13800000000").exists()


@pytest.mark.parametrize("mode", ["down", "throttle", "bad_gateway"])
def test_a_provider_that_cannot_take_the_code_answers_503_in_chinese(client, server, mode):
    control(server.url, "/_fake/mode", {"mode": mode})
    response = client.post(SEND, register_data())
    assert response.status_code == 503
    assert error_next_to(response, "sms_code") == DELIVERY_FAILED
    assert AuditEvent.objects.filter(action="auth.sms_delivery_failed").exists()
    assert server.state.accepted() == []


def test_a_provider_that_does_not_answer_in_time_answers_503(client, server, settings):
    settings.SMS_READ_TIMEOUT = 0.5
    control(server.url, "/_fake/mode", {"mode": "slow", "delay": 30})
    response = client.post(SEND, register_data())
    assert response.status_code == 503
    assert error_next_to(response, "sms_code") == DELIVERY_FAILED


def test_at_sign_in_a_provider_failure_gets_the_uniform_answer(client, server):
    accountant = AccountantFactory()
    control(server.url, "/_fake/mode", {"mode": "down"})
    response = client.post(SEND, login_data(accountant))
    assert response.status_code == 200  # nothing tells whether ID number and phone matched
    assert AuditEvent.objects.filter(action="auth.sms_delivery_failed", object_id=str(accountant.pk)).exists()
