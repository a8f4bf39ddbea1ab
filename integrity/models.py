"""诚信 (integrity) records: honours the accountant applies for, negative records staff enter.

An honour (表彰奖励) is an application of kind "honour" on the review engine: `HonourPayload` holds
its fields and `HonourProof` its proofs. A negative record (失信记录) is not an application: staff
enter it for a person in their scope (`NegativeRecord`), and may later revoke it, never delete it.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.options import OptionItemBase

from .constants import (
    BASIS_MAX_LENGTH,
    BODY_MAX_LENGTH,
    DOCUMENT_NUMBER_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REVOKE_REASON_MAX_LENGTH,
    BanRule,
    OptionList,
)
from .options import OPTION_LISTS

if TYPE_CHECKING:
    from .forms import RevokeForm


class IntegrityOption(OptionItemBase):
    """One item of an option list of the honour form (奖励名称, 级别), edited by administrators.

    `value` is what records store and must never change once used; `label` is what people see.
    Inactive items are no longer offered nor accepted. An item that `asks_for_name` ("其他表彰奖励")
    makes the form ask for the honour's own name. Fields, `__str__` and dropping the cached lists on
    save/delete: `core.options`.
    """

    asks_for_name = models.BooleanField(
        _("asks for the name"), default=False, help_text=_("The person types the honour's name (for “other”).")
    )
    # Declared again after asks_for_name to keep the fields' order (the admin form's); "offered" here.
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    list_choices = OptionList.choices
    option_lists = OPTION_LISTS

    class Meta:
        ordering = ["list_key", "sort_order", "id"]
        verbose_name = _("integrity option")
        verbose_name_plural = _("integrity options")
        constraints = [models.UniqueConstraint(fields=["list_key", "value"], name="integrity_option_unique_value")]


class PenaltyKind(models.Model):
    """A kind of penalty (处罚种类) staff pick for a negative record, with what it means for the
    right to do accounting work. Rules: `years` needs `ban_years` ≥ 1; the other rules have none.
    A record copies the rule when it is entered, so editing a kind never rewrites old records.
    """

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, unique=True)
    ban_rule = models.CharField(_("bar from accounting work"), max_length=10, choices=BanRule.choices)
    ban_years = models.PositiveSmallIntegerField(_("years barred"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("penalty kind")
        verbose_name_plural = _("penalty kinds")

    def __str__(self):
        return self.name

    def clean(self):
        if self.ban_rule == BanRule.YEARS and not self.ban_years:
            raise ValidationError({"ban_years": _("Give the number of years the penalty bars accounting work.")})
        if self.ban_rule != BanRule.YEARS and self.ban_years:
            raise ValidationError({"ban_years": _("Only a bar for a number of years has years.")})


class HonourPayload(models.Model):
    """The payload of an honour application (kind "honour", 诚信录入 / 表彰奖励).

    Rules (enforced by `integrity.services`, the only writer): 奖励名称 comes from the honour list;
    an item that asks for a name ("其他表彰奖励") needs `name` typed by the person, otherwise `name`
    is the item's label; 时间 is not in the future; at least one proof. Editable only while the
    application is returned (a pending one can only be withdrawn); never after approval.
    `submission_key` makes a double click on 保存 create one record.
    """

    application = models.OneToOneField("reviews.Application", on_delete=models.CASCADE, related_name="honour")
    name_choice = models.CharField(_("honour"), max_length=NAME_MAX_LENGTH)
    name = models.CharField(_("honour name"), max_length=NAME_MAX_LENGTH)  # 奖励名称 as shown
    level = models.CharField(_("level"), max_length=NAME_MAX_LENGTH)  # 级别
    awarded_on = models.DateField(_("date awarded"))  # 时间
    awarding_body = models.CharField(_("awarded by"), max_length=BODY_MAX_LENGTH)  # 授予单位
    document_number = models.CharField(_("document number"), max_length=DOCUMENT_NUMBER_MAX_LENGTH)  # 文号
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("honour record")
        verbose_name_plural = _("honour records")

    def __str__(self):
        return f"{self.name} ({self.awarded_on:%Y-%m-%d})"

    def proofs_with_documents(self):
        """The proofs in box order with their documents, in one query (for templates)."""
        return self.proofs.select_related("document").order_by("slot")


class HonourProof(models.Model):
    """The document handed in for one proof box of an honour record."""

    payload = models.ForeignKey(HonourPayload, on_delete=models.CASCADE, related_name="proofs")
    slot = models.CharField(_("slot"), max_length=40)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["slot"]
        verbose_name = _("honour proof")
        verbose_name_plural = _("honour proofs")
        constraints = [models.UniqueConstraint(fields=["payload", "slot"], name="integrity_honour_proof_unique_slot")]

    def __str__(self):
        return self.slot


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


class NegativeRecord(models.Model):
    """A negative integrity record (失信记录) entered by finance-bureau staff, not an application.

    Rules (enforced by `integrity.services`): only for a collected person whose managing unit is at
    or below the staff member's unit; 决定日期 not in the future; 期限 runs from `period_start` to
    `period_end`, or is permanent (永久) with no end; the penalty kind's bar rule is copied at entry.
    A record is never deleted: a mistaken or overturned one is revoked, with a reason, and audited.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="negative_records"
    )
    # The person's managing unit when the record was entered (history; scope follows the person).
    unit = models.ForeignKey(
        "regions.ReviewUnit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    penalty_kind = models.ForeignKey(
        PenaltyKind, verbose_name=_("penalty kind"), on_delete=models.PROTECT, related_name="records"
    )
    ban_rule = models.CharField(_("bar from accounting work"), max_length=10, choices=BanRule.choices)
    ban_years = models.PositiveSmallIntegerField(_("years barred"), null=True, blank=True)
    basis = models.CharField(_("legal basis"), max_length=BASIS_MAX_LENGTH)  # 依据
    authority = models.CharField(_("deciding authority"), max_length=BODY_MAX_LENGTH)  # 决定机关
    decision_date = models.DateField(_("decision date"))  # 决定日期
    period_start = models.DateField(_("period from"))  # 期限
    period_end = models.DateField(_("period to"), null=True, blank=True)
    is_permanent = models.BooleanField(_("permanent"), default=False)  # 永久
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_by_name = models.CharField(_("entered by (name)"), max_length=100)
    entered_by_unit = models.CharField(_("entered by (unit)"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_by_name = models.CharField(_("revoked by (name)"), max_length=100, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=REVOKE_REASON_MAX_LENGTH, blank=True)

    # Not stored: the staff person page's revoke form of the record (set by integrity.views.staff).
    revoke_form: "RevokeForm | None"

    class Meta:
        ordering = ["-decision_date", "-id"]
        verbose_name = _("negative record")
        verbose_name_plural = _("negative records")
        indexes = [models.Index(fields=["person", "decision_date"], name="integrity_negative_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_permanent=True, period_end__isnull=True)
                | Q(is_permanent=False, period_end__isnull=False, period_end__gte=models.F("period_start")),
                name="integrity_negative_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.penalty_kind_id} {self.decision_date:%Y-%m-%d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def barred_for_good(self) -> bool:
        return self.ban_rule == BanRule.PERMANENT

    @property
    def barred_until(self) -> datetime.date | None:
        """The last day the person may not do accounting work (a bar for years), else None."""
        if self.ban_rule == BanRule.YEARS and self.ban_years:
            return _add_years(self.decision_date, self.ban_years)
        return None

    def is_in_force(self, today: datetime.date | None = None) -> bool:
        """Not revoked, and its period or its bar from accounting work has not run out."""
        if self.is_revoked:
            return False
        today = today or timezone.localdate()
        if self.is_permanent or self.barred_for_good:
            return True
        if self.period_end is not None and self.period_end >= today:
            return True
        until = self.barred_until
        return until is not None and until >= today
