"""The Hubei data the migrations load: divisions, review units, holiday calendar."""

import csv
from datetime import date, timedelta

import chinese_calendar
import pytest

from regions.calendar import is_working_day
from regions.models import CalendarException, CalendarYear, Division, ReviewUnit
from regions.seeding import DATA_FILE, city_unit_name
from regions.tests.factories import unit

pytestmark = pytest.mark.django_db

DIRECT_UNDER_PROVINCE = {"429004": "仙桃市", "429005": "潜江市", "429006": "天门市", "429021": "神农架林区"}


def test_all_118_divisions_are_loaded_with_their_levels():
    assert Division.objects.count() == 118
    counts = {level: Division.objects.filter(level=level).count() for level in Division.Level.values}
    assert counts == {"province": 1, "city": 13, "county": 103, "group": 1}


def test_the_grouping_row_of_the_province_managed_counties_is_level_group():
    group = Division.objects.get(code="429000")
    assert group.name == "省直辖县级行政区划"
    assert group.level == Division.Level.GROUP
    assert set(group.children.values_list("code", flat=True)) == set(DIRECT_UNDER_PROVINCE)


def test_the_data_file_ships_inside_the_app():
    assert DATA_FILE.is_relative_to(DATA_FILE.parents[1])
    assert DATA_FILE.parent.name == "data" and DATA_FILE.parents[1].name == "regions"
    with DATA_FILE.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 118


def test_there_is_one_unit_for_the_province_each_city_and_each_county():
    assert ReviewUnit.objects.count() == 117
    assert ReviewUnit.objects.filter(level=ReviewUnit.Level.PROVINCE).count() == 1
    assert ReviewUnit.objects.filter(level=ReviewUnit.Level.CITY).count() == 13
    assert ReviewUnit.objects.filter(level=ReviewUnit.Level.COUNTY).count() == 103


def test_the_root_unit_is_the_provincial_bureau():
    root = unit("420000")
    assert root.name == "湖北省省直"
    assert root.level == ReviewUnit.Level.PROVINCE
    assert root.division_id == "420000"
    assert root.parent is None
    assert root.path == "420000/"


def test_city_units_are_named_like_the_manual_and_hang_under_the_province():
    assert unit("420100").name == "武汉市市直"
    assert unit("422800").name == "恩施州州直"
    assert city_unit_name("黄石市") == "黄石市市直"
    for city in ReviewUnit.objects.filter(level=ReviewUnit.Level.CITY):
        assert city.parent.code == "420000"
        assert city.division_id == city.code
        assert city.path == f"420000/{city.code}/"


def test_the_four_province_managed_county_units_hang_directly_under_the_province():
    direct = ReviewUnit.objects.filter(parent__code="420000", level=ReviewUnit.Level.COUNTY)
    assert dict(direct.values_list("code", "name")) == DIRECT_UNDER_PROVINCE
    assert unit("429004").path == "420000/429004/"


def test_jiangan_district_is_under_wuhan_city_unit():
    jiangan = unit("420102")
    assert jiangan.name == "江岸区"
    assert jiangan.parent.name == "武汉市市直"
    assert jiangan.path == "420000/420100/420102/"


def test_every_county_unit_points_at_its_own_division_under_its_city():
    for county in ReviewUnit.objects.filter(level=ReviewUnit.Level.COUNTY).select_related("division", "parent"):
        assert county.division_id == county.code
        assert county.name == county.division.name
        assert county.path == f"{county.parent.path}{county.code}/"
        if county.code not in DIRECT_UNDER_PROVINCE:
            assert county.parent.code == county.division.parent_id


def test_the_calendar_is_seeded_for_every_year_chinese_calendar_knows():
    years = set(CalendarYear.objects.filter(provisional=False).values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    national_day = CalendarException.objects.get(day=date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (CalendarException.Kind.HOLIDAY, "国庆节")
    assert CalendarException.objects.get(day=date(2026, 10, 10)).kind == CalendarException.Kind.WORKDAY


def test_the_seeded_calendar_agrees_with_chinese_calendar_on_every_day():
    day, last = date(2004, 1, 1), date(2026, 12, 31)
    disagreements = []
    while day <= last:
        if is_working_day(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


def test_only_real_exceptions_are_stored():
    for exception in CalendarException.objects.all():
        is_weekend = exception.day.weekday() >= 5
        assert is_weekend == (exception.kind == CalendarException.Kind.WORKDAY)
        assert exception.calendar_year_id == exception.day.year
