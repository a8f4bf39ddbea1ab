"""Requesting, writing, downloading and purging exports. The only writer of `ExportJob`.

Every export is audited: when it is asked for (filters, full numbers or not, the reason), when its
file is written (with the row count) or fails, and every download.
"""

import logging
import os
import secrets
import tempfile
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import record_event
from core.db_router import use_replica
from core.masking import mask_id_number
from documents.storage import STORAGE_ERRORS, delete_quietly, request_scope, save_bytes
from identity.models import User

from . import constants
from .constants import ACTIVE_STATUSES, EXPORT_ROLES, ExportKind, ExportStatus
from .forms import ExportFormMixin
from .models import ExportJob
from .sources import bind_form, get_source, plan, stream
from .writer import write_xlsx

logger = logging.getLogger(__name__)


class ExportRefused(Exception):
    """An export that cannot be queued or run; `message` is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- who may


def _active_staff(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff_member", False)
        and user.unit_id is not None
    )


def may_export(user: User) -> bool:
    """Reviewers and unit administrators export their scope (masked unless `may_export_unmasked`)."""
    return _active_staff(user) and user.role in EXPORT_ROLES


def may_export_unmasked(user: User) -> bool:
    """Whether the role (at the level of the person's unit) grants full ID and phone numbers."""
    if not may_export(user):
        return False
    rules = constants.unmasked_rules()
    if user.role not in rules:
        return False
    levels = rules[user.role]
    if levels is None:
        return True
    assert user.unit is not None  # may_export: staff with a unit
    return user.unit.level in levels


# --------------------------------------------------------------------------- requesting


def audit_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the audit log keeps them: an ID number filter masked."""
    return {key: mask_id_number(value) if key == "id_number" else value for key, value in filters.items()}


def _detail(job: ExportJob, **extra: Any) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "filters": audit_filters(job.filters),
        "unmasked": job.unmasked,
        "reason": job.reason,
        **extra,
    }


def request_export(*, user: User, kind: str, form: ExportFormMixin, request: HttpRequest | None = None) -> ExportJob:
    """Queue an export of `kind` with a valid `form`; the Celery task starts after the commit.

    Raises ExportRefused when the person may not export or has too many exports running.
    """
    if not may_export(user) or get_source(kind) is None:
        raise ExportRefused(_("You may not export data."))
    if form.wants_full and not may_export_unmasked(user):
        raise ExportRefused(_("Your role does not allow exporting full ID numbers and mobile numbers."))
    with transaction.atomic():
        # One person's requests queue one after another (a double click queues one job at a time).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = ExportJob.objects.filter(creator=user, status__in=ACTIVE_STATUSES).count()
        limit = constants.max_active_per_user()
        if active >= limit:
            raise ExportRefused(
                _("You already have %(count)d exports in progress. Please wait for them to finish.") % {"count": active}
            )
        job = ExportJob.objects.create(
            creator=user, kind=kind, filters=form.filter_values(), unmasked=form.wants_full, reason=form.reason
        )
        record_event(action="reports.export_requested", request=request, actor=user, obj=job, detail=_detail(job))
        transaction.on_commit(partial(dispatch, job.pk))
    return job


def dispatch(job_id: uuid.UUID | str) -> None:
    """Send the job to a Celery worker (or run it now, in eager mode); a broker failure fails the job."""
    from .tasks import run_export_task

    try:
        run_export_task.delay(str(job_id))
    except Exception:  # noqa: BLE001 - broker down, publish time-out: say so on the job, never hang the request
        logger.exception("export %s could not be queued", job_id)
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED,
            error=_("The background service is unavailable. Please try again later."),
            finished_at=timezone.now(),
        )


# --------------------------------------------------------------------------- writing


def _title(kind: str) -> str:
    return str(ExportKind(kind).label)


def storage_name() -> str:
    """exports/<yyyy>/<mm>/<random>.xlsx: never guessable, never anything a person typed."""
    now = timezone.localtime()
    return f"{constants.STORAGE_FOLDER}/{now:%Y/%m}/{secrets.token_urlsafe(32)}.xlsx"


def _write(job: ExportJob) -> tuple[int, str, int]:
    user = job.creator
    if not may_export(user):
        raise ExportRefused(_("You may not export data."))
    source = get_source(job.kind)
    assert source is not None  # the job's kind is one of ExportKind, each of which has a source
    form = bind_form(source, user, job.filters)
    if not form.is_valid():
        raise ExportRefused(_("The filters are no longer valid for your units. Please ask for the export again."))
    unmasked = job.unmasked and may_export_unmasked(user)
    export_plan = plan(source, user, form.cleaned_data, unmasked=unmasked)
    # The rows are read from the replica when one is configured (DATABASE_REPLICA_URL); the job's
    # progress updates are writes and go to the primary.
    with use_replica():
        total = export_plan.rows.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        with use_replica():
            count = write_xlsx(
                handle,
                title=_title(job.kind),
                headers=export_plan.headers,
                rows=stream(export_plan, constants.chunk_size()),
                progress=progress,
                progress_every=constants.progress_every(),
            )
        size = os.fstat(handle.fileno()).st_size
        handle.seek(0)
        # Its own storage scope: in eager mode this runs inside the request that asked for the
        # export, whose middleware deletes files written without a Document row at its end.
        with request_scope():
            name = save_bytes(default_storage, storage_name(), File(handle, name="export.xlsx"))
    return count, name, size


def run_export(job_id: uuid.UUID | str) -> ExportJob | None:
    """Write the export's file (the Celery task's work). A job already claimed or finished is left alone.

    Failures end the job as `failed` with a message for the person, and an audit row.
    """
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, rows_done=0
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("creator__unit").get(pk=job_id)
    name = ""
    try:
        count, name, size = _write(job)
        finished = timezone.now()
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportStatus.DONE,
                rows_done=count,
                file_name=name,
                file_size=size,
                finished_at=finished,
                expires_at=finished + timedelta(hours=constants.expiry_hours()),
            )
            record_event(action="reports.export_completed", actor=job.creator, obj=job, detail=_detail(job, rows=count))
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the job must not stay "running"
        if name:
            delete_quietly(default_storage, name)
        message = exc.message if isinstance(exc, ExportRefused) else _("The export failed. Please try again later.")
        if not isinstance(exc, ExportRefused):
            logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(message)[:300], finished_at=timezone.now()
        )
        record_event(
            action="reports.export_failed",
            actor=job.creator,
            obj=job,
            result=AuditEvent.Result.FAILURE,
            detail=_detail(job, error=type(exc).__name__),
        )
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------- reading


def open_download(job: ExportJob, *, request: HttpRequest | None = None) -> File[Any]:
    """The stored file of a downloadable job, opened for reading; audited.

    Raises FileNotFoundError when the storage no longer has it, StorageUnavailable when it fails.
    """
    from documents.storage import _unavailable, read_unavailable_message

    try:
        handle = default_storage.open(job.file_name, "rb")
    except FileNotFoundError:
        raise
    except STORAGE_ERRORS as exc:
        raise _unavailable("read", job.file_name, exc, read_unavailable_message()) from exc
    record_event(action="reports.export_downloaded", request=request, obj=job, detail=_detail(job, rows=job.rows_done))
    return handle


def download_filename(job: ExportJob) -> str:
    finished = timezone.localtime(job.finished_at or job.created_at)
    return f"{_title(job.kind)}-{finished:%Y%m%d-%H%M}.xlsx"


# --------------------------------------------------------------------------- maintenance


def purge_exports(*, now: datetime | None = None) -> int:
    """Delete the files of expired exports (the job becomes `expired`), fail jobs whose worker died,
    delete old finished job rows. Returns the number of files deleted. Safe to run twice."""
    now = now or timezone.now()
    removed = 0
    due = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now).only("pk", "file_name")
    for job in due.iterator(chunk_size=500):
        if job.file_name and delete_quietly(default_storage, job.file_name):
            removed += 1
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).update(status=ExportStatus.EXPIRED, file_name="")
    stale = now - timedelta(minutes=constants.stale_minutes())
    ExportJob.objects.filter(status__in=ACTIVE_STATUSES, created_at__lt=stale).update(
        status=ExportStatus.FAILED, error=_("The export did not finish. Please ask for it again."), finished_at=now
    )
    old = now - timedelta(days=constants.job_retention_days())
    ExportJob.objects.filter(status__in=(ExportStatus.EXPIRED, ExportStatus.FAILED), created_at__lt=old).delete()
    return removed
