"""Writes of regions: review units (keeping the materialised paths true) and the holiday calendar.

Every write forgets the cached data it affects once the transaction commits, so the unit picker
and the working-day calendar never serve a state that was rolled back.
"""

import re
import time
from typing import NoReturn, cast

from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from . import calendar
from .exceptions import RegionError
from .models import CalendarException, CalendarYear, ReviewUnit
from .selectors import PICKER_CACHE_KEY, SCOPE_GENERATION_KEY

UNIT_CODE_RE = re.compile(r"^[0-9A-Za-z_-]+$")
PATH_MAX_LENGTH = cast(int, ReviewUnit._meta.get_field("path").max_length)


def _raise_as_region_error(exc: ValidationError) -> NoReturn:
    field, messages = next(iter(exc.message_dict.items()))
    raise RegionError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from exc


def _forget_picker_data() -> None:
    cache.delete(PICKER_CACHE_KEY)
    # A new generation makes every cached scope (unit_ids_at_or_below) stale at once.
    cache.set(SCOPE_GENERATION_KEY, time.time_ns(), None)


def check_unit(*, unit: ReviewUnit, lock: bool = False) -> tuple[str, str]:
    """Check the rules of `save_unit` without writing.

    Returns (the unit's stored path or "" when new, the parent's stored path or "" for a root).

    Raises RegionError with the field to show it next to (the admin form calls this in its clean).
    """
    if not unit.code or not UNIT_CODE_RE.match(unit.code):
        raise RegionError(_("The code may contain only letters, digits, “-” and “_”."), field="code")
    old_path = ""
    if unit.pk is not None:
        current = ReviewUnit.objects.filter(pk=unit.pk)
        if lock:
            current = current.select_for_update()
        old_path = current.values_list("path", flat=True).first() or ""
    parent_path = ""
    if unit.parent_id is not None:
        # Read the parent's path now: the parent object may be stale (it may itself have moved).
        stored_parent_path = ReviewUnit.objects.filter(pk=unit.parent_id).values_list("path", flat=True).first()
        if stored_parent_path is None:
            raise RegionError(_("The parent unit does not exist."), field="parent")
        parent_path = stored_parent_path
        if old_path and parent_path.startswith(old_path):
            raise RegionError(_("A unit cannot be placed under itself or under one of its own units."), field="parent")
    return old_path, parent_path


@transaction.atomic
def save_unit(*, unit: ReviewUnit) -> ReviewUnit:
    """Create or change a review unit and rewrite the paths of everything below it.

    Rules: the code holds only letters, digits, "-" and "_" (it is a segment of the path); a unit
    cannot be placed under itself or under one of its own units; `path` is the parent's path plus
    the unit's code and "/". When the code or the parent changes, every descendant's path is
    rewritten in the same transaction with one UPDATE. Raises RegionError (with the field).
    """
    old_path, parent_path = check_unit(unit=unit, lock=True)
    new_path = f"{parent_path}{unit.code}/"
    if len(new_path) > PATH_MAX_LENGTH:
        raise RegionError(_("The unit tree is too deep here; choose a higher parent unit."), field="parent")
    unit.path = new_path
    try:
        unit.full_clean(exclude=["path"])
    except ValidationError as exc:
        _raise_as_region_error(exc)
    unit.save()

    if old_path and old_path != new_path:
        ReviewUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    transaction.on_commit(_forget_picker_data)
    return unit


def _forget_years_on_commit(*years: int | None) -> None:
    wanted = {year for year in years if year is not None}
    transaction.on_commit(lambda: calendar.forget_cached_years(wanted))


@transaction.atomic
def save_calendar_year(*, calendar_year: CalendarYear) -> CalendarYear:
    """Mark a year as having its holiday schedule entered (from then on it is no longer Mon–Fri)."""
    try:
        calendar_year.full_clean()
    except ValidationError as exc:
        _raise_as_region_error(exc)
    calendar_year.save()
    _forget_years_on_commit(calendar_year.year)
    return calendar_year


@transaction.atomic
def delete_calendar_year(*, calendar_year: CalendarYear) -> None:
    """Remove a year and its holidays and make-up workdays: it falls back to Monday–Friday."""
    year = calendar_year.year
    calendar_year.delete()
    _forget_years_on_commit(year)


@transaction.atomic
def save_calendar_exception(*, exception: CalendarException) -> CalendarException:
    """Create or change one holiday / make-up workday (rules: CalendarException.clean)."""
    old_year = None
    if exception.pk is not None:
        old_year = CalendarException.objects.filter(pk=exception.pk).values_list("calendar_year_id", flat=True).first()
    try:
        exception.full_clean()
    except ValidationError as exc:
        _raise_as_region_error(exc)
    exception.save()
    _forget_years_on_commit(old_year, exception.calendar_year_id)
    return exception


@transaction.atomic
def delete_calendar_exception(*, exception: CalendarException) -> None:
    """Remove one holiday / make-up workday."""
    year = exception.calendar_year_id
    exception.delete()
    _forget_years_on_commit(year)
