"""The 统计分析 page and its XLSX exports: who may see what, audit, query count, contents."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from identity.tests.factories import AccountantFactory
from reports.statistics_refresh import refresh_statistics
from reports.tests.helpers import CITY, COUNTY, OTHER_CITY_COUNTY, PROVINCE, put_on_record
from reports.xlsx import safe_cell, workbook_bytes
from reviews.constants import Status
from reviews.tests.factories import make_application, reviewer_for

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")


@pytest.fixture
def city_client(client, login_staff):
    return login_staff(client, reviewer_for(CITY))


def test_the_page_shows_every_table_with_charts_data_and_as_of(city_client, testkind):
    make_application(unit_code=COUNTY, status=Status.PENDING)
    put_on_record(COUNTY)
    refresh_statistics()
    response = city_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计分析" in html and "数据截至" in html
    assert '<th scope="col">单位</th>' in html and '<th scope="row">武汉市市直（本级）</th>' in html
    assert '<script id="chart-progress_units" type="application/json">' in html
    assert "vendor/echarts/echarts.min.js" in html and "reports/dashboard.js" in html
    assert "<script>" not in html  # CSP: no inline script
    assert AuditEvent.objects.filter(action="reports.dashboard_view", actor=response.wsgi_request.user).exists()


def test_not_yet_refreshed_says_so(city_client):
    assert "其他数据尚未生成" in city_client.get(URL).content.decode()


def test_a_unit_below_may_be_selected_and_one_outside_is_404(city_client):
    assert city_client.get(URL, {"unit": COUNTY}).status_code == 200
    assert city_client.get(URL, {"unit": OTHER_CITY_COUNTY}).status_code == 404
    assert city_client.get(URL, {"unit": PROVINCE}).status_code == 404
    assert city_client.get(URL, {"unit": "nonsense"}).status_code == 404
    export = reverse("reports:export_table", args=["progress_units"])
    assert city_client.get(export, {"unit": OTHER_CITY_COUNTY}).status_code == 404


def test_another_county_is_404_for_a_county_reviewer(client, login_staff):
    login_staff(client, reviewer_for(COUNTY))
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"unit": "420103"}).status_code == 404
    assert client.get(URL, {"unit": CITY}).status_code == 404


def test_accountant_gets_404_and_anonymous_the_staff_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("identity:staff_login") in response["Location"]
    client.force_login(AccountantFactory())
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reports:export_table", args=["progress_units"])).status_code == 404


def test_unknown_table_is_404(city_client):
    assert city_client.get(reverse("reports:export_table", args=["nothing"])).status_code == 404


def _queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_small_and_larger_data(client, login_staff, testkind):
    user = reviewer_for(PROVINCE)
    login_staff(client, user)
    make_application(unit_code=COUNTY, status=Status.APPROVED)
    put_on_record(COUNTY)
    refresh_statistics()
    client.get(URL)  # warm caches (scope ids, calendar)
    small = _queries(client)
    # session, user + OTP device + unit, the units of the scope, CE years, status counts, open counts,
    # submissions, people on record per unit and per dimension value (summed by the database, not
    # one row per unit), CE compliance, decisions, reviewers' names, refresh time, the audit row.
    assert small == 14
    for code in (COUNTY, CITY, OTHER_CITY_COUNTY):
        for status in (Status.PENDING, Status.APPROVED, Status.RETURNED, Status.DRAFT):
            make_application(unit_code=code, status=status)
        put_on_record(code)
    refresh_statistics()
    client.get(URL)
    assert _queries(client) == small
    assert _queries(client, unit=CITY) == small


def test_export_contains_the_table_as_shown(city_client, testkind):
    make_application(unit_code=COUNTY, status=Status.PENDING)
    make_application(unit_code=CITY, status=Status.APPROVED)
    refresh_statistics()
    response = city_client.get(reverse("reports:export_table", args=["progress_units"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("各单位采集进度")
    assert rows[1][:3] == ("单位", "已登记（含草稿）", "草稿")
    body = {row[0]: row[1:] for row in rows[2:]}
    assert body["武汉市市直（本级）"][3:5] == (0, 1)  # returned 0, approved 1
    assert body["江岸区"][2] == 1  # pending
    assert body["合计"][0] == 2
    assert AuditEvent.objects.filter(action="reports.table_export").count() == 1


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_safe_cell_neutralises_formulas(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous
    rows = list(
        load_workbook(BytesIO(workbook_bytes(title="t", rows=[[dangerous]]))).active.iter_rows(values_only=True)
    )
    assert rows == [("'" + dangerous,)]


def test_safe_cell_keeps_plain_values():
    assert safe_cell("江岸区") == "江岸区"
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) is None
    assert safe_cell("a=b") == "a=b"


def test_a_unit_named_like_a_formula_is_neutralised_in_the_export(city_client):
    from regions.models import ReviewUnit

    ReviewUnit.objects.filter(code=COUNTY).update(name="=HYPERLINK(1)")
    response = city_client.get(reverse("reports:export_table", args=["people_units"]))
    names = [row[0] for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names


def test_table_cells_and_unit_options_are_escaped_and_localized():
    from reports.templatetags.dashboard_cells import row_cells, unit_options

    assert row_cells(["<b>", 3, None, 12.5, ""]) == (
        '<th scope="row">&lt;b&gt;</th><td class="text-end">3</td><td class="text-end">—</td>'
        '<td class="text-end">12.5</td><td class="text-end"></td>'
    )
    assert row_cells([]) == ""
    units = [{"code": "1", "name": "A&B"}, {"code": '2"', "name": "C"}]
    assert unit_options(units, '2"') == (
        '<option value="1">A&amp;B</option><option value="2&quot;" selected>C</option>'
    )
