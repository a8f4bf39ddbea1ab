"""Real concurrency: threads with their own database connections, committed data.

The first decision holds the row lock inside the kind's apply() until the database shows the second
one waiting for that lock (PostgreSQL: pg_stat_activity; SQLite serialises writers at BEGIN
IMMEDIATE, so there a short pause stands in), so the two really overlap.
"""

import threading
from unittest import mock

import pytest

from core.tests.concurrency import retry_while_sqlite_is_locked, run_in_threads, wait_until_someone_waits_for_a_lock
from notifications import backends
from notifications.models import Notification
from reviews import services
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.services import ReviewError

from .factories import ApplicantFactory, counters, make_application, recount, review_unit, reviewer_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_deciding_at_once_exactly_one_wins_and_the_other_is_told(test_kind):
    application = make_application(status=Status.PENDING)
    version = application.version
    first, second = reviewer_for("420102"), reviewer_for("420102")
    in_apply, release = threading.Event(), threading.Event()

    def slow_apply(app):
        in_apply.set()
        assert release.wait(15)

    test_kind.during_apply = slow_apply

    def approve_first():
        return retry_while_sqlite_is_locked(
            lambda: services.approve(
                application=Application.objects.get(pk=application.pk), actor=first, expected_version=version
            )
        )

    def return_second():
        assert in_apply.wait(15)  # the approval holds the row lock now
        return retry_while_sqlite_is_locked(
            lambda: services.return_for_changes(
                application=Application.objects.get(pk=application.pk),
                actor=second,
                expected_version=version,
                reason="照片不清晰",
            )
        )

    threads, results = run_in_threads(approve_first, return_second)
    try:
        assert in_apply.wait(15)
        wait_until_someone_waits_for_a_lock()
    finally:
        release.set()
        for thread in threads:
            thread.join(30)

    winner, loser = results
    assert isinstance(winner, Application) and winner.status == Status.APPROVED
    assert isinstance(loser, ReviewError)
    assert str(loser) == "该申请已被其他审核人处理"
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.version == version + 1
    assert application.decided_by == first
    decisions = ReviewEvent.objects.filter(
        application=application, event_type__in=[EventType.APPROVED, EventType.RETURNED]
    )
    assert decisions.count() == 1
    assert Notification.objects.count() == 1
    assert backends.outbox == [(application.applicant.phone, "【湖北省会计人员管理系统】您的测试申请已审核通过。")]
    assert counters() == recount()


def test_two_equal_approvals_at_once_apply_the_payload_once(test_kind):
    application = make_application(status=Status.PENDING)
    reviewers = [reviewer_for("420102"), reviewer_for("420102")]
    gate = threading.Barrier(2)

    def approve_as(reviewer):
        def job():
            gate.wait(10)
            return retry_while_sqlite_is_locked(
                lambda: services.approve(
                    application=Application.objects.get(pk=application.pk),
                    actor=reviewer,
                    expected_version=application.version,
                )
            )

        return job

    threads, results = run_in_threads(*(approve_as(r) for r in reviewers))
    for thread in threads:
        thread.join(30)

    assert sorted(type(r).__name__ for r in results) == ["Application", "ReviewError"]
    assert test_kind.applied == [application.pk]
    assert len(backends.outbox) == 1
    assert counters() == recount()


def test_starting_the_same_application_twice_at_once_creates_one(test_kind):
    applicant = ApplicantFactory()
    unit = review_unit("420102")
    both_looked = threading.Barrier(2)
    real_lookup = services._open_application
    looked = threading.local()

    def lookup_then_wait(*args):
        found = real_lookup(*args)
        if not getattr(looked, "done", False):
            looked.done = True
            both_looked.wait(10)  # both saw "nothing open" before either inserts
        return found

    def start():
        return retry_while_sqlite_is_locked(
            lambda: services.start_application(kind="testkind", applicant=applicant, unit=unit)
        )

    with mock.patch.object(services, "_open_application", lookup_then_wait):
        threads, results = run_in_threads(start, start)
        for thread in threads:
            thread.join(30)

    assert all(isinstance(r, Application) for r in results), results
    assert results[0].pk == results[1].pk
    assert Application.objects.filter(applicant=applicant).count() == 1
    assert ReviewEvent.objects.filter(event_type=EventType.CREATED).count() == 1


def test_submitting_twice_at_once_queues_the_application_once(test_kind):
    application = make_application(status=Status.DRAFT)
    gate = threading.Barrier(2)

    def submit():
        gate.wait(10)
        return retry_while_sqlite_is_locked(
            lambda: services.submit(application=Application.objects.get(pk=application.pk), actor=application.applicant)
        )

    threads, results = run_in_threads(submit, submit)
    for thread in threads:
        thread.join(30)

    assert all(isinstance(r, Application) for r in results), results
    assert ReviewEvent.objects.filter(application=application, event_type=EventType.SUBMITTED).count() == 1
    assert Application.objects.get(pk=application.pk).version == application.version + 1
    assert counters() == recount()
