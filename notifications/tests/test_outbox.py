"""The transactional outbox: queue in the change's transaction, claim with a lease, send outside any
transaction, retry with backoff, dead-letter, and never send the same row twice."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from notifications import backends, services
from notifications.backends import SmsBackend, SmsPermanentError, SmsRetryableError, register
from notifications.models import Notification
from notifications.services import deliver_notification, queue_notification

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
APPROVED = "【湖北省会计人员管理系统】您的信息采集已审核通过。"


class ScriptedBackend(SmsBackend):
    """Answers each send with the next scripted outcome (an exception to raise, or a message id)."""

    script: list = []
    calls: list = []

    def send(self, message):
        type(self).calls.append(message)
        outcome = type(self).script.pop(0) if type(self).script else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return f"provider-{outcome}"


@pytest.fixture
def provider(settings):
    """A provider whose answers a test scripts: `provider.script = [SmsRetryableError("x"), ...]`."""
    register("scripted-test")(ScriptedBackend)
    ScriptedBackend.script, ScriptedBackend.calls = [], []
    settings.SMS_BACKEND = "scripted-test"
    yield ScriptedBackend
    backends._registry.pop("scripted-test")


def queue(key="app:1:approved", phone="13800000001"):
    return queue_notification(
        phone=phone, template="application_approved", params={"label": "信息采集"}, dedupe_key=key
    )


def queue_without_dispatch(key="app:1:approved"):
    """A pending row whose dispatch after commit was lost (the test then delivers it by hand)."""
    with transaction.atomic():
        notification = queue(key)
        transaction.get_connection().run_on_commit.clear()
    return notification


def row(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


# --------------------------------------------------------------------------- queue and send


def test_a_queued_notification_is_sent_once_after_commit():
    with transaction.atomic():
        queue()
        assert backends.outbox == []  # nothing leaves before the commit

    assert backends.outbox == [("13800000001", APPROVED)]
    sent = Notification.objects.get()
    assert sent.status == Notification.Status.SENT
    # The locmem backend answers the n-th message it ever took with the id "locmem-n".
    provider_id = f"locmem-{len(backends.sent_messages)}"
    assert (sent.attempts, sent.provider_message_id, sent.lease_token, sent.last_error) == (1, provider_id, None, "")
    assert sent.sent_at is not None
    assert backends.sent_messages[-1].out_id == str(sent.pk)  # the provider's out-id is our row id


def test_a_rolled_back_change_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue("app:2:approved")
        raise RuntimeError

    assert backends.outbox == []
    assert not Notification.objects.exists()


def test_the_same_key_is_queued_and_sent_only_once():
    queue("app:3:approved")
    queue("app:3:approved")
    notification = Notification.objects.get()

    assert deliver_notification(notification.pk) is False  # already sent: a redelivered task does nothing
    assert len(backends.outbox) == 1
    assert row(notification).attempts == 1


def test_a_task_run_twice_for_the_same_row_calls_the_provider_once(provider):
    notification = queue_without_dispatch()

    assert deliver_notification(notification.pk) is True
    assert deliver_notification(notification.pk) is False

    assert len(provider.calls) == 1
    assert row(notification).status == Notification.Status.SENT


def test_the_provider_is_called_outside_any_transaction(settings):
    seen = []

    @register("watching-test")
    class WatchingBackend(SmsBackend):
        def send(self, message):
            seen.append(transaction.get_connection().in_atomic_block)
            return "id-1"

    try:
        settings.SMS_BACKEND = "watching-test"
        queue()
    finally:
        backends._registry.pop("watching-test")

    assert seen == [False]
    assert Notification.objects.get().status == Notification.Status.SENT


# --------------------------------------------------------------------------- retries and dead letters


def test_a_retryable_error_puts_the_row_back_with_a_backoff(provider):
    provider.script = [SmsRetryableError("provider timeout for 13912345678")]
    with time_machine.travel(NOW, tick=False):
        notification = queue()

    failed = row(notification)
    assert failed.status == Notification.Status.PENDING
    assert failed.attempts == 1
    assert failed.lease_token is None and failed.lease_expires_at is None
    assert failed.last_error == "SmsRetryableError: provider timeout for 139****5678"  # phones masked
    assert NOW + timedelta(seconds=24) <= failed.next_attempt_at <= NOW + timedelta(seconds=36)


def test_a_row_is_not_retried_before_its_next_attempt(provider):
    provider.script = [SmsRetryableError("busy")]
    with time_machine.travel(NOW, tick=False):
        notification = queue()
    next_attempt_at = row(notification).next_attempt_at

    with time_machine.travel(next_attempt_at - timedelta(seconds=1), tick=False):
        assert deliver_notification(notification.pk) is False
    assert len(provider.calls) == 1

    with time_machine.travel(next_attempt_at, tick=False):
        assert deliver_notification(notification.pk) is True
    assert len(provider.calls) == 2
    assert row(notification).status == Notification.Status.SENT


def test_the_backoff_doubles_within_its_jitter_until_the_dead_letter(provider, settings):
    settings.SMS_MAX_ATTEMPTS = 5
    settings.SMS_RETRY_BASE_SECONDS = 30
    settings.SMS_RETRY_MAX_SECONDS = 200
    provider.script = [SmsRetryableError(f"down {n}") for n in range(5)]
    notification = queue_without_dispatch()

    scheduled = []
    clock = NOW
    for _attempt in range(4):
        with time_machine.travel(clock, tick=False):
            assert deliver_notification(notification.pk) is False
        next_at = row(notification).next_attempt_at
        scheduled.append((next_at - clock).total_seconds())
        clock = next_at

    for seconds, nominal in zip(scheduled, [30, 60, 120, 200], strict=True):  # 240 capped at 200
        assert nominal * 0.8 <= seconds <= nominal * 1.2
    assert scheduled[1] > scheduled[0] and scheduled[2] > scheduled[1]

    with time_machine.travel(clock, tick=False):
        assert deliver_notification(notification.pk) is False
    dead = row(notification)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == (Notification.Status.FAILED, 5, None)
    assert dead.last_error == "SmsRetryableError: down 4"

    with time_machine.travel(clock + timedelta(days=1), tick=False):
        assert deliver_notification(notification.pk) is False  # a dead letter is never retried on its own
    assert len(provider.calls) == 5


def test_the_retry_delay_stays_within_its_jitter_and_cap(settings):
    settings.SMS_RETRY_BASE_SECONDS = 30
    settings.SMS_RETRY_MAX_SECONDS = 3600
    settings.SMS_RETRY_JITTER = 0.2
    for attempt, nominal in [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)]:
        samples = [services.retry_delay(attempt).total_seconds() for _ in range(200)]
        assert all(nominal * 0.8 <= s <= nominal * 1.2 for s in samples)
        assert len(set(samples)) > 1  # jittered, not all the same


def test_a_permanent_error_fails_at_once(provider):
    provider.script = [SmsPermanentError("template not approved")]
    notification = queue()

    failed = row(notification)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (Notification.Status.FAILED, 1, None)
    assert failed.last_error == "SmsPermanentError: template not approved"
    assert deliver_notification(notification.pk) is False
    assert len(provider.calls) == 1


def test_an_unexpected_provider_exception_is_retried_like_a_time_out(provider):
    provider.script = [TimeoutError()]
    with time_machine.travel(NOW, tick=False):
        notification = queue()

    failed = row(notification)
    assert (failed.status, failed.last_error) == (Notification.Status.PENDING, "TimeoutError")
    assert failed.next_attempt_at > NOW


# --------------------------------------------------------------------------- leases


def test_a_worker_killed_mid_send_leaves_a_lease_that_expires_and_the_row_is_sent_once(provider, settings):
    settings.SMS_LEASE_SECONDS = 60
    notification = queue_without_dispatch()
    with time_machine.travel(NOW, tick=False):
        dead_worker = services.claim(notification.pk)  # claimed, then the worker died before the provider answered
    assert dead_worker is not None
    leased = row(notification)
    assert (leased.status, leased.attempts) == (Notification.Status.SENDING, 1)
    assert leased.lease_expires_at == NOW + timedelta(seconds=60)

    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        assert deliver_notification(notification.pk) is False  # the redelivered task: still leased
    assert provider.calls == []

    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert deliver_notification(notification.pk) is True
    assert len(provider.calls) == 1
    sent = row(notification)
    assert (sent.status, sent.attempts) == (Notification.Status.SENT, 2)


def test_a_worker_whose_lease_was_taken_over_does_not_record_its_result(provider):
    notification = queue_without_dispatch()
    with time_machine.travel(NOW, tick=False):
        slow_worker = services.claim(notification.pk)
    with time_machine.travel(NOW + timedelta(seconds=120), tick=False):
        second_worker = services.claim(notification.pk)
    assert second_worker.lease_token != slow_worker.lease_token

    # The slow worker comes back with a failure: the row stays with the second worker.
    services._record_failure(slow_worker, SmsRetryableError("late"), permanent=False)
    assert (row(notification).status, row(notification).lease_token) == (
        Notification.Status.SENDING,
        second_worker.lease_token,
    )
    services._record_sent(second_worker, "provider-2")
    services._record_sent(slow_worker, "provider-1")  # too late: not recorded over the holder's result

    sent = row(notification)
    assert (sent.status, sent.provider_message_id, sent.attempts) == (Notification.Status.SENT, "provider-2", 2)
