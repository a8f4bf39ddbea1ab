"""The change feeds: no row skipped or repeated while rows are written during paging (docs/api.md)."""

import threading

import pytest
from django.db import connection, transaction

from api.constants import Scope
from core.tests.concurrency import run_in_threads
from institutions import services
from institutions.models import AttendanceEvent

from .conftest import Signed, make_client, make_course, make_institution, row


def _read_all(signed, cursor="0.0", limit=2):
    seen = []
    while True:
        page = signed.get("/api/v1/ce/changes", {"cursor": cursor, "limit": limit}).json()
        seen += [item["event"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


@pytest.mark.django_db
def test_rows_written_between_pages_are_read_once(client):
    course = make_course(make_institution(1))
    actor = course.created_by
    api_client, secret = make_client([Scope.RECORDS_READ])
    signed = Signed(client, api_client.client_id, secret)
    services.register_attendees(course=course, rows=[row(1), row(2), row(3)], actor=actor)
    first = signed.get("/api/v1/ce/changes", {"cursor": "0.0", "limit": 2}).json()
    services.register_attendees(course=course, rows=[row(4), row(5)], actor=actor)
    rest, cursor = _read_all(signed, first["next_cursor"])
    seen = [item["event"] for item in first["items"]] + rest
    expected = [f"institution-{pk}" for pk in AttendanceEvent.objects.order_by("id").values_list("id", flat=True)]
    assert seen == expected and len(seen) == 5
    assert first["items"][0]["summary"] is None  # not a registered person: no yearly summary
    more, _ = _read_all(signed, cursor)
    assert more == []


@pytest.mark.django_db
def test_a_unit_limited_client_sees_its_region_only(client):
    wuhan = make_course(make_institution(1, region_code="420100"))
    services.register_attendees(course=wuhan, rows=[row(1)], actor=wuhan.created_by)
    from identity.tests.factories import review_unit

    api_client, secret = make_client([Scope.RECORDS_READ], unit=review_unit("420500"))
    page = Signed(client, api_client.client_id, secret).get("/api/v1/ce/changes").json()
    assert page["items"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: ids become visible in order")
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_is_not_skipped(client, hubei_rule):
    course = make_course(make_institution(1))
    actor = course.created_by
    api_client, secret = make_client([Scope.RECORDS_READ])
    signed = Signed(client, api_client.client_id, secret)
    inserted, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            services.register_attendees(course=course, rows=[row(1)], actor=actor)  # takes the lower id
            inserted.set()
            assert release.wait(30)

    threads, results = run_in_threads(slow_writer)
    assert inserted.wait(30)
    other = make_course(course.institution, actor=actor, name="另一门课程")  # its own course lock
    services.register_attendees(course=other, rows=[row(2)], actor=actor)  # higher id, committed first
    early, cursor = _read_all(signed)
    assert early == []  # the committed higher id is held back while a lower one may still appear
    release.set()
    for thread in threads:
        thread.join()
    assert results == [None]
    late, _ = _read_all(signed, cursor)
    expected = [f"institution-{pk}" for pk in AttendanceEvent.objects.order_by("id").values_list("id", flat=True)]
    assert late == expected and len(late) == 2
