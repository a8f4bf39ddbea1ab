"""Counting around a 调休 make-up Saturday, pinned where mutation testing (make mutation) found the
other tests silent.

    October 2026 (国庆节 1–7 off; Saturday 10 is a make-up workday)
    Mo Tu We Th Fr Sa Su
              1  2  3  4
     5  6  7  8  9 10 11
    12 13 14 15 16 17 18
"""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from regions.calendar import add_working_days, is_working_day, working_days_between, year_calendar
from regions.models import CalendarException
from regions.tests.factories import CalendarYearFactory

pytestmark = pytest.mark.django_db


def test_the_make_up_saturday_is_a_working_day_and_the_sunday_after_it_is_not():
    assert is_working_day(date(2026, 10, 10)) is True
    assert is_working_day(date(2026, 10, 11)) is False


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 10, 10), date(2026, 10, 10), 0),  # the start is never counted
        (date(2026, 10, 10), date(2026, 10, 11), 0),  # Sunday
        (date(2026, 10, 10), date(2026, 10, 12), 1),  # Monday
        (date(2026, 10, 10), date(2026, 10, 17), 5),  # Mon–Fri of the next week
        (date(2026, 10, 9), date(2026, 10, 10), 1),  # from Friday: the Saturday counts
        (date(2026, 10, 9), date(2026, 10, 12), 2),  # Saturday and Monday
        (date(2026, 9, 30), date(2026, 10, 10), 3),  # across the holiday: Thu 8, Fri 9 and the Saturday
    ],
)
def test_counting_from_and_across_a_make_up_saturday(start, end, count):
    assert working_days_between(start, end) == count
    assert working_days_between(end, start) == -count


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 10, 10), 1, date(2026, 10, 12)),
        (date(2026, 10, 10), 5, date(2026, 10, 16)),
        (date(2026, 10, 9), 1, date(2026, 10, 10)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
    ],
)
def test_adding_working_days_from_and_across_a_make_up_saturday(start, days, due):
    assert add_working_days(start, days) == due


def test_a_loaded_year_says_which_year_it_is_and_whether_it_is_provisional():
    official, provisional, unknown = year_calendar(2026), year_calendar(2027), year_calendar(2099)
    assert (official.year, official.known, official.provisional) == (2026, True, False)
    assert (provisional.year, provisional.known, provisional.provisional) == (2027, True, True)
    assert (unknown.year, unknown.known, unknown.provisional) == (2099, False, True)


def test_a_year_without_data_is_named_in_the_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="regions.calendar"):
        year_calendar(2099)
    assert [record.getMessage() for record in caplog.records] == [
        "No holiday schedule for 2099: counting statutory holidays only (provisional, without make-up workdays)"
    ]


def test_a_cached_year_is_read_again_after_six_hours():
    CalendarYearFactory(year=2041)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        assert is_working_day(date(2041, 3, 6)) is True  # a Wednesday, now cached
        # Changed behind the cache's back (not through regions.services, which forgets the year).
        CalendarException.objects.create(calendar_year_id=2041, day=date(2041, 3, 6), kind="holiday", name="测试")
        clock.shift(timedelta(hours=6) - timedelta(seconds=1))
        assert is_working_day(date(2041, 3, 6)) is True
        clock.shift(timedelta(seconds=2))
        assert is_working_day(date(2041, 3, 6)) is False


def test_a_weekend_holiday_entered_outside_the_admin_is_not_taken_off_twice():
    """The admin refuses a holiday on a weekend; one loaded some other way must not make the
    count lower than the days `add_working_days` walks."""
    CalendarYearFactory(year=2041)
    CalendarException.objects.create(calendar_year_id=2041, day=date(2041, 3, 9), kind="holiday", name="测试")
    assert date(2041, 3, 9).weekday() == 5
    assert working_days_between(date(2041, 3, 8), date(2041, 3, 11)) == 1  # Monday 11 only
    assert add_working_days(date(2041, 3, 8), 1) == date(2041, 3, 11)


def test_negative_working_days_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"^days must not be negative$"):
        add_working_days(date(2026, 10, 10), -1)
