"""Audit retention: old rows go, the database refuses everything else (audit.retention)."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.retention import (
    MIN_RETENTION_DAYS,
    _delete_batch,
    _retention_gate,
    delete_audit_events_before,
    purge_expired_audit_events,
)
from audit.services import record_event

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def event_days_ago(days: float, action: str = "auth.login") -> AuditEvent:
    """An audit row written `days` ago (the application's clock travels; the database's does not)."""
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return record_event(action=action)


def remaining_actions() -> set[str]:
    return set(AuditEvent.objects.values_list("action", flat=True))


def refused():
    return pytest.raises(DatabaseError, match="append-only")


def test_retention_deletes_rows_older_than_the_horizon_and_keeps_the_newer(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    for days in (900, 400, 201):
        event_days_ago(days, action=f"old-{days}")
    for days in (199, 10, 0):
        event_days_ago(days, action=f"new-{days}")

    # Batches of two: the job goes on until a batch comes back short.
    assert purge_expired_audit_events(batch_size=2) == 3

    assert remaining_actions() == {"new-199", "new-10", "new-0"}
    assert purge_expired_audit_events() == 0


def test_the_default_horizon_is_a_year(settings):
    assert settings.AUDIT_RETENTION_DAYS == 365
    event_days_ago(366, action="old")
    event_days_ago(364, action="kept")

    assert purge_expired_audit_events() == 1
    assert remaining_actions() == {"kept"}


def test_ordinary_code_still_cannot_delete_or_change_old_audit_rows():
    event = event_days_ago(1000)
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    # Past the model's guards, the database refuses on its own.
    with refused(), transaction.atomic():
        models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), action="tampered")
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'x' WHERE id = %s", [event.pk])  # noqa: S608

    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


def test_even_the_retention_path_never_updates_a_row():
    event = event_days_ago(1000)
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        with _retention_gate(cursor, timezone.now() - timedelta(days=400)):
            cursor.execute(f"UPDATE {TABLE} SET action = 'x' WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@pytest.mark.parametrize("wrong_cutoff_days", [-1, 0, 100, MIN_RETENTION_DAYS - 1])
def test_the_retention_path_cannot_delete_a_row_younger_than_184_days_whatever_cutoff_it_is_given(
    wrong_cutoff_days,
):
    # Older than every wrong cut-off below; younger than 184 days.
    young = event_days_ago(MIN_RETENTION_DAYS - 0.5, action="young")
    event_days_ago(1000, action="old")
    wrong_cutoff = timezone.now() - timedelta(days=wrong_cutoff_days)

    # Below the Python check: the statement keeps to 184 days by the database's clock.
    assert _delete_batch(wrong_cutoff, 100) == 1

    assert remaining_actions() == {"young"}
    assert AuditEvent.objects.filter(pk=young.pk).exists()


@pytest.mark.parametrize("wrong_cutoff_days", [-1, 0, MIN_RETENTION_DAYS - 1])
def test_the_trigger_refuses_a_row_younger_than_184_days_even_through_an_open_gate(wrong_cutoff_days):
    young = event_days_ago(MIN_RETENTION_DAYS - 0.5, action="young")
    old = event_days_ago(1000, action="old")
    wrong_cutoff = timezone.now() - timedelta(days=wrong_cutoff_days)

    with refused(), transaction.atomic(), connection.cursor() as cursor, _retention_gate(cursor, wrong_cutoff):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [old.pk, young.pk])  # noqa: S608

    assert remaining_actions() == {"young", "old"}


def test_the_database_deletes_nothing_newer_than_the_declared_cutoff():
    event_days_ago(1000, action="older")
    event_days_ago(500, action="newer than the cut-off")
    declared = timezone.now() - timedelta(days=700)

    # A buggy statement deleting more than the rows before the cut-off it declared fails whole.
    with refused(), transaction.atomic(), connection.cursor() as cursor, _retention_gate(cursor, declared):
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    assert remaining_actions() == {"older", "newer than the cut-off"}


def test_the_gate_is_closed_again_after_the_job_even_inside_an_outer_transaction(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    survivor = event_days_ago(900, action="not before the job's cut-off")
    with transaction.atomic():
        event_days_ago(1000)
        assert delete_audit_events_before(timezone.now() - timedelta(days=950)) == 1
        with refused(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [survivor.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=survivor.pk).exists()


def test_a_cutoff_inside_the_configured_horizon_is_refused_before_the_database(settings):
    settings.AUDIT_RETENTION_DAYS = 400
    event_days_ago(300, action="kept")

    with pytest.raises(ValueError, match="retention horizon"):
        delete_audit_events_before(timezone.now() - timedelta(days=250))

    assert remaining_actions() == {"kept"}


def test_a_retention_below_184_days_is_refused_by_the_job(settings):
    settings.AUDIT_RETENTION_DAYS = 183
    event_days_ago(300, action="kept")

    with pytest.raises(ImproperlyConfigured, match="at least 184"):
        purge_expired_audit_events()

    assert remaining_actions() == {"kept"}


def test_a_retention_below_184_days_is_refused_at_start_up():
    environment = {**os.environ, "AUDIT_RETENTION_DAYS": "183", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "AUDIT_RETENTION_DAYS must be at least 184" in result.stderr


def test_the_triggers_are_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
            assert {row[0] for row in cursor.fetchall()} == {"audit_auditevent_append_only"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            assert {row[0] for row in cursor.fetchall()} == {"audit_auditevent_no_update", "audit_auditevent_no_delete"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="on PostgreSQL flush is TRUNCATE, which row triggers ignore")
def test_flush_still_empties_the_table_on_sqlite():
    event_days_ago(0)

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    with refused(), transaction.atomic():
        record_event(action="after flush")
        AuditEvent.objects.all()._raw_delete(connection.alias)


def test_the_admin_can_neither_delete_nor_change_audit_rows(rf):
    from django.contrib.admin.sites import site

    from identity.models import User

    request = rf.get("/")
    request.user = User.objects.create(username="root", is_staff=True, is_superuser=True)
    model_admin = site._registry[AuditEvent]
    event = event_days_ago(1000)

    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
