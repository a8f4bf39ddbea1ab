"""Working days in mainland China: Monday to Friday, minus public holidays, plus 调休 make-up workdays.

The exceptions of each year live in the database (seeded from `chinese_calendar`, edited by
administrators) and are cached one year per cache entry; regions.services forgets a year after
an edit commits. Years after the last official schedule are seeded *provisional*: the statutory
holidays from the `holidays` package, without 调休. A year nobody has entered at all is computed
the same way on the fly, with a warning in the log and in the admin: 元旦, 春节 and 国庆节 are
never counted as working days, only the make-up workdays are missing.

Used by the review engine for SLA due dates: `add_working_days(start, days)`.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache

from .models import CalendarException, CalendarYear
from .seeding import statutory_holidays

logger = logging.getLogger(__name__)

CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class YearCalendar:
    """One year's exceptions; `known` is False when the year has no holiday schedule entered."""

    year: int
    known: bool
    holidays: frozenset[date]
    workdays: frozenset[date]
    provisional: bool = False

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5


def _cache_key(year: int) -> str:
    return f"regions:calendar:{year}"


def _load_year(year: int) -> YearCalendar:
    # One query: a LEFT JOIN from the year to its exceptions (no row at all = year not entered).
    rows = list(
        CalendarYear.objects.filter(year=year).values_list("provisional", "exceptions__day", "exceptions__kind")
    )
    if not rows:
        logger.warning(
            "No holiday schedule for %s: counting statutory holidays only (provisional, without make-up workdays)",
            year,
        )
        statutory = frozenset(day for day in statutory_holidays(year) if day.weekday() < 5)
        return YearCalendar(year=year, known=False, holidays=statutory, workdays=frozenset(), provisional=True)
    holidays = frozenset(day for _, day, kind in rows if kind == CalendarException.Kind.HOLIDAY)
    workdays = frozenset(day for _, day, kind in rows if kind == CalendarException.Kind.WORKDAY)
    return YearCalendar(year=year, known=True, holidays=holidays, workdays=workdays, provisional=rows[0][0])


def year_calendar(year: int) -> YearCalendar:
    """The exceptions of one year, from the cache (one query when cold)."""
    key = _cache_key(year)
    calendar: YearCalendar | None = cache.get(key)
    if calendar is None:
        calendar = _load_year(year)
        cache.set(key, calendar, CACHE_SECONDS)
    return calendar


def forget_cached_years(years: Iterable[int]) -> None:
    """Drop cached years after their exceptions changed (called on commit by regions.services)."""
    cache.delete_many([_cache_key(year) for year in years])


class _Years:
    """Years looked up during one computation, so a long span reads each year once."""

    def __init__(self) -> None:
        self._years: dict[int, YearCalendar] = {}

    def __getitem__(self, year: int) -> YearCalendar:
        if year not in self._years:
            self._years[year] = year_calendar(year)
        return self._years[year]


def is_working_day(day: date) -> bool:
    """Whether people work on `day` (Mon–Fri unless a holiday; a weekend 调休 day counts)."""
    return year_calendar(day.year).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted); `start` when days is 0.

    5 working days after Monday 2026-09-28 is Saturday 2026-10-10 (a make-up workday).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    years = _Years()
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if years[current.year].is_working_day(current):
            counted += 1
    return current


def _weekdays_after(start: date, end: date) -> int:
    """Mondays–Fridays in (start, end], for start <= end."""
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    first_rest = start + timedelta(days=full_weeks * 7)
    return count + sum(1 for offset in range(1, rest + 1) if (first_rest + timedelta(days=offset)).weekday() < 5)


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end`.

    `working_days_between(d, add_working_days(d, n)) == n`. When `end` is before `start` the count
    is negative (the working days in (end, start], with a minus sign). Reads each year once.
    """
    if end < start:
        return -working_days_between(end, start)
    count = _weekdays_after(start, end)
    years = _Years()
    for year in range(start.year, end.year + 1):
        calendar = years[year]
        count -= sum(1 for day in calendar.holidays if start < day <= end and day.weekday() < 5)
        count += sum(1 for day in calendar.workdays if start < day <= end and day.weekday() >= 5)
    return count


def provisional_years(years: Iterable[int]) -> list[int]:
    """Which of these years still need the State Council's notice: not entered, or provisional."""
    wanted = set(years)
    official = set(CalendarYear.objects.filter(year__in=wanted, provisional=False).values_list("year", flat=True))
    return sorted(wanted - official)


def missing_years(years: Iterable[int]) -> list[int]:
    """Which of these years have no holiday schedule entered (one query), in ascending order."""
    wanted = set(years)
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return sorted(wanted - known)
