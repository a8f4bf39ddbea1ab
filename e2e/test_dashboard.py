"""统计分析 in a real Chromium: a 武汉市 reviewer reads the dashboard, sees charts and tables, exports one."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff
from identity.tests.factories import StaffFactory, review_unit
from reports.statistics_refresh import refresh_statistics
from reports.tests.helpers import put_on_record
from reviews.tests.factories import KindRecorder

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_city_reviewer_reads_the_dashboard_and_exports_a_table(live_server, page, screenshot_dir):
    reviewer = StaffFactory(username="wuhan-stats", full_name="武汉市审核员", unit=review_unit("420100"))
    recorder = KindRecorder().register()  # the envelope kind the records' approvals go through
    try:
        put_on_record("420102")
        put_on_record("420100")
    finally:
        recorder.unregister()
    refresh_statistics()

    sign_in_staff(page, live_server, reviewer)
    page.goto(live_server.url + "/accounts/staff/")
    page.get_by_role("link", name="统计分析").click()
    expect(page.get_by_role("heading", name="统计分析", level=1)).to_be_visible()
    expect(page.get_by_test_id("as-of")).to_contain_text("数据截至")

    people = page.get_by_test_id("table-people_units")
    expect(people.get_by_role("rowheader", name="江岸区")).to_be_visible()
    expect(people.locator("tfoot")).to_contain_text("2")
    expect(page.locator(".reports-chart canvas").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("export-people_units").click()
    content = BytesIO(download_info.value.path().read_bytes())
    rows = list(load_workbook(content).active.iter_rows(values_only=True))
    assert rows[1] == ("单位", "在册人数")
    assert ("合计", 2) in rows
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)
