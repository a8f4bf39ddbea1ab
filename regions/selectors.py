"""Reads of regions and review units.

The picker groups units under "top units": 省直 and each city's 市直 unit. A unit belongs to the
nearest top unit above it (or itself), so the four county-level units managed by the province sit
in the 省直 group, and a development zone an administrator hangs under a county sits in that
county's city group.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.core.cache import cache
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.functions import Length, Substr

from .models import ReviewUnit

TOP_LEVELS = (ReviewUnit.Level.PROVINCE, ReviewUnit.Level.CITY)
# Deleted by regions.services after every committed change of a unit.
PICKER_CACHE_KEY = "regions:picker-groups:v1"
PICKER_CACHE_SECONDS = 6 * 3600
# The ids of the units at or below a unit, keyed by its path and a generation number that
# regions.services bumps after every committed change of a unit.
SCOPE_GENERATION_KEY = "regions:scope-generation"
SCOPE_CACHE_SECONDS = 3600

_T = TypeVar("_T")


def units_at_or_below(unit: ReviewUnit) -> QuerySet[ReviewUnit]:
    """The unit and every unit under it, in one indexed prefix query on the materialised path."""
    return ReviewUnit.objects.filter(path__startswith=unit.path)


def unit_ids_at_or_below(unit: ReviewUnit) -> list[int]:
    """Ids of the unit and every unit under it, cached.

    Reviewer queries filter on this list (`unit_id IN (1, 2, 3)`) rather than on a subquery: with a
    literal list PostgreSQL picks the (unit, status, ...) index and a county's queue costs the same
    whatever the size of the province's (bench/README.md, "empty county queue").
    """
    return _cached_for_scope(
        "scope", unit, lambda: list(units_at_or_below(unit).order_by("pk").values_list("pk", flat=True))
    )


def unit_choices_at_or_below(unit: ReviewUnit, value: Literal["id", "code"]) -> list[tuple[Any, str]]:
    """(id or code, name) of the unit and every unit under it, in path order: a unit filter's options.

    Cached per scope and per generation of the units (bumped by every committed change of a unit),
    like `unit_ids_at_or_below`: no query on a warm cache.
    """
    return _cached_for_scope(
        f"unit-choices:{value}", unit, lambda: list(units_at_or_below(unit).order_by("path").values_list(value, "name"))
    )


def _cached_for_scope(name: str, unit: ReviewUnit, compute: Callable[[], _T]) -> _T:
    """`compute()` for the scope of `unit`, cached under `name`, the unit's path and the generation of
    the units (SCOPE_GENERATION_KEY, bumped by every committed change of a unit)."""
    # A lost generation key comes back as a new value, never as an old one.
    generation = cache.get_or_set(SCOPE_GENERATION_KEY, time.time_ns, None)
    key = f"regions:{name}:{generation}:{unit.path}"
    value: _T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SCOPE_CACHE_SECONDS)
    return value


def unit_by_code(code: str, *, active_only: bool = True) -> ReviewUnit | None:
    """The unit with this code (by default only if it is active), or None."""
    if not code:
        return None
    units = ReviewUnit.objects.filter(code=code)
    if active_only:
        units = units.filter(is_active=True)
    return units.first()


def top_units() -> QuerySet[ReviewUnit]:
    """省直 then the active city units (市直/州直): the first select of the unit picker."""
    return (
        ReviewUnit.objects.filter(is_active=True, level__in=TOP_LEVELS)
        .annotate(
            _is_province=Case(
                When(level=ReviewUnit.Level.PROVINCE, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("_is_province", "sort_order", "path")
    )


def units_in_city(city_unit: ReviewUnit) -> QuerySet[ReviewUnit]:
    """The active units of one top unit's group: the top unit itself first, then its counties.

    For a city that is its 市直 unit and everything under it; for 省直 it is 省直 and the units it
    manages directly (仙桃, 潜江, 天门, 神农架林区, ...) but not the cities and their counties.
    One query.
    """
    # Another top unit strictly inside city_unit's subtree whose path is a prefix of the row's path.
    nested_top = (
        ReviewUnit.objects.filter(is_active=True, level__in=TOP_LEVELS, path__startswith=city_unit.path)
        .exclude(pk=city_unit.pk)
        .filter(path=Substr(OuterRef("path"), 1, Length("path")))
    )
    return (
        units_at_or_below(city_unit)
        .filter(is_active=True)
        .exclude(Exists(nested_top))
        .annotate(_is_self=Case(When(pk=city_unit.pk, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("_is_self", "sort_order", "path")
    )


@dataclass(frozen=True)
class PickerUnit:
    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class PickerGroup:
    """One top unit and its group (the top unit itself first), as plain cacheable data.

    `label` names the group in the first select: the city's own name (武汉市) for a city's 市直 unit,
    the unit's name otherwise (湖北省省直, or a city-level unit an administrator added).
    """

    code: str
    name: str
    label: str
    units: tuple[PickerUnit, ...]


def picker_groups() -> list[PickerGroup]:
    """Every top unit with its group, for the unit picker. Cached; 2 queries when cold.

    Grouping follows the same rule as `units_in_city` (a test keeps them equal).
    """
    groups: list[PickerGroup] | None = cache.get(PICKER_CACHE_KEY)
    if groups is None:
        groups = _build_picker_groups()
        cache.set(PICKER_CACHE_KEY, groups, PICKER_CACHE_SECONDS)
    return groups


def _build_picker_groups() -> list[PickerGroup]:
    tops = list(top_units().values_list("code", "name", "path", "level", "division_id", "division__name"))
    members: dict[str, list[tuple[tuple[int, int, str], PickerUnit]]] = {top[0]: [] for top in tops}
    top_by_path = {top[2]: top[0] for top in tops}
    units = ReviewUnit.objects.filter(is_active=True).values_list("pk", "code", "name", "path", "sort_order")
    for pk, code, name, path, sort_order in units:
        owner = _nearest_top(path, top_by_path)
        if owner is not None:
            members[owner].append(
                ((0 if code == owner else 1, sort_order, path), PickerUnit(pk=pk, code=code, name=name))
            )
    groups = []
    for code, name, _path, level, division_id, division_name in tops:
        is_city_itself = level == ReviewUnit.Level.CITY and code == division_id
        ordered = tuple(unit for _key, unit in sorted(members[code], key=lambda member: member[0]))
        groups.append(PickerGroup(code=code, name=name, label=division_name if is_city_itself else name, units=ordered))
    return groups


def _nearest_top(path: str, top_by_path: dict[str, str]) -> str | None:
    # Paths are "a/b/c/": try the longest prefix first.
    parts = path.rstrip("/").split("/")
    for depth in range(len(parts), 0, -1):
        code = top_by_path.get("/".join(parts[:depth]) + "/")
        if code is not None:
            return code
    return None


def picker_group_of(unit_code: str) -> PickerGroup | None:
    """The picker group a unit belongs to, from the cached picker data."""
    for group in picker_groups():
        if any(unit.code == unit_code for unit in group.units):
            return group
    return None


def picker_group(top_code: str) -> PickerGroup | None:
    """The picker group of one top unit (by its code), from the cached picker data."""
    return next((group for group in picker_groups() if group.code == top_code), None)
