"""Real concurrency, threads with their own connections and committed data: the same form posted
twice at once creates one record; deleting while a reviewer approves leaves one consistent outcome."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from integrity import services
from integrity.constants import KIND_HONOUR
from integrity.models import HonourPayload
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.services import ReviewError

from .factories import HONOUR_FIELDS, collected_person, honour, proof_document, staff_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def dossier_options():
    """The 信息采集 lists the collected person's dossier is checked against (flushed between tests)."""
    from dossier.models import OptionItem
    from dossier.options import invalidate_options, load_option_items

    if not OptionItem.objects.exists():
        load_option_items(OptionItem)
    invalidate_options()


def retrying(job, timeout=20.0):
    """SQLite's shared-cache test database answers "table is locked" at once instead of waiting like
    PostgreSQL's row locks: retry the whole rolled-back job there. PostgreSQL runs it once."""

    def run():
        deadline = time.monotonic() + timeout
        while True:
            try:
                return job()
            except OperationalError as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    return run


def run_together(*jobs):
    """Start every job at the same moment, each in its own thread and connection; return the results."""
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def runner(index, job):
        try:
            start.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_the_same_form_saved_twice_at_once_creates_one_record():
    person = collected_person()
    document = proof_document(person)
    key = "0b7e4c1a-3f2d-4e6b-9a8c-5d1e2f3a4b5c"

    def save():
        return services.apply_for_honour(
            person=person, fields=HONOUR_FIELDS, proofs={"honour:1": document}, submission_key=key
        ).pk

    first, second = run_together(retrying(save), retrying(save))
    assert first == second, (first, second)
    assert HonourPayload.objects.count() == 1
    assert Application.objects.filter(kind=KIND_HONOUR).count() == 1


def test_deleting_while_the_reviewer_approves_gives_exactly_one_outcome():
    person = collected_person()
    application = honour(person)
    reviewer = staff_of("420102")
    version = application.version

    def delete():
        return services.delete_honour(person=person, application=Application.objects.get(pk=application.pk)).status

    def approve():
        return reviews.approve(
            application=Application.objects.get(pk=application.pk), actor=reviewer, expected_version=version
        ).status

    deleted, approved = run_together(retrying(delete), retrying(approve))
    application.refresh_from_db()
    if application.status == Status.APPROVED:
        assert approved == Status.APPROVED
        assert isinstance(deleted, services.IntegrityRecordError)
    else:
        assert application.status == Status.WITHDRAWN
        assert deleted == Status.WITHDRAWN
        assert isinstance(approved, ReviewError)
