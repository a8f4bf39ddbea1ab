"""Administrators keep the regions data in the admin: units through save_unit, the holiday calendar."""

from datetime import date

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.models import User
from regions import admin as regions_admin
from regions.calendar import is_working_day
from regions.models import CalendarException, CalendarYear, Division, ReviewUnit
from regions.tests.factories import ReviewUnitFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """A system administrator signed in with password and TOTP."""
    user = User.objects.create_superuser(username="sysadmin", password="Admin-Password-2026", kind="staff")
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def unit_form(**overrides):
    data = {
        "code": "DZ01",
        "name": "江岸经济开发区",
        "level": "other",
        "division": "420102",
        "parent": "",
        "sort_order": "0",
    }
    data["is_active"] = "on"
    data.update(overrides)
    return data


def test_divisions_can_be_looked_at_but_not_changed(admin_client):
    assert admin_client.get(reverse("admin:regions_division_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:regions_division_add")).status_code == 403
    url = reverse("admin:regions_division_change", args=["420102"])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"code": "420102", "name": "改名", "level": "county", "parent": "420100"})
    assert Division.objects.get(code="420102").name == "江岸区"


def test_an_administrator_adds_a_development_zone_and_its_path_is_computed(admin_client):
    response = admin_client.post(reverse("admin:regions_reviewunit_add"), unit_form(parent=str(unit("420102").pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    zone = ReviewUnit.objects.get(code="DZ01")
    assert zone.path == "420000/420100/420102/DZ01/"


def test_moving_a_unit_in_the_admin_moves_everything_below_it(admin_client):
    zone = ReviewUnitFactory(code="DZ9", parent=unit("420102"))
    jiangan = unit("420102")
    response = admin_client.post(
        reverse("admin:regions_reviewunit_change", args=[jiangan.pk]),
        unit_form(code="420102", name="江岸区", level="county", division="420102", parent=str(unit("420200").pk)),
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.path == "420000/420200/420102/DZ9/"


def test_a_move_under_its_own_county_is_refused_next_to_the_parent_field(admin_client):
    wuhan = unit("420100")
    response = admin_client.post(
        reverse("admin:regions_reviewunit_change", args=[wuhan.pk]),
        unit_form(code="420100", name="武汉市市直", level="city", division="420100", parent=str(unit("420102").pk)),
    )
    assert response.status_code == 200
    assert "管理部门不能挂在自身或其下级部门之下。" in response.context["adminform"].form.errors["parent"]
    wuhan.refresh_from_db()
    assert wuhan.parent.code == "420000"
    assert unit("420102").path == "420000/420100/420102/"


def test_a_code_with_a_slash_is_refused_next_to_the_code_field(admin_client):
    response = admin_client.post(
        reverse("admin:regions_reviewunit_add"), unit_form(code="DZ/1", parent=str(unit("420102").pk))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == ["代码只能包含字母、数字、“-”和“_”。"]
    assert not ReviewUnit.objects.filter(code="DZ/1").exists()


def test_units_are_deactivated_not_deleted(admin_client):
    jiangan = unit("420102")
    assert (
        admin_client.post(reverse("admin:regions_reviewunit_delete", args=[jiangan.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert ReviewUnit.objects.filter(pk=jiangan.pk).exists()


@pytest.mark.parametrize("delete_the_year", [False, True], ids=["seeded provisional", "not entered at all"])
def test_the_calendar_changelist_reminds_to_enter_next_years_notice(admin_client, monkeypatch, delete_the_year):
    monkeypatch.setattr(regions_admin.timezone, "localdate", lambda: date(2026, 11, 27))
    if delete_the_year:
        CalendarYear.objects.filter(year=2027).delete()
    for name in ["admin:regions_calendaryear_changelist", "admin:regions_calendarexception_changelist"]:
        text = admin_client.get(reverse(name)).content.decode()
        assert "2027年节假日安排为暂定" in text
        assert "请录入国务院办公厅2027年的节假日安排通知" in text
        assert "2026年节假日安排为暂定" not in text


def test_the_calendar_changelist_shows_which_years_are_provisional(admin_client):
    text = admin_client.get(reverse("admin:regions_calendaryear_changelist") + "?provisional__exact=1").content.decode()
    assert "2028" in text
    assert "2026" not in text


def test_an_administrator_enters_next_year_with_its_holidays(admin_client, django_capture_on_commit_callbacks):
    CalendarYear.objects.filter(year=2027).delete()
    assert is_working_day(date(2027, 2, 20)) is False  # a Saturday, until the notice makes it a workday
    data = {
        "year": "2027",
        "source": "国办发明电〔2026〕1号",
        "exceptions-TOTAL_FORMS": "2",
        "exceptions-INITIAL_FORMS": "0",
        "exceptions-MIN_NUM_FORMS": "0",
        "exceptions-MAX_NUM_FORMS": "1000",
        "exceptions-0-day": "2027-01-01",
        "exceptions-0-kind": "holiday",
        "exceptions-0-name": "元旦",
        "exceptions-1-day": "2027-02-20",
        "exceptions-1-kind": "workday",
        "exceptions-1-name": "春节",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:regions_calendaryear_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CalendarException.objects.filter(calendar_year_id=2027).count() == 2
    assert is_working_day(date(2027, 1, 1)) is False
    assert is_working_day(date(2027, 2, 20)) is True


def test_a_make_up_workday_on_a_weekday_is_refused_with_a_chinese_message(admin_client):
    response = admin_client.post(
        reverse("admin:regions_calendarexception_add"),
        {"calendar_year": "2026", "day": "2026-11-30", "kind": "workday", "name": "测试"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"] == ["调休上班日必须是星期六或星期日。"]
    assert not CalendarException.objects.filter(day=date(2026, 11, 30)).exists()


def test_deleting_a_holiday_in_the_admin_makes_the_day_a_working_day(admin_client, django_capture_on_commit_callbacks):
    national_day = CalendarException.objects.get(day=date(2026, 10, 1))
    assert is_working_day(national_day.day) is False
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:regions_calendarexception_delete", args=[national_day.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert is_working_day(date(2026, 10, 1)) is True


def test_anonymous_visitors_cannot_reach_the_regions_admin(client):
    response = client.get(reverse("admin:regions_reviewunit_changelist"))
    assert response.status_code == 302
    assert ReviewUnit.objects.count() == 117
