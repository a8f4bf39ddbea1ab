"""Keeps the statistics aggregates (reports.models) in step with the raw tables, incrementally.

`refresh_statistics()` runs from Celery beat (reports.refresh_statistics, every few minutes) and by
hand (`manage.py refresh_statistics [--full]`). What changed is read from two append-only logs by
primary key, past a watermark kept in `RefreshState`:

- `reviews.ReviewEvent` (immutable): a submission or a change of unit marks the week and month of
  the application's first submission as changed for its kind; a decision marks (reviewer, week);
  the approval of a 继续教育 record marks (the person's unit, the record's year);
- `dossier.RecordVersion` (one per approval of a 信息采集 / 信息变更): marks the record's new unit
  and the unit of its previous version (a person who moved leaves the old unit).

Only the marked keys are recomputed, each from the raw rows with indexed filters, by deleting the
key's rows and writing them again: recomputing is idempotent, so the watermark is read back by
`OVERLAP` ids to catch a transaction that took a lower id but committed after a higher one.
Drafts and overdue applications change without an event (days pass), so `OpenCount` is rebuilt on
each run from the open applications only (the status index; never the approved mass).
The whole run holds a lock on its `RefreshState` row: two runs never interleave.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from continuing_education.constants import KIND_CE
from continuing_education.models import CreditRecord, YearlyCredits
from continuing_education.selectors import YearSummary, requirement_for
from dossier.constants import OptionList
from dossier.models import EducationRecord, OptionItem, PersonRecord, RecordVersion
from regions.calendar import add_working_days, working_days_between
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.registry import get_kind

from .models import (
    CeCompliance,
    DecisionCount,
    Dimension,
    OpenCount,
    PeopleCount,
    Period,
    RefreshState,
    SubmissionCount,
)

logger = logging.getLogger(__name__)

STATE_NAME = "dashboard"
# How many ids before the watermark are read again (see the module docstring).
OVERLAP = 1000
DECISION_EVENTS = (EventType.APPROVED, EventType.RETURNED)
SUBMISSION_EVENTS = (EventType.SUBMITTED, EventType.UNIT_CHANGED, EventType.RESUBMITTED)
DEFAULT_SLA = 5


@dataclass
class RefreshResult:
    """What one run recomputed (the tests check that an unchanged key is left alone)."""

    periods: set = field(default_factory=set)
    decision_keys: set = field(default_factory=set)
    people_units: set = field(default_factory=set)
    ce_keys: set = field(default_factory=set)


# --------------------------------------------------------------------------- periods


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_end(period: str, start: date) -> date:
    if period == Period.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _periods_of(moment: datetime) -> list[tuple[str, date]]:
    day = timezone.localdate(moment)
    return [(Period.WEEK, week_start(day)), (Period.MONTH, month_start(day))]


# --------------------------------------------------------------------------- the run


def refresh_statistics(*, full: bool = False) -> RefreshResult:
    """Bring every aggregate up to date; `full` recomputes everything (after an administrator
    changed a yearly requirement or the calendar, or to repair). Returns what was recomputed."""
    result = RefreshResult()
    with transaction.atomic():
        state, _created = RefreshState.objects.get_or_create(name=STATE_NAME)
        state = RefreshState.objects.select_for_update().get(pk=state.pk)
        last_event = ReviewEvent.objects.aggregate(top=Max("id"))["top"] or 0
        last_version = RecordVersion.objects.aggregate(top=Max("id"))["top"] or 0
        if full:
            _mark_everything(result)
        else:
            _mark_from_events(result, after=max(0, state.last_event_id - OVERLAP), upto=last_event)
            _mark_from_versions(result, after=max(0, state.last_version_id - OVERLAP), upto=last_version)
        _mark_moved_people_ce(result)
        for kind, period, start in sorted(result.periods):
            _recompute_period(kind, period, start)
        for reviewer_id, week in sorted(result.decision_keys):
            _recompute_decisions(reviewer_id, week)
        if result.people_units:
            _recompute_people(result.people_units)
        for unit_id, year in sorted(result.ce_keys):
            _recompute_ce(unit_id, year)
        _rebuild_open_counts()
        state.last_event_id = last_event
        state.last_version_id = last_version
        state.refreshed_at = timezone.now()
        state.save()
    logger.info(
        "statistics refreshed",
        extra={
            "periods": len(result.periods),
            "decision_keys": len(result.decision_keys),
            "people_units": len(result.people_units),
            "ce_keys": len(result.ce_keys),
        },
    )
    return result


def last_refreshed_at() -> datetime | None:
    return RefreshState.objects.filter(name=STATE_NAME).values_list("refreshed_at", flat=True).first()


# --------------------------------------------------------------------------- what changed


def _mark_everything(result: RefreshResult) -> None:
    SubmissionCount.objects.all().delete()
    DecisionCount.objects.all().delete()
    PeopleCount.objects.all().delete()
    CeCompliance.objects.all().delete()
    for kind, submitted_at in (
        Application.objects.filter(submitted_at__isnull=False)
        .values_list("kind", "submitted_at")
        .iterator(chunk_size=5000)
    ):
        assert submitted_at is not None  # filtered on submitted_at__isnull=False
        for period, start in _periods_of(submitted_at):
            result.periods.add((kind, period, start))
    for actor_id, created_at in (
        ReviewEvent.objects.filter(event_type__in=DECISION_EVENTS, actor_is_staff=True, actor__isnull=False)
        .values_list("actor_id", "created_at")
        .iterator(chunk_size=5000)
    ):
        result.decision_keys.add((actor_id, week_start(timezone.localdate(created_at))))
    result.people_units.update(PersonRecord.objects.values_list("unit_id", flat=True).distinct())


def _mark_from_events(result: RefreshResult, *, after: int, upto: int) -> None:
    events = ReviewEvent.objects.filter(id__gt=after, id__lte=upto).values_list(
        "event_type",
        "actor_id",
        "actor_is_staff",
        "created_at",
        "application_id",
        "application__kind",
        "application__submitted_at",
        "application__applicant_id",
    )
    approved_ce: list[int] = []
    for event_type, actor_id, by_staff, created_at, application_id, kind, submitted_at, _applicant in events:
        if event_type in SUBMISSION_EVENTS and submitted_at is not None:
            for period, start in _periods_of(submitted_at):
                result.periods.add((kind, period, start))
        if event_type in DECISION_EVENTS and by_staff and actor_id is not None:
            result.decision_keys.add((actor_id, week_start(timezone.localdate(created_at))))
        if event_type == EventType.APPROVED and kind == KIND_CE:
            approved_ce.append(application_id)
    if approved_ce:
        person_years = set(CreditRecord.objects.filter(application_id__in=approved_ce).values_list("person_id", "year"))
        units = dict(
            PersonRecord.objects.filter(person_id__in={person for person, _year in person_years}).values_list(
                "person_id", "unit_id"
            )
        )
        for person, year in person_years:
            if person in units:
                result.ce_keys.add((units[person], year))


def _mark_from_versions(result: RefreshResult, *, after: int, upto: int) -> None:
    versions = list(
        RecordVersion.objects.filter(id__gt=after, id__lte=upto).values_list("record_id", "number", "unit_id")
    )
    if not versions:
        return
    result.people_units.update(unit for _record, _number, unit in versions)
    previous = {(record, number - 1) for record, number, _unit in versions if number > 1}
    if previous:
        records = {record for record, _number in previous}
        for record, number, unit in RecordVersion.objects.filter(record_id__in=records).values_list(
            "record_id", "number", "unit_id"
        ):
            if (record, number) in previous:
                result.people_units.add(unit)


def _mark_moved_people_ce(result: RefreshResult) -> None:
    """A unit whose people changed: its compliance of every year it has (or had) figures for."""
    if not result.people_units:
        return
    units = result.people_units
    for unit, year in CeCompliance.objects.filter(unit_id__in=units).values_list("unit_id", "year"):
        result.ce_keys.add((unit, year))
    for unit, year in (
        YearlyCredits.objects.filter(person__dossier_record__unit_id__in=units)
        .values_list("person__dossier_record__unit_id", "year")
        .distinct()
    ):
        result.ce_keys.add((unit, year))


# --------------------------------------------------------------------------- recomputing one key


def _recompute_period(kind: str, period: str, start: date) -> None:
    """Applications of `kind` first handed in during the period, per unit (all of them: a unit
    change moves an application from one unit to another within the period)."""
    begin, end = _aware(start), _aware(period_end(period, start))
    rows = (
        Application.objects.filter(kind=kind, submitted_at__gte=begin, submitted_at__lt=end)
        # last_submitted_at ≥ submitted_at: lets PostgreSQL use the inbox index for recent periods.
        .filter(
            status__in=(Status.PENDING, Status.RETURNED, Status.APPROVED, Status.WITHDRAWN),
            last_submitted_at__gte=begin,
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    SubmissionCount.objects.filter(kind=kind, period=period, start=start).delete()
    SubmissionCount.objects.bulk_create(
        SubmissionCount(unit_id=unit, kind=kind, period=period, start=start, count=n) for unit, n in rows if n
    )


def _sla(kind: str) -> int:
    try:
        return get_kind(kind).sla_working_days
    except Exception:  # a kind no longer registered: the engine's default
        return DEFAULT_SLA


def decision_timing(
    history: list[tuple[int, str, date]], decision_id: int, decision_day: date, sla: int
) -> tuple[int, bool]:
    """(working days since the submission the decision answered, whether it came after the due
    date in force), replaying the SLA clock of reviews.services over the application's events
    before the decision: due = submission + SLA, extended at each resubmission by the working
    days spent returned."""
    submitted: date | None = None
    due: date | None = None
    returned: date | None = None
    for event_id, event_type, day in history:
        if event_id >= decision_id:
            break
        if event_type == EventType.SUBMITTED or (event_type == EventType.RESUBMITTED and due is None):
            submitted, due = day, add_working_days(day, sla)
        elif event_type == EventType.RETURNED:
            returned = day
        elif event_type == EventType.RESUBMITTED:
            assert due is not None  # a resubmission before any due date took the first branch
            spent = working_days_between(returned, day) if returned is not None and day > returned else 0
            submitted = day
            due = add_working_days(due, spent) if spent > 0 else due
    if submitted is None:
        return 0, False
    assert due is not None  # set together with submitted
    return max(0, working_days_between(submitted, decision_day)), decision_day > due


def _recompute_decisions(reviewer_id: int, week: date) -> None:
    begin, end = _aware(week), _aware(week + timedelta(days=7))
    decisions = list(
        ReviewEvent.objects.filter(
            actor_id=reviewer_id,
            actor_is_staff=True,
            event_type__in=DECISION_EVENTS,
            created_at__gte=begin,
            created_at__lt=end,
        ).values_list("id", "application_id", "application__unit_id", "application__kind", "created_at")
    )
    histories: dict[int, list] = defaultdict(list)
    if decisions:
        for application_id, event_id, event_type, created_at in (
            ReviewEvent.objects.filter(
                application_id__in={row[1] for row in decisions},
                event_type__in=(EventType.SUBMITTED, EventType.RESUBMITTED, EventType.RETURNED),
            )
            .order_by("id")
            .values_list("application_id", "id", "event_type", "created_at")
        ):
            histories[application_id].append((event_id, event_type, timezone.localdate(created_at)))
    counts: dict[tuple[int, int, bool], int] = defaultdict(int)
    for event_id, application_id, unit_id, kind, created_at in decisions:
        days, late = decision_timing(histories[application_id], event_id, timezone.localdate(created_at), _sla(kind))
        counts[(unit_id, days, late)] += 1
    DecisionCount.objects.filter(reviewer_id=reviewer_id, week=week).delete()
    DecisionCount.objects.bulk_create(
        DecisionCount(reviewer_id=reviewer_id, unit_id=unit, week=week, working_days=days, late=late, count=n)
        for (unit, days, late), n in counts.items()
    )


def education_ranks() -> dict[str, int]:
    """学历 values, highest first (the option list is kept in that order)."""
    return {
        value: rank
        for rank, value in enumerate(
            OptionItem.objects.filter(list_key=OptionList.EDUCATION_LEVEL)
            .order_by("sort_order", "id")
            .values_list("value", flat=True)
        )
    }


def highest_education(levels, ranks: dict[str, int]) -> str:
    """The highest of a person's 学历 rows ("" without a row; an unknown value ranks last)."""
    levels = [level for level in levels if level]
    if not levels:
        return ""
    return min(levels, key=lambda level: (ranks.get(level, len(ranks)), level))


def _recompute_people(unit_ids) -> None:
    ranks = education_ranks()
    for unit_id in sorted(unit_ids):
        counts: dict[tuple[str, str], int] = defaultdict(int)
        rows = PersonRecord.objects.filter(unit_id=unit_id).values_list(
            "current_id",
            "current__qualification_level",
            "current__accounting_post",
            "current__sex",
            "current__birth_date",
            "current__unit_nature",
        )
        dossiers = []
        for dossier_id, level, post, sex, birth, nature in rows.iterator(chunk_size=5000):
            dossiers.append(dossier_id)
            counts[(Dimension.QUALIFICATION_LEVEL, level or "")] += 1
            counts[(Dimension.POST, post or "")] += 1
            counts[(Dimension.SEX, sex or "")] += 1
            counts[(Dimension.BIRTH_YEAR, str(birth.year) if birth else "")] += 1
            counts[(Dimension.UNIT_NATURE, nature or "")] += 1
        levels: dict[int, list[str]] = defaultdict(list)
        for start in range(0, len(dossiers), 5000):
            chunk = dossiers[start : start + 5000]
            for dossier_id, level in EducationRecord.objects.filter(dossier_id__in=chunk).values_list(
                "dossier_id", "level"
            ):
                levels[dossier_id].append(level)
        for dossier_id in dossiers:
            counts[(Dimension.EDUCATION, highest_education(levels.get(dossier_id, ()), ranks))] += 1
        PeopleCount.objects.filter(unit_id=unit_id).delete()
        PeopleCount.objects.bulk_create(
            PeopleCount(unit_id=unit_id, dimension=dimension, value=value[:100], count=n)
            for (dimension, value), n in counts.items()
        )


def _recompute_ce(unit_id: int, year: int) -> None:
    """Compliance of the people a unit manages now, by the rule continuing_education applies."""
    requirement = requirement_for(year)
    with_credits = compliant = total = 0
    for approved, professional in YearlyCredits.objects.filter(
        year=year, person__dossier_record__unit_id=unit_id
    ).values_list("approved_credits", "professional_credits"):
        summary = YearSummary(
            year=year,
            requirement=requirement,
            approved_credits=approved,
            professional_credits=professional,
            pending_credits=0,
            pending_records=0,
        )
        if approved:
            with_credits += 1
        compliant += summary.meets
        total += approved
    CeCompliance.objects.filter(unit_id=unit_id, year=year).delete()
    if with_credits:
        CeCompliance.objects.create(
            unit_id=unit_id, year=year, with_credits=with_credits, compliant=compliant, credits=total
        )


def _rebuild_open_counts() -> None:
    today = timezone.localdate()
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for unit, kind, n in (
        Application.objects.filter(status=Status.DRAFT).values_list("unit_id", "kind").annotate(n=Count("id"))
    ):
        counts[(unit, kind)][0] = n
    for unit, kind, n in (
        Application.objects.filter(status=Status.PENDING, due_date__lt=today)
        .values_list("unit_id", "kind")
        .annotate(n=Count("id"))
    ):
        counts[(unit, kind)][1] = n
    OpenCount.objects.all().delete()
    OpenCount.objects.bulk_create(
        OpenCount(unit_id=unit, kind=kind, drafts=drafts, overdue=overdue)
        for (unit, kind), (drafts, overdue) in counts.items()
    )
