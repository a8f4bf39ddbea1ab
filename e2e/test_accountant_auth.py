"""Accountant registration and sign-in in a real Chromium: image code, SMS code, htmx send button."""

import re

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from e2e.helpers import wait_for_htmx
from identity.models import User
from identity.tests.factories import last_sms_code
from notifications import backends

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER, NAME, PHONE = "420102199001011236", "张三丰", "13812345678"


def fill_identity(page, *, id_number=ID_NUMBER, phone=PHONE, name=None):
    page.get_by_label("证件类型").select_option(label="居民身份证")
    page.get_by_label("证件号码").fill(id_number)
    if name is not None:
        page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号").fill(phone)
    captcha = page.get_by_label("图形验证码")
    if not captcha.is_visible():
        # A code was already sent in this session: the image code is hidden until a new code is wanted.
        page.get_by_test_id("send-code").click()
        expect(captcha).to_be_visible()
    captcha.fill("PASSED")


def ask_for_code(page, confirmation):
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_contain_text(confirmation)
    wait_for_htmx(page)
    # The swapped-in form has a new image code and a running 60-second countdown.
    expect(page.get_by_test_id("send-code")).to_be_disabled()
    expect(page.get_by_test_id("send-code")).to_have_text(re.compile(r"获取短信验证码 \(\d+\)"))
    # The image code was used up by the send: hidden, only the SMS code is asked for now.
    expect(page.get_by_label("图形验证码")).to_be_hidden()


def test_a_new_accountant_registers_signs_out_and_signs_in_again(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/accounts/register/")
    expect(page.get_by_role("heading", name="会计人员注册")).to_be_visible()
    fill_identity(page, name=NAME)
    ask_for_code(page, "验证码已发送至138****5678，5分钟内有效")
    expect(page.get_by_label("证件号码")).to_have_value(ID_NUMBER)
    expect(page.get_by_label("姓名")).to_have_value(NAME)

    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(PHONE))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(NAME)
    assert User.objects.filter(id_number=ID_NUMBER, full_name=NAME).exists()

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    caches["default"].clear()  # the 60-second cooldown since the registration code

    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", name="会计人员登录")).to_be_visible()
    fill_identity(page)
    ask_for_code(page, "如证件号码与手机号匹配，验证码已发送，5分钟内有效")
    expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
    page.get_by_label("短信验证码").fill(last_sms_code(PHONE))
    page.get_by_label("短信验证码").press("Enter")  # Enter signs in; it does not ask for another code
    expect(page.get_by_test_id("current-user")).to_have_text(NAME)
    page.screenshot(path=str(screenshot_dir / "accountant_signed_in.png"), full_page=True)


def test_a_bad_id_number_shows_the_error_next_to_the_field_and_keeps_what_was_typed(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/accounts/register/")
    fill_identity(page, id_number="360426199101010072", name=NAME)
    page.get_by_test_id("send-code").click()

    expect(page.locator("#id_number-error")).to_have_text("证件号码校验位错误，请核对后重新输入。")
    expect(page.get_by_label("证件号码")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_label("证件号码")).to_have_value("360426199101010072")
    expect(page.get_by_label("姓名")).to_have_value(NAME)
    expect(page.get_by_label("手机号")).to_have_value(PHONE)
    expect(page.get_by_test_id("send-code")).to_be_enabled()
    page.screenshot(path=str(screenshot_dir / "accountant_register_error.png"), full_page=True)

    page.get_by_label("证件号码").fill("360426199101010071")
    page.get_by_label("图形验证码").fill("PASSED")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    wait_for_htmx(page)
    expect(page.locator("#id_number-error")).to_have_count(0)


def test_the_sign_in_page_renders_chinese_and_fits_a_phone(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/accounts/login/")
    for label in ["证件类型", "证件号码", "手机号", "图形验证码", "短信验证码"]:
        expect(page.get_by_label(label)).to_be_visible()
    expect(page.get_by_role("link", name="注册", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="采集须知").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "accountant_login.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_test_id("send-code")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "accountant_login_phone.png"), full_page=True)


def test_without_javascript_the_send_button_posts_the_form_and_the_page_comes_back(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/register/")
        fill_identity(page, name=NAME)
        page.get_by_test_id("send-code").click()
        expect(page.get_by_test_id("code-sent")).to_be_visible()
        wait_for_htmx(page)
        expect(page.get_by_label("姓名")).to_have_value(NAME)
        expect(page.get_by_label("图形验证码")).to_be_hidden()  # one image code per attempt
        page.get_by_label("短信验证码").fill(last_sms_code(PHONE))
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("current-user")).to_have_text(NAME)
    finally:
        context.close()


def test_a_refused_request_is_shown_in_place_with_the_seconds_to_wait(live_server, page, context):
    page.goto(live_server.url + "/accounts/register/")
    fill_identity(page, name=NAME)
    ask_for_code(page, "验证码已发送至")
    second_tab = context.new_page()  # the same session, a minute not yet over
    second_tab.goto(live_server.url + "/accounts/register/")
    fill_identity(second_tab, name=NAME)
    second_tab.get_by_test_id("send-code").click()
    expect(second_tab.locator("#sms_code-error")).to_contain_text("秒后再获取验证码")
    expect(second_tab.get_by_label("姓名")).to_have_value(NAME)
    expect(second_tab.get_by_test_id("send-code")).to_be_disabled()
    assert len(backends.outbox) == 1
