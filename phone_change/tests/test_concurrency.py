"""Two submissions for one person at the same moment (a double click that reached the server twice,
or two browsers): threads with their own database connections, committed data."""

import threading

import pytest
from django.db import connection

from core.tests.concurrency import retry_while_sqlite_is_locked, wait_until_someone_waits_for_a_lock
from phone_change import services
from phone_change.constants import Outcome
from regions.models import ReviewUnit
from reviews import services as reviews
from reviews.models import Application

from .factories import ID_NUMBER, NAME, photos, public_request

pytestmark = pytest.mark.django_db(transaction=True)


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
