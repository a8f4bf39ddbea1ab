"""Scheduled maintenance (core.maintenance): each purge removes exactly what is old, the schedule
names every job, and each scheduled name is a registered Celery task."""

import os
from datetime import timedelta
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from captcha.models import CaptchaStore
from celery.schedules import crontab
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from config.celery import app as celery_app
from core.maintenance import JOBS, TASK_PREFIX, discover, run
from documents.constants import DocumentStatus
from documents.models import Document
from documents.tests.factories import DocumentFactory
from identity.models import SmsCode, SmsCodePurpose
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def travel(delta: timedelta):
    return time_machine.travel(timezone.now() + delta, tick=False)


def sms_code(binding: str, *, lives: timedelta) -> SmsCode:
    now = timezone.now()
    return SmsCode.objects.create(
        purpose=SmsCodePurpose.LOGIN, binding=binding, code_hash="0" * 64, created_at=now, expires_at=now + lives
    )


# --------------------------------------------------------------------------- the purges


def test_sms_codes_past_their_expiry_go_and_live_ones_stay():
    sms_code("short", lives=timedelta(minutes=5))
    sms_code("long", lives=timedelta(hours=2))

    assert run("sms_codes") == 0
    with travel(timedelta(hours=1)):
        assert run("sms_codes") == 1

    assert list(SmsCode.objects.values_list("binding", flat=True)) == ["long"]


def test_expired_captchas_go_and_fresh_ones_stay():
    with travel(-timedelta(minutes=10)):
        CaptchaStore.objects.create(challenge="OLD", response="old")
    CaptchaStore.objects.create(challenge="NEW", response="new")

    assert run("captchas") == 1

    assert list(CaptchaStore.objects.values_list("challenge", flat=True)) == ["NEW"]


def test_expired_sessions_go_and_live_ones_stay():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with travel(-timedelta(hours=13)):
        expired = store()
        expired["who"] = "yesterday"
        expired.create()
    live = store()
    live["who"] = "now"
    live.create()

    assert run("sessions") == 1

    model = store.get_model_class()
    assert list(model.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_temporary_documents_older_than_a_day_go_with_their_files(django_capture_on_commit_callbacks):
    now = timezone.now()
    old = DocumentFactory(created_at=now - timedelta(hours=25))
    recent = DocumentFactory(created_at=now - timedelta(hours=23))
    attached = DocumentFactory(attached=True, created_at=now - timedelta(days=30))
    storage = old.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        assert run("temporary_documents") == 1

    assert set(Document.objects.values_list("pk", flat=True)) == {recent.pk, attached.pk}
    assert not storage.exists(old.file.name)
    assert storage.exists(recent.file.name) and storage.exists(attached.file.name)
    assert Document.objects.get(pk=recent.pk).status == DocumentStatus.TEMPORARY


def test_stored_files_without_a_row_go_once_a_day_old():
    kept = DocumentFactory(attached=True)
    storage = kept.file.storage
    folder = f"docs/{timezone.now():%Y}/{timezone.now():%m}"
    old_orphan = storage.save(f"{folder}/old-orphan.jpg", ContentFile(b"x"))
    new_orphan = storage.save(f"{folder}/new-orphan.jpg", ContentFile(b"x"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    for name in (old_orphan, kept.file.name):
        os.utime(storage.path(name), (two_days_ago, two_days_ago))

    assert run("orphan_files") == 1

    assert not storage.exists(old_orphan)
    assert storage.exists(new_orphan) and storage.exists(kept.file.name)


def notification(key: str, status: str, *, days_ago: int) -> Notification:
    with travel(-timedelta(days=days_ago)):
        return Notification.objects.create(dedupe_key=key, phone="13800000000", text="t", status=status)


def test_sent_and_failed_outbox_rows_go_after_the_retention_and_unfinished_ones_stay(settings):
    assert settings.NOTIFICATION_RETENTION_DAYS == 90
    notification("old-sent", Notification.Status.SENT, days_ago=91)
    notification("old-failed", Notification.Status.FAILED, days_ago=120)
    notification("old-pending", Notification.Status.PENDING, days_ago=200)
    notification("old-sending", Notification.Status.SENDING, days_ago=200)
    notification("recent-sent", Notification.Status.SENT, days_ago=89)
    notification("recent-failed", Notification.Status.FAILED, days_ago=1)

    assert run("notifications") == 2

    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {
        "old-pending",
        "old-sending",
        "recent-sent",
        "recent-failed",
    }


def test_outbox_rows_go_in_batches(settings):
    from notifications.maintenance import purge_old_notifications

    settings.NOTIFICATION_RETENTION_DAYS = 30
    for number in range(5):
        notification(f"sent-{number}", Notification.Status.SENT, days_ago=31 + number)
    notification("recent", Notification.Status.SENT, days_ago=29)

    assert purge_old_notifications(batch_size=2) == 5
    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == ["recent"]


def test_the_audit_job_keeps_the_configured_horizon(settings):
    settings.AUDIT_RETENTION_DAYS = 184
    for days, action in ((185, "old"), (183, "kept")):
        with travel(-timedelta(days=days)):
            record_event(action=action)

    assert run("audit_retention") == 1

    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["kept"]


def test_a_job_logs_what_it_removed(caplog):
    with travel(-timedelta(minutes=10)):
        CaptchaStore.objects.create(challenge="OLD", response="old")

    with caplog.at_level("INFO", logger="core.maintenance"):
        run("captchas")

    assert "maintenance captchas: removed 1" in caplog.text


# --------------------------------------------------------------------------- by hand


def test_run_maintenance_runs_only_the_named_job():
    sms_code("expired", lives=-timedelta(minutes=1))
    with travel(-timedelta(minutes=10)):
        CaptchaStore.objects.create(challenge="OLD", response="old")
    out = StringIO()

    call_command("run_maintenance", "--only", "captchas", stdout=out)

    assert out.getvalue().strip() == "captchas: removed 1"
    assert not CaptchaStore.objects.exists()
    assert SmsCode.objects.filter(binding="expired").exists()


def test_run_maintenance_runs_every_job_by_default():
    sms_code("expired", lives=-timedelta(minutes=1))
    out = StringIO()

    call_command("run_maintenance", stdout=out)

    lines = out.getvalue().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(discover())
    assert "sms_codes: removed 1" in lines
    assert not SmsCode.objects.exists()


def test_run_maintenance_refuses_an_unknown_job():
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_maintenance", "--only", "everything")


# --------------------------------------------------------------------------- schedule and tasks


EXPECTED_JOBS = {
    "sessions",
    "captchas",
    "sms_codes",
    "temporary_documents",
    "orphan_files",
    "notifications",
    "audit_retention",
    "exports",
    "api_idempotency",
}


def test_every_job_is_discovered():
    assert set(discover()) == EXPECTED_JOBS


def test_the_beat_schedule_holds_every_job_at_a_sensible_time():
    scheduled = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert str(celery_app.timezone) == "Asia/Shanghai"
    for name in discover():
        entry = scheduled[TASK_PREFIX + name]
        schedule = entry["schedule"]
        assert isinstance(schedule, crontab)
        if name in ("sms_codes", "captchas", "exports"):  # exports: personal data gone within the hour
            assert len(schedule.hour) == 24, name  # hourly
        else:
            assert len(schedule.hour) == 1 and next(iter(schedule.hour)) in range(1, 6), name  # nightly
        assert entry["options"]["expires"] > 0


def test_every_scheduled_task_name_is_a_registered_celery_task():
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks)
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, key
    assert {TASK_PREFIX + name for name in JOBS} <= registered


def test_a_maintenance_task_runs_its_job():
    celery_app.loader.import_default_modules()
    sms_code("expired", lives=-timedelta(minutes=1))

    result = celery_app.tasks[TASK_PREFIX + "sms_codes"].apply()

    assert result.get() == 1
    assert not SmsCode.objects.exists()
