import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from audit.models import AuditEvent
from audit.services import record_event
from identity.models import User

pytestmark = pytest.mark.django_db


def make_request(ip="10.1.2.3"):
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.request_id = "req-123"
    return request


def test_an_event_records_actor_snapshot_ip_and_request_id():
    user = User.objects.create(username="u1", full_name="李四", kind="staff", role="reviewer")
    request = make_request()
    request.user = user

    event = record_event(action="auth.login", request=request, detail={"phone": "138****5678"})

    assert event.actor == user
    assert event.actor_name == "李四"
    assert event.actor_role == "reviewer"
    assert event.ip == "10.1.2.3"
    assert event.request_id == "req-123"
    assert event.result == AuditEvent.Result.SUCCESS


def test_the_snapshot_stays_when_the_account_is_renamed():
    user = User.objects.create(username="u2", full_name="王五", kind="staff")
    event = record_event(action="x", actor=user)
    user.full_name = "王六"
    user.save()
    event.refresh_from_db()
    assert event.actor_name == "王五"


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    event = record_event(action="auth.login")
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates_of_audit_rows():
    event = record_event(action="auth.login")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])


def test_an_event_written_in_a_failed_transaction_disappears_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action="decision")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.filter(action="decision").exists()
