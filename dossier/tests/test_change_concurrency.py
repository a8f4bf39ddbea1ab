"""信息变更 under real concurrency (threads, own connections, committed data): one open change per
person whatever the timing, and the record gets exactly one new version."""

import threading

import pytest

from core.tests.concurrency import retry_while_sqlite_is_locked, run_in_threads
from dossier import change_services
from dossier.models import ChangePayload, PersonRecord, RecordVersion
from identity.tests.factories import StaffFactory, review_unit
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.services import ReviewError

from .factories import approved_person, change, reviewer_of

pytestmark = pytest.mark.django_db(transaction=True)


def joined(threads):
    for thread in threads:
        thread.join(30)


def test_two_starts_at_once_make_one_change(units):
    person = approved_person()
    gate = threading.Barrier(2)

    def start():
        gate.wait(10)
        return retry_while_sqlite_is_locked(lambda: change_services.start_change(person=person).pk)

    threads, results = run_in_threads(start, start)
    joined(threads)
    assert all(isinstance(result, int) for result in results), results
    assert results[0] == results[1]
    assert Application.objects.filter(applicant=person, kind="change").count() == 1
    assert ChangePayload.objects.filter(application__applicant=person).count() == 1


def test_two_reviewers_approving_a_change_at_once_add_one_version(units):
    payload = change(state="pending")
    application = payload.application
    application.refresh_from_db()
    version = application.version
    reviewers = [reviewer_of("420102"), StaffFactory(unit=review_unit("420102"))]
    gate = threading.Barrier(2)

    def approve_as(reviewer):
        def job():
            gate.wait(10)
            return retry_while_sqlite_is_locked(
                lambda: reviews.approve(
                    application=Application.objects.get(pk=application.pk), actor=reviewer, expected_version=version
                )
            )

        return job

    threads, results = run_in_threads(*(approve_as(r) for r in reviewers))
    joined(threads)
    assert sorted(type(r).__name__ for r in results) == ["Application", "ReviewError"]
    assert any(isinstance(r, ReviewError) for r in results)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    record = PersonRecord.objects.get(person=application.applicant)
    assert record.version == 2
    assert RecordVersion.objects.filter(record=record).count() == 2
