"""The audit viewer (审计日志): who may read it, scope, each filter, keyset pages, XLSX export, the
audit of reading, the query count."""

import datetime
import io
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import selectors
from audit.export import neutralise, write_events_xlsx
from audit.models import AuditEvent
from audit.services import record_event
from core.navigation import staff_links
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit

pytestmark = pytest.mark.django_db

LOG = "/audit/"
EXPORT = "/audit/export/"


@pytest.fixture
def auditor():
    return StaffFactory(role=StaffRole.AUDITOR, unit=review_unit("420000"), username="auditor")


def _reader(client, login_staff, user):
    login_staff(client, user)
    return client


def _event(action="reviews.view", *, actor=None, **kwargs) -> AuditEvent:
    return record_event(action=action, actor=actor, **kwargs)


def _rows(response) -> list[AuditEvent]:
    return response.context["page"].events


# --------------------------------------------------------------------------- who may read


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (StaffRole.AUDITOR, True),
        (StaffRole.SECURITY_ADMIN, True),
        (StaffRole.REVIEWER, False),
        (StaffRole.UNIT_ADMIN, False),
        (StaffRole.SYSTEM_ADMIN, False),
    ],
)
def test_only_auditors_and_security_administrators_read_the_audit_log(client, login_staff, role, allowed):
    user = StaffFactory(role=role, unit=review_unit("420000"))
    _reader(client, login_staff, user)
    for url in (LOG, EXPORT):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404), (role, url)
    links = [link["url"] for link in staff_links(user, "/")]
    assert (reverse("audit:log") in links) is allowed


def test_an_accountant_gets_404_and_anonymous_users_are_sent_to_the_staff_sign_in(client):
    assert client.get(LOG).status_code == 302
    assert "/accounts/staff/login/" in client.get(LOG)["Location"]
    client.force_login(AccountantFactory())
    assert client.get(LOG).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_the_viewer_changes_nothing(client, login_staff, auditor):
    _reader(client, login_staff, auditor)
    event = _event("reviews.approve")
    assert client.put(LOG).status_code == 405
    assert client.post(EXPORT).status_code == 405
    event.refresh_from_db()
    assert event.action == "reviews.approve"


# --------------------------------------------------------------------------- scope


def test_a_city_auditor_sees_its_units_only_and_the_province_sees_everything(client, login_staff):
    wuhan_reviewer = StaffFactory(unit=review_unit("420102"))
    huangshi_reviewer = StaffFactory(unit=review_unit("420202"))
    accountant = AccountantFactory()
    in_wuhan = _event(actor=wuhan_reviewer)
    in_huangshi = _event(actor=huangshi_reviewer)
    by_accountant = _event("auth.login", actor=accountant)
    assert in_wuhan.unit_id == wuhan_reviewer.unit_id and by_accountant.unit_id is None

    city = StaffFactory(role=StaffRole.AUDITOR, unit=review_unit("420100"))
    _reader(client, login_staff, city)
    seen = {e.pk for e in _rows(client.get(LOG))}
    assert in_wuhan.pk in seen and in_huangshi.pk not in seen and by_accountant.pk not in seen

    province = StaffFactory(role=StaffRole.SECURITY_ADMIN, unit=review_unit("420000"))
    _reader(client, login_staff, province)
    seen = {e.pk for e in _rows(client.get(LOG))}
    assert {in_wuhan.pk, in_huangshi.pk, by_accountant.pk} <= seen


def test_a_city_auditor_cannot_filter_on_a_unit_outside_its_scope(client, login_staff):
    city = StaffFactory(role=StaffRole.AUDITOR, unit=review_unit("420100"))
    review_unit("420202")
    _reader(client, login_staff, city)
    response = client.get(LOG, {"unit": "420202"})
    assert response.context["page"] is None
    assert "unit" in response.context["form"].errors


def test_the_unit_filter_offers_the_units_of_the_scope_only(client, login_staff):
    city = StaffFactory(role=StaffRole.AUDITOR, unit=review_unit("420100"))
    review_unit("420102")
    review_unit("420202")
    _reader(client, login_staff, city)
    html = client.get(LOG, {"unit": "420102"}).content.decode()
    assert '<option value="420102" selected>江岸区</option>' in html
    assert 'value="420100"' in html and 'value="420202"' not in html


def test_the_table_shows_labels_escapes_values_and_marks_failures(client, login_staff, auditor):
    reviewer = StaffFactory(full_name="<b>甲</b>", unit=review_unit("420102"))
    _event("reviews.approve", actor=reviewer, object_type="reviews.application", object_id="42")
    _event("auth.login_failed", result=AuditEvent.Result.FAILURE)
    _reader(client, login_staff, auditor)
    html = client.get(LOG, {"action": "reviews.approve"}).content.decode()
    assert '<td>&lt;b&gt;甲&lt;/b&gt; <span class="text-secondary small">审核员</span></td>' in html
    assert "<td>江岸区</td>" in html
    assert '<td>审核通过申请 <span class="text-secondary small">reviews.approve</span></td>' in html
    assert "<td>reviews.application #42</td>" in html
    assert "<td>成功</td>" in html
    html = client.get(LOG, {"action": "auth.login_failed"}).content.decode()
    assert '<span class="text-danger fw-semibold">失败</span>' in html
    assert "<td>（系统或匿名）</td>" in html


# --------------------------------------------------------------------------- filters


def test_filter_on_the_actor_username(client, login_staff, auditor):
    someone, other = StaffFactory(username="reviewer-a"), StaffFactory(username="reviewer-b")
    mine = _event(actor=someone)
    _event(actor=other)
    _reader(client, login_staff, auditor)
    rows = _rows(client.get(LOG, {"actor": "reviewer-a"}))
    assert [e.pk for e in rows] == [mine.pk]

    response = client.get(LOG, {"actor": "nobody-like-this"})
    assert response.context["form"].errors["actor"] == ["没有该用户名的账号。"]


def test_filter_on_a_person_by_id_number_never_puts_the_number_in_a_url(client, login_staff, auditor):
    person, other = AccountantFactory(), AccountantFactory()
    by_person = _event("auth.login", actor=person, obj=person)
    about_person = _event("integrity.view_person", actor=auditor, obj=person)
    _event("auth.login", actor=other, obj=other)
    _reader(client, login_staff, auditor)

    response = client.post(LOG, {"id_number": person.id_number.lower()})
    assert response.status_code == 302
    location = response["Location"]
    assert person.id_number not in location
    assert parse_qs(urlsplit(location).query)["person"] == [str(person.pk)]
    rows = _rows(client.get(location))
    assert {e.pk for e in rows if e.action != "audit.view"} == {by_person.pk, about_person.pk}

    response = client.post(LOG, {"id_number": "11010519491231002X"})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["未找到该证件号码的会计人员。"]


def test_filter_on_the_action_with_choices_from_the_registry(client, login_staff, auditor):
    approved = _event("reviews.approve")
    _event("reviews.return")
    _reader(client, login_staff, auditor)
    response = client.get(LOG, {"action": "reviews.approve"})
    assert [e.pk for e in _rows(response)] == [approved.pk]
    choices = dict(response.context["form"].fields["action"].choices)
    assert choices["auth.staff_login"] == "工作人员登录" or "auth.staff_login" in choices
    assert "audit.export" in choices
    assert "not.an.action" not in choices
    assert "action" in client.get(LOG, {"action": "not.an.action"}).context["form"].errors


def test_filter_on_the_result(client, login_staff, auditor):
    failed = _event("auth.login_failed", result=AuditEvent.Result.FAILURE)
    _event("auth.login")
    _reader(client, login_staff, auditor)
    rows = _rows(client.get(LOG, {"result": "failure"}))
    assert [e.pk for e in rows] == [failed.pk]


def test_filter_on_a_unit_includes_the_units_below_it(client, login_staff, auditor):
    county = _event(actor=StaffFactory(unit=review_unit("420102")))
    other_city = _event(actor=StaffFactory(unit=review_unit("420202")))
    _reader(client, login_staff, auditor)
    seen = {e.pk for e in _rows(client.get(LOG, {"unit": "420100"}))}
    assert county.pk in seen and other_city.pk not in seen


def test_filter_on_a_date_range_in_local_days(client, login_staff, auditor):
    _event()
    _reader(client, login_staff, auditor)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert _rows(client.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert not [e for e in _rows(client.get(LOG, {"date_to": yesterday.isoformat()})) if e.action != "audit.view"]
    response = client.get(LOG, {"date_from": today.isoformat(), "date_to": yesterday.isoformat()})
    assert response.context["form"].errors["date_to"] == ["结束日期不能早于开始日期"]


# --------------------------------------------------------------------------- keyset pages


def test_keyset_pages_show_every_row_once_even_with_equal_timestamps():
    AuditEvent.objects.bulk_create([AuditEvent(action="reviews.view", object_id=str(n)) for n in range(13)])
    # Many rows written in the same microsecond (a burst on one server): only the id orders them.
    moment = timezone.now() - datetime.timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        AuditEvent.objects.bulk_create([AuditEvent(action="reviews.view", object_id=f"same{n}") for n in range(17)])
    assert AuditEvent.objects.filter(created_at=moment).count() == 17
    expected = list(AuditEvent.objects.order_by("-created_at", "-id").values_list("pk", flat=True))

    seen, cursor, pages = [], None, 0
    events = selectors.filter_events(AuditEvent.objects.all(), selectors.EventFilters())
    while True:
        page = selectors.page_of_events(events, cursor, size=4)
        seen += [e.pk for e in page.events]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
    assert len(set(seen)) == 30
    assert pages == 8


def test_the_next_page_link_carries_the_filters_and_a_bad_cursor_is_404(client, login_staff, auditor):
    for _ in range(selectors.PAGE_SIZE + 3):
        _event("reviews.approve")
    _reader(client, login_staff, auditor)
    first = client.get(LOG, {"action": "reviews.approve"})
    assert len(_rows(first)) == selectors.PAGE_SIZE
    next_url = first.context["next_url"]
    assert "action=reviews.approve" in next_url
    second = client.get(LOG + next_url)
    assert len(_rows(second)) == 3
    assert second.context["next_url"] is None
    assert not {e.pk for e in _rows(first)} & {e.pk for e in _rows(second)}
    assert client.get(LOG, {"after": "garbage"}).status_code == 404


# --------------------------------------------------------------------------- reading is audited


def test_viewing_and_exporting_are_audited(client, login_staff, auditor):
    _reader(client, login_staff, auditor)
    client.get(LOG, {"action": "reviews.approve", "result": "success"})
    viewed = AuditEvent.objects.filter(action="audit.view").get()
    assert viewed.actor_id == auditor.pk and viewed.unit_id == auditor.unit_id
    assert viewed.detail == {"filters": {"action": "reviews.approve", "result": "success"}}

    person = AccountantFactory()
    client.get(EXPORT, {"person": str(person.pk)})
    exported = AuditEvent.objects.filter(action="audit.export").get()
    assert exported.detail["filters"] == {"person": [str(person.pk)]}
    assert exported.detail["rows"] == 0 and exported.detail["truncated"] is False
    assert person.id_number not in str(exported.detail)


# --------------------------------------------------------------------------- export


def _sheet(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_export_holds_the_filtered_rows_with_labels(client, login_staff, auditor):
    reviewer = StaffFactory(full_name="审核员甲", unit=review_unit("420102"))
    approved = _event("reviews.approve", actor=reviewer, object_type="reviews.application", object_id="42")
    _event("reviews.return", actor=reviewer)
    _reader(client, login_staff, auditor)
    response = client.get(EXPORT, {"action": "reviews.approve"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0][:6] == ("时间", "操作人", "角色", "单位", "操作", "操作代码")
    assert len(rows) == 2
    row = rows[1]
    assert row[1:9] == (
        "审核员甲",
        "审核员",
        "江岸区",
        "审核通过申请",
        "reviews.approve",
        "reviews.application",
        "42",
        "成功",
    )
    assert row[0] == timezone.localtime(approved.created_at).replace(tzinfo=None, microsecond=row[0].microsecond)


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_export_cells_are_neutralised_against_formula_injection(dangerous):
    assert neutralise(dangerous) == "'" + dangerous
    _event("reviews.view", object_id=dangerous[:60], detail={})
    AuditEvent.objects.create(action="reviews.view", actor_name=dangerous)
    output, written, truncated = write_events_xlsx(AuditEvent.objects.order_by("-created_at", "-id"))
    sheet = load_workbook(output).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value and "'" in str(cell.value)]
    assert cells and all(cell.data_type == "s" and str(cell.value).startswith("'") for cell in cells)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert neutralise("plain 文本") == "plain 文本"


def test_the_export_stops_at_the_cap_with_a_message():
    AuditEvent.objects.bulk_create([AuditEvent(action="reviews.view") for _ in range(7)])
    output, written, truncated = write_events_xlsx(AuditEvent.objects.order_by("-created_at", "-id"), max_rows=5)
    rows = list(load_workbook(output).active.iter_rows(values_only=True))
    assert written == 5 and truncated is True
    assert len(rows) == 1 + 5 + 1
    assert "只导出了前 5 行" in rows[-1][0]


# --------------------------------------------------------------------------- cost


def test_a_page_costs_a_fixed_number_of_queries(client, login_staff, auditor, django_assert_num_queries):
    for _ in range(30):
        _event("reviews.approve")
    _reader(client, login_staff, auditor)
    client.get(LOG)  # warm the session and caches
    # session, user + OTP device + unit in one query (identity.otp_session), the page of events, the
    # audit row of the view: the same for 30 rows or 30 million. The unit filter's options are cached
    # per scope (audit.selectors.unit_filter_choices).
    with django_assert_num_queries(4):
        response = client.get(LOG, {"action": "reviews.approve"})
    assert len(_rows(response)) == 30
