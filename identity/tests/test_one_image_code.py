"""One image code per attempt (issue #8): solving the captcha once, to get the SMS code, is enough.

The send-code request validates and consumes the image captcha; the final submit (注册, 登录,
手机号更换 application and its progress lookup) asks only for the SMS code, which works only in the
session that asked for it. Real captchas (not the test-mode answer) are used where it matters.
"""

import re

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity.models import SmsCode, User
from notifications import backends
from phone_change.tests.factories import NEW_PHONE, apply_data, photos, status_data

from .factories import AccountantFactory, last_sms_code, login_data, register_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("identity:login")
REGISTER = reverse("identity:register")
SEND = reverse("identity:send_code")
PC_APPLY = reverse("phone_change:apply")
PC_SEND = reverse("phone_change:apply_send_code")
PC_STATUS = reverse("phone_change:status")
PC_STATUS_SEND = reverse("phone_change:status_send_code")


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0
    settings.PHONE_CHANGE_ANSWER_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def accountant():
    return AccountantFactory(full_name="李四", id_number="360426199101010071", phone="13912345678")


def real_captcha() -> dict:
    """A captcha as the page shows it, with its right answer (test mode's "PASSED" is not used)."""
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def without_captcha(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("captcha")}


def errors(response) -> str:
    return " ".join(re.findall(r'class="invalid-feedback d-block">(.*?)</div>', response.content.decode(), re.S))


# --------------------------------------------------------------------------- send-code consumes the captcha


def test_a_wrong_image_code_sends_no_sms(client, accountant):
    captcha = real_captcha()
    response = client.post(SEND, login_data(accountant, captcha_0=captcha["captcha_0"], captcha_1="ZZZZ"))
    assert "图形验证码" in errors(response) or "图片" in errors(response)
    assert backends.outbox == []
    assert not SmsCode.objects.exists()


def test_the_right_image_code_sends_the_sms_and_is_used_up(client, accountant):
    captcha = real_captcha()
    response = client.post(SEND, login_data(accountant, **captcha))
    assert response.status_code == 200
    assert 'data-testid="code-sent"' in response.content.decode()
    assert len(backends.outbox) == 1
    assert not CaptchaStore.objects.filter(hashkey=captcha["captcha_0"]).exists()


def test_a_replayed_captcha_cannot_ask_for_a_second_code(client, accountant):
    captcha = real_captcha()
    client.post(SEND, login_data(accountant, **captcha))
    cache.clear()  # no 60-second cooldown: only the captcha may stop the second send
    other = Client()
    response = other.post(SEND, login_data(accountant, **captcha))
    assert errors(response)
    assert len(backends.outbox) == 1
    response = client.post(SEND, login_data(accountant, **captcha))
    assert errors(response)
    assert len(backends.outbox) == 1


def test_after_the_code_was_sent_the_form_hides_the_image_code(client, accountant):
    response = client.post(SEND, login_data(accountant, **real_captcha()))
    text = response.content.decode()
    assert re.search(r"<div data-captcha-row hidden", text)
    assert 'data-testid="captcha-note"' in text
    page = client.get(LOGIN).content.decode()  # also when the page is loaded again
    assert re.search(r"<div data-captcha-row hidden", page)
    fresh = Client().get(LOGIN).content.decode()
    assert re.search(r"<div data-captcha-row\s+data-testid", fresh)


# --------------------------------------------------------------------------- the final submit: the SMS code alone


def test_sign_in_with_only_the_sms_code(client, accountant):
    client.post(SEND, login_data(accountant, **real_captcha()))
    response = client.post(LOGIN, without_captcha(login_data(accountant, sms_code=last_sms_code())))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(accountant.pk)


def test_registration_with_only_the_sms_code(client, db):
    client.post(SEND, register_data(**real_captcha()))
    response = client.post(REGISTER, without_captcha(register_data(sms_code=last_sms_code("13800000000"))))
    assert response.status_code == 302
    user = User.objects.get(id_number="420102199001011236")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_code_from_another_session_cannot_be_used(client, accountant):
    client.post(SEND, login_data(accountant, **real_captcha()))
    code = last_sms_code()
    thief = Client()
    response = thief.post(LOGIN, without_captcha(login_data(accountant, sms_code=code)))
    assert "_auth_user_id" not in thief.session
    assert "短信验证码" in errors(response)
    # Even after asking for a code of its own, the other browser's challenge does not fit this code.
    cache.clear()
    thief.post(SEND, login_data(accountant, **real_captcha()))
    own = last_sms_code()
    response = thief.post(LOGIN, without_captcha(login_data(accountant, sms_code=code if code != own else "000000")))
    assert "_auth_user_id" not in thief.session


def test_without_asking_for_a_code_first_the_submit_says_so_and_counts_no_failure(client, accountant):
    response = client.post(LOGIN, without_captcha(login_data(accountant, sms_code="123456")))
    assert "请先获取短信验证码" in errors(response) or "获取短信验证码" in errors(response)
    accountant.refresh_from_db()
    assert accountant.sms_failed_count == 0
    response = client.post(REGISTER, without_captcha(register_data(id_number="11010519491231002X", sms_code="123456")))
    assert "获取短信验证码" in errors(response)
    assert not User.objects.filter(id_number="11010519491231002X").exists()


def test_the_code_is_single_use_and_wrong_codes_still_count(client, accountant, settings):
    client.post(SEND, login_data(accountant, **real_captcha()))
    code = last_sms_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    client.post(LOGIN, without_captcha(login_data(accountant, sms_code=wrong)))
    accountant.refresh_from_db()
    assert accountant.sms_failed_count == 1
    assert AuditEvent.objects.filter(action="auth.login_failed").exists()


def test_code_checks_stay_rate_limited_per_network_without_the_captcha(client, accountant, settings):
    settings.SMS_CHECK_IP_HOURLY_LIMIT = 2
    client.post(SEND, login_data(accountant, **real_captcha()))
    for _ in range(2):
        client.post(LOGIN, without_captcha(login_data(accountant, sms_code="000000")))
    response = client.post(LOGIN, without_captcha(login_data(accountant, sms_code=last_sms_code())))
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --------------------------------------------------------------------------- 手机号更换: application and progress lookup


def test_phone_change_application_with_only_the_sms_code(client, units_for_phone_change):
    cache.clear()
    response = client.post(PC_SEND, apply_data(**real_captcha()), HTTP_HX_REQUEST="true")
    assert 'data-testid="code-sent"' in response.content.decode()
    assert re.search(r"<div data-captcha-row hidden", response.content.decode())
    response = client.post(PC_APPLY, {**without_captcha(apply_data(sms_code=last_sms_code(NEW_PHONE))), **photos()})
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_change:submitted")


def test_phone_change_status_lookup_with_only_the_sms_code(client, units_for_phone_change):
    cache.clear()
    client.post(PC_STATUS_SEND, status_data(**real_captcha()))
    response = client.post(PC_STATUS, without_captcha(status_data(sms_code=last_sms_code(NEW_PHONE))))
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_change:status_result")


def test_phone_change_code_from_another_session_is_refused(client, units_for_phone_change):
    cache.clear()
    client.post(PC_STATUS_SEND, status_data(**real_captcha()))
    other = Client()
    response = other.post(PC_STATUS, without_captcha(status_data(sms_code=last_sms_code(NEW_PHONE))))
    assert response.status_code != 302
    assert "短信验证码" in errors(response)


@pytest.fixture
def units_for_phone_change(db):
    from identity.tests.factories import review_unit

    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420200", "420202")}
