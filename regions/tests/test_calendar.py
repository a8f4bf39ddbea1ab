"""The working-day calendar: holidays, 调休 make-up workdays, years without data, the cache."""

import logging
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.calendar import add_working_days, is_working_day, missing_years, working_days_between, year_calendar
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


def test_a_year_without_data_counts_monday_to_friday_with_a_warning(caplog):
    CalendarYear.objects.filter(year=2027).delete()
    with caplog.at_level(logging.WARNING, logger="regions.calendar"):
        assert is_working_day(date(2027, 1, 1)) is True  # a Friday: 元旦, but nobody entered 2027
        assert is_working_day(date(2027, 1, 2)) is False
        assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)
    assert "2027" in caplog.text
    assert year_calendar(2027).known is False


def test_a_due_date_running_into_a_year_without_data_still_works():
    assert add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 4)


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
    CalendarYear.objects.filter(year=2030).delete()
    assert is_working_day(date(2030, 1, 1)) is True  # cached as "no data"
    with django_capture_on_commit_callbacks(execute=True):
        save_calendar_year(calendar_year=CalendarYear(year=2030, source="国办发明电〔2029〕1号"))
        save_calendar_exception(
            exception=CalendarException(calendar_year_id=2030, day=date(2030, 1, 1), kind="holiday", name="元旦")
        )
    assert is_working_day(date(2030, 1, 1)) is False
    assert missing_years([2029, 2030]) == [2029]


def test_changing_and_deleting_an_exception_forgets_the_cached_year(django_capture_on_commit_callbacks):
    exception = CalendarExceptionFactory()
    assert is_working_day(date(2030, 1, 1)) is False
    with django_capture_on_commit_callbacks(execute=True):
        exception.day = date(2030, 1, 2)
        save_calendar_exception(exception=exception)
    assert is_working_day(date(2030, 1, 1)) is True
    assert is_working_day(date(2030, 1, 2)) is False
    with django_capture_on_commit_callbacks(execute=True):
        delete_calendar_exception(exception=exception)
    assert is_working_day(date(2030, 1, 2)) is True
    assert year_calendar(2030).known is True
    with django_capture_on_commit_callbacks(execute=True):
        delete_calendar_year(calendar_year=CalendarYear.objects.get(year=2030))
    assert year_calendar(2030).known is False


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
