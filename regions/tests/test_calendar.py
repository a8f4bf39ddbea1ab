"""The working-day calendar: holidays, 调休 make-up workdays, years without data, the cache."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.calendar import (
    add_working_days,
    is_working_day,
    missing_years,
    provisional_years,
    working_days_between,
    year_calendar,
)
from regions.exceptions import RegionError
from regions.models import CalendarException, CalendarYear
from regions.services import (
    delete_calendar_exception,
    delete_calendar_year,
    save_calendar_exception,
    save_calendar_year,
)
from regions.tests.factories import CalendarExceptionFactory, CalendarYearFactory

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(max_examples=60, deadline=None)
# Seeded years and a few unknown ones on either side.
any_day = st.dates(min_value=date(2003, 1, 1), max_value=date(2028, 12, 31))


def test_five_working_days_after_monday_28_september_2026_is_saturday_10_october():
    assert add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 10)


def test_national_day_is_not_a_working_day():
    assert is_working_day(date(2026, 10, 1)) is False


def test_a_saturday_make_up_day_is_a_working_day():
    assert date(2026, 10, 10).weekday() == 5
    assert is_working_day(date(2026, 10, 10)) is True


def test_an_ordinary_weekend_is_not_a_working_day_and_an_ordinary_weekday_is():
    assert is_working_day(date(2026, 11, 28)) is False  # Saturday
    assert is_working_day(date(2026, 11, 27)) is True  # Friday


def test_zero_working_days_after_a_date_is_the_date_itself():
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 10, 3), -1)


def test_a_year_without_data_counts_its_statutory_holidays_with_a_warning(caplog):
    CalendarYear.objects.filter(year=2027).delete()
    with caplog.at_level(logging.WARNING, logger="regions.calendar"):
        assert is_working_day(date(2027, 1, 1)) is False  # a Friday, but 元旦 whether or not anyone entered 2027
        assert is_working_day(date(2027, 1, 2)) is False
        assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert "2027" in caplog.text
    assert year_calendar(2027).known is False
    assert year_calendar(2027).provisional is True


def test_a_due_date_running_into_the_next_year_skips_new_years_day():
    # Wed 2026-12-30, Thu 31, (Fri 2027-01-01 元旦), Mon 4, Tue 5.
    assert add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


# Expected dates below are read off a printed 2027/2028 calendar with the statutory holidays marked,
# not computed with the code under test.
@pytest.mark.parametrize("delete_the_year", [False, True], ids=["seeded provisional", "not entered at all"])
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 1, 1), False),  # 元旦, a Friday
        (date(2027, 2, 5), False),  # 除夕, a Friday (a statutory holiday since 2025)
        (date(2027, 2, 8), False),  # 春节, a Monday
        (date(2027, 2, 10), False),  # 春节 day off in lieu, a Wednesday
        (date(2027, 2, 11), True),  # the first working day after 春节
        (date(2027, 10, 1), False),  # 国庆节, a Friday
        (date(2027, 10, 4), False),  # 国庆节 in lieu, a Monday
        (date(2027, 10, 5), False),
        (date(2027, 10, 6), True),
        (date(2028, 1, 26), False),  # 春节 2028, a Wednesday
        (date(2028, 10, 2), False),  # 国庆节 2028, a Monday
        (date(2028, 10, 9), True),
    ],
)
def test_statutory_holidays_after_2026_are_never_working_days(day, working, delete_the_year):
    if delete_the_year:
        CalendarYear.objects.filter(year=day.year).delete()
    assert is_working_day(day) is working


def test_five_working_days_after_the_eve_of_the_2027_spring_festival():
    # Thu 2027-02-04 → (5 除夕, 6–10 春节 and days off in lieu) → Thu 11, Fri 12, Mon 15, Tue 16, Wed 17.
    assert add_working_days(date(2027, 2, 4), 5) == date(2027, 2, 17)


def test_the_years_after_the_official_schedules_are_seeded_as_provisional():
    provisional = CalendarYear.objects.filter(provisional=True).order_by("year")
    assert list(provisional.values_list("year", flat=True)) == [2027, 2028, 2029, 2030]
    assert not CalendarYear.objects.filter(year__lte=2026, provisional=True).exists()
    assert provisional_years([2026, 2027]) == [2027]
    assert CalendarException.objects.filter(calendar_year_id=2027, kind=CalendarException.Kind.WORKDAY).count() == 0


def test_a_year_entered_from_the_notice_is_official_and_keeps_its_make_up_workdays(django_capture_on_commit_callbacks):
    year = CalendarYear.objects.get(year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarException.objects.create(
            calendar_year=year, day=date(2027, 2, 20), kind=CalendarException.Kind.WORKDAY, name="春节"
        )
        year.provisional = False
        save_calendar_year(calendar_year=year)
    assert is_working_day(date(2027, 2, 20)) is True
    assert provisional_years([2027]) == []


def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 10)) == 5
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 28)) == -5
    assert working_days_between(date(2026, 9, 28), date(2026, 9, 28)) == 0


def test_a_year_of_working_days_reads_each_year_once(django_assert_num_queries):
    with django_assert_num_queries(2):  # 2025 and 2026; chinese_calendar.get_workdays also says 248
        assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248
    with django_assert_num_queries(0):  # cached
        assert add_working_days(date(2026, 1, 1), 100) > date(2026, 1, 1)


@HYPOTHESIS
@given(start=any_day, days=st.integers(min_value=1, max_value=120))
def test_the_result_is_a_working_day_strictly_after_start(start, days):
    result = add_working_days(start, days)
    assert result > start
    assert is_working_day(result)


@HYPOTHESIS
@given(start=any_day, days=st.integers(min_value=0, max_value=120))
def test_working_days_between_undoes_add_working_days(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days


@HYPOTHESIS
@given(start=any_day, length=st.integers(min_value=-60, max_value=400))
def test_working_days_between_agrees_with_counting_day_by_day(start, length):
    end = start + timedelta(days=length)
    low, high = min(start, end), max(start, end)
    by_hand = sum(1 for offset in range(1, (high - low).days + 1) if is_working_day(low + timedelta(days=offset)))
    assert working_days_between(start, end) == (by_hand if end >= start else -by_hand)


def test_an_administrator_can_enter_a_new_year(django_capture_on_commit_callbacks):
    CalendarYear.objects.filter(year=2040).delete()
    assert is_working_day(date(2040, 3, 6)) is True  # cached as "no data"
    with django_capture_on_commit_callbacks(execute=True):
        save_calendar_year(calendar_year=CalendarYear(year=2040, source="国办发明电〔2039〕1号"))
        save_calendar_exception(
            exception=CalendarException(calendar_year_id=2040, day=date(2040, 3, 6), kind="holiday", name="测试假日")
        )
    assert is_working_day(date(2040, 3, 6)) is False
    assert missing_years([2039, 2040]) == [2039]


def test_changing_and_deleting_an_exception_forgets_the_cached_year(django_capture_on_commit_callbacks):
    exception = CalendarExceptionFactory()
    assert is_working_day(date(2040, 3, 6)) is False
    with django_capture_on_commit_callbacks(execute=True):
        exception.day = date(2040, 3, 7)
        save_calendar_exception(exception=exception)
    assert is_working_day(date(2040, 3, 6)) is True
    assert is_working_day(date(2040, 3, 7)) is False
    with django_capture_on_commit_callbacks(execute=True):
        delete_calendar_exception(exception=exception)
    assert is_working_day(date(2040, 3, 7)) is True
    assert year_calendar(2040).known is True
    with django_capture_on_commit_callbacks(execute=True):
        delete_calendar_year(calendar_year=CalendarYear.objects.get(year=2040))
    assert year_calendar(2040).known is False


def test_a_rolled_back_edit_leaves_the_cache_alone(django_capture_on_commit_callbacks):
    assert is_working_day(date(2026, 10, 12)) is True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        save_calendar_exception(
            exception=CalendarException(calendar_year_id=2026, day=date(2026, 10, 12), kind="holiday", name="测试")
        )
    assert len(callbacks) == 1  # runs only after a commit
    assert is_working_day(date(2026, 10, 12)) is True


@pytest.mark.parametrize(
    ("day", "kind", "field", "message"),
    [
        (date(2030, 1, 5), "holiday", "kind", "星期六或星期日"),
        (date(2030, 1, 7), "workday", "kind", "调休"),
        (date(2031, 1, 1), "holiday", "day", "2030"),
    ],
)
def test_an_exception_that_breaks_a_rule_is_refused_with_a_chinese_message(day, kind, field, message):
    CalendarYearFactory(year=2030)
    with pytest.raises(RegionError) as error:
        save_calendar_exception(exception=CalendarException(calendar_year_id=2030, day=day, kind=kind, name="元旦"))
    assert error.value.field == field
    assert message in str(error.value.message)
    assert not CalendarException.objects.filter(day=day).exists()


def test_the_yearly_reminder_names_next_year_until_its_notice_is_entered(caplog, django_capture_on_commit_callbacks):
    from regions.tasks import remind_calendar_notice

    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        with caplog.at_level(logging.WARNING, logger="regions.tasks"):
            assert remind_calendar_notice() == [2027]
        assert "2027" in caplog.text
        year = CalendarYear.objects.get(year=2027)
        year.provisional = False
        with django_capture_on_commit_callbacks(execute=True):
            save_calendar_year(calendar_year=year)
        assert remind_calendar_notice() == []
