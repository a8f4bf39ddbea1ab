"""Sending SMS: now (one-time codes) or through the transactional outbox (notices after a change commits).

The outbox "loses nothing and sends once":

- Loses nothing. `queue_notification` writes the row in the transaction of the change. After the
  commit a task is dispatched for a quick delivery, but dispatching never fails the request: with
  the broker down the row just stays pending. The relay (`relay_outbox`, a periodic task) sends
  every due pending row and every row whose lease expired, so a lost broker message, a Redis
  restart or a dead worker only delays a message; a provider that keeps failing ends in `failed`
  (the dead letter), which system administrators see and can resend.
- Sends once. A worker claims a row with one conditional UPDATE in its own short transaction;
  only one worker can win it, so a second, duplicated or redelivered task for a row that is sent
  or leased does nothing. The provider is called outside any transaction or lock, and the result
  is recorded only by the holder of the current lease token.

Sends once, also when a worker dies in the middle of a send. If the worker dies (or the database
is unreachable) after the provider accepted a message but before the result is recorded, the
lease expires and the row is claimed again; a read time-out or a reset connection leaves the same
doubt. The row remembers it (`outcome_unknown_since`: a claim of an expired lease sets it, and so
does a failure whose request may have reached the provider, `SmsDeliveryError.maybe_accepted`),
and the next attempt first asks the provider whether it already took a message with this out-id
(the row id, `SmsMessage.out_id`) — `SmsBackend.find_sent`: Alibaba's QuerySendDetails, Tencent's
PullSmsSendStatusByPhoneNumber. Found: the row is recorded as sent without sending. Not found:
sent. The query fails: a retryable failure (backoff, the doubt kept), never a blind re-send. So a
duplicate is prevented whenever the provider's query answers; what remains is a provider whose
query cannot see the message yet (Tencent lists a message only once the carrier's receipt came
back, and echoes the out-id only where Tencent enabled it) or a backend that cannot ask (console),
where the message is sent again with the same out-id. The lease (SMS_LEASE_SECONDS) must be longer
than the provider's time-outs (a query and a send), or a slow send could be claimed and sent again
by another worker.
"""

import logging
import random
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from audit.services import record_event
from core.masking import mask_phone

from .backends import SmsDeliveryError, SmsPermanentError, get_backend
from .messages import SmsMessage, render
from .models import Notification

logger = logging.getLogger(__name__)

Status = Notification.Status


def send_sms_now(*, phone: str, template: str, params: dict[str, Any]) -> None:
    """Send at once, for one-time codes. The code is never logged or stored outside the dev outbox."""
    get_backend().send(SmsMessage(phone=phone, template=template, params=params))
    logger.info("sms %s sent to %s", template, mask_phone(phone))


def queue_notification(*, phone: str, template: str, params: dict[str, Any], dedupe_key: str) -> Notification:
    """Write an outbox row in the caller's transaction; dispatch its delivery once that commits.

    The same `dedupe_key` queued twice is one row. Dispatching never raises (see `dispatch`).
    """
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"phone": phone, "template": template, "params": params, "text": render(template, params)[:500]},
    )
    if created:
        pk = notification.pk
        transaction.on_commit(lambda: dispatch(pk))
    return notification


def dispatch(notification_id: int) -> bool:
    """Hand a row to a worker now. Never raises: if the broker is unreachable (or, with tasks run
    inline, anything fails) the row stays pending and the relay sends it. Returns whether it was handed over."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:  # noqa: BLE001 - broker down, publish time-out, ...: the relay takes over
        logger.warning(
            "outbox: could not dispatch notification %s now; the relay will send it", notification_id, exc_info=True
        )
        return False
    return True


def queue_notifications(items: list[dict[str, Any]]) -> list[Notification]:
    """`queue_notification` for many messages at once (a batch of decisions), in a constant number of queries.

    `items` are dicts of `queue_notification`'s keyword arguments. One query finds the keys already
    queued (those rows are returned as they are, not queued again; a key repeated in `items` counts
    once), one INSERT writes the others, and one on-commit callback dispatches all the new rows
    (`dispatch_all`: never raises). A row with the same key written meanwhile by another
    transaction makes the INSERT fail (IntegrityError): the caller's transaction rolls back.
    Returns the rows, in the order of the first occurrence of each key.
    """
    wanted: dict[str, dict[str, Any]] = {}
    for item in items:
        wanted.setdefault(item["dedupe_key"], item)
    if not wanted:
        return []
    existing = {n.dedupe_key: n for n in Notification.objects.filter(dedupe_key__in=list(wanted))}
    created = Notification.objects.bulk_create(
        [
            Notification(
                dedupe_key=key,
                phone=item["phone"],
                template=item["template"],
                params=item["params"],
                text=render(item["template"], item["params"])[:500],
            )
            for key, item in wanted.items()
            if key not in existing
        ]
    )
    ids = [notification.pk for notification in created]
    if ids:
        transaction.on_commit(lambda: dispatch_all(ids))
    by_key = {**existing, **{notification.dedupe_key: notification for notification in created}}
    return [by_key[key] for key in wanted]


def dispatch_all(notification_ids: list[int]) -> int:
    """`dispatch` each row in turn; stop at the first that cannot be handed over (the broker is down:
    the relay sends the rest, and a batch does not wait for one time-out per row). Never raises.
    Returns how many were handed over."""
    handed = 0
    for notification_id in notification_ids:
        if not dispatch(notification_id):
            break
        handed += 1
    return handed


# --------------------------------------------------------------------------- claim, send, record


def _claimable(now: datetime) -> Q:
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    expired = Q(status=Status.SENDING) & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
    return due | expired


def claim(notification_id: int) -> Notification | None:
    """Take the lease on one row if it is due (or its previous lease expired), in a short transaction of its own.

    Counts the attempt. Returns the claimed row (with its `lease_token`), or None if the row is
    sent, failed, not yet due or leased by another worker. Concurrent claims: exactly one wins
    (PostgreSQL re-checks the WHERE clause after waiting for the row lock; SQLite serialises writes).
    Taking over an expired lease sets `outcome_unknown_since` (to the start of the dead worker's
    attempt, unless an earlier doubt is still open): the provider may have taken that attempt.
    """
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        won = (
            Notification.objects.filter(_claimable(now), pk=notification_id).update(
                status=Status.SENDING,
                lease_token=token,
                lease_expires_at=now + timedelta(seconds=settings.SMS_LEASE_SECONDS),
                attempts=F("attempts") + 1,
                last_attempt_at=now,
                # The right-hand sides of an UPDATE read the row as it was before it.
                outcome_unknown_since=Case(
                    When(
                        status=Status.SENDING,
                        then=Coalesce(F("outcome_unknown_since"), F("last_attempt_at"), F("created_at")),
                    ),
                    default=F("outcome_unknown_since"),
                ),
            )
            == 1
        )
    if not won:
        return None
    notification = Notification.objects.filter(pk=notification_id, lease_token=token).first()
    return notification


def deliver_notification(notification_id: int) -> bool:
    """Send one outbox row if it can be claimed. Returns whether it was sent now.

    Must run outside any transaction (a task, the relay): the provider is never called while a
    database transaction or lock is held.
    """
    notification = claim(notification_id)
    if notification is None:
        return False
    return _send_claimed(notification)


def _send_claimed(notification: Notification) -> bool:
    """Send a claimed row, after asking the provider first if an earlier attempt's outcome is unknown."""
    message = SmsMessage(
        phone=notification.phone,
        template=notification.template,
        params=notification.params,
        out_id=str(notification.pk),
    )
    backend = get_backend()
    if notification.outcome_unknown_since is not None:
        try:
            found = backend.find_sent(message, since=notification.outcome_unknown_since)
        except Exception as exc:  # noqa: BLE001 - the provider cannot say: retry later rather than risk a duplicate
            _record_failure(
                notification, exc, permanent=False, outcome_unknown_since=notification.outcome_unknown_since
            )
            return False
        if found is not None:
            _record_sent(notification, found or "", already_at_provider=True)
            return True
    try:
        provider_message_id = backend.send(message)
    except SmsPermanentError as exc:
        _record_failure(notification, exc, permanent=True, outcome_unknown_since=_doubt(notification, exc))
        return False
    except Exception as exc:  # noqa: BLE001 - retryable, a time-out or anything unexpected: try again later
        _record_failure(notification, exc, permanent=False, outcome_unknown_since=_doubt(notification, exc))
        return False
    _record_sent(notification, provider_message_id or "")
    return True


def _doubt(notification: Notification, exc: Exception) -> datetime | None:
    """`outcome_unknown_since` after this attempt failed with `exc`.

    An error the provider answered with proves it did not take the message; a transport failure
    may not (`maybe_accepted`), nor may anything unexpected (e.g. Celery's soft time limit in the
    middle of the request). Earlier doubts were settled by asking before this attempt.
    """
    maybe_accepted = exc.maybe_accepted if isinstance(exc, SmsDeliveryError) else True
    return (notification.last_attempt_at or timezone.now()) if maybe_accepted else None


def _held(notification: Notification) -> QuerySet[Notification]:
    """The row, only while this worker still holds its lease."""
    return Notification.objects.filter(pk=notification.pk, status=Status.SENDING, lease_token=notification.lease_token)


def _record_sent(notification: Notification, provider_message_id: str, *, already_at_provider: bool = False) -> None:
    recorded = _held(notification).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=str(provider_message_id)[:100],
        last_error="",
        next_attempt_at=None,
        lease_token=None,
        lease_expires_at=None,
        outcome_unknown_since=None,
    )
    if recorded and already_at_provider:
        logger.info(
            "sms %s to %s (notification %s): the provider had already taken an earlier attempt; "
            "recorded as sent without sending again",
            notification.template,
            mask_phone(notification.phone),
            notification.pk,
        )
    elif recorded:
        logger.info(
            "sms %s sent to %s (notification %s, attempt %s)",
            notification.template,
            mask_phone(notification.phone),
            notification.pk,
            notification.attempts,
        )
    else:
        logger.warning(
            "outbox: notification %s was sent but its lease had been taken over; it may be sent twice "
            "(same out-id) — raise SMS_LEASE_SECONDS above the provider's time-out",
            notification.pk,
        )


_PHONE_RE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def describe_error(exc: BaseException) -> str:
    """The error as stored in `last_error`: its class and message, mobile numbers masked, at most 200 characters."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _PHONE_RE.sub(lambda match: mask_phone(match.group()), text)[:200]


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, ...).

    SMS_RETRY_BASE_SECONDS doubled per attempt, capped at SMS_RETRY_MAX_SECONDS, then moved by a
    random ± SMS_RETRY_JITTER share of itself so that rows failed together do not retry together.
    """
    exponent = min(max(attempt, 1) - 1, 30)
    delay = min(settings.SMS_RETRY_BASE_SECONDS * 2**exponent, settings.SMS_RETRY_MAX_SECONDS)
    spread = delay * settings.SMS_RETRY_JITTER
    return timedelta(seconds=delay + random.uniform(-spread, spread))


def _record_failure(
    notification: Notification, exc: Exception, *, permanent: bool, outcome_unknown_since: datetime | None = None
) -> None:
    error = describe_error(exc)
    dead = permanent or notification.attempts >= settings.SMS_MAX_ATTEMPTS
    changes: dict[str, Any] = {
        "last_error": error,
        "lease_token": None,
        "lease_expires_at": None,
        "outcome_unknown_since": outcome_unknown_since,
    }
    if dead:
        changes.update(status=Status.FAILED, next_attempt_at=None)
    else:
        changes.update(status=Status.PENDING, next_attempt_at=timezone.now() + retry_delay(notification.attempts))
    recorded = _held(notification).update(**changes)
    if not recorded:
        logger.warning("outbox: notification %s failed after its lease had been taken over: %s", notification.pk, error)
    elif dead:
        logger.error(
            "outbox: sms %s to %s failed for good after %s attempt(s): %s",
            notification.template,
            mask_phone(notification.phone),
            notification.attempts,
            error,
        )
    else:
        logger.warning(
            "outbox: sms %s to %s failed (attempt %s of %s), retrying at %s: %s",
            notification.template,
            mask_phone(notification.phone),
            notification.attempts,
            settings.SMS_MAX_ATTEMPTS,
            changes["next_attempt_at"].isoformat(),
            error,
        )


# --------------------------------------------------------------------------- relay


def due_notification_ids(*, limit: int) -> list[int]:
    """Rows to deliver now, oldest first: due pending rows, then `sending` rows whose lease expired."""
    now = timezone.now()
    pending = (
        Notification.objects.filter(status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(pending)
    if len(ids) < limit:
        expired = (
            Notification.objects.filter(status=Status.SENDING)
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
            .order_by("pk")
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
        ids.extend(expired)
    return ids


def relay_outbox(*, batch_size: int | None = None, time_budget: float | None = None) -> dict[str, int]:
    """Deliver what is due: the outbox's safety net, run periodically (Celery beat, `relay_outbox` command).

    Claims and sends each due row in turn (the same claim as the task, so a row dispatched at
    commit and picked up here is still sent once). Stops claiming after `time_budget` seconds so
    that a run ends before the next one starts; what is left waits for the next run.
    """
    batch_size = batch_size or settings.SMS_RELAY_BATCH_SIZE
    time_budget = settings.SMS_RELAY_TIME_BUDGET_SECONDS if time_budget is None else time_budget
    started = time.monotonic()
    counts = {"sent": 0, "not_sent": 0, "skipped": 0}
    for notification_id in due_notification_ids(limit=batch_size):
        if time.monotonic() - started > time_budget:
            break
        notification = claim(notification_id)
        if notification is None:
            counts["skipped"] += 1  # sent or claimed meanwhile by a task or another relay
        elif _send_claimed(notification):
            counts["sent"] += 1
        else:
            counts["not_sent"] += 1
    if counts["sent"] or counts["not_sent"]:
        logger.info("outbox relay: %(sent)s sent, %(not_sent)s failed or retrying, %(skipped)s skipped", counts)
    return counts


# --------------------------------------------------------------------------- dead letters


class NotResendable(Exception):
    """The row is no longer failed (someone resent it already, or it was sent)."""


def resend_failed(*, notification: Notification, request: HttpRequest | None) -> Notification:
    """Put a failed row back to pending with a fresh attempt budget and dispatch it after commit. Audited.

    Raises NotResendable if the row is not failed any more (e.g. another administrator was quicker).
    """
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != Status.FAILED:
            raise NotResendable
        attempts, last_error = locked.attempts, locked.last_error
        locked.status = Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.lease_token = None
        locked.lease_expires_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "lease_token", "lease_expires_at"])
        record_event(
            action="notifications.resend",
            request=request,
            obj=locked,
            detail={
                "phone": mask_phone(locked.phone),
                "template": locked.template,
                "attempts": attempts,
                "last_error": last_error,
            },
        )
        pk = locked.pk
        transaction.on_commit(lambda: dispatch(pk))
    return locked
