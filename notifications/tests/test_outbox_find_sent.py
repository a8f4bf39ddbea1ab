"""The outbox asks the provider before re-sending a row whose previous attempt's outcome it never
learned (the worker died holding the lease, or the send timed out): sent once, not twice."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import backends
from notifications.backends import SmsBackend, SmsRetryableError, get_backend, register
from notifications.fakes import aliyun
from notifications.messages import SmsMessage
from notifications.models import Notification
from notifications.services import claim, deliver_notification, queue_notification, relay_outbox

from .provider_helpers import ALIYUN_CODES, ALIYUN_KEY_ID, SIGN_NAME, control, use_aliyun

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
PHONE = "13800000001"


def queue_lost(key="app:1:approved") -> Notification:
    """A pending row whose dispatch after commit never reached a worker."""
    with transaction.atomic():
        notification = queue_notification(
            phone=PHONE, template="application_approved", params={"label": "信息采集"}, dedupe_key=key
        )
        transaction.get_connection().run_on_commit.clear()
    return notification


def message_of(notification: Notification) -> SmsMessage:
    return SmsMessage(
        phone=notification.phone,
        template=notification.template,
        params=notification.params,
        out_id=str(notification.pk),
    )


def worker_dies_after_the_provider_took_it(notification: Notification, *, reached_provider: bool = True) -> None:
    """A worker claims the row, the provider takes the message, and the worker is SIGKILLed before it
    records the result: the row stays `sending` until its lease expires."""
    claimed = claim(notification.pk)
    assert claimed is not None
    if reached_provider:
        get_backend().send(message_of(claimed))
    expire_lease(notification)


def expire_lease(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def make_due(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=None)


def row(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


def copies_of(notification) -> list[SmsMessage]:
    return [message for message in backends.sent_messages if message.out_id == str(notification.pk)]


# --------------------------------------------------------------------------- locmem


def test_a_row_whose_worker_died_after_the_provider_took_it_is_recorded_without_a_second_send():
    notification = queue_lost()
    worker_dies_after_the_provider_took_it(notification)
    assert len(copies_of(notification)) == 1

    assert relay_outbox() == {"sent": 1, "not_sent": 0, "skipped": 0}

    sent = row(notification)
    assert len(copies_of(notification)) == 1  # no second call to the provider
    assert sent.status == Status.SENT
    assert sent.provider_message_id == f"locmem-{len(backends.sent_messages)}"  # what the query answered
    assert (sent.attempts, sent.outcome_unknown_since, sent.lease_token) == (2, None, None)


def test_a_row_whose_worker_died_before_reaching_the_provider_is_sent_normally():
    notification = queue_lost()
    worker_dies_after_the_provider_took_it(notification, reached_provider=False)

    relay_outbox()

    sent = row(notification)
    assert len(copies_of(notification)) == 1
    assert (sent.status, sent.attempts, sent.outcome_unknown_since) == (Status.SENT, 2, None)


def test_taking_over_an_expired_lease_remembers_when_the_dead_attempt_began():
    notification = queue_lost()
    first = claim(notification.pk)
    assert first.outcome_unknown_since is None  # a pending row: nothing in doubt
    expire_lease(notification)

    second = claim(notification.pk)

    assert second.outcome_unknown_since == first.last_attempt_at
    assert second.last_attempt_at > first.last_attempt_at


# --------------------------------------------------------------------------- a provider that can be scripted


class AskingBackend(SmsBackend):
    """Scripted sends, and a provider-side record of what it took that `find_sent` answers from."""

    sends: list = []
    queries: list = []
    taken: dict = {}
    send_script: list = []
    query_script: list = []

    def send(self, message):
        type(self).sends.append(message)
        outcome = type(self).send_script.pop(0) if type(self).send_script else "take"
        if outcome == "take-then-time-out":
            type(self).taken[message.out_id] = f"id-{len(type(self).sends)}"
            raise SmsRetryableError("read timed out", code="ReadTimeout", maybe_accepted=True)
        if isinstance(outcome, Exception):
            raise outcome
        type(self).taken[message.out_id] = f"id-{len(type(self).sends)}"
        return type(self).taken[message.out_id]

    def find_sent(self, message, *, since):
        type(self).queries.append((message, since))
        if type(self).query_script:
            outcome = type(self).query_script.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
        return type(self).taken.get(message.out_id)


@pytest.fixture
def provider(settings):
    register("asking-test")(AskingBackend)
    AskingBackend.sends, AskingBackend.queries, AskingBackend.taken = [], [], {}
    AskingBackend.send_script, AskingBackend.query_script = [], []
    settings.SMS_BACKEND = "asking-test"
    yield AskingBackend
    backends._registry.pop("asking-test")


def test_a_timed_out_send_the_provider_took_is_found_on_the_next_attempt(provider):
    provider.send_script = ["take-then-time-out"]
    notification = queue_lost()

    assert deliver_notification(notification.pk) is False
    doubtful = row(notification)
    assert doubtful.status == Status.PENDING
    assert doubtful.outcome_unknown_since == doubtful.last_attempt_at  # the timed-out attempt's start

    make_due(notification)
    assert deliver_notification(notification.pk) is True

    sent = row(notification)
    assert len(provider.sends) == 1
    assert provider.queries == [(message_of(sent), doubtful.last_attempt_at)]
    assert (sent.status, sent.provider_message_id, sent.outcome_unknown_since) == (Status.SENT, "id-1", None)


def test_a_refusal_the_provider_answered_with_is_retried_without_asking(provider):
    provider.send_script = [SmsRetryableError("throttled", code="isv.BUSINESS_LIMIT_CONTROL")]
    notification = queue_lost()

    deliver_notification(notification.pk)
    assert row(notification).outcome_unknown_since is None
    make_due(notification)
    deliver_notification(notification.pk)

    assert provider.queries == []
    assert len(provider.sends) == 2
    assert row(notification).status == Status.SENT


def test_an_unexpected_error_during_the_send_leaves_a_doubt(provider):
    provider.send_script = [RuntimeError("soft time limit in the middle of the request")]
    notification = queue_lost()

    deliver_notification(notification.pk)

    assert row(notification).outcome_unknown_since is not None


def test_a_query_that_fails_is_retried_later_and_nothing_is_sent(provider):
    notification = queue_lost()
    claim(notification.pk)
    expire_lease(notification)
    provider.query_script = [SmsRetryableError("aliyun query Throttling.User", code="Throttling.User")]

    assert relay_outbox() == {"sent": 0, "not_sent": 1, "skipped": 0}

    waiting = row(notification)
    assert provider.sends == []
    assert waiting.status == Status.PENDING
    assert waiting.next_attempt_at > timezone.now()
    assert waiting.outcome_unknown_since is not None  # still in doubt: the next attempt asks again
    assert "Throttling.User" in waiting.last_error

    make_due(notification)
    relay_outbox()
    assert len(provider.queries) == 2
    assert len(provider.sends) == 1  # the provider said it had nothing: sent now
    assert row(notification).status == Status.SENT


def test_a_query_failing_until_the_last_attempt_ends_in_the_dead_letter_still_in_doubt(provider, settings):
    settings.SMS_MAX_ATTEMPTS = 2
    notification = queue_lost()
    claim(notification.pk)
    expire_lease(notification)
    provider.query_script = [SmsRetryableError("query failed")]

    relay_outbox()

    dead = row(notification)
    assert (dead.status, dead.attempts) == (Status.FAILED, 2)
    assert dead.outcome_unknown_since is not None  # a resend by an administrator asks first
    assert provider.sends == []


def test_the_doubt_reaches_back_to_the_earliest_attempt_that_may_have_been_taken(provider):
    provider.send_script = ["take-then-time-out"]
    notification = queue_lost()
    deliver_notification(notification.pk)
    first_attempt = row(notification).last_attempt_at
    provider.query_script = [SmsRetryableError("query failed")]
    make_due(notification)
    deliver_notification(notification.pk)  # the query fails: the doubt stays as it was

    make_due(notification)
    assert deliver_notification(notification.pk) is True

    assert [since for _, since in provider.queries] == [first_attempt, first_attempt]
    assert len(provider.sends) == 1


# --------------------------------------------------------------------------- against the Alibaba fake


@pytest.fixture
def alibaba(settings):
    with aliyun.fake(
        sign_names=(SIGN_NAME,), templates=tuple(ALIYUN_CODES.values()), credential=ALIYUN_KEY_ID
    ) as server:
        use_aliyun(settings, server.url)
        yield server


def test_alibaba_a_killed_worker_send_is_found_by_query_and_not_sent_again(alibaba):
    notification = queue_lost()
    worker_dies_after_the_provider_took_it(notification)

    relay_outbox()

    sent = row(notification)
    assert [entry["out_id"] for entry in alibaba.state.accepted()] == [str(notification.pk)]  # one SendSms
    assert sent.status == Status.SENT
    assert sent.provider_message_id.startswith("QuerySendDetails ")


def test_alibaba_a_read_timeout_the_provider_took_is_not_sent_twice(alibaba, settings):
    settings.SMS_READ_TIMEOUT = 0.5
    control(alibaba.url, "/_fake/mode", {"mode": "slow", "delay": 30})
    notification = queue_lost()

    assert deliver_notification(notification.pk) is False
    assert "ReadTimeout" in row(notification).last_error
    control(alibaba.url, "/_fake/mode", {"mode": "ok"})
    make_due(notification)
    assert deliver_notification(notification.pk) is True

    assert len(alibaba.state.accepted()) == 1
    assert row(notification).status == Status.SENT


def test_alibaba_a_row_that_never_reached_it_is_sent_after_asking(alibaba):
    notification = queue_lost()
    worker_dies_after_the_provider_took_it(notification, reached_provider=False)

    relay_outbox()

    [entry] = alibaba.state.accepted()
    sent = row(notification)
    assert (sent.status, sent.provider_message_id) == (Status.SENT, entry["biz_id"])


def test_alibaba_a_query_that_fails_sends_nothing(alibaba):
    notification = queue_lost()
    worker_dies_after_the_provider_took_it(notification, reached_provider=False)
    control(alibaba.url, "/_fake/mode", {"mode": "down"})

    relay_outbox()

    assert alibaba.state.accepted() == []
    assert row(notification).status == Status.PENDING
