"""Accountant registration (manual §4.1): ID type + number + name + phone + image code + SMS code."""

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pytest_django.asserts import assertContains

from audit.models import AuditEvent
from identity.accountant_services import SESSION_KIND_ACCOUNTANT, SESSION_KIND_KEY
from identity.constants import UserKind
from identity.models import User
from notifications import backends

from .factories import AccountantFactory, last_sms_code, login_data, register_data

pytestmark = pytest.mark.django_db

REGISTER = reverse("identity:register")
SEND = reverse("identity:send_code")


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


def after_registration_url():
    try:
        return reverse("dossier:collect")
    except NoReverseMatch:
        return reverse("core:home")


def register(client, **overrides):
    client.post(SEND, register_data(**overrides))
    phone = overrides.get("phone", "13800000000")
    return client.post(REGISTER, register_data(sms_code=last_sms_code(phone), **overrides))


def test_the_registration_page_asks_for_id_name_phone_image_code_and_sms_code(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the new captcha
        response = client.get(REGISTER)
    assert response.status_code == 200
    for label in [
        "会计人员注册",
        "证件类型",
        "证件号码",
        "姓名",
        "手机号",
        "图形验证码",
        "短信验证码",
        "获取短信验证码",
    ]:
        assertContains(response, label)
    for id_type in [
        "居民身份证",
        "港澳台居民居住证",
        "港澳居民来往内地通行证",
        "台湾居民来往大陆通行证",
        "外国人永久居留身份证",
        "护照",
    ]:
        assertContains(response, id_type)
    assertContains(response, reverse("identity:login"))
    assertContains(response, reverse("core:notice"))


def test_a_new_accountant_registers_and_is_signed_in_with_a_new_session(client):
    client.post(SEND, register_data())
    assert [to for to, _text in backends.outbox] == ["13800000000"]
    key_before = client.session.session_key
    response = client.post(REGISTER, register_data(sms_code=last_sms_code()))
    assert response.status_code == 302
    assert response["Location"] == after_registration_url()
    user = User.objects.get(id_number="420102199001011236")
    assert user.kind == UserKind.ACCOUNTANT
    assert (user.full_name, user.id_type, user.phone) == ("张三", "resident_id", "13800000000")
    assert user.username.startswith("acc-")
    assert "420102199001011236" not in user.username
    assert not user.has_usable_password()
    session = client.session
    assert session.session_key != key_before
    assert session["_auth_user_id"] == str(user.pk)
    assert session[SESSION_KIND_KEY] == SESSION_KIND_ACCOUNTANT
    assert AuditEvent.objects.filter(action="accountant.registered", actor=user).exists()


def test_the_sms_for_registration_is_the_chinese_template(client):
    client.post(SEND, register_data())
    text = backends.outbox[0][1]
    assert re.fullmatch(r"【湖北省会计人员管理系统】您的验证码为\d{6}，5分钟内有效。如非本人操作，请忽略。", text)


def test_the_confirmation_names_the_masked_phone(client):
    response = client.post(SEND, register_data())
    assertContains(response, "验证码已发送至138****0000")


def test_a_lower_case_x_is_stored_upper_case(client):
    register(client, id_number="11010519491231002x")
    assert User.objects.filter(id_number="11010519491231002X").exists()


def test_an_already_registered_id_is_told_to_sign_in_and_gets_no_sms(client):
    AccountantFactory(id_number="420102199001011236", phone="13700000000")
    response = client.post(SEND, register_data())
    assert backends.outbox == []
    assertContains(response, "用户已注册，请直接登录")
    assertContains(response, 'data-testid="already-registered"')
    assertContains(response, f'href="{reverse("identity:login")}"')
    assert "用户已注册" in error_next_to(response, "id_number")


def test_already_registered_mentions_the_mobile_number_change(client):
    AccountantFactory(id_number="420102199001011236")
    response = client.post(SEND, register_data())
    try:
        assertContains(response, f'href="{reverse("identity:phone_change")}"')
    except NoReverseMatch:
        assertContains(response, "手机号更换")


def test_registering_an_id_registered_in_the_meantime_is_refused(client):
    client.post(SEND, register_data())
    AccountantFactory(id_number="420102199001011236", phone="13700000000")
    response = client.post(REGISTER, register_data(sms_code=last_sms_code()))
    assertContains(response, "用户已注册，请直接登录")
    assert User.objects.filter(id_number="420102199001011236").count() == 1


def test_the_same_number_under_another_id_type_is_another_person():
    AccountantFactory(id_type="passport", id_number="E12345678")
    client = Client()
    register(client, id_type="hk_macao_permit", id_number="H12345678")
    assert User.objects.filter(id_number="H12345678", id_type="hk_macao_permit").exists()


def test_a_bad_id_number_is_shown_next_to_the_field_and_the_other_fields_are_kept(client):
    response = client.post(REGISTER, register_data(id_number="360426199101010072", sms_code="123456"))
    assert response.status_code == 200
    assert "校验位错误" in error_next_to(response, "id_number")
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert input_value(response, "id_number") == "360426199101010072"
    assert input_value(response, "full_name") == "张三"
    assert input_value(response, "phone") == "13800000000"
    assert input_value(response, "sms_code") == "123456"
    assert re.search(r'<option value="resident_id" selected>', response.content.decode())
    assert not User.objects.exists()


def test_a_bad_id_number_is_refused_before_any_sms_is_sent(client):
    response = client.post(SEND, register_data(id_number="42010219900101123"))
    assert "18位" in error_next_to(response, "id_number")
    assert backends.outbox == []


def test_an_id_number_that_does_not_fit_the_chosen_type_is_refused(client):
    response = client.post(SEND, register_data(id_type="hk_macao_permit"))
    assert "H或M" in error_next_to(response, "id_number")


def test_a_bad_phone_is_shown_next_to_the_field(client):
    response = client.post(SEND, register_data(phone="12345"))
    assert "11位手机号" in error_next_to(response, "phone")
    assert input_value(response, "phone") == "12345"
    assert backends.outbox == []


@pytest.mark.parametrize("name", ["", "1张三", "张<b>三", "x"])
def test_a_bad_name_is_shown_next_to_the_field(client, name):
    response = client.post(SEND, register_data(full_name=name))
    assert error_next_to(response, "full_name")
    assert backends.outbox == []


@pytest.mark.parametrize("name", ["买买提·艾力", "欧阳 娜娜", "John O'Neil", "𠮷田"])
def test_names_with_middle_dots_spaces_and_rare_characters_are_accepted(name):
    client = Client()
    assert register(client, full_name=name).status_code == 302
    assert User.objects.get().full_name == name


def test_a_missing_sms_code_is_asked_for(client):
    response = client.post(REGISTER, register_data())
    assert "请输入手机收到的6位短信验证码" in error_next_to(response, "sms_code")


def test_a_wrong_sms_code_creates_no_user(client):
    client.post(SEND, register_data())
    wrong = f"{(int(last_sms_code()) + 1) % 1_000_000:06d}"
    response = client.post(REGISTER, register_data(sms_code=wrong))
    assert "短信验证码错误或已失效" in error_next_to(response, "sms_code")
    assert input_value(response, "full_name") == "张三"
    assert not User.objects.exists()
    assert AuditEvent.objects.filter(action="auth.register_failed").exists()


def test_a_code_sent_to_one_phone_cannot_register_another_phone(client):
    client.post(SEND, register_data(phone="13800000000"))
    response = client.post(REGISTER, register_data(phone="13900000000", sms_code=last_sms_code()))
    assert error_next_to(response, "sms_code")
    assert not User.objects.exists()


def test_a_sign_in_code_cannot_be_used_to_register(client):
    accountant = AccountantFactory(id_number="420102199001011236", phone="13800000000")
    client.post(SEND, login_data(accountant))
    code = last_sms_code()
    accountant.delete()
    response = client.post(REGISTER, register_data(sms_code=code))
    assert error_next_to(response, "sms_code")
    assert not User.objects.exists()


def test_registration_does_not_ask_for_the_image_code_again(client):
    # The captcha was solved and used up by the send; the code only works in this session
    # (test_one_image_code.py), and without a send first nothing is registered.
    response = client.post(REGISTER, register_data(sms_code="123456"))
    assert error_next_to(response, "sms_code")
    assert not User.objects.exists()
    client.post(SEND, register_data())
    response = client.post(REGISTER, register_data(sms_code=last_sms_code(), captcha_1="nope"))
    assert response.status_code == 302
    assert User.objects.count() == 1


def test_registration_is_refused_with_503_when_the_rate_limiter_is_down(client):
    client.post(SEND, register_data())
    code = last_sms_code()
    with mock.patch.object(caches["default"], "incr", side_effect=ConnectionError):
        response = client.post(REGISTER, register_data(sms_code=code))
    assert response.status_code == 503
    assert not User.objects.exists()


def test_posting_extra_fields_changes_nothing_else(client):
    register(client, kind="staff", is_staff="on", is_superuser="on", role="system_admin", sms_failed_count="5")
    user = User.objects.get()
    assert user.kind == UserKind.ACCOUNTANT
    assert not user.is_staff and not user.is_superuser
    assert user.role == "" and user.sms_failed_count == 0


def test_the_registered_accountant_can_sign_out_and_sign_in_again(client, settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0
    register(client)
    client.post(reverse("identity:logout"))
    assert "_auth_user_id" not in client.session
    caches["default"].clear()  # the 60-second cooldown since the registration code
    user = User.objects.get()
    client.post(SEND, login_data(user))
    response = client.post(reverse("identity:login"), login_data(user, sms_code=last_sms_code()))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
