"""Test data for the 统计分析 tests, written through the real services, and recounts of every figure
straight from the raw tables (written independently of reports.statistics_refresh)."""

import datetime
import itertools
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from continuing_education.models import YearlyCredits
from dossier import services as dossier_services
from dossier.models import EducationRecord, OptionItem, PersonRecord
from dossier.tests.factories import DossierFactory, EducationRecordFactory
from identity.tests.factories import AccountantFactory, resident_id, review_unit
from regions.calendar import working_days_between
from reviews.constants import Status
from reviews.models import Application, ReviewEvent
from reviews.tests.factories import make_application

COUNTY = "420102"  # 江岸区, under 武汉市
CITY = "420100"  # 武汉市市直
OTHER_CITY_COUNTY = "420202"  # 黄石港区, under 黄石市
PROVINCE = "420000"
UNITS = (COUNTY, CITY, "420200", OTHER_CITY_COUNTY, PROVINCE)
EDUCATIONS = ("博士研究生", "大学本科", "大学专科", "高中", "无学历")

_people = itertools.count(1)


def new_accountant():
    n = next(_people)
    return AccountantFactory(id_number=resident_id(f"420102{1960 + n % 40}0101{n % 1000:03d}"))


def put_on_record(unit_code: str, *, educations=("大学本科",), **fields):
    """A person whose dossier is approved at `unit_code`, through dossier.services (PersonRecord and
    RecordVersion as an approval writes them)."""
    person = new_accountant()
    return move_record(person, unit_code, educations=educations, **fields)


def move_record(person, unit_code: str, *, educations=("大学本科",), **fields):
    """A new approved version of `person`'s record (a 信息变更), managed by `unit_code`."""
    unit = review_unit(unit_code)
    dossier = DossierFactory.create(owner=person, unit=unit, **fields)
    for position, level in enumerate(educations):
        EducationRecordFactory(dossier=dossier, level=level, position=position)
    application = make_application(applicant=person, unit_code=unit_code, status=Status.APPROVED)
    with transaction.atomic():  # as in the approving transaction (browser tests run without one)
        dossier_services.record_approved_dossier(dossier=dossier, application=application)
    return person


# --------------------------------------------------------------------------- recounts


def scope_groups(selected_code: str):
    """{unit id: group key} for the selected unit: itself, or the child of it whose subtree holds the unit."""
    from regions.models import ReviewUnit

    selected = ReviewUnit.objects.get(code=selected_code)
    below = list(ReviewUnit.objects.filter(path__startswith=selected.path))
    children = [unit for unit in below if unit.parent_id == selected.pk]
    group_of = {}
    for unit in below:
        owner = next((child for child in children if unit.path.startswith(child.path)), selected)
        group_of[unit.pk] = owner.pk
    return selected, [selected, *children], group_of


def recount_progress(selected_code: str, kind: str = ""):
    """{group unit id: [registered, drafts, pending, returned, approved, withdrawn, overdue]}."""
    _selected, groups, group_of = scope_groups(selected_code)
    today = timezone.localdate()
    result = {group.pk: [0] * 7 for group in groups}
    rows = Application.objects.filter(unit_id__in=group_of)
    if kind:
        rows = rows.filter(kind=kind)
    position: dict[str, int] = {
        Status.DRAFT: 1,
        Status.PENDING: 2,
        Status.RETURNED: 3,
        Status.APPROVED: 4,
        Status.WITHDRAWN: 5,
    }
    for application in rows:
        figures = result[group_of[application.unit_id]]
        if application.status == Status.DRAFT and application.submitted_at is not None:
            continue  # never happens: a submitted application does not go back to draft
        figures[0] += 1
        figures[position[application.status]] += 1
        if application.status == Status.PENDING:
            assert application.due_date is not None  # a pending application has a due date
            if application.due_date < today:
                figures[6] += 1
    return result


def recount_weekly_submissions(selected_code: str, kinds: list[str]):
    """{(week start ISO, kind): count} of first submissions at or below the unit."""
    _selected, _groups, group_of = scope_groups(selected_code)
    counts: defaultdict[tuple[str, str], int] = defaultdict(int)
    for kind, submitted_at in Application.objects.filter(
        unit_id__in=group_of, submitted_at__isnull=False, kind__in=kinds
    ).values_list("kind", "submitted_at"):
        day = timezone.localdate(submitted_at)
        counts[((day - datetime.timedelta(days=day.weekday())).isoformat(), kind)] += 1
    return counts


def recount_people(selected_code: str):
    """({group id: people}, {dimension: {value: count}}) from PersonRecord and the current dossiers."""
    _selected, groups, group_of = scope_groups(selected_code)
    per_group = {group.pk: 0 for group in groups}
    values: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    order = list(
        OptionItem.objects.filter(list_key="education_level")
        .order_by("sort_order", "id")
        .values_list("value", flat=True)
    )
    for record in PersonRecord.objects.filter(unit_id__in=group_of).select_related("current"):
        per_group[group_of[record.unit_id]] += 1
        dossier = record.current
        values["qualification_level"][dossier.qualification_level] += 1
        values["sex"][dossier.sex] += 1
        values["post"][dossier.accounting_post] += 1
        values["unit_nature"][dossier.unit_nature] += 1
        levels = list(EducationRecord.objects.filter(dossier=dossier).values_list("level", flat=True))
        best = sorted(levels, key=lambda level: order.index(level) if level in order else 99)
        values["education"][best[0] if best else ""] += 1
    return per_group, values


def recount_ce(selected_code: str, year: int):
    """{group id: (with credits, compliant)} by the national rule (≥ 90 credits, 专业科目 ≥ 2/3)."""
    _selected, groups, group_of = scope_groups(selected_code)
    result = {group.pk: [0, 0] for group in groups}
    units = dict(PersonRecord.objects.values_list("person_id", "unit_id"))
    for row in YearlyCredits.objects.filter(year=year):
        unit = units.get(row.person_id)
        if unit not in group_of or not row.approved_credits:
            continue
        figures = result[group_of[unit]]
        figures[0] += 1
        if row.approved_credits >= 90 and row.professional_credits * 3 >= row.approved_credits * 2:
            figures[1] += 1
    return result


def recount_decisions(selected_code: str, since: datetime.date):
    """{reviewer id: (decisions, late, sorted working days)} of approvals without a prior return
    (what the tests generate): working days from the submission, late after the due date."""
    _selected, _groups, group_of = scope_groups(selected_code)
    result: defaultdict[int | None, list[Any]] = defaultdict(lambda: [0, 0, []])
    for event in ReviewEvent.objects.filter(
        event_type__in=("approved", "returned"), actor_is_staff=True, application__unit_id__in=group_of
    ).select_related("application"):
        decided = timezone.localdate(event.created_at)
        if decided - datetime.timedelta(days=decided.weekday()) < since:
            continue
        application = event.application
        assert application.returned_at is None or event.event_type == "returned"
        assert application.due_date is not None  # set when it was submitted
        figures = result[event.actor_id]
        figures[0] += 1
        figures[1] += decided > application.due_date
        figures[2].append(working_days_between(timezone.localdate(application.submitted_at), decided))
    return result
