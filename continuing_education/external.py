"""Credits that reach a person's 继续教育 from outside their own entries (a registry other apps fill).

Today: courses registered by training institutions (app `institutions`, 机构登记). The layering
stays one way: `continuing_education` knows nothing of those apps; an app registers a *source*
from its AppConfig.ready() and keeps the yearly summary rows (`YearlyCredits`) current through
`adjust_yearly` in the same transaction as its own change.

A source is a callable `(person, year | None) -> list[ExternalCredit]`: the credits that count
for the person (of `year`, or of every year when None), already final (no review), in force only
(revoked ones are not returned). `summarize` adds them to the approved credits of their year.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from .constants import Subject
from .models import YearlyCredits


@dataclass(frozen=True)
class ExternalCredit:
    """One credit from a source, as the person's 继续教育 page shows it."""

    source: str  # the source's code, e.g. "institution"
    source_label: str  # shown as a badge, e.g. 机构登记
    key: str  # unique within the source (for links and tests)
    year: int
    title: str
    organiser: str
    start_date: date
    end_date: date
    subject: str  # continuing_education.constants.Subject
    credits: int
    hours: int | None = None
    detail: str = ""
    # (when, what happened, by whom, reason) oldest first: the person sees every correction.
    history: tuple = field(default_factory=tuple)

    @property
    def is_professional(self) -> bool:
        return self.subject == Subject.PROFESSIONAL

    def get_subject_display(self) -> str:
        return str(Subject(self.subject).label)


CreditSource = Callable[..., list[ExternalCredit]]
_SOURCES: dict[str, CreditSource] = {}


def register_credit_source(code: str, source: CreditSource) -> None:
    """Register a source of credits under `code` (idempotent for the same callable)."""
    _SOURCES[code] = source


def external_credits(person, year: int | None = None) -> list[ExternalCredit]:
    """Every registered source's credits of the person (of `year`, or all years), newest first."""
    found: list[ExternalCredit] = []
    for source in _SOURCES.values():
        found.extend(source(person, year))
    return sorted(found, key=lambda c: (-c.year, -c.start_date.toordinal(), c.key))


def adjust_yearly(*, person_id: int, year: int, credits: int, professional: int, records: int) -> None:
    """Add (or, with negative numbers, take away) credits to the person's `YearlyCredits` row of `year`.

    Call inside the transaction that registers, corrects or revokes the outside credit.
    """
    changes = {
        "approved_credits": F("approved_credits") + credits,
        "professional_credits": F("professional_credits") + professional,
        "approved_records": F("approved_records") + records,
    }
    rows = YearlyCredits.objects.filter(person_id=person_id, year=year)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            YearlyCredits.objects.create(
                person_id=person_id,
                year=year,
                approved_credits=max(0, credits),
                professional_credits=max(0, professional),
                approved_records=max(0, records),
            )
    except IntegrityError:
        rows.update(**changes)


def adjust_yearly_many(*, person_ids, year: int, credits: int, professional: int, records: int) -> None:
    """`adjust_yearly` for many people at once by the same amounts (one course's attendees).

    Set-based: one UPDATE for the rows that exist, one SELECT and one INSERT for the missing ones.
    """
    person_ids = sorted(set(person_ids))
    if not person_ids:
        return
    changes = {
        "approved_credits": F("approved_credits") + credits,
        "professional_credits": F("professional_credits") + professional,
        "approved_records": F("approved_records") + records,
    }
    YearlyCredits.objects.filter(person_id__in=person_ids, year=year).update(**changes)
    have = set(YearlyCredits.objects.filter(person_id__in=person_ids, year=year).values_list("person_id", flat=True))
    missing = [pid for pid in person_ids if pid not in have]
    if not missing:
        return
    try:
        with transaction.atomic():
            YearlyCredits.objects.bulk_create(
                [
                    YearlyCredits(
                        person_id=pid,
                        year=year,
                        approved_credits=max(0, credits),
                        professional_credits=max(0, professional),
                        approved_records=max(0, records),
                    )
                    for pid in missing
                ]
            )
    except IntegrityError:
        # Someone created some of these rows meanwhile: one by one.
        for pid in missing:
            adjust_yearly(person_id=pid, year=year, credits=credits, professional=professional, records=records)
