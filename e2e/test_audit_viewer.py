"""审计日志 in a real Chromium: an auditor finds a reviewer's sign-in in the audit log."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff, staff_page
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_auditor_finds_a_reviewers_sign_in(live_server, page, browser, screenshot_dir):
    reviewer = StaffFactory(username="jiangan-reviewer", full_name="江岸区审核员", unit=review_unit("420102"))
    auditor = StaffFactory(
        username="province-auditor", full_name="省审计员", role=StaffRole.AUDITOR, unit=review_unit("420000")
    )

    reviewer_page = staff_page(browser, live_server, reviewer)  # the sign-in that must be found

    sign_in_staff(page, live_server, auditor)
    page.goto(live_server.url + "/accounts/staff/")
    page.get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()

    page.get_by_label("操作人（用户名）").fill("jiangan-reviewer")
    page.get_by_label("操作", exact=True).select_option("auth.staff_login")
    page.get_by_test_id("apply").click()

    rows = page.get_by_test_id("event")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("江岸区审核员")
    expect(rows.first).to_contain_text("工作人员登录")
    expect(rows.first).to_contain_text("成功")
    page.screenshot(path=str(screenshot_dir / "audit_viewer.png"), full_page=True)

    # A reviewer has no such menu entry, and the page answers 404.
    # (the same session: a second sign-in within 30 s would reuse the TOTP code, which is refused)
    reviewer_page.goto(live_server.url + "/accounts/staff/")
    expect(reviewer_page.get_by_role("link", name="审计日志")).to_have_count(0)
    assert reviewer_page.goto(live_server.url + "/audit/").status == 404
    reviewer_page.context.close()
