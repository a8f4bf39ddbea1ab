"""Reads of the 统计分析 dashboard (not named statistics.py: that would shadow the standard library
when makemessages runs from this folder): every figure as a table (caption, column headers, rows with a row
header, a total row) that the page shows, charts and exports to XLSX.

Everything reads aggregates: `reviews.StatusCount` (live) and the rows `statistics_refresh` keeps
(as of its last run). The number of queries is the same whatever the size of the data. Scope is
`reviews.scope`: the selected unit must be at or below the staff member's unit, else 404; rows are
the selected unit's own figures (本级) and one rolled-up row per unit directly below it.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossier.constants import Sex
from identity.models import User
from reviews.constants import Status
from reviews.models import StatusCount
from reviews.registry import all_kinds
from reviews.scope import units_for_reviewer

from .models import CeCompliance, DecisionCount, Dimension, OpenCount, PeopleCount, Period, SubmissionCount
from .statistics_refresh import last_refreshed_at, month_start, week_start

TREND_WEEKS = 12
TREND_MONTHS = 12
WORKLOAD_WEEKS = 12
# Age bands (years of age reached this year): label, lowest age, highest age (None: open).
AGE_BANDS = ((None, 29), (30, 39), (40, 49), (50, 59), (60, None))


@dataclass
class Table:
    """One figure: what the page shows as an accessible table, charts and exports."""

    key: str
    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    # {"type": "bar" | "line" | "pie", "columns": [column indices plotted], "stack": bool}
    chart: dict | None = None
    live: bool = False

    def chart_data(self) -> dict | None:
        if not self.chart or not self.rows:
            return None
        columns = self.chart["columns"]
        return {
            "type": self.chart["type"],
            "stack": self.chart.get("stack", False),
            "title": self.caption,
            "categories": [str(row[0]) for row in self.rows],
            "series": [
                {"name": str(self.headers[index]), "data": [_number(row[index]) for row in self.rows]}
                for index in columns
            ],
        }

    def export_rows(self) -> list[list]:
        """Header, rows and total, as cells for a spreadsheet."""
        rows = [list(self.headers), *[list(row) for row in self.rows]]
        if self.total:
            rows.append(list(self.total))
        return rows


def _number(value):
    return value if isinstance(value, (int, float)) else None


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


# --------------------------------------------------------------------------- scope


@dataclass
class Scope:
    """The selected unit, the units at or below it, and the row each unit rolls up into."""

    # Units as ReviewUnit.values("id", "code", "name", "path", "parent_id", "level").
    unit: Mapping[str, Any]
    units: Sequence[Mapping[str, Any]]
    unit_ids: list[int]
    groups: list[dict[str, Any]]  # [{"key": unit id, "label": ...}], the selected unit (本级) first
    group_of: dict[int, int]  # unit id -> group key
    choices: Sequence[Mapping[str, Any]]  # every unit the user may select


def resolve_scope(user, unit_code: str = "") -> Scope:
    """The scope the dashboard shows. A unit code outside the user's scope (or unknown) is a 404."""
    units = list(units_for_reviewer(user).order_by("path").values("id", "code", "name", "path", "parent_id", "level"))
    if not units:
        raise Http404
    own = next(unit for unit in units if unit["id"] == user.unit_id)
    selected = own
    if unit_code:
        found = next((unit for unit in units if unit["code"] == unit_code), None)
        if found is None:
            raise Http404
        selected = found
    below = [unit for unit in units if unit["path"].startswith(selected["path"])]
    children = [unit for unit in below if unit["parent_id"] == selected["id"]]
    groups = [{"key": selected["id"], "label": _("%(unit)s (own)") % {"unit": selected["name"]}}]
    groups += [{"key": child["id"], "label": child["name"]} for child in children]
    group_of = {}
    for unit in below:
        owner = next((child for child in children if unit["path"].startswith(child["path"])), selected)
        group_of[unit["id"]] = owner["id"]
    return Scope(
        unit=selected,
        units=below,
        unit_ids=[unit["id"] for unit in below],
        groups=groups,
        group_of=group_of,
        choices=units,
    )


# --------------------------------------------------------------------------- the dashboard


@dataclass
class Dashboard:
    scope: Scope
    kinds: list[tuple[str, str]]
    kind: str
    year: int
    years: list[int]
    as_of: datetime | None
    tables: list[Table]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise Http404


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, str(kind.label)) for kind in all_kinds()]


def build_dashboard(user, *, unit_code: str = "", kind: str = "", year: int | None = None) -> Dashboard:
    """Every figure of the dashboard for the user's (or a selected sub-) scope. A fixed number of queries."""
    scope = resolve_scope(user, unit_code)
    kinds = kind_choices()
    if kind and kind not in dict(kinds):
        kind = ""
    today = timezone.localdate()
    years = sorted(
        set(CeCompliance.objects.filter(unit_id__in=scope.unit_ids).values_list("year", flat=True).distinct())
        | {today.year},
        reverse=True,
    )
    year = year if year in years else today.year
    people = _people_per_group(scope)
    tables = [
        *_progress_tables(scope, kinds, kind),
        *_trend_tables(scope, kinds, today),
        *_people_tables(scope, today, people),
        _ce_table(scope, year, people),
        *_workload_tables(scope, today),
    ]
    return Dashboard(
        scope=scope, kinds=kinds, kind=kind, year=year, years=years, as_of=last_refreshed_at(), tables=tables
    )


# a. collection progress --------------------------------------------------------


PROGRESS_STATUSES = (Status.PENDING, Status.RETURNED, Status.APPROVED, Status.WITHDRAWN)


def _progress_headers(first: str) -> list[str]:
    return [
        first,
        _("Registered (incl. drafts)"),
        _("Drafts"),
        _("Pending review"),
        _("Returned"),
        _("Approved"),
        _("Withdrawn"),
        _("Overdue"),
    ]


def _progress_row(label, counts: dict) -> list:
    handed_in = [counts.get(status, 0) for status in PROGRESS_STATUSES]
    drafts = counts.get(Status.DRAFT, 0)
    return [label, drafts + sum(handed_in), drafts, *handed_in, counts.get("overdue", 0)]


def _progress_tables(scope: Scope, kinds, kind: str) -> list[Table]:
    by_unit: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    by_kind: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    live = StatusCount.objects.filter(unit_id__in=scope.unit_ids).values_list("unit_id", "kind", "status")
    for unit, row_kind, status, n in live.annotate(n=Sum("count")).values_list("unit_id", "kind", "status", "n"):
        by_kind[row_kind][status] += n
        if not kind or row_kind == kind:
            by_unit[scope.group_of[unit]][status] += n
    opened = OpenCount.objects.filter(unit_id__in=scope.unit_ids).values_list("unit_id", "kind", "drafts", "overdue")
    for unit, row_kind, drafts, overdue in opened:
        by_kind[row_kind][Status.DRAFT] += drafts
        by_kind[row_kind]["overdue"] += overdue
        if not kind or row_kind == kind:
            by_unit[scope.group_of[unit]][Status.DRAFT] += drafts
            by_unit[scope.group_of[unit]]["overdue"] += overdue
    kind_label = dict(kinds).get(kind, _("All kinds"))
    unit_table = Table(
        key="progress_units",
        caption=_("Collection progress by unit: %(kind)s") % {"kind": kind_label},
        headers=_progress_headers(_("Unit")),
        rows=[_progress_row(group["label"], by_unit[group["key"]]) for group in scope.groups],
        chart={"type": "bar", "columns": [2, 3, 4, 5, 7], "stack": True},
        live=True,
    )
    unit_table.total = _total_row(unit_table.rows)
    kind_table = Table(
        key="progress_kinds",
        caption=_("Progress by application kind"),
        headers=_progress_headers(_("Application kind")),
        rows=[_progress_row(label, by_kind[name]) for name, label in kinds],
        chart={"type": "bar", "columns": [3, 4, 5, 7], "stack": True},
        live=True,
    )
    kind_table.total = _total_row(kind_table.rows)
    return [unit_table, kind_table]


def _total_row(rows: list[list]) -> list:
    if not rows:
        return []
    total = [_("Total")]
    for index in range(1, len(rows[0])):
        values = [row[index] for row in rows]
        total.append(sum(values) if all(isinstance(v, int) for v in values) else "")
    return total


def _trend_tables(scope: Scope, kinds, today: date) -> list[Table]:
    weeks = [week_start(today) - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    months: list[date] = []
    month = month_start(today)
    for _n in range(TREND_MONTHS):
        months.insert(0, month)
        month = month_start(month - timedelta(days=1))
    counts: dict[tuple[str, date, str], int] = defaultdict(int)
    rows = (
        SubmissionCount.objects.filter(unit_id__in=scope.unit_ids, start__gte=min(weeks[0], months[0]))
        .values_list("period", "start", "kind")
        .annotate(n=Sum("count"))
        .values_list("period", "start", "kind", "n")
    )
    for period, start, kind, n in rows:
        counts[(period, start, kind)] += n
    tables = []
    for period, starts, key, caption, label in (
        (Period.WEEK, weeks, "trend_weeks", _("Applications handed in per week"), _("Week of")),
        (Period.MONTH, months, "trend_months", _("Applications handed in per month"), _("Month")),
    ):
        table = Table(
            key=key,
            caption=caption,
            headers=[label, *[kind_label for _name, kind_label in kinds], _("Total")],
            chart={"type": "line", "columns": list(range(1, len(kinds) + 1)), "stack": False},
        )
        for start in starts:
            values = [counts[(period, start, name)] for name, _label in kinds]
            shown = start.isoformat() if period == Period.WEEK else start.strftime("%Y-%m")
            table.rows.append([shown, *values, sum(values)])
        table.total = _total_row(table.rows)
        tables.append(table)
    return tables


# b. people on record -------------------------------------------------------------


def age_band_label(low, high) -> str:
    if low is None:
        return _("Under %(age)d") % {"age": high + 1}
    if high is None:
        return _("%(age)d and over") % {"age": low}
    return _("%(low)d–%(high)d") % {"low": low, "high": high}


def age_band(birth_year: str, this_year: int) -> str:
    """The band of someone born in `birth_year` (age reached this year); "" when unknown."""
    if not birth_year:
        return ""
    age = this_year - int(birth_year)
    for low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return age_band_label(low, high)
    return ""


def _value_label(dimension: str, value: str) -> str:
    if not value:
        return _("Not given")
    if dimension == Dimension.SEX:
        return str(dict(Sex.choices).get(value, value))
    return value


def _people_per_group(scope: Scope) -> dict[int, int]:
    """People on record per row of the scope (every person counts once in the sex dimension)."""
    people: dict[int, int] = defaultdict(int)
    for unit, n in (
        PeopleCount.objects.filter(unit_id__in=scope.unit_ids, dimension=Dimension.SEX)
        .values_list("unit_id")
        .annotate(n=Sum("count"))
        .values_list("unit_id", "n")
    ):
        people[scope.group_of[unit]] += n
    return people


def _people_tables(scope: Scope, today: date, per_group: dict[int, int]) -> list[Table]:
    # Summed over the scope's units by the database: one row per (dimension, value), however many
    # units the scope holds (the province's 117 units times ~60 birth years would be ~7,000 rows).
    rows = (
        PeopleCount.objects.filter(unit_id__in=scope.unit_ids)
        .values_list("dimension", "value")
        .annotate(n=Sum("count"))
        .values_list("dimension", "value", "n")
    )
    per_value: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    bands: dict[str, str] = {}  # birth year -> age band label, computed once per year
    for dimension, value, n in rows:
        if dimension == Dimension.BIRTH_YEAR:
            band = bands.get(value)
            if band is None:
                band = bands[value] = age_band(value, today.year)
            per_value["age"][band] += n
        else:
            per_value[dimension][value] += n
    units = Table(
        key="people_units",
        caption=_("People on record by unit"),
        headers=[_("Unit"), _("People on record")],
        rows=[[group["label"], per_group[group["key"]]] for group in scope.groups],
        chart={"type": "bar", "columns": [1]},
    )
    units.total = _total_row(units.rows)
    total = sum(per_group.values())
    tables = [units]
    age_order = {age_band_label(low, high): index for index, (low, high) in enumerate(AGE_BANDS)}
    for dimension, caption in (
        (Dimension.QUALIFICATION_LEVEL, _("People on record by qualification level")),
        (Dimension.EDUCATION, _("People on record by highest education")),
        (Dimension.POST, _("People on record by accounting post")),
        (Dimension.SEX, _("People on record by sex")),
        ("age", _("People on record by age band")),
        (Dimension.UNIT_NATURE, _("People on record by nature of the employer")),
    ):
        values = per_value[dimension]
        if dimension == "age":
            ordered = sorted(values, key=lambda value: (value == "", age_order.get(value, 99)))
            labelled = [(value or _("Not given"), values[value]) for value in ordered]
        else:
            ordered = sorted(values, key=lambda value: (value == "", -values[value], value))
            labelled = [(_value_label(dimension, value), values[value]) for value in ordered]
        table = Table(
            key=f"people_{dimension}",
            caption=caption,
            headers=[_("Value"), _("People"), _("Share (%)")],
            rows=[[label, n, _percent(n, total)] for label, n in labelled],
            chart={"type": "pie", "columns": [1]},
        )
        table.total = [_("Total"), sum(n for _label, n in labelled), 100.0 if total else None]
        tables.append(table)
    return tables


# c. continuing education ---------------------------------------------------------


def _ce_table(scope: Scope, year: int, people: dict[int, int]) -> Table:
    ce: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for unit, with_credits, compliant, credits in CeCompliance.objects.filter(
        unit_id__in=scope.unit_ids, year=year
    ).values_list("unit_id", "with_credits", "compliant", "credits"):
        totals = ce[scope.group_of[unit]]
        totals[0] += with_credits
        totals[1] += compliant
        totals[2] += credits
    table = Table(
        key="ce_compliance",
        caption=_("Continuing education %(year)d: people meeting the requirement") % {"year": year},
        headers=[
            _("Unit"),
            _("People on record"),
            _("With approved credits"),
            _("Meeting the requirement"),
            _("Approved credits"),
            _("Compliance rate (%)"),
        ],
        chart={"type": "bar", "columns": [1, 3]},
    )
    for group in scope.groups:
        with_credits, compliant, credits = ce[group["key"]]
        on_record = people[group["key"]]
        table.rows.append([group["label"], on_record, with_credits, compliant, credits, _percent(compliant, on_record)])
    total = _total_row(table.rows)
    total[-1] = _percent(total[3], total[1])
    table.total = total
    return table


# d. reviewer workload -----------------------------------------------------------------


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many} (the mean of the two middle ones if even)."""
    count = sum(histogram.values())
    if not count:
        return None
    ordered = sorted(histogram.items())

    def nth(position: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        raise IndexError(position)

    middle = count // 2
    if count % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def _workload_tables(scope: Scope, today: date) -> list[Table]:
    weeks = [week_start(today) - timedelta(weeks=n) for n in range(WORKLOAD_WEEKS - 1, -1, -1)]
    rows = (
        DecisionCount.objects.filter(unit_id__in=scope.unit_ids, week__gte=weeks[0])
        .values_list("reviewer_id", "week", "working_days", "late")
        .annotate(n=Sum("count"))
        .values_list("reviewer_id", "week", "working_days", "late", "n")
    )
    per_week: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    per_reviewer: dict[int, dict] = defaultdict(lambda: {"n": 0, "late": 0, "days": defaultdict(int)})
    all_days: dict[int, int] = defaultdict(int)
    for reviewer, week, days, is_late, n in rows:
        per_week[week][0] += n
        per_week[week][1] += n if is_late else 0
        figures = per_reviewer[reviewer]
        figures["n"] += n
        figures["late"] += n if is_late else 0
        figures["days"][days] += n
        all_days[days] += n
    names = dict(
        (pk, full_name or username)
        for pk, full_name, username in User.objects.filter(pk__in=list(per_reviewer)).values_list(
            "pk", "full_name", "username"
        )
    )
    weekly = Table(
        key="workload_weeks",
        caption=_("Decisions per week (last %(weeks)d weeks)") % {"weeks": WORKLOAD_WEEKS},
        headers=[_("Week of"), _("Decisions"), _("After the due date"), _("Overdue rate (%)")],
        chart={"type": "line", "columns": [1, 2]},
    )
    for week in weeks:
        n, late = per_week[week]
        weekly.rows.append([week.isoformat(), n, late, _percent(late, n)])
    weekly.total = _total_row(weekly.rows)
    weekly.total[-1] = _percent(weekly.total[2], weekly.total[1])
    reviewers = Table(
        key="workload_reviewers",
        caption=_("Reviewer workload (last %(weeks)d weeks)") % {"weeks": WORKLOAD_WEEKS},
        headers=[
            _("Reviewer"),
            _("Decisions"),
            _("Decisions per week"),
            _("Median working days to decision"),
            _("After the due date"),
            _("Overdue rate (%)"),
        ],
        chart={"type": "bar", "columns": [1]},
    )
    ordered = sorted(per_reviewer.items(), key=lambda item: (-item[1]["n"], names.get(item[0], "")))
    for reviewer, figures in ordered:
        reviewers.rows.append(
            [
                names.get(reviewer, str(reviewer)),
                figures["n"],
                round(figures["n"] / WORKLOAD_WEEKS, 1),
                median_from_histogram(figures["days"]),
                figures["late"],
                _percent(figures["late"], figures["n"]),
            ]
        )
    decisions = sum(figures["n"] for figures in per_reviewer.values())
    late = sum(figures["late"] for figures in per_reviewer.values())
    reviewers.total = [
        _("Total"),
        decisions,
        round(decisions / WORKLOAD_WEEKS, 1),
        median_from_histogram(all_days),
        late,
        _percent(late, decisions),
    ]
    return [weekly, reviewers]
