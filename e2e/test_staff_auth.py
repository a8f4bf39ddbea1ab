"""Staff sign-in in a real Chromium: password + the current TOTP code."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from identity.management.demo import DEMO_PASSWORD
from identity.models import User
from identity.tests.factories import StaffFactory, review_unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_staff(settings):
    # A flush removed the regions data migration's rows: put back the units seed_demo needs.
    for code in ("420000", "420100", "420102"):
        review_unit(code)
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False
    return User.objects.get(username="jiangan")


def fill_sign_in(page, live_server, username, password, code):
    page.goto(live_server.url + "/accounts/staff/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("动态验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()


def test_the_jiangan_reviewer_signs_in_and_sees_the_workbench_with_their_unit(
    live_server, page, demo_staff, screenshot_dir
):
    page.goto(live_server.url + "/accounts/staff/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "staff_login.png"), full_page=True)

    fill_sign_in(page, live_server, "jiangan", DEMO_PASSWORD, StaffFactory.code_for(demo_staff))
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(live_server.url + "/accounts/staff/")

    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_test_id("staff-unit")).to_have_text("江岸区")
    expect(page.get_by_test_id("staff-role")).to_have_text("审核员")
    expect(page.get_by_test_id("current-user")).to_have_text("江岸区审核员")
    page.screenshot(path=str(screenshot_dir / "staff_home.png"), full_page=True)


def test_a_wrong_code_shows_the_error_and_keeps_the_username(live_server, page, demo_staff, screenshot_dir):
    right = StaffFactory.code_for(demo_staff)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"

    fill_sign_in(page, live_server, "jiangan", DEMO_PASSWORD, wrong)

    expect(page.get_by_test_id("login-error")).to_have_text("用户名、密码或动态验证码错误。")
    expect(page.get_by_label("用户名")).to_have_value("jiangan")
    expect(page.get_by_label("密码")).to_have_value("")
    page.screenshot(path=str(screenshot_dir / "staff_login_error.png"), full_page=True)


def test_the_staff_sign_in_page_fits_a_phone_width_screen(live_server, page, demo_staff):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/staff/login/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_label("动态验证码")).to_be_visible()
