"""The statistics aggregates the 统计分析 dashboard reads (never the big tables per request).

Live figures come from `reviews.StatusCount` (kept in the transition's own transaction). Everything
else is kept here by `reports.refresh.refresh_statistics`, a scheduled Celery task that recomputes
only what changed since its watermarks (`RefreshState`) and is idempotent: a key it recomputes is
deleted and written again from the raw tables, so running it twice changes nothing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RefreshState(models.Model):
    """Where the refresh task stopped: the last review event and record version it has read."""

    name = models.CharField(_("aggregate"), max_length=40, unique=True)
    last_event_id = models.BigIntegerField(_("last review event read"), default=0)
    last_version_id = models.BigIntegerField(_("last record version read"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics refresh state")
        verbose_name_plural = _("statistics refresh states")

    def __str__(self):
        return f"{self.name} @ {self.refreshed_at}"


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class SubmissionCount(models.Model):
    """Applications of a kind first handed in during a week (Monday) or month (day 1), per current unit."""

    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("application kind"), max_length=40)
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    start = models.DateField(_("period start"))
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("submissions per period")
        verbose_name_plural = _("submissions per period")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "period", "start"], name="reports_submission_unique"),
        ]
        indexes = [models.Index(fields=["period", "start", "kind"], name="reports_submission_period_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.kind} {self.period} {self.start}: {self.count}"


class OpenCount(models.Model):
    """Drafts and overdue pending applications of a kind at a unit (both change without an event:
    a draft is not counted by reviews, and an application becomes overdue as days pass)."""

    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("application kind"), max_length=40)
    drafts = models.IntegerField(_("drafts"), default=0)
    overdue = models.IntegerField(_("overdue"), default=0)

    class Meta:
        verbose_name = _("open applications count")
        verbose_name_plural = _("open applications counts")
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="reports_open_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.kind}: {self.drafts} drafts, {self.overdue} overdue"


class Dimension(models.TextChoices):
    QUALIFICATION_LEVEL = "qualification_level", _("Qualification level")
    EDUCATION = "education", _("Highest education")
    POST = "post", _("Accounting post")
    SEX = "sex", _("Sex")
    BIRTH_YEAR = "birth_year", _("Year of birth")
    UNIT_NATURE = "unit_nature", _("Nature of the employer")


class PeopleCount(models.Model):
    """People on record (approved dossiers) managed by a unit, by one dimension's value.

    Every person counts exactly once per dimension ("" when the value is missing). Age bands are
    drawn at read time from the year of birth, so the rows stay true as years pass.
    """

    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(_("dimension"), max_length=30, choices=Dimension.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("people on record count")
        verbose_name_plural = _("people on record counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "dimension", "value"], name="reports_people_unique"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.dimension}={self.value}: {self.count}"


class CeCompliance(models.Model):
    """继续教育 of one year at a unit: people on record with approved credits, and how many meet the
    year's requirement (continuing_education.selectors.YearSummary.meets)."""

    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    with_credits = models.IntegerField(_("people with approved credits"), default=0)
    compliant = models.IntegerField(_("people meeting the requirement"), default=0)
    credits = models.BigIntegerField(_("approved credits"), default=0)

    class Meta:
        verbose_name = _("continuing education compliance")
        verbose_name_plural = _("continuing education compliance")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="reports_ce_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.year}: {self.compliant}/{self.with_credits}"


class DecisionCount(models.Model):
    """Decisions (approve or return) by a reviewer in a week, on applications of a unit, by the
    working days the decision took and whether it came after the due date in force."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("regions.ReviewUnit", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week"))
    working_days = models.IntegerField(_("working days to decision"))
    late = models.BooleanField(_("after the due date"))
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("decisions count")
        verbose_name_plural = _("decisions counts")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "unit", "week", "working_days", "late"], name="reports_decision_unique"
            ),
        ]
        indexes = [models.Index(fields=["unit", "week"], name="reports_decision_unit_idx")]

    def __str__(self):
        return f"{self.reviewer_id} {self.week}: {self.count}"
