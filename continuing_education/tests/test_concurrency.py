"""Real concurrency (threads with their own connections, committed data): the same form posted twice at
once files one record; two approvals of the same person's year at once both count."""

import threading
from unittest import mock

import pytest

from continuing_education import services
from continuing_education.models import CreditRecord, YearlyCredits
from core.tests.concurrency import (
    retry_while_sqlite_is_locked,
    run_in_threads,
    wait_until_someone_waits_for_a_lock,
)
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application

from .factories import collected_accountant, entry, proof_for, record, reviewer_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_form_posted_twice_at_once_files_one_record():
    person = collected_accountant()
    proofs = [proof_for(person), proof_for(person)]
    inside, release = threading.Event(), threading.Event()
    real_save_proofs = services._save_proofs

    def slow_save_proofs(**kwargs):
        real_save_proofs(**kwargs)
        if not inside.is_set():
            inside.set()  # the first filing holds its transaction open here
            assert release.wait(15)

    def file_with(proof):
        def job():
            return retry_while_sqlite_is_locked(
                lambda: services.file_record(person=person, entry=entry(1), proofs={1: proof}, token="double-click")
            )

        return job

    def second():
        assert inside.wait(15)
        return file_with(proofs[1])()

    with mock.patch.object(services, "_save_proofs", slow_save_proofs):
        threads, results = run_in_threads(file_with(proofs[0]), second)
        try:
            assert inside.wait(15)
            wait_until_someone_waits_for_a_lock()
        finally:
            release.set()
            for thread in threads:
                thread.join(30)

    first_result, second_result = results
    assert isinstance(first_result, CreditRecord), first_result
    assert isinstance(second_result, CreditRecord), second_result
    assert first_result.pk == second_result.pk
    assert CreditRecord.objects.filter(person=person).count() == 1
    assert Application.objects.filter(applicant=person).count() == 1


def test_two_approvals_of_the_same_year_at_once_both_count():
    person = collected_accountant()
    pending = [record(person, 1), record(person, 10)]
    reviewers = [reviewer_of(), reviewer_of()]
    gate = threading.Barrier(2)

    def approve(filed, reviewer):
        def job():
            gate.wait(10)
            return retry_while_sqlite_is_locked(
                lambda: reviews.approve(
                    application=Application.objects.get(pk=filed.application_id),
                    actor=reviewer,
                    expected_version=filed.application.version,
                )
            )

        return job

    threads, results = run_in_threads(*(approve(f, r) for f, r in zip(pending, reviewers, strict=True)))
    for thread in threads:
        thread.join(30)

    assert all(isinstance(r, Application) and r.status == Status.APPROVED for r in results), results
    row = YearlyCredits.objects.get(person=person, year=2026)
    assert (row.approved_credits, row.professional_credits, row.approved_records) == (120, 120, 2)
