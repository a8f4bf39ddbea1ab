"""继续教育: the 1–14 items, the yearly requirement, the credit records and their proofs, yearly totals.

A credit record is the payload of a reviews application of kind "continuing_education": the envelope
holds its status (pending, returned, approved, withdrawn), the record holds what was entered and the
credits. Credits count only in the record's own year and only once approved (DOMAIN.md).
"""

from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import CreditRule, Subject
from .rules import params_problems


class CreditItem(models.Model):
    """One of the 1–14 items a person may enter themselves (manual §7.2), edited by administrators.

    Rules: `params` must fit `rule` (see `rules.py`; checked by `clean()`, so the admin refuses a bad
    edit); an inactive item is no longer offered but stays on old records. Records keep a copy of the
    number, name, rule and subject they were filed under, so editing an item never changes a record.
    """

    no = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("item"), max_length=200)
    rule = models.CharField(_("credit rule"), max_length=20, choices=CreditRule.choices)
    params = models.JSONField(
        _("rule parameters"),
        default=dict,
        help_text=_(
            'fixed: {"credits": 90}; per_day: {"credits_per_day": 10}; by_role: {"第一作者": 30, "其他作者": 10}; '
            'reviewer_sets: {"max_credits": 90}'
        ),
    )
    proof_hint = models.CharField(_("proof to upload"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices, default=Subject.PROFESSIONAL)
    is_active = models.BooleanField(_("offered"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "no"]
        verbose_name = _("continuing education item")
        verbose_name_plural = _("continuing education items")

    def __str__(self):
        return f"{self.no}. {self.name}"

    def clean(self):
        if self.rule == CreditRule.PER_HOUR:
            # Per-hour credits belong to courses registered by training institutions, not to entries.
            raise ValidationError({"rule": _("Credits per class hour apply to institution courses only.")})
        problems = params_problems(self.rule, self.params)
        if problems:
            raise ValidationError({"params": problems})


class AnnualRequirement(models.Model):
    """The yearly requirement from a year on: at least `min_credits`, of which 专业科目 at least
    numerator/denominator of the total (财会〔2018〕10号: 90 credits, 2/3).

    The requirement of year Y is the row with the latest `from_year` ≤ Y; without one, the national
    defaults in `constants` apply.
    """

    from_year = models.PositiveSmallIntegerField(_("from year"), unique=True)
    min_credits = models.PositiveSmallIntegerField(_("minimum credits a year"), default=90)
    share_numerator = models.PositiveSmallIntegerField(_("professional share, numerator"), default=2)
    share_denominator = models.PositiveSmallIntegerField(_("professional share, denominator"), default=3)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("For example 财会〔2018〕10号."))

    class Meta:
        ordering = ["-from_year"]
        verbose_name = _("yearly requirement")
        verbose_name_plural = _("yearly requirements")

    def __str__(self):
        return f"{self.from_year}: ≥ {self.min_credits}, {self.share_numerator}/{self.share_denominator}"

    @property
    def professional_share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)

    def clean(self):
        if not self.share_denominator:
            raise ValidationError({"share_denominator": _("The denominator must be at least 1.")})
        if self.share_numerator > self.share_denominator:
            raise ValidationError({"share_numerator": _("The share cannot be more than the whole.")})
        if not self.min_credits:
            raise ValidationError({"min_credits": _("The minimum must be at least 1.")})


class CreditRecord(models.Model):
    """One self-entered credit record (manual §7.2): the payload of a 继续教育 application.

    Rules (enforced by `services`, the only writer):
    - only an approved (collected) person files records, routed to their managing unit;
    - the year is the current one, or the previous one until 31 March; the dates lie in that year and
      not in the future;
    - `credits` is computed by the item's rule when the record is filed or corrected; for a
      reviewer-set item it stays empty until the reviewer settles it (`settled_by`, `settled_at`),
      and the application cannot be approved before;
    - at least one proof;
    - `token` makes filing idempotent: the same form posted twice files one record.
    """

    application = models.OneToOneField(
        "reviews.Application", verbose_name=_("application"), on_delete=models.CASCADE, related_name="ce_record"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="ce_records"
    )
    item = models.ForeignKey(CreditItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="records")
    # What the item was when the record was filed (or last corrected).
    item_no = models.PositiveSmallIntegerField(_("item number"))
    item_name = models.CharField(_("item"), max_length=200)
    rule = models.CharField(_("credit rule"), max_length=20, choices=CreditRule.choices)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)

    year = models.PositiveSmallIntegerField(_("year"))
    start_date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"))
    title = models.CharField(_("title"), max_length=200)
    organiser = models.CharField(_("organiser, journal or publisher"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=500, blank=True)

    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    proposed_credits = models.PositiveSmallIntegerField(_("credits applied for"), null=True, blank=True)
    credits = models.PositiveIntegerField(_("credits"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credits settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("credits settled at"), null=True, blank=True)

    token = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "-start_date", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.UniqueConstraint(fields=["person", "token"], name="ce_record_unique_token"),
        ]
        indexes = [models.Index(fields=["person", "year"], name="ce_record_person_year_idx")]

    def __str__(self):
        return f"{self.year} {self.item_no}. {self.title}"

    @property
    def is_reviewer_set(self) -> bool:
        return self.rule == CreditRule.REVIEWER_SETS

    @property
    def claimed_credits(self) -> int:
        """The credits the record stands for while it waits: computed, or (item 14) settled or proposed."""
        if self.credits is not None:
            return self.credits
        return self.proposed_credits or 0


class CreditProof(models.Model):
    """A proof of a record, in box `position` (1 … MAX_PROOFS). The document belongs to the application."""

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="proofs")
    position = models.PositiveSmallIntegerField(_("position"))
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("proof")
        verbose_name_plural = _("proofs")
        constraints = [models.UniqueConstraint(fields=["record", "position"], name="ce_proof_unique_position")]

    def __str__(self):
        return f"{self.record_id}/{self.position}"


class YearlyCredits(models.Model):
    """A person's approved credits of one year, kept by `apply_record` in the approving transaction.

    Reports read these rows instead of summing records. Approval is final, so they only grow.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    approved_credits = models.PositiveIntegerField(_("approved credits"), default=0)
    professional_credits = models.PositiveIntegerField(_("professional credits"), default=0)
    approved_records = models.PositiveIntegerField(_("approved records"), default=0)

    class Meta:
        verbose_name = _("yearly credits")
        verbose_name_plural = _("yearly credits")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="ce_yearly_unique_person_year")]
        indexes = [models.Index(fields=["year", "person"], name="ce_yearly_year_person_idx")]

    def __str__(self):
        return f"{self.person_id} {self.year}: {self.approved_credits}"
