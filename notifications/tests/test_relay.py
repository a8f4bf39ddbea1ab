"""The outbox relay and the faults it covers: broker down at commit, concurrent deliveries, beat set-up."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from config.settings import _redis_database
from core.tests.concurrency import retry_while_sqlite_is_locked, run_in_threads
from notifications import backends, services
from notifications.backends import SmsBackend, SmsRetryableError, register
from notifications.models import Notification
from notifications.services import queue_notification, relay_outbox
from notifications.tasks import deliver_notification as deliver_task
from reviews.constants import Status
from reviews.tests.factories import KindRecorder, make_application, reviewer_for

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def queue_lost(key: str, phone: str = "13800000001") -> Notification:
    """A pending row whose dispatch after commit never reached a worker."""
    with transaction.atomic():
        notification = queue_notification(
            phone=phone, template="application_approved", params={"label": "信息采集"}, dedupe_key=key
        )
        transaction.get_connection().run_on_commit.clear()
    return notification


def status_of(notification) -> str:
    return Notification.objects.get(pk=notification.pk).status


# --------------------------------------------------------------------------- relay


@pytest.mark.django_db(transaction=True)
def test_the_relay_sends_due_rows_and_expired_leases_and_leaves_the_rest(settings):
    settings.SMS_LEASE_SECONDS = 60
    lost = queue_lost("k:lost")
    retry_due = queue_lost("k:retry-due")
    retry_later = queue_lost("k:retry-later")
    orphaned = queue_lost("k:orphaned")  # its worker died while sending
    leased = queue_lost("k:leased")  # a worker is sending it right now
    failed = queue_lost("k:failed")
    with time_machine.travel(NOW, tick=False):
        Notification.objects.filter(pk=retry_due.pk).update(attempts=1, next_attempt_at=NOW - timedelta(seconds=1))
        Notification.objects.filter(pk=retry_later.pk).update(attempts=1, next_attempt_at=NOW + timedelta(seconds=30))
        Notification.objects.filter(pk=failed.pk).update(status=Notification.Status.FAILED, attempts=5)
        with time_machine.travel(NOW - timedelta(seconds=61), tick=False):
            assert services.claim(orphaned.pk) is not None
        assert services.claim(leased.pk) is not None

        counts = relay_outbox()

    assert counts == {"sent": 3, "not_sent": 0, "skipped": 0}
    assert [status_of(n) for n in (lost, retry_due, orphaned)] == [Notification.Status.SENT] * 3
    assert status_of(retry_later) == Notification.Status.PENDING
    assert status_of(leased) == Notification.Status.SENDING
    assert status_of(failed) == Notification.Status.FAILED
    assert len(backends.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_the_relay_takes_a_batch_at_a_time_oldest_first():
    rows = [queue_lost(f"k:{n}", phone=f"1380000000{n}") for n in range(5)]

    assert relay_outbox(batch_size=2)["sent"] == 2
    assert [status_of(n) for n in rows] == ["sent", "sent", "pending", "pending", "pending"]
    call_command("relay_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115 - the command's output is not the point
    assert [status_of(n) for n in rows] == ["sent"] * 5


@pytest.mark.django_db(transaction=True)
def test_a_relay_out_of_time_stops_claiming_and_leaves_the_rest_for_its_next_run():
    rows = [queue_lost(f"k:{n}") for n in range(3)]

    assert relay_outbox(time_budget=-1) == {"sent": 0, "not_sent": 0, "skipped": 0}
    assert [status_of(n) for n in rows] == ["pending"] * 3


@pytest.mark.django_db(transaction=True)
def test_the_relay_retries_a_failing_provider_until_the_dead_letter(settings):
    settings.SMS_MAX_ATTEMPTS = 3

    @register("down-test")
    class DownBackend(SmsBackend):
        def send(self, message):
            raise SmsRetryableError("503 from provider")

    settings.SMS_BACKEND = "down-test"
    try:
        notification = queue_lost("k:down")
        clock = NOW
        for _ in range(3):
            with time_machine.travel(clock, tick=False):
                assert relay_outbox()["not_sent"] == 1
            clock += timedelta(hours=2)  # past any backoff
        with time_machine.travel(clock, tick=False):
            assert relay_outbox() == {"sent": 0, "not_sent": 0, "skipped": 0}
    finally:
        backends._registry.pop("down-test")

    dead = Notification.objects.get(pk=notification.pk)
    assert (dead.status, dead.attempts, dead.last_error) == (
        Notification.Status.FAILED,
        3,
        "SmsRetryableError: 503 from provider",
    )


# --------------------------------------------------------------------------- the same row delivered twice at once


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_row_at_once_call_the_provider_once(settings, monkeypatch):
    """Two threads (two connections) run the task for one row at the same moment."""
    entered, release = threading.Event(), threading.Event()
    calls = []

    @register("slow-test")
    class SlowBackend(SmsBackend):
        def send(self, message):
            calls.append(message.out_id)
            entered.set()
            assert release.wait(10), "the test never released the provider"
            return "slow-1"

    settings.SMS_BACKEND = "slow-test"
    notification = queue_lost("k:race")
    start = threading.Barrier(2)
    claims_done = threading.Semaphore(0)
    real_claim = services.claim

    def racing_claim(notification_id):
        start.wait(10)
        try:
            return retry_while_sqlite_is_locked(lambda: real_claim(notification_id))
        finally:
            claims_done.release()

    monkeypatch.setattr(services, "claim", racing_claim)
    try:
        threads, results = run_in_threads(
            lambda: services.deliver_notification(notification.pk),
            lambda: services.deliver_notification(notification.pk),
        )
        for _ in range(2):
            assert claims_done.acquire(timeout=20)  # both claims answered while the winner is mid-send
        assert entered.wait(10)
        release.set()
        for thread in threads:
            thread.join(20)
    finally:
        release.set()
        backends._registry.pop("slow-test")

    assert sorted(results, key=str) == [False, True]
    assert calls == [str(notification.pk)]
    sent = Notification.objects.get(pk=notification.pk)
    assert (sent.status, sent.attempts, sent.provider_message_id) == (Notification.Status.SENT, 1, "slow-1")


# --------------------------------------------------------------------------- broker down while a reviewer approves


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def test_kind():
    recorder = KindRecorder().register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def broker_on_a_closed_port():
    """Tasks really go to a broker, which is not there (port 18299 of this helper's range is closed)."""
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = (conf.task_always_eager, conf.broker_url, celery_app._pool, amqp._producer_pool)
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:18299/1"
    celery_app._pool = amqp._producer_pool = None  # new connections to the new URL
    yield
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    conf.task_always_eager, conf.broker_url, celery_app._pool, amqp._producer_pool = saved


def approve_through_the_page(client, login_staff, application, django_capture_on_commit_callbacks):
    reviewer = reviewer_for("420102")
    login_staff(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reviews:approve", args=[application.pk]), {"version": application.version})


@pytest.mark.django_db
def test_an_approval_with_the_broker_down_succeeds_and_the_relay_sends_the_sms_later(
    client, login_staff, test_kind, broker_on_a_closed_port, django_capture_on_commit_callbacks, caplog
):
    application = make_application(status=Status.PENDING)

    response = approve_through_the_page(client, login_staff, application, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == reverse("reviews:inbox")
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 0)
    assert backends.outbox == []
    assert "the relay will send it" in caplog.text

    assert relay_outbox()["sent"] == 1
    assert backends.outbox == [(application.applicant.phone, "【湖北省会计人员管理系统】您的测试申请已审核通过。")]
    assert Notification.objects.get().status == Notification.Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error", [OperationalError("Error 111 connecting to redis"), ConnectionError("reset"), RuntimeError("bug")]
)
def test_any_error_dispatching_after_commit_leaves_the_row_pending_and_the_request_succeeds(
    client, login_staff, test_kind, django_capture_on_commit_callbacks, monkeypatch, error
):
    def broken_apply_async(*args, **kwargs):
        raise error

    monkeypatch.setattr(deliver_task, "apply_async", broken_apply_async)
    application = make_application(status=Status.PENDING)

    response = approve_through_the_page(client, login_staff, application, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert Notification.objects.get().status == Notification.Status.PENDING
    monkeypatch.undo()
    assert relay_outbox()["sent"] == 1


# --------------------------------------------------------------------------- settings


def test_celery_redelivers_safely_and_beat_runs_the_relay():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.result_backend is None and conf.task_ignore_result
    assert conf.broker_transport_options["visibility_timeout"] > django_settings.SMS_LEASE_SECONDS
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    entry = conf.beat_schedule["notifications-relay-outbox"]
    assert entry["task"] == "notifications.relay_outbox" and entry["task"] in celery_app.tasks
    assert entry["schedule"] == django_settings.SMS_RELAY_INTERVAL_SECONDS
    # A send ends before its lease does.
    assert deliver_task.time_limit < django_settings.SMS_LEASE_SECONDS


def test_the_broker_defaults_to_another_database_of_the_redis_server():
    assert _redis_database("redis://cache.internal:6379/0", 1) == "redis://cache.internal:6379/1"
    assert _redis_database("rediss://:secret@cache.internal:6380", 1) == "rediss://:secret@cache.internal:6380/1"
    assert _redis_database("memory://", 1) == "memory://"
