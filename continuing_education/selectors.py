"""Reads of 继续教育: the items, the years open for entry, a person's records, the yearly summary."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from reviews.constants import Status

from .constants import DEFAULT_LATE_ENTRY_UNTIL, DEFAULT_MIN_CREDITS, DEFAULT_PROFESSIONAL_SHARE, Subject
from .models import AnnualRequirement, CreditItem, CreditProof, CreditRecord, YearlyCredits

if TYPE_CHECKING:
    from identity.models import User
    from reviews.models import Application

    from .external import ExternalCredit

# --------------------------------------------------------------------------- items and years


def active_items() -> list[CreditItem]:
    """The items offered on the entry page, in their order (one query)."""
    return list(CreditItem.objects.filter(is_active=True))


def late_entry_until() -> tuple[int, int] | None:
    """(month, day) until which last year's items may still be filed; None: never."""
    value = getattr(settings, "CE_LATE_ENTRY_UNTIL", DEFAULT_LATE_ENTRY_UNTIL)
    return tuple(value) if value else None


def allowed_years(today: date | None = None) -> list[int]:
    """The years a new record may be filed for: this year, and last year until 31 March (newest first)."""
    today = today or timezone.localdate()
    years = [today.year]
    until = late_entry_until()
    if until is not None and (today.month, today.day) <= until:
        years.append(today.year - 1)
    return years


# --------------------------------------------------------------------------- the requirement


@dataclass(frozen=True)
class Requirement:
    """What one year asks for: at least `min_credits`, 专业科目 at least `share` of the total."""

    min_credits: int
    share: Fraction

    @property
    def share_percent(self) -> float:
        return float(self.share * 100)


def requirement_for(year: int) -> Requirement:
    """The requirement of `year`: the latest row starting at or before it, else the national rule."""
    row = AnnualRequirement.objects.filter(from_year__lte=year).order_by("-from_year").first()
    if row is None:
        return Requirement(DEFAULT_MIN_CREDITS, DEFAULT_PROFESSIONAL_SHARE)
    return Requirement(row.min_credits, row.professional_share)


# --------------------------------------------------------------------------- the yearly summary


@dataclass(frozen=True)
class YearSummary:
    """A person's credits of one year against that year's requirement.

    Only approved records of the year count; pending ones are shown apart and count for nothing yet;
    returned and withdrawn ones count nowhere.
    """

    year: int
    requirement: Requirement
    approved_credits: int
    professional_credits: int
    pending_credits: int
    pending_records: int

    @property
    def public_credits(self) -> int:
        return self.approved_credits - self.professional_credits

    @property
    def professional_share(self) -> Fraction | None:
        """专业科目 / total of the approved credits (None before any credit)."""
        if not self.approved_credits:
            return None
        return Fraction(self.professional_credits, self.approved_credits)

    @property
    def meets_total(self) -> bool:
        return self.approved_credits >= self.requirement.min_credits

    @property
    def meets_share(self) -> bool:
        share = self.professional_share
        return share is not None and share >= self.requirement.share

    @property
    def meets(self) -> bool:
        return self.meets_total and self.meets_share

    @property
    def missing_credits(self) -> int:
        return max(0, self.requirement.min_credits - self.approved_credits)

    @property
    def missing_professional(self) -> int:
        """专业科目 credits still needed, counting on the total reaching at least the minimum."""
        target = math.ceil(self.requirement.share * max(self.approved_credits, self.requirement.min_credits))
        return max(0, target - self.professional_credits)

    @property
    def total_percent(self) -> int:
        """Progress towards the minimum, 0–100 (the bar's width)."""
        if not self.requirement.min_credits:
            return 100
        return min(100, self.approved_credits * 100 // self.requirement.min_credits)

    @property
    def share_percent(self) -> int:
        """专业科目 share of the total, 0–100 (rounded down, so a bar never shows a share not reached)."""
        share = self.professional_share
        return 0 if share is None else math.floor(share * 100)


def summarize(
    records: Iterable[CreditRecord], *, year: int, requirement: Requirement, external: Iterable[ExternalCredit] = ()
) -> YearSummary:
    """The summary of `year` from records that know their status (`record.application.status`).

    Records of other years are ignored whatever their state. `external` are credits from the
    registered sources (`external.ExternalCredit`, e.g. 机构登记): final, they count as approved.
    """
    approved = professional = pending = pending_count = 0
    for credit in external:
        if credit.year == year:
            approved += credit.credits
            if credit.subject == Subject.PROFESSIONAL:
                professional += credit.credits
    for record in records:
        if record.year != year:
            continue
        status = record.application.status
        if status == Status.APPROVED and record.credits is not None:
            approved += record.credits
            if record.subject == Subject.PROFESSIONAL:
                professional += record.credits
        elif status == Status.PENDING:
            pending += record.claimed_credits
            pending_count += 1
    return YearSummary(
        year=year,
        requirement=requirement,
        approved_credits=approved,
        professional_credits=professional,
        pending_credits=pending,
        pending_records=pending_count,
    )


def year_summary(person: User, year: int) -> YearSummary:
    """The person's summary of `year` from the database (two queries, and one per outside credit source)."""
    records = (
        CreditRecord.objects.filter(person=person, year=year, application__status__in=(Status.APPROVED, Status.PENDING))
        .select_related("application")
        .only("year", "credits", "proposed_credits", "subject", "application__status")
    )
    from .external import external_credits

    return summarize(records, year=year, requirement=requirement_for(year), external=external_credits(person, year))


def yearly_credits(person: User, year: int) -> YearlyCredits | None:
    """The summary row approvals keep for (person, year), if any credit was approved that year."""
    return YearlyCredits.objects.filter(person=person, year=year).first()


# --------------------------------------------------------------------------- records


def records_of(person: User, *, year: int | None = None, status: str | None = None) -> QuerySet[CreditRecord]:
    """The person's records (withdrawn ones excluded), with envelope, unit and proofs (two queries)."""
    rows = (
        CreditRecord.objects.filter(person=person)
        .exclude(application__status=Status.WITHDRAWN)
        .select_related("application__unit")
        .prefetch_related(Prefetch("proofs", queryset=CreditProof.objects.select_related("document")))
    )
    if year is not None:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(application__status=status)
    return rows.order_by("-year", "-start_date", "-id")


def record_years(person: User) -> list[int]:
    """The years the person has records in (withdrawn ones excluded), newest first (one query)."""
    return list(
        CreditRecord.objects.filter(person=person)
        .exclude(application__status=Status.WITHDRAWN)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def record_for_owner(person: User, pk: int) -> CreditRecord:
    """The person's own record, or 404 (also for another person's record)."""
    record = (
        CreditRecord.objects.filter(person=person, pk=pk)
        .select_related("application__unit", "item")
        .prefetch_related(Prefetch("proofs", queryset=CreditProof.objects.select_related("document")))
        .first()
    )
    if record is None:
        raise Http404
    return record


def record_for_token(person: User, token: str) -> CreditRecord | None:
    """The record the person filed with this form token (a form posted twice finds the first)."""
    if not token:
        return None
    return CreditRecord.objects.filter(person=person, token=str(token)[:40]).first()


def record_of_application(application: Application) -> CreditRecord | None:
    return (
        CreditRecord.objects.filter(application=application)
        .select_related("item", "settled_by")
        .prefetch_related(Prefetch("proofs", queryset=CreditProof.objects.select_related("document")))
        .first()
    )


def record_proofs(application: Application) -> list[tuple[str, object]]:
    """The kind's proof list for reviewers: (label, Document) in box order."""
    from django.utils.translation import gettext as _

    proofs = CreditProof.objects.filter(record__application=application).select_related("document")
    return [(_("Proof %(n)d") % {"n": proof.position}, proof.document) for proof in proofs]
