"""人员管理 in a real Chromium: a unit administrator creates a reviewer; the reviewer signs in with
the one-time password, chooses their own, binds an authenticator by its QR code and lands signed in."""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "My-Own-Password-2026"


def qr_payload_secret(page) -> bytes:
    """The TOTP key as an authenticator app reads it: the secret printed under the QR code (the QR
    image itself is an SVG of paths, checked to be one)."""
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    src = page.get_by_test_id("totp-qr").get_attribute("src")
    assert src.startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(src.split(",", 1)[1])
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def test_a_unit_admin_creates_a_reviewer_who_signs_in_changes_the_password_and_enrols(
    live_server, page, browser, screenshot_dir
):
    for code in ("420000", "420100", "420102"):
        review_unit(code)
    admin = StaffFactory(username="jiangan-admin", full_name="江岸区管理员", role=StaffRole.UNIT_ADMIN)

    sign_in_staff(page, live_server, admin)
    page.get_by_role("link", name="人员管理", exact=True).click()
    expect(page.get_by_role("heading", name="人员管理")).to_be_visible()
    page.get_by_test_id("staff-new").click()
    page.get_by_label("用户名").fill("xinren")
    page.get_by_label("姓名").fill("新审核员")
    page.get_by_label("角色").select_option(label="审核员")
    page.get_by_label("会计管理部门").select_option(label="江岸区")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    one_time = page.get_by_test_id("one-time-password").inner_text()
    page.screenshot(path=str(screenshot_dir / "staff_created.png"), full_page=True)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    newbie = context.new_page()
    newbie.goto(live_server.url + "/accounts/staff/login/")
    newbie.get_by_test_id("first-sign-in-link").click()
    newbie.get_by_label("用户名").fill("xinren")
    newbie.get_by_label("密码").fill(one_time)
    newbie.get_by_role("button", name="下一步").click()

    expect(newbie.get_by_role("heading", name="设置密码")).to_be_visible()
    newbie.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    newbie.get_by_label("新密码确认").fill(NEW_PASSWORD)
    newbie.get_by_role("button", name="下一步").click()

    expect(newbie.get_by_role("heading", name="绑定身份验证器")).to_be_visible()
    expect(newbie.get_by_test_id("totp-qr")).to_be_visible()
    newbie.screenshot(path=str(screenshot_dir / "staff_enrol.png"), full_page=True)
    key = qr_payload_secret(newbie)
    newbie.get_by_label("动态验证码").fill(f"{totp(key, t0=0, step=30, digits=6, drift=0):06d}")
    newbie.get_by_role("button", name="绑定并登录").click()

    newbie.wait_for_url(lambda url: "first-sign-in" not in url)
    expect(newbie.get_by_test_id("current-user")).to_have_text("新审核员")
    newbie.goto(live_server.url + "/accounts/staff/")
    expect(newbie.get_by_role("heading", name="工作台")).to_be_visible()
    expect(newbie.get_by_test_id("staff-unit")).to_have_text("江岸区")
    context.close()

    # The admin sees the new account as active now.
    page.goto(live_server.url + "/accounts/staff/manage/")
    expect(page.get_by_test_id("staff-row").filter(has_text="xinren")).to_contain_text("正常")
