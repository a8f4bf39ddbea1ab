"""No code, no whole ID number and no whole phone in logs or audit rows (SECURITY.md; ASVS 16.2.5)."""

import json
import logging

import pytest
from django.core.cache import caches
from django.urls import reverse

from audit.models import AuditEvent
from identity.models import User

from .factories import AccountantFactory, last_sms_code, login_data, register_data

pytestmark = pytest.mark.django_db

ID_NUMBER, PHONE = "429004198512314563", "13612345678"


@pytest.fixture(autouse=True)
def _quick_answers(settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0


def audit_text() -> str:
    return json.dumps(
        [
            {f.name: str(getattr(event, f.attname)) for f in AuditEvent._meta.fields}
            for event in AuditEvent.objects.all()
        ],
        ensure_ascii=False,
    )


def run_every_flow(client) -> list[str]:
    """Register, fail, sign in, get refused, sign in a locked account; return every code sent."""
    sent = []
    send, login = reverse("identity:send_code"), reverse("identity:login")
    client.post(send, register_data(id_number=ID_NUMBER, phone=PHONE))
    sent.append(last_sms_code())
    client.post(reverse("identity:register"), register_data(id_number=ID_NUMBER, phone=PHONE, sms_code="000000"))
    client.post(reverse("identity:register"), register_data(id_number=ID_NUMBER, phone=PHONE, sms_code=sent[-1]))
    client.post(reverse("identity:logout"))
    caches["default"].clear()
    user = User.objects.get(id_number=ID_NUMBER)
    client.post(send, login_data(user))
    sent.append(last_sms_code())
    client.post(send, login_data(user))  # refused: cooldown
    client.post(login, login_data(user, sms_code=f"{(int(sent[-1]) + 1) % 1_000_000:06d}"))
    client.post(login, login_data(user, sms_code=sent[-1]))
    client.post(reverse("identity:logout"))
    client.post(send, login_data(user, phone="13500000000"))  # no match
    locked = AccountantFactory.create(id_number="360426199101010071", phone="13512345678", sms_failed_count=99)
    client.post(send, login_data(locked))
    sent.append(last_sms_code("13512345678"))
    client.post(login, login_data(locked, sms_code=f"{(int(sent[-1]) + 1) % 1_000_000:06d}"))
    assert User.objects.get(pk=locked.pk).is_sms_locked
    return sent


def test_logs_hold_no_code_and_no_whole_id_number_or_phone(client, caplog):
    caplog.set_level(logging.DEBUG)
    sent = run_every_flow(client)
    assert caplog.text  # the flows do log (masked phones, for instance)
    for secret in [*sent, ID_NUMBER, PHONE, "360426199101010071", "13512345678", "13500000000"]:
        assert secret not in caplog.text


def test_audit_rows_hold_no_code_and_no_whole_id_number_or_phone(client):
    sent = run_every_flow(client)
    text = audit_text()
    for action in [
        "auth.sms_code_sent",
        "auth.sms_code_refused",
        "auth.sms_code_not_sent",
        "accountant.registered",
        "auth.register_failed",
        "auth.login",
        "auth.login_failed",
        "auth.accountant_locked",
    ]:
        assert AuditEvent.objects.filter(action=action).exists(), action
    for secret in [*sent, ID_NUMBER, PHONE, "360426199101010071", "13512345678", "13500000000"]:
        assert secret not in text
    assert "429***********4563" in text
    assert "136****5678" in text


def test_audit_rows_carry_the_ip_and_request_id(client):
    client.post(reverse("identity:send_code"), register_data(), REMOTE_ADDR="192.0.2.10")
    event = AuditEvent.objects.get(action="auth.sms_code_sent")
    assert event.ip == "192.0.2.10"
    assert event.request_id
    assert event.detail["purpose"] == "register"


@pytest.mark.parametrize("url", ["identity:send_code", "identity:register", "identity:login"])
def test_re_rendered_forms_holding_the_typed_id_and_phone_are_not_cached(client, url):
    response = client.post(reverse(url), register_data() if url != "identity:login" else login_data())
    assert response.status_code == 200
    assert "420102199001011236" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
