"""Writes of 施教机构: institutions and their staff, courses, attendees (one by one, by upload or by API),
corrections and revocations. Every function is keyword-only, runs in one transaction and writes its
audit row; refusals raise `InstitutionError` with a message for the person (and the field, if any).

This is the API-friendly layer: `create_course`, `validate_rows` (in `upload`), `register_attendees`
and `commit_upload` take plain values and return model rows or plain results.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.services import record_event
from continuing_education.constants import Subject
from continuing_education.exceptions import CreditError
from continuing_education.external import adjust_yearly, adjust_yearly_many
from core.masking import mask_id_number
from identity.constants import StaffRole, UserKind
from identity.models import User
from identity.staff_credentials import generate_one_time_password
from identity.staff_services import USERNAME_RE
from identity.validators import validate_mobile, validate_uscc
from regions.models import ReviewUnit

from .constants import AttendanceStatus, BatchStatus, CourseMode, EventKind, InstitutionStatus
from .models import Attendance, AttendanceEvent, Course, Institution, InstitutionMembership, UploadBatch
from .rules import course_credits
from .upload import UploadError, read_rows, validate_rows

NOT_ALLOWED = _("You may not manage training institutions of this region.")
USCC_TAKEN = _("An institution with this unified social credit code already exists.")
INSTITUTION_SUSPENDED = _("This institution is suspended: it cannot register courses or attendees.")
REASON_REQUIRED = _("Please give the reason.")
ALREADY_REVOKED = _("These credits have already been revoked.")
HAS_ERRORS = _("Some rows have errors: correct the file and upload it again. Nothing was registered.")
NOT_READY = _("The file is still being checked.")


class InstitutionError(Exception):
    """`errors` ({field: message}, or None) holds every refused field when a check found several."""

    def __init__(
        self,
        message: StrOrPromise,
        *,
        field: str | None = None,
        code: str = "",
        results: list[dict[str, Any]] | None = None,
        errors: Mapping[str, StrOrPromise] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
        self.results = results or []
        self.errors = errors


# --------------------------------------------------------------------------- who may administer


ADMIN_LEVELS = (ReviewUnit.Level.PROVINCE, ReviewUnit.Level.CITY)


def can_administer(user: User) -> bool:
    """City or provincial unit administrators, and system administrators, manage institutions."""
    if not (user.is_authenticated and user.is_staff_member and user.is_active):
        return False
    if user.role == StaffRole.SYSTEM_ADMIN:
        return True
    return user.role == StaffRole.UNIT_ADMIN and user.unit is not None and user.unit.level in ADMIN_LEVELS


def administers_region(user: User, region: ReviewUnit) -> bool:
    """Whether `user` may manage an institution of `region` (their unit or one below it)."""
    if not can_administer(user):
        return False
    if user.role == StaffRole.SYSTEM_ADMIN:
        return True
    assert user.unit is not None  # can_administer: a unit administrator has a unit
    return region.path.startswith(user.unit.path)


# --------------------------------------------------------------------------- institutions


def create_institution(
    *,
    actor: User,
    name: str,
    uscc: str,
    region: ReviewUnit,
    contact_name: str,
    contact_phone: str,
    request: HttpRequest | None = None,
) -> Institution:
    """Create an institution of `region` (the actor's unit or below; system administrators: any)."""
    errors: dict[str, StrOrPromise] = {}
    name, contact_name = (name or "").strip(), (contact_name or "").strip()
    if not name:
        errors["name"] = _("Please enter the institution's name.")
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages[0]
    if not contact_name:
        errors["contact_name"] = _("Please enter the contact person.")
    try:
        contact_phone = validate_mobile(contact_phone)
    except ValidationError as exc:
        errors["contact_phone"] = exc.messages[0]
    if region is None or not administers_region(actor, region):
        errors["region"] = NOT_ALLOWED
    if "uscc" not in errors and Institution.objects.filter(uscc=uscc).exists():
        errors["uscc"] = USCC_TAKEN
    if errors:
        field, message = next(iter(errors.items()))
        raise InstitutionError(message, field=field, code="invalid", errors=errors)
    try:
        with transaction.atomic():
            institution = Institution.objects.create(
                name=name,
                uscc=uscc,
                region=region,
                contact_name=contact_name,
                contact_phone=contact_phone,
                created_by=actor,
            )
            record_event(
                action="institutions.create",
                request=request,
                actor=actor,
                obj=institution,
                detail={"name": name, "uscc": uscc, "region": region.code},
            )
    except IntegrityError:
        raise InstitutionError(USCC_TAKEN, field="uscc", code="uscc_taken", errors={"uscc": USCC_TAKEN}) from None
    return institution


def set_institution_status(
    *, actor: User, institution: Institution, status: str, request: HttpRequest | None = None
) -> Institution:
    """Suspend or reactivate an institution (its staff then cannot register anything)."""
    if status not in InstitutionStatus.values or not administers_region(actor, institution.region):
        raise InstitutionError(NOT_ALLOWED, code="not_allowed")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.status != status:
            before = locked.status
            locked.status = status
            locked.save(update_fields=["status"])
            record_event(
                action="institutions.status",
                request=request,
                actor=actor,
                obj=locked,
                detail={"from": before, "to": status},
            )
    return locked


def create_institution_staff(
    *, actor: User, institution: Institution, username: str, full_name: str, request: HttpRequest | None = None
) -> tuple[User, str]:
    """An institution staff account: a one-time password (returned, shown once) and an authenticator
    enrolled at the first sign-in (identity's first sign-in pages), then username + password + TOTP."""
    if not administers_region(actor, institution.region):
        raise InstitutionError(NOT_ALLOWED, code="not_allowed")
    username, full_name = (username or "").strip(), (full_name or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise InstitutionError(_("Use 2 to 30 letters, digits, dots, underscores or hyphens."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise InstitutionError(_("This username is already taken."), field="username")
    if not full_name or len(full_name) > 50:
        raise InstitutionError(_("Enter the staff member's name (at most 50 characters)."), field="full_name")
    password = generate_one_time_password()
    user = User(
        username=username,
        full_name=full_name,
        kind=UserKind.STAFF,
        role=StaffRole.INSTITUTION,
        unit=None,
        must_change_password=True,
        must_enrol_totp=True,
    )
    validate_password(password, user=user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        InstitutionMembership.objects.create(user=user, institution=institution)
        record_event(
            action="institutions.staff_create",
            request=request,
            actor=actor,
            obj=user,
            detail={"username": username, "institution": institution.pk},
        )
    return user, password


def institution_of(user: User) -> Institution | None:
    """The institution of an institution staff account (None for anyone else)."""
    if not getattr(user, "is_authenticated", False) or user.role != StaffRole.INSTITUTION:
        return None
    membership = InstitutionMembership.objects.select_related("institution").filter(user=user).first()
    return membership.institution if membership else None


def _require_active(institution: Institution) -> None:
    if institution.status != InstitutionStatus.ACTIVE:
        raise InstitutionError(INSTITUTION_SUSPENDED, code="suspended")


# --------------------------------------------------------------------------- courses


@dataclass(frozen=True)
class CourseInput:
    name: str
    subject: str  # continuing_education.constants.Subject
    mode: str  # CourseMode
    start_date: datetime.date
    end_date: datetime.date
    hours: int


def course_problems(data: CourseInput) -> dict[str, str]:
    """Every problem of a course, by field (empty when it can be registered)."""
    problems: dict[str, str] = {}
    if not (data.name or "").strip():
        problems["name"] = str(_("Please enter the course name."))
    if data.subject not in Subject.values:
        problems["subject"] = str(_("Choose 公需科目 or 专业科目."))
    if data.mode not in CourseMode.values:
        problems["mode"] = str(_("Choose how the course is held."))
    if data.start_date and data.end_date and data.end_date < data.start_date:
        problems["end_date"] = str(_("The end date cannot be before the start date."))
    if data.start_date and data.end_date and data.start_date.year != data.end_date.year:
        problems["end_date"] = str(_("A course must start and end in the same year (credits count per year)."))
    if "mode" not in problems and data.end_date:
        try:
            course_credits(year=data.end_date.year, mode=data.mode, hours=data.hours)
        except CreditError as exc:
            problems["hours"] = str(exc.message)
    return problems


def create_course(
    *, institution: Institution, actor: User, data: CourseInput, request: HttpRequest | None = None
) -> Course:
    """Register a course; its credits follow the course credit rule in force (e.g. 1 学时 = 3 credits)."""
    _require_active(institution)
    problems = course_problems(data)
    if problems:
        field, message = next(iter(problems.items()))
        raise InstitutionError(message, field=field, code="invalid", errors=problems)
    credits, rule = course_credits(year=data.end_date.year, mode=data.mode, hours=data.hours)
    with transaction.atomic():
        course = Course.objects.create(
            institution=institution,
            name=data.name.strip(),
            subject=data.subject,
            mode=data.mode,
            start_date=data.start_date,
            end_date=data.end_date,
            hours=data.hours,
            credits=credits,
            rule=rule.rule,
            rule_params=rule.params,
            created_by=actor,
        )
        record_event(
            action="institutions.course_create",
            request=request,
            actor=actor,
            obj=course,
            detail={"institution": institution.pk, "hours": data.hours, "credits": credits},
        )
    return course


# --------------------------------------------------------------------------- attendees


@dataclass
class RegistrationResult:
    registered: int = 0
    already: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)


def _professional(course: Course, credits: int) -> int:
    return credits if course.subject == Subject.PROFESSIONAL else 0


def register_attendees(
    *,
    course: Course,
    rows: Iterable[dict[str, Any]],
    actor: User,
    batch: UploadBatch | None = None,
    request: HttpRequest | None = None,
) -> RegistrationResult:
    """Register attendees of `course` from rows ({"id_type", "id_number", "name", "date"}), all or nothing.

    The rows are checked again (`validate_rows`) under a lock on the course: any row with an error
    refuses the whole call (InstitutionError with `results`), nothing is written. A person already
    registered for the course is skipped (idempotent by institution + course + person: the unique
    constraint guarantees it even under concurrency). Returns a RegistrationResult.
    """
    _require_active(course.institution)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()
        results = validate_rows(course, rows, existing_is_error=False)
        if any(r["errors"] for r in results):
            raise InstitutionError(HAS_ERRORS, code="row_errors", results=results)
        new = [r for r in results if not r["already"]]
        attendances = Attendance.objects.bulk_create(
            [
                Attendance(
                    course=course,
                    id_type=r["id_type"],
                    id_number=r["id_number"],
                    name=r["name"],
                    person_id=r["person_id"],
                    attended_on=datetime.date.fromisoformat(r["date"]),
                    credits=course.credits,
                    batch=batch,
                )
                for r in new
            ],
            batch_size=1000,
        )
        if attendances and attendances[0].pk is None:  # a backend that returns no ids
            keys = [(r["id_type"], r["id_number"]) for r in new]
            by_key = {
                (a.id_type, a.id_number): a
                for a in Attendance.objects.filter(course=course, id_number__in=[k[1] for k in keys])
            }
            attendances = [by_key[k] for k in keys]
        AttendanceEvent.objects.bulk_create(
            [
                AttendanceEvent(attendance=a, kind=EventKind.REGISTER, credits_after=a.credits, actor=actor)
                for a in attendances
            ],
            batch_size=1000,
        )
        adjust_yearly_many(
            person_ids=[a.person_id for a in attendances if a.person_id],
            year=course.year,
            credits=course.credits,
            professional=_professional(course, course.credits),
            records=1,
        )
        record_event(
            action="institutions.register",
            request=request,
            actor=actor,
            obj=course,
            detail={
                "registered": len(attendances),
                "already": len(results) - len(new),
                "batch": batch.pk if batch else None,
            },
        )
    return RegistrationResult(registered=len(attendances), already=len(results) - len(new), results=results)


def register_one(
    *,
    course: Course,
    actor: User,
    id_type: str,
    id_number: str,
    name: str,
    date: datetime.date | str | None,
    request: HttpRequest | None = None,
) -> RegistrationResult:
    """Register one attendee (the course page's form): the same checks and rules as a file's rows."""
    from .constants import ID_TYPE_CHINESE

    row = {
        "row": 1,
        "id_type": ID_TYPE_CHINESE.get(id_type, id_type),
        "id_number": id_number,
        "name": name,
        "date": date.isoformat() if isinstance(date, datetime.date) else str(date or ""),
    }
    checked = validate_rows(course, [row])
    if checked[0]["errors"]:
        raise InstitutionError("；".join(checked[0]["errors"]), code="row_errors", results=checked)
    return register_attendees(course=course, rows=[row], actor=actor, request=request)


# --------------------------------------------------------------------------- uploads


def start_upload(
    *, course: Course, actor: User, file_name: str, content: bytes, request: HttpRequest | None = None
) -> UploadBatch:
    """Store an uploaded attendee list and queue its check (`tasks.validate_upload`)."""
    from .constants import MAX_UPLOAD_BYTES
    from .tasks import validate_upload

    _require_active(course.institution)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InstitutionError(_("The file is larger than 10 MB."), field="file", code="too_large")
    with transaction.atomic():
        batch = UploadBatch.objects.create(
            course=course, uploaded_by=actor, file_name=(file_name or "upload.xlsx")[-200:], content=content
        )
        record_event(
            action="institutions.upload",
            request=request,
            actor=actor,
            obj=batch,
            detail={"course": course.pk, "file": batch.file_name[:100], "bytes": len(content)},
        )
        transaction.on_commit(lambda: validate_upload.delay(batch.pk))
    return batch


def check_upload(batch_id: int) -> UploadBatch:
    """Read and check an upload, saving progress after every batch of rows (runs in a Celery task)."""
    batch = UploadBatch.objects.select_related("course").get(pk=batch_id)
    if batch.status != BatchStatus.VALIDATING:
        return batch
    try:
        rows = read_rows(bytes(batch.content))
    except UploadError as exc:
        UploadBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, message=str(exc)[:300])
        batch.refresh_from_db()
        return batch
    UploadBatch.objects.filter(pk=batch.pk).update(total_rows=len(rows), processed_rows=0)

    def progress(done: int, total: int) -> None:
        UploadBatch.objects.filter(pk=batch.pk).update(processed_rows=done)

    results = validate_rows(batch.course, rows, on_progress=progress)
    errors = sum(1 for r in results if r["errors"])
    UploadBatch.objects.filter(pk=batch.pk).update(
        results=results, error_rows=errors, processed_rows=len(results), status=BatchStatus.READY
    )
    batch.refresh_from_db()
    return batch


def commit_upload(*, batch: UploadBatch, actor: User, request: HttpRequest | None = None) -> UploadBatch:
    """Register every row of a checked upload without errors, all or nothing; committing twice is a no-op."""
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().select_related("course__institution").get(pk=batch.pk)
        if locked.status == BatchStatus.COMMITTED:
            return locked
        if locked.status != BatchStatus.READY:
            raise InstitutionError(NOT_READY, code="not_ready")
        if locked.error_rows:
            raise InstitutionError(HAS_ERRORS, code="row_errors", results=locked.results)
        rows = [
            {
                "row": r["row"],
                "id_type": r["id_type"],
                "id_number": r["id_number"],
                "name": r["name"],
                "date": r["date"],
            }
            for r in locked.results
        ]
        result = register_attendees(course=locked.course, rows=rows, actor=actor, batch=locked, request=request)
        locked.status = BatchStatus.COMMITTED
        locked.registered = result.registered
        locked.committed_at = timezone.now()
        locked.save(update_fields=["status", "registered", "committed_at"])
    return locked


# --------------------------------------------------------------------------- corrections


def correct_attendance(
    *, attendance: Attendance, actor: User, credits: int, reason: str, request: HttpRequest | None = None
) -> Attendance:
    """Correct an attendee's credits (e.g. partial attendance); the person sees the change and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InstitutionError(REASON_REQUIRED, field="reason", code="reason_required")
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().select_related("course__institution").get(pk=attendance.pk)
        _require_active(locked.course.institution)
        if locked.status == AttendanceStatus.REVOKED:
            raise InstitutionError(ALREADY_REVOKED, code="revoked")
        limit = locked.course.credits
        if not isinstance(credits, int) or isinstance(credits, bool) or not 1 <= credits <= limit:
            raise InstitutionError(
                _("The credits must be a whole number from 1 to %(max)d (the course's credits).") % {"max": limit},
                field="credits",
                code="credits_range",
            )
        before = locked.credits
        if before == credits:
            return locked
        locked.credits = credits
        locked.save(update_fields=["credits", "updated_at"])
        AttendanceEvent.objects.create(
            attendance=locked,
            kind=EventKind.CORRECT,
            credits_before=before,
            credits_after=credits,
            reason=reason[:300],
            actor=actor,
        )
        if locked.person_id:
            delta = credits - before
            adjust_yearly(
                person_id=locked.person_id,
                year=locked.course.year,
                credits=delta,
                professional=_professional(locked.course, delta),
                records=0,
            )
        record_event(
            action="institutions.correct",
            request=request,
            actor=actor,
            obj=locked,
            detail={"before": before, "credits": credits, "id_number": mask_id_number(locked.id_number)},
        )
    return locked


def revoke_attendance(
    *, attendance: Attendance, actor: User, reason: str, request: HttpRequest | None = None
) -> Attendance:
    """Revoke an attendee's credits (registered by mistake): they stop counting; the history stays."""
    reason = (reason or "").strip()
    if not reason:
        raise InstitutionError(REASON_REQUIRED, field="reason", code="reason_required")
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().select_related("course__institution").get(pk=attendance.pk)
        _require_active(locked.course.institution)
        if locked.status == AttendanceStatus.REVOKED:
            raise InstitutionError(ALREADY_REVOKED, code="revoked")
        locked.status = AttendanceStatus.REVOKED
        locked.save(update_fields=["status", "updated_at"])
        AttendanceEvent.objects.create(
            attendance=locked,
            kind=EventKind.REVOKE,
            credits_before=locked.credits,
            reason=reason[:300],
            actor=actor,
        )
        if locked.person_id:
            adjust_yearly(
                person_id=locked.person_id,
                year=locked.course.year,
                credits=-locked.credits,
                professional=-_professional(locked.course, locked.credits),
                records=-1,
            )
        record_event(
            action="institutions.revoke",
            request=request,
            actor=actor,
            obj=locked,
            detail={"credits": locked.credits, "id_number": mask_id_number(locked.id_number)},
        )
    return locked
