"""施教机构 (training institutions), their staff, courses, attendees and attendee-list uploads.

Rules (enforced by `services`, the only writer):
- an institution is created by a city or provincial unit administrator (in their region) or a system
  administrator; its 统一社会信用代码 is unique and checksummed;
- its staff are `identity.User(kind=staff, role=institution)` rows tied to it by one
  `InstitutionMembership` (identity never imports this app);
- a course's credits are computed when it is registered, by the continuing-education rules engine
  from the `CourseCreditRule` in force (data, e.g. 1 学时 = 3 credits);
- one `Attendance` per (course, 证件类型, 证件号码): registering twice is a no-op (unique constraint);
  the institution corrects or revokes it, every change is an `AttendanceEvent` the person sees.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from continuing_education.constants import CreditRule, Subject
from continuing_education.rules import params_problems
from identity.constants import IdType

from .constants import AttendanceStatus, BatchStatus, CourseMode, EventKind, InstitutionStatus


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(
        "regions.ReviewUnit", verbose_name=_("region"), on_delete=models.PROTECT, related_name="institutions"
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("training institution")
        verbose_name_plural = _("training institutions")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == InstitutionStatus.ACTIVE


class InstitutionMembership(models.Model):
    """Ties an institution staff account to its one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="institution_membership",
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("institution staff member")
        verbose_name_plural = _("institution staff members")

    def __str__(self):
        return f"{self.user_id} @ {self.institution_id}"


class CourseCreditRule(models.Model):
    """How a course's 学时 become credits from `from_year` on (optionally for one mode only).

    Data an administrator edits: rule and params follow `continuing_education.rules` (per_hour:
    {"credits_per_hour": 3}). The rule of a course is the row with the latest `from_year` ≤ the
    course's year, of its mode if there is one, else of every mode.
    """

    from_year = models.PositiveSmallIntegerField(_("from year"))
    mode = models.CharField(_("mode"), max_length=20, choices=CourseMode.choices, blank=True)
    rule = models.CharField(_("credit rule"), max_length=20, choices=CreditRule.choices, default=CreditRule.PER_HOUR)
    params = models.JSONField(_("rule parameters"), default=dict)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-from_year", "mode"]
        verbose_name = _("course credit rule")
        verbose_name_plural = _("course credit rules")
        constraints = [models.UniqueConstraint(fields=["from_year", "mode"], name="inst_rule_unique_year_mode")]

    def __str__(self):
        return f"{self.from_year} {self.mode or '*'}: {self.rule} {self.params}"

    def clean(self):
        problems = params_problems(self.rule, self.params)
        if problems:
            raise ValidationError({"params": problems})


class Course(models.Model):
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="courses"
    )
    name = models.CharField(_("course name"), max_length=200)
    subject = models.CharField(_("category"), max_length=20, choices=Subject.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=CourseMode.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.PositiveSmallIntegerField(_("class hours"))
    credits = models.PositiveIntegerField(_("credits"))
    rule = models.CharField(_("credit rule"), max_length=20, choices=CreditRule.choices)
    rule_params = models.JSONField(_("rule parameters"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.name

    @property
    def year(self) -> int:
        return self.end_date.year


class UploadBatch(models.Model):
    """One uploaded attendee list: the file, its check (in the background) and its commit."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.VALIDATING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row": 2, "id_type": ..., "id_number": ..., "name": ..., "date": "2026-05-01", "errors": [...]}]
    results = models.JSONField(_("results"), default=list)
    message = models.CharField(_("message"), max_length=300, blank=True)
    registered = models.PositiveIntegerField(_("registered"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("registered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attendee upload")
        verbose_name_plural = _("attendee uploads")

    def __str__(self):
        return f"{self.course_id}/{self.pk} {self.file_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status == BatchStatus.VALIDATING else 100
        return min(100, self.processed_rows * 100 // self.total_rows)


class Attendance(models.Model):
    """A person's attendance of a course and the credits it earns them (机构登记)."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="attendances")
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attended_on = models.DateField(_("attendance date"))
    credits = models.PositiveIntegerField(_("credits"))
    status = models.CharField(
        _("status"), max_length=12, choices=AttendanceStatus.choices, default=AttendanceStatus.ACTIVE
    )
    batch = models.ForeignKey(
        UploadBatch, verbose_name=_("upload"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(fields=["course", "id_type", "id_number"], name="inst_attendance_unique_person"),
        ]
        indexes = [models.Index(fields=["id_number", "id_type"], name="inst_attendance_id_idx")]

    def __str__(self):
        return f"{self.course_id}: {self.name}"


class AttendanceEvent(models.Model):
    """One change of an attendance: registered, corrected (credits before → after), revoked."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("change"), max_length=12, choices=EventKind.choices)
    credits_before = models.PositiveIntegerField(null=True, blank=True)
    credits_after = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attendee change")
        verbose_name_plural = _("attendee changes")

    def __str__(self):
        return f"{self.attendance_id} {self.kind}"
