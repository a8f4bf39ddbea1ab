"""One row per export: who asked for what, how far the worker got, where the file is."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import REASON_MAX_LENGTH, ExportKind, ExportStatus


class ExportJob(models.Model):
    """An export requested by a staff member and written by a Celery task.

    Rules (enforced by `reports.exports.services`, the only writer):
    - the id is random (a UUID) and every view also checks `creator`: anybody else gets 404;
    - `filters` are the validated form values; the worker validates them again under the creator's
      scope at run time, so a person moved to another unit exports only their new scope;
    - `unmasked` only with a role that grants it and a `reason` (both also in the audit rows);
    - `rows_done` is written every few thousand rows, `rows_total` is the count taken at the start
      (an estimate: rows may change while the file is written);
    - the file lives in the default storage under a random name until `expires_at`, then the
      maintenance job deletes it and the job becomes `expired`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("export"), max_length=20, choices=ExportKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    unmasked = models.BooleanField(_("full ID and phone numbers"), default=False)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    file_name = models.CharField(_("stored file"), max_length=200, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["creator", "created_at"], name="report_exports_creator_idx"),
            models.Index(fields=["status", "expires_at"], name="report_exports_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_expired(self) -> bool:
        return self.status == ExportStatus.EXPIRED or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file_name) and not self.is_expired

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
