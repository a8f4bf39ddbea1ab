"""`queue_notifications`: many outbox rows in a constant number of queries, one dispatch after the
commit, and a broker that is down stops neither the batch nor the relay."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import backends
from notifications.models import Notification
from notifications.services import queue_notification, queue_notifications, relay_outbox
from notifications.tasks import deliver_notification as deliver_task
from reviews.constants import Status
from reviews.models import Application
from reviews.tests.factories import KindRecorder, make_application, reviewer_for

pytestmark = pytest.mark.django_db


def message(n: int) -> dict:
    return {
        "phone": f"1380000{n:04d}",
        "template": "application_approved",
        "params": {"label": "继续教育"},
        "dedupe_key": f"batch:{n}",
    }


@pytest.mark.parametrize("count", [3, 30])
def test_a_batch_is_two_queries_and_one_callback_however_many_rows(count, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        rows = queue_notifications([message(n) for n in range(count)])

    assert len(queries.captured_queries) == 2  # the keys already queued, the INSERT
    assert len(callbacks) == 1
    assert [row.dedupe_key for row in rows] == [f"batch:{n}" for n in range(count)]
    assert all(row.pk for row in rows)
    stored = Notification.objects.get(dedupe_key="batch:1")
    assert (stored.phone, stored.status, stored.text) == (
        "13800000001",
        Notification.Status.PENDING,
        "【湖北省会计人员管理系统】您的继续教育已审核通过。",
    )


def test_keys_already_queued_or_repeated_are_one_row_each_and_only_new_rows_are_dispatched(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = queue_notification(**message(1))
    backends.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rows = queue_notifications([message(1), message(2), message(2), message(3)])

    assert [row.dedupe_key for row in rows] == ["batch:1", "batch:2", "batch:3"]
    assert rows[0].pk == earlier.pk
    assert Notification.objects.count() == 3
    assert sorted(phone for phone, _text in backends.outbox) == ["13800000002", "13800000003"]


def test_nothing_to_queue_costs_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert queue_notifications([]) == []
    assert queries.captured_queries == []


@pytest.fixture
def bulk_kind():
    recorder = KindRecorder(name="bulkkind", label="批量测试申请", bulk_approve=True).register()
    yield recorder
    recorder.unregister()


def test_a_bulk_approval_with_the_broker_down_succeeds_tries_the_broker_once_and_the_relay_sends_later(
    client, login_staff, bulk_kind, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(deliver_task, "apply_async", broker_down)
    applications = [make_application(kind="bulkkind", status=Status.PENDING) for _ in range(3)]
    login_staff(client, reviewer_for("420102"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:bulk_approve"), {"selected": [f"{a.pk}:{a.version}" for a in applications]}
        )

    assert response.status_code == 200
    assert set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True)) == {
        Status.APPROVED
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.PENDING}
    assert len(attempts) == 1  # the first refusal stops the dispatching: no time-out per row
    assert backends.outbox == []
    monkeypatch.undo()
    assert relay_outbox()["sent"] == 3
    assert len(backends.outbox) == 3
