"""The append-only audit log (等保 8.1.4.3, SECURITY.md "Audit")."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One row per sign-in, failure, code send, lockout, decision, download, export, reveal.

    Rows are never changed or deleted by the application (the queryset and the model refuse;
    database triggers refuse too, on PostgreSQL and SQLite). The one exception is retention
    (audit.retention): rows older than AUDIT_RETENTION_DAYS, and never younger than 184 days,
    are deleted by a nightly job through a gate the triggers check. Actor name, role and unit are snapshots: they stay
    true after the account changes. Text never holds a whole ID number or phone number.
    """

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=100, blank=True)
    actor_role = models.CharField(_("role"), max_length=30, blank=True)
    actor_unit = models.CharField(_("unit"), max_length=60, blank=True)
    # The actor's review unit when the row was written (staff only; accountants, anonymous callers
    # and the system have none). Scopes the audit viewer: an auditor sees their unit and below.
    # No database constraint and no cascade: audit rows never change when a unit does.
    unit = models.ForeignKey(
        "regions.ReviewUnit",
        verbose_name=_("review unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # served by audit_unit_time_idx
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.SUCCESS)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Every filter of the audit viewer (audit.selectors) is an equality on the leading columns
        # followed by the keyset order (created_at, id) descending: one index range scan per page.
        indexes = [
            models.Index(fields=["created_at", "id"], name="audit_time_idx"),
            models.Index(fields=["actor", "created_at", "id"], name="audit_actor_time_idx"),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_time_idx"),
            models.Index(fields=["object_type", "object_id", "created_at", "id"], name="audit_object_time_idx"),
            models.Index(fields=["unit", "created_at", "id"], name="audit_unit_time_idx"),
            # Failures and denials are few: a partial index finds them without scanning successes.
            models.Index(
                fields=["result", "created_at", "id"],
                name="audit_unusual_result_idx",
                condition=~models.Q(result="success"),
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.result}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit events are append-only")
