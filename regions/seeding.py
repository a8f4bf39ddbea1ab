"""Hubei's divisions, review units and the holiday calendar as seed data.

The data migrations call these with their historical models; tests that flush the database
(transactional and browser tests) and demo seeding call `ensure_seeded()` to put the data back.

Units (会计管理部门): 省直 (root, code 420000) → one 市直/州直 unit per prefecture-level division
(code = the city code) → one unit per county-level division (code = the county code). The four
county-level units directly under the province (children of the grouping row 429000) hang
under 省直.
"""

import csv
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "hubei_divisions.csv"
PROVINCE_CODE = "420000"


def city_unit_name(division_name: str) -> str:
    """武汉市 → 武汉市市直; 恩施土家族苗族自治州 → 恩施州州直."""
    if division_name.endswith("自治州"):
        return division_name[:2] + "州州直"
    return division_name + ("市直" if division_name.endswith("市") else "直属")


# The model arguments are the historical models a data migration gets from apps.get_model (or the
# real ones): typed Any, as mypy cannot know a historical model's fields.
def load_hubei_regions(division_model: Any, unit_model: Any) -> None:
    """Insert the 118 divisions of hubei_divisions.csv and the 117 review units built on them."""
    with DATA_FILE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Parents come before their children in the file; insert in that order.
    division_model.objects.bulk_create(
        [
            division_model(code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"] or None)
            for row in rows
        ]
    )
    levels = {row["code"]: row["level"] for row in rows}

    root = unit_model.objects.create(
        code=PROVINCE_CODE, name="湖北省省直", level="province", division_id=PROVINCE_CODE, path=f"{PROVINCE_CODE}/"
    )
    unit_model.objects.bulk_create(
        [
            unit_model(
                code=row["code"],
                name=city_unit_name(row["name"]),
                level="city",
                division_id=row["code"],
                parent=root,
                path=f"{root.path}{row['code']}/",
            )
            for row in rows
            if row["level"] == "city"
        ]
    )
    cities = {unit.code: unit for unit in unit_model.objects.filter(level="city")}
    counties = []
    for row in rows:
        if row["level"] != "county":
            continue
        parent = root if levels[row["parent_code"]] == "group" else cities[row["parent_code"]]
        counties.append(
            unit_model(
                code=row["code"],
                name=row["name"],
                level="county",
                division_id=row["code"],
                parent=parent,
                path=f"{parent.path}{row['code']}/",
            )
        )
    unit_model.objects.bulk_create(counties)


def load_calendar(year_model: Any, exception_model: Any) -> None:
    """Every year `chinese_calendar` knows, with its weekday holidays and weekend make-up workdays."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday, holidays, workdays

    chinese_names = {holiday.value: holiday.chinese for holiday in Holiday}
    source = f"chinese_calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    years = sorted({day.year for day in holidays} | {day.year for day in workdays})
    year_model.objects.bulk_create([year_model(year=year, source=source) for year in years])
    rows = [
        exception_model(calendar_year_id=day.year, day=day, kind="holiday", name=chinese_names.get(name, name)[:50])
        for day, name in holidays.items()
        if day.weekday() < 5
    ]
    rows += [
        exception_model(calendar_year_id=day.year, day=day, kind="workday", name=chinese_names.get(name, name)[:50])
        for day, name in workdays.items()
        if day.weekday() >= 5
    ]
    exception_model.objects.bulk_create(sorted(rows, key=lambda row: row.day), batch_size=500)


# Years after the last one chinese_calendar knows that get provisional statutory holidays at once.
PROVISIONAL_YEARS_AHEAD = 4


def statutory_holidays(year: int) -> dict[date, str]:
    """{date: Chinese name} of the statutory holidays of `year` (and the days off the `holidays`
    package expects in lieu), for a year whose State Council notice is not known. 调休 make-up
    workdays cannot be predicted, so there are none: a provisional year errs on the side of later
    due dates, never earlier ones."""
    import holidays

    # holidays' country classes have an unannotated __init__.
    return dict(holidays.China(years=year, language="zh_CN"))  # type: ignore[no-untyped-call]


def load_provisional_years(year_model: Any, exception_model: Any, years: Collection[int]) -> list[int]:
    """Seed each of `years` that has no schedule yet with its statutory holidays, marked provisional."""
    import holidays

    existing = set(year_model.objects.filter(year__in=list(years)).values_list("year", flat=True))
    added = []
    for year in sorted(set(years) - existing):
        year_model.objects.create(year=year, provisional=True, source=f"holidays {holidays.__version__}"[:200])
        exception_model.objects.bulk_create(
            [
                exception_model(calendar_year_id=year, day=day, kind="holiday", name=name[:50])
                for day, name in sorted(statutory_holidays(year).items())
                if day.weekday() < 5
            ]
        )
        added.append(year)
    return added


def provisional_years_after(last_known_year: int) -> range:
    return range(last_known_year + 1, last_known_year + 1 + PROVISIONAL_YEARS_AHEAD)


def ensure_seeded() -> None:
    """Put the seed data back where a test flushed it (no-op when present)."""
    from django.core.cache import cache

    from .calendar import forget_cached_years
    from .models import CalendarException, CalendarYear, Division, ReviewUnit
    from .selectors import PICKER_CACHE_KEY

    if not Division.objects.exists():
        load_hubei_regions(Division, ReviewUnit)
        cache.delete(PICKER_CACHE_KEY)
    if not CalendarYear.objects.exists():
        load_calendar(CalendarYear, CalendarException)
        last_known = max(CalendarYear.objects.values_list("year", flat=True))
        load_provisional_years(CalendarYear, CalendarException, provisional_years_after(last_known))
        forget_cached_years(CalendarYear.objects.values_list("year", flat=True))
