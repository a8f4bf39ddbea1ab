"""A person's file as staff see it: the approved record, its versions, every handed-in application
with its history, 继续教育 by year with the yearly summary, and the integrity record.

Who may open it is `dossier.people.person_in_scope` (the 人员查询 rule). Everything here is a fixed
number of queries whatever the number of applications, years or versions the person has.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.http import Http404

from continuing_education.constants import DEFAULT_MIN_CREDITS, DEFAULT_PROFESSIONAL_SHARE
from continuing_education.models import AnnualRequirement, CreditRecord
from continuing_education.selectors import Requirement, YearSummary, records_of, summarize
from dossier.change_selectors import VersionEntry, record_versions_for_reviewer
from dossier.models import PersonRecord
from dossier.people import person_in_scope
from dossier.proofs import ChecklistItem, checklist
from dossier.selectors import approved_record
from identity.models import User
from reviews.models import Application, ReviewEvent
from reviews.scope import reviewer_unit_ids


@dataclass
class CreditYear:
    year: int
    summary: YearSummary
    records: list[CreditRecord]


@dataclass
class PersonFile:
    person: User
    record: PersonRecord | None  # with its current dossier ready to show
    proof_items: list[ChecklistItem] = field(default_factory=list)
    versions: list[VersionEntry] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    credit_years: list[CreditYear] = field(default_factory=list)


def person_for_staff(user: User, person_id: int) -> User:
    """The person if in the staff member's scope (approved record or open application there), else 404."""
    person = person_in_scope(user, person_id)
    if person is None:
        raise Http404
    return person


def applications_for_file(user: User, person: User) -> list[Application]:
    """Every application the person handed in (any kind, any state; never-submitted drafts are the
    person's own), newest first, with unit and history. `in_scope` says whether the staff member may
    open it on the reviewer's page. Two queries."""
    unit_ids = set(reviewer_unit_ids(user))
    applications = list(
        Application.objects.select_related("unit")
        .filter(applicant=person, submitted_at__isnull=False)
        .prefetch_related(Prefetch("events", queryset=ReviewEvent.objects.order_by("created_at", "id")))
        .order_by("-created_at", "-id")
    )
    for application in applications:
        # A flag the template reads (not a field of Application).
        setattr(application, "in_scope", application.unit_id in unit_ids)  # noqa: B010
    return applications


def _requirements() -> Callable[[int], Requirement]:
    """`continuing_education.selectors.requirement_for` for every year from one query (the latest
    row at or before the year, else the national rule)."""
    rows = list(AnnualRequirement.objects.order_by("-from_year"))

    def lookup(year: int) -> Requirement:
        for row in rows:
            if row.from_year <= year:
                return Requirement(row.min_credits, row.professional_share)
        return _default_requirement()

    return lookup


def _default_requirement() -> Requirement:
    return Requirement(DEFAULT_MIN_CREDITS, DEFAULT_PROFESSIONAL_SHARE)


def credit_years(person: User) -> list[CreditYear]:
    """继续教育 records by year, newest year first, each with the year's summary (three queries)."""
    records = list(records_of(person))  # newest year first; withdrawn ones excluded
    requirement = _requirements()
    years = []
    for year, group in groupby(records, key=lambda r: r.year):
        rows = list(group)
        years.append(
            CreditYear(year=year, summary=summarize(rows, year=year, requirement=requirement(year)), records=rows)
        )
    return years


def person_file(user: User, person: User) -> PersonFile:
    """Everything the person page shows except the record sections other apps render."""
    record = approved_record(person)
    return PersonFile(
        person=person,
        record=record,
        proof_items=checklist(record.current) if record is not None else [],
        versions=record_versions_for_reviewer(user, person.pk) if record is not None else [],
        applications=applications_for_file(user, person),
        credit_years=credit_years(person),
    )
