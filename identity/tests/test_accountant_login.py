"""Accountant sign-in by ID + phone + image captcha + SMS code (manual §1.2, §4.2; SECURITY.md)."""

import re
import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from identity.accountant_services import SESSION_KIND_ACCOUNTANT, SESSION_KIND_KEY
from identity.models import SmsCode
from notifications import backends
from notifications.backends import SmsDeliveryError

from .factories import AccountantFactory, last_sms_code, login_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("identity:login")
SEND = reverse("identity:send_code")
UNIFORM = "如证件号码与手机号匹配，验证码已发送，5分钟内有效"


@pytest.fixture(autouse=True)
def _quick_answers(settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0


@pytest.fixture
def accountant():
    return AccountantFactory(full_name="李四", id_number="360426199101010071", phone="13912345678")


def send_code(client, data, **headers):
    return client.post(SEND, data, **headers)


def sign_in(client, accountant, **overrides):
    send_code(client, login_data(accountant))
    return client.post(LOGIN, login_data(accountant, sms_code=last_sms_code(accountant.phone), **overrides))


def input_value(response, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.content.decode())
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def error_next_to(response, field):
    match = re.search(
        rf'<div id="{field}-error" class="invalid-feedback d-block">(.*?)</div>', response.content.decode()
    )
    return match.group(1) if match else None


# --------------------------------------------------------------------------- the page


def test_the_sign_in_page_asks_for_id_phone_image_code_and_sms_code_but_no_password(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the new captcha
        response = client.get(LOGIN)
    assert response.status_code == 200
    for label in ["证件类型", "证件号码", "手机号", "图形验证码", "短信验证码", "获取短信验证码", "登录"]:
        assertContains(response, label)
    assertNotContains(response, 'type="password"')
    assertContains(response, reverse("identity:register"))
    assertContains(response, reverse("core:notice"))


def test_the_sign_in_page_has_no_inline_script(client):
    response = client.get(LOGIN)
    assert "<script>" not in response.content.decode()
    assert 'style="' not in response.content.decode()


def test_an_idle_timeout_is_explained(client):
    assertContains(client.get(LOGIN + "?timeout=1"), "长时间未操作")


# --------------------------------------------------------------------------- sending a code


def test_a_code_is_sent_to_the_phone_on_record_when_id_and_phone_match(client, accountant):
    response = send_code(client, login_data(accountant))
    assert response.status_code == 200
    assertContains(response, UNIFORM)
    assert [to for to, _text in backends.outbox] == ["13912345678"]
    assert "您的验证码为" in backends.outbox[0][1]
    assert AuditEvent.objects.filter(action="auth.sms_code_sent", object_id=str(accountant.pk)).exists()


def test_no_code_is_sent_when_id_and_phone_do_not_match_but_the_answer_is_the_same(client, accountant):
    response = send_code(client, login_data(accountant, phone="13900000000"))
    assert response.status_code == 200
    assertContains(response, UNIFORM)
    assert backends.outbox == []
    assert AuditEvent.objects.filter(action="auth.sms_code_not_sent").exists()


def normalised(response):
    text = response.content.decode()
    text = re.sub(r"[0-9a-f]{40}", "KEY", text)  # captcha keys
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
    return re.sub(r"1[3-9]\d{9}", "PHONE", text)


def test_matching_and_unmatched_requests_get_the_same_text_status_cookies_and_about_the_same_time(
    client, accountant, settings
):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0.6
    answers = []
    for phone in ["13912345678", "13900000000"]:
        client.cookies.clear()
        caches["default"].clear()
        started = time.monotonic()
        response = send_code(client, login_data(accountant, phone=phone))
        answers.append((response, time.monotonic() - started))
    (matched, matched_time), (unmatched, unmatched_time) = answers
    assert matched.status_code == unmatched.status_code == 200
    assert normalised(matched) == normalised(unmatched)
    assert sorted(matched.cookies) == sorted(unmatched.cookies)
    assert matched_time >= 0.6 and unmatched_time >= 0.6
    assert abs(matched_time - unmatched_time) < 0.4
    assert len(backends.outbox) == 1


def test_a_locked_account_gets_no_code_and_the_same_answer(client):
    locked = AccountantFactory(locked=True)
    response = send_code(client, login_data(locked))
    assertContains(response, UNIFORM)
    assert backends.outbox == []


def test_htmx_gets_the_form_fragment_with_a_fresh_captcha_the_values_kept_and_a_60_second_countdown(client, accountant):
    response = send_code(client, login_data(accountant), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text
    assert 'id="auth-form"' in text
    assert 'data-countdown="60"' in text
    assert input_value(response, "id_number") == accountant.id_number
    assert input_value(response, "phone") == accountant.phone
    assert input_value(response, "captcha_1") == ""
    assert re.search(r'name="captcha_0" value="[0-9a-f]{40}"', text)


def test_without_javascript_the_send_button_re_renders_the_whole_page(client, accountant):
    response = send_code(client, login_data(accountant))
    assertContains(response, "<html")
    assertContains(response, UNIFORM)
    assert input_value(response, "id_number") == accountant.id_number


def test_the_image_code_must_be_solved_before_a_code_is_sent(client, accountant):
    response = send_code(client, login_data(accountant, captcha_1="WRONG"))
    assert backends.outbox == []
    assert "图形验证码" in error_next_to(response, "captcha")
    response = send_code(client, login_data(accountant, captcha_1=""))
    assert backends.outbox == []
    assert error_next_to(response, "captcha")


def test_a_bad_id_number_is_refused_next_to_the_field_and_nothing_is_sent(client, accountant):
    response = send_code(client, login_data(accountant, id_number="360426199101010072"))
    assert "校验位" in error_next_to(response, "id_number")
    assert input_value(response, "id_number") == "360426199101010072"
    assert input_value(response, "phone") == accountant.phone
    assert backends.outbox == []


def test_a_second_send_within_60_seconds_is_refused_with_429_next_to_the_code_field(client, accountant):
    send_code(client, login_data(accountant))
    response = send_code(client, login_data(accountant))
    assert response.status_code == 429
    assert "秒后" in error_next_to(response, "sms_code")
    assert re.search(r'data-countdown="\d+"', response.content.decode())
    assert len(backends.outbox) == 1
    assert AuditEvent.objects.filter(action="auth.sms_code_refused", detail__reason="cooldown").exists()


def test_the_cooldown_is_the_same_for_matching_and_unmatched_phones(client, accountant):
    send_code(client, login_data(accountant, phone="13900000000"))
    response = send_code(client, login_data(accountant, phone="13900000000"))
    assert response.status_code == 429


def test_sending_is_refused_with_503_and_no_sms_when_the_rate_limiter_is_down(client, accountant):
    with mock.patch.object(caches["default"], "add", side_effect=ConnectionError("redis down")):
        response = send_code(client, login_data(accountant))
    assert response.status_code == 503
    assert "暂时不可用" in error_next_to(response, "sms_code")
    assert backends.outbox == []
    assert not SmsCode.objects.exists()


def test_a_provider_failure_gets_the_same_answer_at_sign_in_so_nothing_leaks(client, accountant):
    with mock.patch("identity.accountant_services.send_sms_now", side_effect=SmsDeliveryError("provider down")):
        response = send_code(client, login_data(accountant))
    assert response.status_code == 200
    assertContains(response, UNIFORM)
    assert AuditEvent.objects.filter(action="auth.sms_delivery_failed", object_id=str(accountant.pk)).exists()


def test_the_send_button_only_takes_post(client):
    assert client.get(SEND).status_code == 405


def test_an_unknown_form_purpose_is_a_bad_request(client, accountant):
    assert send_code(client, login_data(accountant, purpose="phone_change")).status_code == 400


# --------------------------------------------------------------------------- signing in


def test_an_accountant_signs_in_with_the_code_and_gets_a_new_session(client, accountant):
    send_code(client, login_data(accountant))
    key_before = client.session.session_key
    response = client.post(LOGIN, login_data(accountant, sms_code=last_sms_code()))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    session = client.session
    assert session.session_key != key_before
    assert session["_auth_user_id"] == str(accountant.pk)
    assert session[SESSION_KIND_KEY] == SESSION_KIND_ACCOUNTANT
    assert AuditEvent.objects.filter(action="auth.login", actor=accountant).exists()
    assertContains(client.get(reverse("core:home")), "李四")


def test_full_width_and_spaced_input_signs_in_too(client, accountant):
    typed = {"id_number": "３６０４２６ 1991 0101 0071", "phone": "139 1234 5678"}
    send_code(client, login_data(accountant, **typed))
    response = client.post(LOGIN, login_data(accountant, sms_code=last_sms_code(), **typed))
    assert response.status_code == 302


def test_a_safe_next_url_is_followed(client, accountant):
    response = sign_in(client, accountant, next="/notice/?a=1")
    assert response["Location"] == "/notice/?a=1"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_an_unsafe_next_url_is_ignored(client, accountant, target):
    response = sign_in(client, accountant, next=target)
    assert response["Location"] == reverse("core:home")


def test_the_next_url_from_the_query_string_is_kept_in_the_form(client):
    assertContains(client.get(LOGIN + "?next=/notice/"), 'name="next" value="/notice/"')


def test_a_wrong_code_is_refused_next_to_the_field_and_everything_typed_is_kept(client, accountant):
    send_code(client, login_data(accountant))
    wrong = f"{(int(last_sms_code()) + 1) % 1_000_000:06d}"
    response = client.post(LOGIN, login_data(accountant, sms_code=wrong))
    assert response.status_code == 200
    assert "短信验证码错误或已失效" in error_next_to(response, "sms_code")
    assert input_value(response, "id_number") == accountant.id_number
    assert input_value(response, "phone") == accountant.phone
    assert input_value(response, "sms_code") == wrong
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", result="failure").exists()


def test_a_code_works_once(client, accountant):
    send_code(client, login_data(accountant))
    code = last_sms_code()
    assert client.post(LOGIN, login_data(accountant, sms_code=code)).status_code == 302
    client.post(reverse("identity:logout"))
    response = client.post(LOGIN, login_data(accountant, sms_code=code))
    assert response.status_code == 200
    assert error_next_to(response, "sms_code")


def test_a_code_requested_in_another_browser_does_not_sign_in(client, accountant, django_user_model):
    from django.test import Client

    other_browser = Client()
    other_browser.post(SEND, login_data(accountant))
    response = client.post(LOGIN, login_data(accountant, sms_code=last_sms_code()))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_code_for_an_unmatched_phone_never_signs_in(client, accountant):
    send_code(client, login_data(accountant, phone="13900000000"))
    response = client.post(LOGIN, login_data(accountant, phone="13900000000", sms_code="123456"))
    assert response.status_code == 200
    assert "短信验证码错误或已失效" in error_next_to(response, "sms_code")


def test_a_malformed_code_is_refused_by_the_form(client, accountant):
    response = client.post(LOGIN, login_data(accountant, sms_code="12ab"))
    assert "6位数字" in error_next_to(response, "sms_code")


def test_signing_in_does_not_ask_for_the_image_code_again(client, accountant):
    # The captcha was solved (and used up) by the send; the code itself is bound to this session
    # (test_one_image_code.py: another session's code is refused).
    send_code(client, login_data(accountant))
    response = client.post(LOGIN, login_data(accountant, sms_code=last_sms_code(), captcha_1="WRONG"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(accountant.pk)


def test_a_locked_account_is_told_to_contact_its_finance_bureau(client):
    locked = AccountantFactory(locked=True)
    response = client.post(LOGIN, login_data(locked, sms_code="123456"))
    assertContains(response, "联系当地财政局")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", detail__reason="locked").exists()


def test_the_hundredth_consecutive_wrong_code_locks_the_account(client, accountant):
    accountant.sms_failed_count = 99
    accountant.save()
    send_code(client, login_data(accountant))
    wrong = f"{(int(last_sms_code()) + 1) % 1_000_000:06d}"
    response = client.post(LOGIN, login_data(accountant, sms_code=wrong))
    assertContains(response, "联系当地财政局")
    accountant.refresh_from_db()
    assert accountant.is_sms_locked
    assert AuditEvent.objects.filter(action="auth.accountant_locked", object_id=str(accountant.pk)).exists()


def test_checking_a_code_is_refused_with_503_when_the_rate_limiter_is_down(client, accountant):
    send_code(client, login_data(accountant))
    code = last_sms_code()
    with mock.patch.object(caches["default"], "incr", side_effect=ConnectionError("redis down")):
        response = client.post(LOGIN, login_data(accountant, sms_code=code))
    assert response.status_code == 503
    assert "暂时不可用" in error_next_to(response, "sms_code")
    assert "_auth_user_id" not in client.session


def test_a_deactivated_accountant_cannot_sign_in(client, accountant):
    accountant.is_active = False
    accountant.save()
    send_code(client, login_data(accountant))
    assert backends.outbox == []
    response = client.post(LOGIN, login_data(accountant, sms_code="123456"))
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
