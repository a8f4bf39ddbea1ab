"""Reads of the review engine: the accountant's own applications and the reviewer's inbox.

The inbox reads the envelope table only (no join), pages by keyset on (last_submitted_at, id) —
never OFFSET, never COUNT of the table — and takes its per-status counts from the summary rows the
transitions keep up to date. Every reviewer read starts from `reviews.scope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, cast

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .constants import INBOX_PAGE_SIZE, OPEN_STATUSES, REVIEWER_STATUSES, Status
from .models import Application, ReviewEvent, StandardReturnReason, StatusCount
from .scope import applications_for_reviewer, reviewer_unit_ids

if TYPE_CHECKING:
    from identity.models import User

# --------------------------------------------------------------------------- accountant side


def open_application(applicant: User, kind: str) -> Application | None:
    """The applicant's open (draft, pending or returned) application of a kind, if any."""
    return (
        Application.objects.select_related("unit")
        .filter(applicant=applicant, kind=kind, status__in=OPEN_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )


def latest_application(applicant: User, kind: str) -> Application | None:
    """The applicant's most recent application of a kind, whatever its state."""
    return (
        Application.objects.select_related("unit")
        .filter(applicant=applicant, kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )


def applications_of(applicant: User, kind: str | None = None) -> QuerySet[Application]:
    """All of the applicant's applications (of one kind), newest first."""
    rows = Application.objects.select_related("unit").filter(applicant=applicant)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-id")


def has_approved_application(applicant: User, kind: str) -> bool:
    return Application.objects.filter(applicant=applicant, kind=kind, status=Status.APPROVED).exists()


def application_history(application: Application) -> list[ReviewEvent]:
    """The application's events, oldest first (one query)."""
    return list(ReviewEvent.objects.filter(application=application).order_by("created_at", "id"))


def standard_return_reasons() -> list[StandardReturnReason]:
    return list(StandardReturnReason.objects.filter(is_active=True))


# --------------------------------------------------------------------------- reviewer inbox


@dataclass(frozen=True)
class Cursor:
    """A position in the queue: the (last_submitted_at, id) of a row."""

    submitted: datetime
    pk: int

    _EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

    def encode(self) -> str:
        micros = (self.submitted - self._EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.pk}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        try:
            micros, pk = (value or "").split("-")
            return cls(cls._EPOCH + timedelta(microseconds=int(micros)), int(pk))
        except (ValueError, OverflowError):
            return None

    @classmethod
    def of(cls, application: Application) -> Cursor:
        # Only submitted applications are listed: they have a submission time.
        return cls(cast(datetime, application.last_submitted_at), application.pk)


@dataclass
class InboxFilters:
    kind: str = ""
    status: str = Status.PENDING
    unit_id: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    name: str = ""
    id_number: str = ""


@dataclass
class InboxPage:
    items: list[Application]
    next_cursor: str | None = None
    prev_cursor: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def oldest_first(status: str) -> bool:
    """The pending queue is worked oldest first; decided lists show the latest first."""
    return status == Status.PENDING


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(user: User, filters: InboxFilters) -> QuerySet[Application]:
    rows = applications_for_reviewer(user).filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.unit_id:
        rows = rows.filter(unit_id=filters.unit_id)
    if filters.submitted_from:
        rows = rows.filter(last_submitted_at__gte=_day_start(filters.submitted_from))
    if filters.submitted_to:
        rows = rows.filter(last_submitted_at__lt=_day_start(filters.submitted_to + timedelta(days=1)))
    if filters.name:
        rows = rows.filter(applicant_name=filters.name)
    if filters.id_number:
        rows = rows.filter(applicant_id_number=filters.id_number)
    return rows


def _after(cursor: Cursor, ascending: bool) -> Q:
    # (ts, id) > cursor, written so the index gets a range bound on ts.
    if ascending:
        return Q(last_submitted_at__gte=cursor.submitted) & (
            Q(last_submitted_at__gt=cursor.submitted) | Q(id__gt=cursor.pk)
        )
    return Q(last_submitted_at__lte=cursor.submitted) & (
        Q(last_submitted_at__lt=cursor.submitted) | Q(id__lt=cursor.pk)
    )


def inbox_counts(user: User, *, kind: str = "", unit_id: int | None = None) -> dict[str, int]:
    """Applications per status in the reviewer's scope, from the summary rows (one query)."""
    rows = StatusCount.objects.filter(unit_id__in=reviewer_unit_ids(user))
    if kind:
        rows = rows.filter(kind=kind)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    totals = dict(rows.values_list("status").annotate(total=Sum("count")).values_list("status", "total"))
    return {status: totals.get(status, 0) or 0 for status in REVIEWER_STATUSES}


def inbox_page(
    user: User,
    *,
    filters: InboxFilters,
    after: str | None = None,
    before: str | None = None,
    page_size: int = INBOX_PAGE_SIZE,
) -> InboxPage:
    """One page of the reviewer's queue (one query), keyset-paged in either direction."""
    ascending = oldest_first(filters.status)
    rows = _filtered(user, filters).only(
        "id",
        "kind",
        "status",
        "version",
        "unit_id",
        "applicant_name",
        "applicant_id_number",
        "submitted_at",
        "last_submitted_at",
        "due_date",
    )
    after_cursor, before_cursor = Cursor.decode(after), Cursor.decode(before)
    order: tuple[str, ...] = ("last_submitted_at", "id") if ascending else ("-last_submitted_at", "-id")
    backwards = before_cursor is not None and after_cursor is None
    if backwards:
        rows = rows.filter(_after(cast(Cursor, before_cursor), not ascending))
        order = tuple(o[1:] if o.startswith("-") else f"-{o}" for o in order)
    elif after_cursor is not None:
        rows = rows.filter(_after(after_cursor, ascending))
    items = list(rows.order_by(*order)[: page_size + 1])
    has_more = len(items) > page_size
    items = items[:page_size]
    if backwards:
        items.reverse()
        prev_cursor = Cursor.of(items[0]).encode() if has_more and items else None
        next_cursor = Cursor.of(items[-1]).encode() if items else None
    else:
        next_cursor = Cursor.of(items[-1]).encode() if has_more else None
        prev_cursor = Cursor.of(items[0]).encode() if after_cursor is not None and items else None
    return InboxPage(items=items, next_cursor=next_cursor, prev_cursor=prev_cursor)
