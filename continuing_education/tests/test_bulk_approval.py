"""Bulk approval of 继续教育 records from the inbox (issue #10): the kind's `apply_many`, the cost per
record, and a reviewer approving one of the records singly at the same moment."""

import os
import re
import resource
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from continuing_education.constants import Subject
from continuing_education.models import CreditRecord, YearlyCredits
from continuing_education.services import settle_credits
from core.tests.concurrency import retry_while_sqlite_is_locked, run_in_threads, wait_until_someone_waits_for_a_lock
from notifications.models import Notification
from reviews import services as reviews
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.tests.factories import counters, recount

from .factories import collected_accountant, record, reviewer_of

BULK_URL = reverse("reviews:bulk_approve")


def picks(records) -> list[str]:
    return [f"{r.application_id}:{r.application.version}" for r in records]


def pending_records(people: int, per_person: int, *, items=(1, 10)) -> list:
    """`people` accountants of 江岸区 with `per_person` pending records each (items alternating)."""
    filed = []
    for n in range(people):
        person = collected_accountant()
        for i in range(per_person):
            filed.append(record(person, items[(n + i) % len(items)]))
    return filed


def yearly_rows() -> dict:
    return {
        row.person_id: (row.approved_credits, row.professional_credits, row.approved_records)
        for row in YearlyCredits.objects.filter(year=2026)
    }


def yearly_recount() -> dict:
    """The yearly rows recomputed from the approved records themselves."""
    totals: dict = {}
    for filed in CreditRecord.objects.filter(year=2026, application__status=Status.APPROVED):
        credits, professional, count = totals.get(filed.person_id, (0, 0, 0))
        professional += filed.credits if filed.subject == Subject.PROFESSIONAL else 0
        totals[filed.person_id] = (credits + filed.credits, professional, count + 1)
    return totals


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("BULK_TIMING"), reason="a measurement: BULK_TIMING=1 and -s to print it")
def test_measure_the_bulk_approval_of_100_records(client, login_staff, units):
    """Not a check: prints wall and CPU time and queries of one bulk approval of 100 records."""
    filed = pending_records(20, 5)
    reviewer = reviewer_of("420102")
    login_staff(client, reviewer)
    client.get(reverse("reviews:inbox"))  # a reviewer at work: session stamped, scope cached

    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post(BULK_URL, {"selected": picks(filed)})
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    assert response.status_code == 200
    assert Application.objects.filter(pk__in=[r.application_id for r in filed], status=Status.APPROVED).count() == 100
    print(  # noqa: T201 - this measurement's report (run with -s)
        f"\nbulk approval of 100 records on {connection.vendor}: wall {wall:.3f} s, CPU {cpu:.3f} s, "
        f"{len(queries.captured_queries)} queries, load average {os.getloadavg()[0]:.2f} "
        f"(max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)"
    )


# --------------------------------------------------------------------------- what a batch does


@pytest.mark.django_db
def test_a_batch_counts_each_record_once_and_refuses_an_unsettled_item_14(client, login_staff, units):
    zhang, li = collected_accountant(), collected_accountant()
    record(zhang, 1, status=Status.APPROVED)  # 张三 already has a yearly row: 60 credits, 1 record
    batch = [record(zhang, 10), record(zhang, 1), record(li, 10), record(li, 14), record(li, 14)]
    settle_credits(record=batch[3], credits=20, actor=reviewer_of("420102"))  # the other item 14 is not settled
    login_staff(client, reviewer := reviewer_of("420102"))

    response = client.post(BULK_URL, {"selected": picks(batch)})

    assert response.status_code == 200
    text = response.content.decode()
    assert re.findall(r'data-code="(\w+)"', text) == ["approved"] * 4 + ["credits_not_settled"]
    assert "该记录（第14项）须先核定学分，才能审核通过。" in text
    assert yearly_rows() == yearly_recount()
    assert yearly_rows()[zhang.pk][2] == 3 and yearly_rows()[li.pk][2] == 2  # the unsettled one does not count
    unsettled = Application.objects.get(pk=batch[4].application_id)
    assert unsettled.status == Status.PENDING
    assert not Notification.objects.filter(dedupe_key__startswith=f"reviews:{unsettled.pk}:").exists()
    failure = AuditEvent.objects.get(action="reviews.approve", object_id=str(unsettled.pk))
    assert failure.result == "failure"
    for filed in batch[:4]:
        application = Application.objects.get(pk=filed.application_id)
        assert (application.status, application.decided_by) == (Status.APPROVED, reviewer)
        assert ReviewEvent.objects.filter(application=application, event_type=EventType.APPROVED).count() == 1
        assert AuditEvent.objects.filter(action="reviews.approve", object_id=str(application.pk)).count() == 1
        assert Notification.objects.filter(dedupe_key=f"reviews:{application.pk}:v{application.version}:approved")
    assert counters() == recount()


# session, user + TOTP device + unit; then the batch: its savepoint and release, the lock, two
# counters, the records' lock, the yearly rows' lock, their UPDATE, the new yearly rows (savepoint,
# INSERT, release), the envelopes' UPDATE, the events, the audit rows, the outbox (keys, INSERT).
BULK_VIEW_QUERIES = 18


@pytest.mark.django_db
@pytest.mark.parametrize("people", [5, 10])
def test_the_bulk_view_costs_the_same_for_10_and_20_records(
    client, login_staff, units, django_assert_num_queries, people
):
    already = collected_accountant()
    record(already, 1, status=Status.APPROVED)  # the counters and one yearly row exist
    filed = pending_records(people, 2) + [record(already, 10)]  # 10 or 20 records, + one of a known person
    login_staff(client, reviewer_of("420102"))
    client.get(reverse("reviews:inbox"))  # a reviewer at work: session stamped, scope cached

    with django_assert_num_queries(BULK_VIEW_QUERIES):
        response = client.post(BULK_URL, {"selected": picks(filed)})

    assert re.findall(r'data-code="(\w+)"', response.content.decode()) == ["approved"] * len(filed)
    assert YearlyCredits.objects.filter(year=2026).count() == people + 1


# --------------------------------------------------------------------------- a single approval meanwhile


@pytest.mark.django_db(transaction=True)
def test_a_bulk_approval_and_a_single_approval_of_one_of_its_records_at_once_exactly_one_wins(units):
    person = collected_accountant()
    filed = [record(person, 1), record(person, 10), record(person, 1)]
    contested = filed[1]
    version = contested.application.version
    single_reviewer, bulk_reviewer = reviewer_of("420102"), reviewer_of("420102")
    holding, release = threading.Event(), threading.Event()

    def single():
        # Takes the contested row's lock first and keeps it until the batch waits for it.
        from django.db import transaction

        def job():
            with transaction.atomic():
                result = reviews.approve(
                    application=Application.objects.get(pk=contested.application_id),
                    actor=single_reviewer,
                    expected_version=version,
                )
                holding.set()
                assert release.wait(15)
                return result

        return retry_while_sqlite_is_locked(job)

    def bulk():
        def job():
            outcomes = reviews.approve_many(
                selections=[(f.application_id, version) for f in filed], actor=bulk_reviewer
            )
            if connection.vendor == "sqlite" and all(o.code == "error" for o in outcomes):
                # SQLite's test database refuses the batch's transaction at once ("table is locked")
                # where PostgreSQL waits; the batch reports that as a failure: try again, as
                # retry_while_sqlite_is_locked does for an exception.
                raise OperationalError("database table is locked (the batch was refused)")
            return outcomes

        assert holding.wait(15)
        return retry_while_sqlite_is_locked(job)

    threads, results = run_in_threads(single, bulk)
    try:
        assert holding.wait(15)
        wait_until_someone_waits_for_a_lock()  # the batch has run into the single approval's lock
    finally:
        release.set()
        for thread in threads:
            thread.join(30)

    single_result, outcomes = results
    assert isinstance(single_result, Application), (single_result, outcomes)
    assert [(o.application_id, o.code) for o in outcomes] == [
        (filed[0].application_id, "approved"),
        (contested.application_id, "already_decided"),
        (filed[2].application_id, "approved"),
    ]
    decided = Application.objects.get(pk=contested.application_id)
    assert (decided.status, decided.decided_by, decided.version) == (Status.APPROVED, single_reviewer, version + 1)
    assert ReviewEvent.objects.filter(application=decided, event_type=EventType.APPROVED).count() == 1
    assert yearly_rows() == yearly_recount()  # each record counted once
    assert yearly_rows()[person.pk][2] == 3
    assert counters() == recount()
