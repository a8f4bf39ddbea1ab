"""Transitions of the review engine: the only code that writes applications.

Every transition runs in one `transaction.atomic`: it locks the application row
(`select_for_update`), checks the actor, the state and (for decisions) the version the reviewer
saw, bumps the version, writes the review event, the audit row, the per-unit counters and — for a
decision — the SMS outbox row. The SMS leaves after commit (notifications.services). A refusal
raises `ReviewError` with a message for the person, and leaves one audit row with result
"failure" (written outside the rolled-back transaction).

The SLA clock: `submit` sets `due_date` to `sla_working_days` working days after the day of
submission. It stops while the application is returned: a resubmission extends the due date by the
working days the application spent returned (the day of the return excluded, the day of the
resubmission included), so the reviewers keep exactly the working days they had left.
"""

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.models import AuditEvent
from audit.services import actor_fields, build_event, record_event, record_events
from core.masking import mask_id_number
from core.request_info import client_ip
from core.text import clean_text
from notifications.messages import get_template
from notifications.services import queue_notification, queue_notifications
from regions.calendar import add_working_days, working_days_between

from .changes import take_snapshot
from .constants import (
    BULK_APPROVE_MAX,
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    RETURN_REASON_MAX_LENGTH,
    EventType,
    Status,
)
from .models import Application, ReviewEvent, StatusCount
from .registry import ApplicationKind, allows_bulk_approve, get_kind
from .scope import applications_for_reviewer, reviewer_can_decide

if TYPE_CHECKING:
    from identity.models import User
    from identity.request_types import SignedInRequest
    from regions.models import ReviewUnit

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """Why a transition was refused, in words for the person who asked (shown next to the form)."""

    def __init__(self, message: StrOrPromise, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


ALREADY_DECIDED = _("This application has already been handled by another reviewer.")
CHANGED_SINCE_SEEN = _("This application has changed since you opened it. Please look at it again before deciding.")
WITHDRAWN_BY_APPLICANT = _("The applicant has withdrawn this application.")
NOT_YOURS_TO_DECIDE = _("This application is reviewed by %(unit)s: you may view it but not decide it.")
NOT_ALLOWED = _("You may not review this application.")
NOT_APPLICANT = _("Only the applicant may do this.")
REASON_REQUIRED = _("Please give the reason for returning the application.")
REASON_TOO_LONG = _("The reason may be at most %(max)d characters long.")
CANNOT_SUBMIT = _("An application that is “%(status)s” cannot be submitted.")
CANNOT_WITHDRAW = _("An application that is “%(status)s” cannot be withdrawn.")
NOT_EDITABLE = _("The review unit can only be changed while the application is a draft or has been returned.")
UNIT_INACTIVE = _("This review unit no longer accepts applications. Please choose another one.")


# --------------------------------------------------------------------------- helpers


def _kind(kind: str | ApplicationKind) -> ApplicationKind:
    return kind if isinstance(kind, ApplicationKind) else get_kind(kind)


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _copy_into(target: Application, source: Application) -> None:
    """Let the caller's instance see the committed state (what it had loaded stays, unless it changed:
    setting a foreign key's id to another value drops the related object it had cached)."""
    for field in Application._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.fields_cache.update(source._state.fields_cache)


def _bump_count(*, unit_id: int, kind: str, status: str, delta: int) -> None:
    rows = StatusCount.objects.filter(unit_id=unit_id, kind=kind, status=status)
    if rows.update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            StatusCount.objects.create(unit_id=unit_id, kind=kind, status=status, count=delta)
    except IntegrityError:
        # Another transaction created the row meanwhile (it waited for that one to commit).
        rows.update(count=F("count") + delta)


def _move_count(*, kind: str, before: tuple[int, str] | None, after: tuple[int, str] | None) -> None:
    """Move one application between counters. Rows are touched in a stable order (no deadlocks)."""
    if before == after:
        return
    changes = Counter({key: delta for key, delta in ((before, -1), (after, +1)) if key is not None})
    _move_counts(kind=kind, changes=changes)


def _move_counts(*, kind: str, changes: Mapping[tuple[int, str], int]) -> None:
    """Add `changes` ({(unit id, status): delta}) to the counters of `kind`: one UPDATE per
    (unit, status) pair however many applications moved, in a stable order (no deadlocks)."""
    for (unit_id, status), delta in sorted(changes.items()):
        if delta:
            _bump_count(unit_id=unit_id, kind=kind, status=status, delta=delta)


def _counter_key(application: Application) -> tuple[int, str] | None:
    # Only what reviewers can see is counted: applications handed in at least once.
    if application.submitted_at is None:
        return None
    return (application.unit_id, application.status)


def _actor_snapshot(actor: "User") -> dict[str, Any]:
    """Who acted, as the event keeps it (an actor is a person: the checks refuse anyone else first)."""
    unit = actor.unit  # no query for an accountant (no unit)
    return {
        "actor": actor,
        "actor_name": actor.display_name[:100],  # a username (no name given) may be longer than the column
        "actor_unit": unit.name if unit else "",
        "actor_is_staff": actor.is_staff_member,
    }


def _write_event(
    *,
    application: Application,
    event_type: str,
    from_status: str,
    actor: "User",
    request: HttpRequest | None,
    reason: str = "",
    snapshot: dict[str, Any] | None = None,
) -> ReviewEvent:
    event = _new_event(
        application=application,
        event_type=event_type,
        from_status=from_status,
        actor_fields=_actor_snapshot(actor),
        request=request,
        reason=reason,
        snapshot=snapshot,
    )
    event.save()
    return event


def _new_event(
    *,
    application: Application,
    event_type: str,
    from_status: str,
    actor_fields: dict[str, Any],
    request: HttpRequest | None,
    reason: str = "",
    snapshot: dict[str, Any] | None = None,
) -> ReviewEvent:
    """The review event of a transition, not yet saved (`_write_event` saves it; a batch bulk-creates).
    `actor_fields` is `_actor_snapshot(actor)`, made once for a whole batch."""
    return ReviewEvent(
        application=application,
        event_type=event_type,
        from_status=from_status,
        to_status=application.status,
        version=application.version,
        reason=reason,
        ip=client_ip(request),
        snapshot=snapshot,
        **actor_fields,
    )


def _audit(
    *,
    action: str,
    application: Application,
    actor: "User | None",
    request: HttpRequest | None,
    result: str = AuditEvent.Result.SUCCESS,
    **detail: Any,
) -> AuditEvent:
    return record_event(
        action=action,
        request=request,
        actor=actor,
        obj=application,
        result=result,
        detail=_audit_detail(application, detail),
    )


def _audit_detail(application: Application, detail: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": application.kind,
        "applicant": mask_id_number(application.applicant_id_number),
        "status": application.status,
        "version": application.version,
        **detail,
    }


def _refused(
    action: str, application: Application, actor: "User | None", request: HttpRequest | None, exc: ReviewError
) -> None:
    """Audit a refused transition. Runs after the transition's own transaction rolled back."""
    _audit(
        action=action,
        application=application,
        actor=actor,
        request=request,
        result=AuditEvent.Result.FAILURE,
        reason=str(exc.message)[:200],
    )


def _run(
    action: str,
    application: Application,
    actor: "User | None",
    request: HttpRequest | None,
    work: Callable[[], Application],
) -> Application:
    try:
        with transaction.atomic():
            locked = work()
    except ReviewError as exc:
        _refused(action, application, actor, request, exc)
        raise
    _copy_into(application, locked)
    return application


def _save_transition(
    *,
    locked: Application,
    before: tuple[int, str] | None,
    from_status: str,
    event_type: str,
    actor: "User",
    request: HttpRequest | None,
    action: str,
    reason: str = "",
    fields: list[str],
    snapshot: dict[str, Any] | None = None,
) -> None:
    locked.version += 1
    locked.save(update_fields=[*fields, "version"])
    _move_count(kind=locked.kind, before=before, after=_counter_key(locked))
    _write_event(
        application=locked,
        event_type=event_type,
        from_status=from_status,
        actor=actor,
        request=request,
        reason=reason,
        snapshot=snapshot,
    )
    extra = {"from": from_status}
    if reason:
        extra["reason"] = reason[:200]
    _audit(action=action, application=locked, actor=actor, request=request, **extra)


def _notify(*, application: Application, kind: ApplicationKind, which: str, reason: str = "") -> None:
    message = _notification(application=application, kind=kind, which=which, reason=reason)
    if message is not None:
        queue_notification(**message)


def _notification(
    *, application: Application, kind: ApplicationKind, which: str, reason: str = ""
) -> dict[str, Any] | None:
    """The SMS of a decision as `queue_notification`'s arguments, or None (no template, no phone)."""
    template = getattr(kind.notify_texts, which)
    phone = application.applicant.phone
    if not template or not phone:
        return None
    with translation.override("zh-hans"):
        label = str(kind.label)
    params = {
        name: value for name, value in (("label", label), ("reason", reason)) if name in get_template(template).params
    }
    return {
        "phone": phone,
        "template": template,
        "params": params,
        "dedupe_key": f"reviews:{application.pk}:v{application.version}:{which}",
    }


def _check_applicant(application: Application, actor: "User | None") -> "User":
    """The actor is the applicant (returned, known to be a person)."""
    if actor is None or actor.pk != application.applicant_id:
        raise ReviewError(NOT_APPLICANT, code="not_applicant")
    return actor


def _check_can_decide(application: Application, actor: "User | None", *, in_scope: bool | None = None) -> "User":
    """The actor decides the application (returned, known to be a person; `in_scope`: whether it is
    known to be in their scope; None: asked of the database when it matters)."""
    if actor is not None and reviewer_can_decide(actor, application):
        return actor
    if in_scope is None:
        in_scope = actor is not None and applications_for_reviewer(actor).filter(pk=application.pk).exists()
    if in_scope:
        raise ReviewError(NOT_YOURS_TO_DECIDE % {"unit": application.unit.name}, code="not_decider")
    raise ReviewError(NOT_ALLOWED, code="not_allowed")


def _check_pending(application: Application, expected_version: int | str | None) -> None:
    """The state and version the reviewer saw must still hold under the lock."""
    if application.status == Status.WITHDRAWN:
        raise ReviewError(WITHDRAWN_BY_APPLICANT, code="withdrawn")
    if application.status != Status.PENDING:
        raise ReviewError(ALREADY_DECIDED, code="already_decided")
    # Compared as text: a form or the API may give the number as a string; anything else (None,
    # "abc") is simply not the version seen.
    if str(application.version) != str(expected_version):
        # Still pending, but not what the reviewer saw (returned and resubmitted meanwhile).
        raise ReviewError(CHANGED_SINCE_SEEN, code="version_moved")


def _due_date_on_submit(locked: Application, kind: ApplicationKind, today: date) -> date:
    if locked.status != Status.RETURNED:
        return add_working_days(today, kind.sla_working_days)
    # A returned application was handed in (due date) and returned (returned_at) before.
    assert locked.due_date is not None  # noqa: S101 - narrows the type
    assert locked.returned_at is not None  # noqa: S101 - narrows the type
    spent = working_days_between(timezone.localdate(locked.returned_at), today)
    return add_working_days(locked.due_date, max(spent, 0))  # never below 0, should the clock run back


def _snapshot_applicant(application: Application, applicant: "User") -> None:
    # The columns are as long as the user's own: a copy, never cut.
    application.applicant_name = applicant.full_name
    application.applicant_id_number = applicant.id_number


# --------------------------------------------------------------------------- accountant side


def start_application(
    *, kind: str | ApplicationKind, applicant: "User", unit: "ReviewUnit", request: HttpRequest | None = None
) -> Application:
    """Get or create the applicant's open application of `kind` (a name or an ApplicationKind).

    For an exclusive kind a second call — or a concurrent one — returns the same application: the
    partial unique constraint decides races. For a non-exclusive kind every call creates a draft.
    """
    kind = _kind(kind)
    if kind.exclusive:
        existing = _open_application(applicant, kind.name)
        if existing is not None:
            return existing
    if not unit.is_active:
        raise ReviewError(UNIT_INACTIVE, code="unit_inactive")
    application = Application(kind=kind.name, applicant=applicant, unit=unit, exclusive=kind.exclusive)
    _snapshot_applicant(application, applicant)
    try:
        with transaction.atomic():
            application.save()
            _write_event(
                application=application,
                event_type=EventType.CREATED,
                from_status="",
                actor=applicant,
                request=request,
            )
            _audit(action="reviews.start", application=application, actor=applicant, request=request)
    except IntegrityError:
        existing = _open_application(applicant, kind.name) if kind.exclusive else None
        if existing is None:
            raise
        return existing
    return application


def _open_application(applicant: "User", kind_name: str) -> Application | None:
    return (
        Application.objects.select_related("unit")
        .filter(applicant=applicant, kind=kind_name, status__in=OPEN_STATUSES)
        .first()  # at most one (the constraint reviews_one_open_application_per_kind)
    )


def submit(*, application: Application, actor: "User | None", request: HttpRequest | None = None) -> Application:
    """Hand in a draft, or resubmit a returned application: → pending, with its due date.

    Only the applicant may submit. Submitting an application that is already pending (a double
    click, the back button) changes nothing and is not an error. The kind's `before_submit` hook
    may refuse with a ReviewError (e.g. a missing proof).
    """

    def work() -> Application:
        locked = _lock(application)
        applicant = _check_applicant(locked, actor)
        if locked.status == Status.PENDING:
            return locked
        if locked.status not in EDITABLE_STATUSES:
            raise ReviewError(CANNOT_SUBMIT % {"status": locked.get_status_display()}, code="cannot_submit")
        if not locked.unit.is_active:
            raise ReviewError(UNIT_INACTIVE, code="unit_inactive")
        kind = get_kind(locked.kind)
        if kind.before_submit:
            kind.before_submit(locked)
        before, from_status = _counter_key(locked), locked.status
        now = timezone.now()
        locked.due_date = _due_date_on_submit(locked, kind, timezone.localdate(now))
        is_first = locked.submitted_at is None
        locked.submitted_at = locked.submitted_at or now
        locked.last_submitted_at = now
        locked.status = Status.PENDING
        _snapshot_applicant(locked, locked.applicant)
        _save_transition(
            locked=locked,
            before=before,
            from_status=from_status,
            event_type=EventType.SUBMITTED if is_first else EventType.RESUBMITTED,
            actor=applicant,
            request=request,
            action="reviews.submit",
            fields=[
                "status",
                "due_date",
                "submitted_at",
                "last_submitted_at",
                "applicant_name",
                "applicant_id_number",
            ],
        )
        return locked

    return _run("reviews.submit", application, actor, request, work)


def withdraw(*, application: Application, actor: "User | None", request: HttpRequest | None = None) -> Application:
    """The applicant withdraws ("删除") a draft, pending or returned application. Final."""

    def work() -> Application:
        locked = _lock(application)
        applicant = _check_applicant(locked, actor)
        if locked.status not in OPEN_STATUSES:
            raise ReviewError(CANNOT_WITHDRAW % {"status": locked.get_status_display()}, code="cannot_withdraw")
        before, from_status = _counter_key(locked), locked.status
        locked.status = Status.WITHDRAWN
        _save_transition(
            locked=locked,
            before=before,
            from_status=from_status,
            event_type=EventType.WITHDRAWN,
            actor=applicant,
            request=request,
            action="reviews.withdraw",
            fields=["status"],
        )
        return locked

    return _run("reviews.withdraw", application, actor, request, work)


def set_unit(
    *,
    application: Application,
    unit: "ReviewUnit",
    actor: "User | None" = None,
    request: HttpRequest | None = None,
) -> Application:
    """Route an editable (draft or returned) application to another review unit.

    Only a move of an application already handed in (returned, about to be resubmitted elsewhere)
    is a review event; a draft's unit is part of its filling in (audited, not in the history).
    """

    def work() -> Application:
        locked = _lock(application)
        if actor is not None:
            _check_applicant(locked, actor)
        if locked.status not in EDITABLE_STATUSES:
            raise ReviewError(NOT_EDITABLE, code="not_editable")
        if not unit.is_active:
            raise ReviewError(UNIT_INACTIVE, code="unit_inactive")
        if locked.unit_id == unit.pk:
            return locked
        before, old_unit = _counter_key(locked), locked.unit
        locked.unit = unit
        if locked.submitted_at is None:
            # A draft never handed in has no reviewer yet: picking its region (the province's unit is
            # only the default until then) is part of filling it in, not a move between units. The
            # audit row keeps it; the history starts with the submission.
            locked.version += 1
            locked.save(update_fields=["unit", "version"])
            _audit(
                action="reviews.set_unit",
                application=locked,
                actor=actor or locked.applicant,
                request=request,
                reason=f"{old_unit.name} → {unit.name}",
            )
            return locked
        _save_transition(
            locked=locked,
            before=before,
            from_status=locked.status,
            event_type=EventType.UNIT_CHANGED,
            actor=actor or locked.applicant,
            request=request,
            action="reviews.set_unit",
            reason=f"{old_unit.name} → {unit.name}",
            fields=["unit"],
        )
        return locked

    return _run("reviews.set_unit", application, actor, request, work)


def sync_applicant_snapshot(*, applicant: "User") -> int:
    """Copy the applicant's current name and ID number onto their applications (after a change)."""
    return Application.objects.filter(applicant=applicant).update(
        applicant_name=applicant.full_name, applicant_id_number=applicant.id_number
    )


# --------------------------------------------------------------------------- reviewer side


def approve(
    *,
    application: Application,
    actor: "User | None",
    expected_version: int | str | None,
    request: HttpRequest | None = None,
) -> Application:
    """Approve a pending application: the kind's `apply()` runs in this transaction, then the SMS.

    Refused (ReviewError) when the actor may not decide it, or when its state or version moved on
    since the reviewer looked at it — two reviewers deciding at once: exactly one wins.
    """

    def work() -> Application:
        locked = _lock(application)
        reviewer = _check_can_decide(locked, actor)
        _check_pending(locked, expected_version)
        kind = get_kind(locked.kind)
        now = timezone.now()
        locked.status = Status.APPROVED
        locked.decided_at = now
        locked.decided_by = reviewer
        _save_transition(
            locked=locked,
            before=(locked.unit_id, Status.PENDING),
            from_status=Status.PENDING,
            event_type=EventType.APPROVED,
            actor=reviewer,
            request=request,
            action="reviews.approve",
            fields=["status", "decided_at", "decided_by"],
        )
        if kind.apply:
            kind.apply(locked)
        _notify(application=locked, kind=kind, which="approved")
        return locked

    return _run("reviews.approve", application, actor, request, work)


def clean_return_reason(reason: str) -> str:
    """The return reason as the applicant will read it: text hygiene (`core.text.clean_text`, one
    line, spaces folded), required, at most RETURN_REASON_MAX_LENGTH characters. Applied here and
    not only by the form, so a reason that reaches the service another way is cleaned too."""
    try:
        reason = clean_text(reason, field_label=_("Reason for the applicant"))
    except ValidationError as exc:
        raise ReviewError(exc.messages[0], code="reason_invalid_character") from None
    if not reason:
        raise ReviewError(REASON_REQUIRED, code="reason_required")
    if len(reason) > RETURN_REASON_MAX_LENGTH:
        raise ReviewError(REASON_TOO_LONG % {"max": RETURN_REASON_MAX_LENGTH}, code="reason_too_long")
    return reason


def return_for_changes(
    *,
    application: Application,
    actor: "User | None",
    expected_version: int | str | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Application:
    """Return a pending application to the applicant with a reason (required); the SLA clock stops.

    The return's event keeps a snapshot of what was returned (`reviews.changes.take_snapshot`), so the
    page shows the reviewer what changed when the application is handed in again.
    """

    def work() -> Application:
        cleaned = clean_return_reason(reason)
        locked = _lock(application)
        reviewer = _check_can_decide(locked, actor)
        _check_pending(locked, expected_version)
        kind = get_kind(locked.kind)
        now = timezone.now()
        locked.status = Status.RETURNED
        locked.return_reason = cleaned
        locked.returned_at = now
        locked.decided_at = now
        locked.decided_by = reviewer
        _save_transition(
            locked=locked,
            before=(locked.unit_id, Status.PENDING),
            from_status=Status.PENDING,
            event_type=EventType.RETURNED,
            actor=reviewer,
            request=request,
            action="reviews.return",
            reason=cleaned,
            fields=["status", "return_reason", "returned_at", "decided_at", "decided_by"],
            snapshot=take_snapshot(kind, locked),
        )
        _notify(application=locked, kind=kind, which="returned", reason=cleaned)
        return locked

    return _run("reviews.return", application, actor, request, work)


def record_staff_view(*, application: Application, request: "SignedInRequest") -> None:
    """Audit a staff member opening a person's full application (SECURITY.md: staff views are audited)."""
    _audit(action="reviews.view", application=application, actor=request.user, request=request)


# --------------------------------------------------------------------------- bulk approval


NOT_FOUND = _("No such application.")
NOT_BULK = _("Applications of this kind must be reviewed one by one; open it to decide it.")
TOO_MANY = _("At most %(max)d applications can be approved at once.")
FAILED = _("The system could not approve this application and changed nothing. Please open it and try again.")


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one application of a bulk approval.

    `application` is None when the id was not found in the reviewer's scope; `code` is "approved",
    "not_found", "not_bulk", "error" or the code of the ReviewError that refused it.
    """

    application_id: int
    application: Application | None
    approved: bool
    code: str
    message: StrOrPromise = ""


def approve_many(
    *, selections: Sequence[tuple[int, int]], actor: "User", request: HttpRequest | None = None
) -> list[BulkOutcome]:
    """Approve several pending applications in ONE transaction, each with its own checks, event,
    audit row and SMS, in a constant number of queries however many are selected.

    `selections` are (application id, version the reviewer saw) pairs, in the order to report them;
    a repeated id counts once; more than BULK_APPROVE_MAX is refused whole (ReviewError).

    1. One query locks every selected application in the actor's scope (`select_for_update`, in id
       order, so two batches never deadlock). An id outside the scope is reported exactly like one
       that does not exist ("not_found") and nothing is written for it.
    2. Each locked application is checked in Python as `approve` checks it: a kind registered with
       `bulk_approve=True` (else "not_bulk"), the actor decides it, it is still pending at the
       version the reviewer saw. A refusal is reported with its reason and audited (result
       "failure"); the others go on.
    3. The counters move once per (unit, kind, status), then each kind's `apply_many` runs for its
       applications (or `apply` for each one, in a savepoint of its own); an application the kind
       refuses is reported and audited like any refusal, and its counters are moved back.
    4. One UPDATE approves the envelopes (version + 1), one INSERT writes the review events, one the
       audit rows (successes and refusals), two the SMS outbox rows (`queue_notifications`), whose
       delivery is dispatched by one callback after the commit.

    The trade-off (issue #10): this used to run `approve` for each application in its own
    transaction. One transaction is as safe because every refusal is found before anything is
    written: the checks run under the lock, and a kind's apply refuses without writing (its
    savepoint is rolled back). What is left to fail is the database itself (a lost connection, a
    deadlock with another writer): then the whole batch rolls back, nothing is approved, and every
    application that was found is reported as "error" — the reviewer simply tries again. The rows
    stay locked for the length of the batch (BULK_APPROVE_MAX at most: a fraction of a second); a
    reviewer deciding one of them meanwhile waits for it and then finds it decided (exactly one
    wins). The SMS of the batch leave after the batch commits, not one by one.

    Call it outside a transaction (or accept that an outer one also holds the locks until it ends).
    """
    wanted: dict[int, int] = {}
    for pk, version in selections:
        wanted.setdefault(int(pk), int(version))
    if len(wanted) > BULK_APPROVE_MAX:
        raise ReviewError(TOO_MANY % {"max": BULK_APPROVE_MAX}, code="too_many")
    if not wanted:
        return []
    try:
        with transaction.atomic():
            outcomes = _approve_batch(wanted, actor, request)
    except Exception:
        # A fault of the database (not a refusal: those are found before anything is written) rolled
        # the whole batch back. Nothing was approved: say so for each application found.
        logger.exception("bulk approval of %d applications failed; nothing was approved", len(wanted))
        return _batch_failed(wanted, actor)
    return [outcomes[pk] for pk in wanted]


def _batch_failed(wanted: dict[int, int], actor: "User") -> list[BulkOutcome]:
    try:
        found = applications_for_reviewer(actor).in_bulk(list(wanted))
    except Exception:  # noqa: BLE001 - the database is still away: report every id alike (no existence leaks)
        logger.warning("bulk approval: could not read the selection back after the failure", exc_info=True)
        return [BulkOutcome(pk, None, approved=False, code="error", message=FAILED) for pk in wanted]
    return [
        BulkOutcome(pk, found[pk], approved=False, code="error", message=FAILED)
        if pk in found
        else BulkOutcome(pk, None, approved=False, code="not_found", message=NOT_FOUND)
        for pk in wanted
    ]


def _approve_batch(wanted: dict[int, int], actor: "User", request: HttpRequest | None) -> dict[int, BulkOutcome]:
    """`approve_many`'s transaction (see there). Returns {id: outcome}."""
    locked = {
        application.pk: application
        for application in applications_for_reviewer(actor)
        .select_for_update(of=("self",))
        .select_related("unit", "applicant")
        .filter(pk__in=list(wanted))
        .order_by("pk")
    }
    outcomes: dict[int, BulkOutcome] = {}
    refusals: list[tuple[Application, ReviewError]] = []
    checked: dict[str, list[Application]] = {}  # kind name -> applications that passed the checks
    for pk, version in wanted.items():
        application = locked.get(pk)
        if application is None:
            outcomes[pk] = BulkOutcome(pk, None, approved=False, code="not_found", message=NOT_FOUND)
            continue
        try:
            if not allows_bulk_approve(application.kind):
                raise ReviewError(NOT_BULK, code="not_bulk")
            _check_can_decide(application, actor, in_scope=True)
            _check_pending(application, version)
        except ReviewError as exc:
            refusals.append((application, exc))
            continue
        checked.setdefault(application.kind, []).append(application)

    now = timezone.now()
    approved: list[Application] = []
    for kind_name, applications in checked.items():
        kind = get_kind(kind_name)
        undo = {application.pk: _mark_approved(application, actor, now) for application in applications}
        # The counters first, as `approve` moves them before apply (the same lock order: no deadlocks).
        _move_counts(kind=kind_name, changes=_approval_moves(applications, +1))
        refused, failed = _apply_kind(kind, applications)
        dropped = [a for a in applications if a.pk in refused or a.pk in failed]
        for application in dropped:
            undo[application.pk]()
            if application.pk in refused:
                refusals.append((application, refused[application.pk]))
            else:
                outcomes[application.pk] = BulkOutcome(
                    application.pk, application, approved=False, code="error", message=FAILED
                )
        _move_counts(kind=kind_name, changes=_approval_moves(dropped, -1))
        approved.extend(a for a in applications if a.pk not in refused and a.pk not in failed)

    if approved:
        Application.objects.filter(pk__in=[a.pk for a in approved]).update(
            status=Status.APPROVED, decided_at=now, decided_by=actor, version=F("version") + 1
        )
    event_actor = _actor_snapshot(actor)
    ReviewEvent.objects.bulk_create(
        [
            _new_event(
                application=application,
                event_type=EventType.APPROVED,
                from_status=Status.PENDING,
                actor_fields=event_actor,
                request=request,
            )
            for application in approved
        ]
    )
    audit_actor = actor_fields(actor)
    audit_rows = [
        build_event(
            action="reviews.approve",
            request=request,
            obj=application,
            detail=_audit_detail(application, {"from": Status.PENDING}),
            actor_fields=audit_actor,
        )
        for application in approved
    ]
    for application, refusal in refusals:
        audit_rows.append(
            build_event(
                action="reviews.approve",
                request=request,
                obj=application,
                result=AuditEvent.Result.FAILURE,
                detail=_audit_detail(application, {"reason": str(refusal.message)[:200]}),
                actor_fields=audit_actor,
            )
        )
        outcomes[application.pk] = BulkOutcome(
            application.pk, application, approved=False, code=refusal.code or "refused", message=refusal.message
        )
    record_events(audit_rows)
    kinds = {name: get_kind(name) for name in checked}
    messages = (_notification(application=a, kind=kinds[a.kind], which="approved") for a in approved)
    queue_notifications([message for message in messages if message is not None])
    for application in approved:
        outcomes[application.pk] = BulkOutcome(application.pk, application, approved=True, code="approved")
    return outcomes


def _mark_approved(application: Application, actor: "User", now: datetime) -> Callable[[], None]:
    """Give the locked instance the state `approve` gives it; return how to take it back."""
    before = (application.status, application.version, application.decided_at, application.decided_by_id)
    application.status = Status.APPROVED
    application.version += 1
    application.decided_at = now
    application.decided_by = actor

    def undo() -> None:
        # Setting `decided_by_id` back also drops the cached `decided_by` when it names someone else.
        application.status, application.version, application.decided_at, application.decided_by_id = before

    return undo


def _approval_moves(applications: Sequence[Application], sign: int) -> Counter[tuple[int, str]]:
    """Counter changes of approving `applications` (sign +1) or of taking that back (-1)."""
    changes: Counter[tuple[int, str]] = Counter()
    for application in applications:
        changes[(application.unit_id, Status.PENDING)] -= sign
        changes[(application.unit_id, Status.APPROVED)] += sign
    return changes


def _apply_kind(kind: ApplicationKind, applications: list[Application]) -> tuple[dict[int, ReviewError], set[int]]:
    """Run the kind's apply for a batch: ({id: refusal}, {ids that failed unexpectedly})."""
    if kind.apply_many is not None:
        return dict(kind.apply_many(applications) or {}), set()
    refused: dict[int, ReviewError] = {}
    failed: set[int] = set()
    if kind.apply is None:
        return refused, failed
    for application in applications:
        try:
            with transaction.atomic():  # a savepoint: a refusal rolls back only what this apply wrote
                kind.apply(application)
        except ReviewError as exc:
            refused[application.pk] = exc
        except Exception:
            # A fault (not a refusal) in one application's apply must not hide what happened to the
            # others: its savepoint rolled back; the rest go on and the reviewer is told which failed.
            logger.exception("bulk approval of application %s failed", application.pk)
            failed.add(application.pk)
    return refused, failed
