"""数据导出 in the browser: a 武汉市 reviewer exports the roster, watches the progress reach 100 %
and downloads the file, which opens with openpyxl (issue #9)."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.helpers import sign_in_staff
from identity.tests.factories import StaffFactory, review_unit
from reports.exports.tests.factories import approved_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_wuhan_reviewer_exports_the_roster_and_downloads_it(live_server, page, screenshot_dir, tmp_path):
    wuhan = StaffFactory(username="wuhan-export", full_name="武汉审核员", unit=review_unit("420100"))
    in_scope = [approved_person("420102", employer_name="=1+2"), approved_person("420103"), approved_person("420100")]
    approved_person("420202")  # 黄石: never in 武汉's file

    sign_in_staff(page, live_server, wuhan)
    page.goto(live_server.url + "/reports/exports/")
    expect(page.get_by_role("heading", name="数据导出")).to_be_visible()
    expect(page.get_by_test_id("kind-roster")).to_have_attribute("aria-current", "page")
    page.get_by_test_id("start-export").click()

    page.wait_for_url("**/reports/exports/*/")
    expect(page.get_by_test_id("export-progress")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("percent")).to_have_text("100%")
    expect(page.get_by_test_id("progress-bar")).to_have_attribute("value", "100")
    page.screenshot(path=str(screenshot_dir / "exports-done.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    assert sorted(row[0] for row in rows[1:]) == sorted(r.current.full_name for r in in_scope)
    assert "'=1+2" in [row[rows[0].index("工作单位")] for row in rows[1:]]
    assert all(r.current.id_number not in {row[2] for row in rows[1:]} for r in in_scope)

    # The list of recent exports shows it.
    page.goto(live_server.url + "/reports/exports/")
    expect(page.get_by_test_id("recent-exports").locator("tbody tr")).to_have_count(1)
