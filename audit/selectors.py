"""Reads of the audit log for the audit viewer (审计日志): who may read it, what they see, filters
and keyset pages.

Who: auditors and security administrators (等保 separation of duties: the system administrator
is not an auditor). Everyone else gets 404.

Scope: the audit row keeps the actor's review unit when it was written (`AuditEvent.unit`). An
auditor of the province unit (the root of the unit tree) sees every row, including the rows
without a unit (accountants, anonymous callers, the system). An auditor of a city or county unit
sees the rows written by staff of their unit and of every unit below it, and no row without a
unit: accountants' own actions are read at the province. Rows written before the unit was recorded
have none, so only the province sees them.

Cost: the table is large and grows forever (until retention). No COUNT, no DISTINCT, no OFFSET:
every filter is an equality on the leading columns of one of the indexes of AuditEvent followed
by the order (created_at, id) descending, and a page is the next PAGE_SIZE rows after a cursor.
"""

import datetime
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from identity.constants import IdType, StaffRole, UserKind
from identity.models import User
from regions.models import ReviewUnit
from regions.selectors import unit_choices_at_or_below, unit_ids_at_or_below, units_at_or_below

from .models import AuditEvent

AUDIT_READER_ROLES = frozenset({StaffRole.AUDITOR, StaffRole.SECURITY_ADMIN})
PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000


def may_read_audit_log(user: User | AnonymousUser) -> bool:
    """Whether a (verified) staff member may open the audit viewer: auditors and security admins."""
    return bool(
        user.is_authenticated
        and user.is_staff_member
        and user.is_active
        and user.role in AUDIT_READER_ROLES
        and user.unit_id is not None
    )


def _reader_unit(user: User) -> ReviewUnit:
    # An audit reader has a unit (may_read_audit_log); for mypy, which sees a nullable key.
    return cast(ReviewUnit, user.unit)


def sees_everything(user: User) -> bool:
    """An audit reader of the province unit (the root of the unit tree) sees every row."""
    return _reader_unit(user).parent_id is None


def visible_events(user: User) -> QuerySet[AuditEvent]:
    """The audit rows the reader may see (module docstring, "Scope"); none for anybody else."""
    if not may_read_audit_log(user):
        return AuditEvent.objects.none()
    if sees_everything(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(unit_id__in=unit_ids_at_or_below(_reader_unit(user)))


def units_for_filter(user: User) -> QuerySet[ReviewUnit]:
    """The units a reader may filter on: their own and every unit below it."""
    return units_at_or_below(_reader_unit(user)).order_by("path")


def unit_filter_choices(user: User) -> list[tuple[str, str]]:
    """(code, name) of `units_for_filter`, in path order: the options of the unit filter.

    Cached per scope and per generation of the units (`regions.selectors.SCOPE_GENERATION_KEY`,
    bumped by every committed change of a unit), like the scope's ids: no query on a warm cache.
    """
    return unit_choices_at_or_below(_reader_unit(user), "code")


def accountants_with_id_number(id_number: str) -> list[int]:
    """Ids of the accountants with exactly this ID number, whatever its type.

    `id_type IN (...)` lets the database use the unique index on (id_type, id_number).
    """
    if not id_number:
        return []
    return list(
        User.objects.filter(kind=UserKind.ACCOUNTANT, id_type__in=IdType.values, id_number=id_number)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def user_with_username(username: str) -> User | None:
    return User.objects.filter(username=username).only("pk", "username", "full_name").first()


@dataclass(frozen=True)
class EventFilters:
    """What the viewer filters on; every field optional. Dates are local (Asia/Shanghai) days."""

    actor_id: int | None = None
    person_ids: tuple[int, ...] = field(default_factory=tuple)
    action: str = ""
    result: str = ""
    unit: ReviewUnit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_events(events: QuerySet[AuditEvent], filters: EventFilters) -> QuerySet[AuditEvent]:
    """Apply the filters; each is an equality (or a range on created_at) that an index serves."""
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.person_ids:
        # What the person did, and what was done to their account (sign-in, unlock, integrity view).
        ids = list(filters.person_ids)
        events = events.filter(
            Q(actor_id__in=ids) | Q(object_type="identity.user", object_id__in=[str(pk) for pk in ids])
        )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.result:
        events = events.filter(result=filters.result)
    if filters.unit is not None:
        events = events.filter(unit_id__in=unit_ids_at_or_below(filters.unit))
    if filters.date_from is not None:
        events = events.filter(created_at__gte=_start_of_day(filters.date_from))
    if filters.date_to is not None:
        events = events.filter(created_at__lt=_start_of_day(filters.date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


# --------------------------------------------------------------------------- keyset pages


class BadCursor(ValueError):
    pass


def encode_cursor(event: AuditEvent) -> str:
    """The position after `event` in the (created_at, id) descending order, for a URL."""
    return f"{event.created_at.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%f}Z{event.pk}"


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        stamp, _, pk = cursor.partition("Z")
        moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=datetime.UTC)
        return moment, int(pk)
    except (TypeError, ValueError) as exc:
        raise BadCursor(cursor) from exc


@dataclass
class EventPage:
    events: list[AuditEvent]
    next_cursor: str | None


def page_of_events(events: QuerySet[AuditEvent], cursor: str | None = None, size: int = PAGE_SIZE) -> EventPage:
    """One page of `events` (already filtered and ordered) after `cursor`: one query, no COUNT.

    Rows with the same created_at are ordered by id, so no row is skipped or shown twice across
    pages, whatever is written meanwhile (new rows land before the first page).
    """
    if cursor:
        moment, pk = decode_cursor(cursor)
        events = events.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    rows = list(events.select_related(None)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return EventPage(events=rows, next_cursor=encode_cursor(rows[-1]) if has_more and rows else None)
