"""施教机构 in a real Chromium: an institution uploads an attendee list with two bad rows, downloads the
error report, uploads the corrected list and registers it; the accountant sees the credits marked 机构登记."""

import io

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import expect

from continuing_education.items import load_credit_items, load_national_requirement
from continuing_education.models import AnnualRequirement, CreditItem
from continuing_education.tests.factories import collected_accountant
from e2e.helpers import sign_in_staff
from institutions.models import Attendance, CourseCreditRule
from institutions.tests.conftest import institution_user, make_course, make_institution, nth_id, row, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data():
    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)
    CourseCreditRule.objects.get_or_create(
        from_year=2018, mode="", defaults={"rule": "per_hour", "params": {"credits_per_hour": 3}}
    )


def test_an_institution_fixes_a_list_and_the_accountant_sees_the_credits(page, live_server, tmp_path, data):
    import datetime

    from django.utils import timezone

    person = collected_accountant("420102", full_name="王会计", phone="13812340000")
    institution = make_institution(1)
    staff = institution_user(institution)
    today = timezone.localdate()
    start = max(today - datetime.timedelta(days=2), datetime.date(today.year, 1, 1))  # one year, even on 1 January
    course = make_course(institution, staff, start_date=start, end_date=today, name="政府会计准则专题培训")
    day = start.isoformat()
    me = {"id_type": "居民身份证", "id_number": person.id_number, "name": "王会计", "date": day}
    bad_number = nth_id(2)[:-1] + ("0" if nth_id(2)[-1] != "0" else "1")
    bad_file = tmp_path / "名单.xlsx"
    bad_file.write_bytes(xlsx([me, row(2, id_number=bad_number, date=day), row(3, date="2000-01-01")]))

    sign_in_staff(page, live_server, staff)
    expect(page.get_by_test_id("institution-name")).to_contain_text(institution.name)
    page.get_by_role("link", name=course.name).click()
    page.locator("input[type=file]").set_input_files(str(bad_file))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("错误 2 行")
    expect(page.get_by_test_id("commit")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_test_id("error-report").click()
    report = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active
    lines = list(report.iter_rows(values_only=True))[1:]
    assert [line[0] for line in lines] == [3, 4]
    assert "校验" in lines[0][5] and "课程" in lines[1][5]

    good_file = tmp_path / "名单-已更正.xlsx"
    good_file.write_bytes(xlsx([me, row(2, date=day), row(3, date=day)]))
    page.get_by_role("link", name=course.name).click()
    page.locator("input[type=file]").set_input_files(str(good_file))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("错误 0 行")
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("attendee-count")).to_have_text("3")
    assert Attendance.objects.filter(course=course).count() == 3

    accountant = page.context.browser.new_context(locale="zh-CN").new_page()
    client = Client()
    client.force_login(person)
    accountant.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    accountant.goto(live_server.url + f"/ce/?year={today.year}")
    credit = accountant.get_by_test_id("external-credit")
    expect(credit).to_have_count(1)
    expect(credit.get_by_test_id("external-source")).to_have_text("机构登记")
    expect(credit.get_by_test_id("external-title")).to_have_text(course.name)
    expect(credit.get_by_test_id("external-credits-value")).to_contain_text("24")
    expect(credit.get_by_role("button", name="删除")).to_have_count(0)
