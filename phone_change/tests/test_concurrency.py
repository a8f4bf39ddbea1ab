"""Two submissions for one person at the same moment (a double click that reached the server twice,
or two browsers): threads with their own database connections, committed data."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from phone_change import services
from phone_change.constants import Outcome
from regions.models import ReviewUnit
from reviews import services as reviews
from reviews.models import Application

from .factories import ID_NUMBER, NAME, photos, public_request

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_someone_waits_for_a_lock(timeout=10.0):
    if connection.vendor != "postgresql":
        time.sleep(0.5)  # SQLite serialises writers: the other thread is retrying meanwhile
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second submission never waited for the person's row lock")


def retry_while_sqlite_is_locked(job, timeout=20.0):
    """SQLite's shared-cache test database answers "table is locked" at once instead of waiting:
    retry the whole, rolled-back submission. PostgreSQL runs each job exactly once."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return job()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_two_submissions_at_once_make_one_application(registered, monkeypatch):
    # The SMS code is not what this test is about: both requests hold a valid one.
    monkeypatch.setattr(services, "_check_code", lambda **kwargs: None)
    in_submission, release = threading.Event(), threading.Event()
    start = reviews.start_application

    def held_start(**kwargs):
        in_submission.set()
        assert release.wait(10)
        return start(**kwargs)

    monkeypatch.setattr(reviews, "start_application", held_start)
    unit = ReviewUnit.objects.get(code="420202")

    def job(new_phone):
        def submit():
            return services.submit_phone_change(
                request=public_request(),
                id_type="resident_id",
                id_number=ID_NUMBER,
                full_name=NAME,
                new_phone=new_phone,
                code="123456",
                reason="原手机丢失",
                unit=unit,
                photos=photos(),
            )

        return lambda: retry_while_sqlite_is_locked(submit)

    results = [None, None]

    def runner(index, work):
        try:
            results[index] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=runner, args=(i, job(phone))) for i, phone in enumerate(["13911112222", "13933334444"])
    ]
    for thread in threads:
        thread.start()
    assert in_submission.wait(10)
    wait_until_someone_waits_for_a_lock()
    release.set()
    for thread in threads:
        thread.join(20)

    assert sorted(str(r) for r in results) == sorted([Outcome.SUBMITTED, Outcome.ALREADY_PENDING])
    assert Application.objects.filter(kind="phone_change").count() == 1
