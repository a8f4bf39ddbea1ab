"""The review engine's tables: one envelope for every kind of application, its events, the
per-unit counters the inbox reads, and the standard return reasons administrators edit."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .constants import OPEN_STATUSES, EventType, Status


class Application(models.Model):
    """The envelope of anything an accountant hands in (信息采集, 信息变更, 继续教育, 诚信, 手机号更换).

    Rules (enforced by `reviews.services`, the only writer):
    - status follows the state machine in `reviews.constants`; every change bumps `version`, which a
      reviewer's decision must quote (optimistic locking on top of `select_for_update`);
    - at most one open application of an *exclusive* kind per applicant: a partial unique constraint in
      the database, not only a check in code;
    - `applicant_name` / `applicant_id_number` are copies of the applicant's identity so the inbox
      searches this one table without a join; services refresh them;
    - `due_date` is the SLA date in working days; the clock stops while the application is returned.
    The kind's own data lives in its payload model, one-to-one with this row (see `reviews.registry`).
    """

    kind = models.CharField(_("application kind"), max_length=40)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    unit = models.ForeignKey(
        "regions.ReviewUnit", verbose_name=_("review unit"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    # False for kinds that allow several open applications at once (e.g. one per credit record).
    exclusive = models.BooleanField(_("one open per person"), default=True, editable=False)

    applicant_name = models.CharField(_("applicant name"), max_length=50, blank=True)
    applicant_id_number = models.CharField(_("ID number"), max_length=32, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("return reason"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind"],
                condition=Q(status__in=OPEN_STATUSES, exclusive=True),
                name="reviews_one_open_application_per_kind",
            ),
        ]
        indexes = [
            # The inbox: one unit (or a few), one status, keyset on (last_submitted_at, id).
            models.Index(fields=["unit", "status", "last_submitted_at", "id"], name="reviews_inbox_unit_idx"),
            # Broad scopes (a city, the province) walk the queue in order and filter the unit.
            models.Index(fields=["status", "last_submitted_at", "id"], name="reviews_inbox_status_idx"),
            models.Index(fields=["kind", "status", "last_submitted_at", "id"], name="reviews_inbox_kind_idx"),
            # Exact searches by ID number or name.
            models.Index(fields=["applicant_id_number"], name="reviews_applicant_id_idx"),
            models.Index(fields=["applicant_name"], name="reviews_applicant_name_idx"),
            # The accountant's own applications of a kind.
            models.Index(fields=["applicant", "kind", "created_at"], name="reviews_applicant_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk} ({self.get_status_display()})"

    @property
    def kind_label(self) -> StrOrPromise:
        from .registry import kind_label

        return kind_label(self.kind)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Pending past its due date (working days; the clock stopped while it was returned)."""
        return self.status == Status.PENDING and self.due_date is not None and self.due_date < timezone.localdate()


class ReviewEventQuerySet(models.QuerySet["ReviewEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("review events are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("review events are immutable")


class ReviewEvent(models.Model):
    """One transition of one application: who, when, from, to, why, from where. Never changed.

    Actor name and unit are snapshots so the history stays true after an account changes.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="events"
    )
    event_type = models.CharField(_("event"), max_length=20, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=100, blank=True)
    actor_unit = models.CharField(_("actor unit"), max_length=60, blank=True)
    actor_is_staff = models.BooleanField(_("by staff"), default=False)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    version = models.PositiveIntegerField(_("version"))
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # On a return: what the reviewer returned ({"data": the kind's snapshot, "proofs": [{"label",
    # "document"}]}), so the page can show what changed when it is handed in again. Else null.
    snapshot = models.JSONField(_("snapshot at this event"), null=True, blank=True, editable=False)

    objects = ReviewEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("review events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("review events are immutable")


class StatusCount(models.Model):
    """How many handed-in applications of a kind sit in a status at a unit.

    Kept exact by the transition services in the transition's own transaction, so the inbox shows
    counts without counting the big table. Drafts are not counted (reviewers never see them).
    """

    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("application kind"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("status count")
        verbose_name_plural = _("status counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "status"], name="reviews_status_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.status}: {self.count}"


class StandardReturnReason(models.Model):
    """A ready-made return reason reviewers pick from (editable by administrators)."""

    text = models.CharField(_("text"), max_length=200)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("standard return reason")
        verbose_name_plural = _("standard return reasons")

    def __str__(self) -> str:
        return self.text
