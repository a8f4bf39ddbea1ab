"""The nightly purge of stored idempotent responses (api.maintenance)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from api.constants import IDEMPOTENCY_TTL_HOURS
from api.maintenance import purge_idempotency_records
from api.models import IdempotencyRecord
from core.maintenance import run

from .conftest import make_client

pytestmark = pytest.mark.django_db


def stored(client, key: str, *, age: timedelta) -> IdempotencyRecord:
    with time_machine.travel(timezone.now() - age, tick=False):
        return IdempotencyRecord.objects.create(
            client=client, key=key, request_hash="0" * 64, status_code=201, response={"id": key}
        )


def test_responses_older_than_the_ttl_go_and_younger_ones_stay():
    client, _secret = make_client(["institution"])
    stored(client, "old-key-1", age=timedelta(hours=IDEMPOTENCY_TTL_HOURS, minutes=1))
    stored(client, "old-key-2", age=timedelta(days=30))
    stored(client, "young-key", age=timedelta(hours=IDEMPOTENCY_TTL_HOURS) - timedelta(minutes=1))

    assert run("api_idempotency") == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young-key"]
    assert run("api_idempotency") == 0  # safe to run twice


def test_the_purge_works_in_batches():
    client, _secret = make_client(["institution"])
    for n in range(5):
        stored(client, f"old-key-{n}", age=timedelta(days=2))

    assert purge_idempotency_records(batch_size=2) == 5
    assert not IdempotencyRecord.objects.exists()


def test_after_the_purge_a_reused_key_is_a_new_request(institution_api):
    from .test_api import COURSE

    first = institution_api.post("/api/v1/courses", COURSE, key="course-ttl-01")
    assert first.status_code == 201, first.content
    changed = {**COURSE, "hours": 9}
    assert institution_api.post("/api/v1/courses", changed, key="course-ttl-01").status_code == 409

    with time_machine.travel(timezone.now() + timedelta(hours=IDEMPOTENCY_TTL_HOURS, minutes=5), tick=False):
        assert run("api_idempotency") == 1
        again = institution_api.post("/api/v1/courses", changed, key="course-ttl-01")
    assert again.status_code == 201, again.content
    assert "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
