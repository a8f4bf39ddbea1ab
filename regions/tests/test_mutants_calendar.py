"""Counting around a 调休 make-up Saturday, pinned where mutation testing (make mutation) found the
other tests silent.

    October 2026 (国庆节 1–7 off; Saturday 10 is a make-up workday)
    Mo Tu We Th Fr Sa Su
              1  2  3  4
     5  6  7  8  9 10 11
    12 13 14 15 16 17 18
"""

from datetime import date

import pytest

from regions.calendar import add_working_days, is_working_day, working_days_between

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
