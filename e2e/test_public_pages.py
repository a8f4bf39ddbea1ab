"""The public pages render Chinese text in a real Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_navigation_page_shows_the_six_entries_in_chinese(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="湖北省会计人员管理系统")).to_be_visible()
    for title in ["信息采集", "信息查询", "信息变更", "继续教育", "诚信录入", "手机号更换申请"]:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)


def test_notice_page_is_reachable_from_the_navigation_page(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="注册前请阅读采集须知").click()
    expect(page.get_by_role("heading", name="采集须知", exact=True)).to_be_visible()
    expect(page.get_by_text("属地化管理原则")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "notice.png"), full_page=True)


def test_pages_fit_a_phone_width_screen(live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
