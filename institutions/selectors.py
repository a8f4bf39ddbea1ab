"""Reads of 施教机构: scoped look-ups (another institution's rows are a 404) and the credits a person sees."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from continuing_education.external import ExternalCredit
from identity.constants import StaffRole
from identity.models import User

from .constants import SOURCE_CODE, SOURCE_LABEL, AttendanceStatus
from .models import Attendance, AttendanceEvent, Course, Institution, UploadBatch


def institutions_for_admin(user: User) -> QuerySet[Institution]:
    """The institutions an administrator manages: of their unit and below (system administrators: all)."""
    rows = Institution.objects.select_related("region").order_by("name", "id")
    if user.role == StaffRole.SYSTEM_ADMIN:
        return rows
    assert user.unit is not None  # a unit administrator always has a unit (services.can_administer)
    return rows.filter(region__path__startswith=user.unit.path)


def institution_for_admin(user: User, pk: int | str) -> Institution:
    institution = institutions_for_admin(user).filter(pk=pk).first()
    if institution is None:
        raise Http404
    return institution


def courses_of(institution: Institution) -> QuerySet[Course]:
    return Course.objects.filter(institution=institution).order_by("-start_date", "-id")


def course_of(institution: Institution, pk: int | str) -> Course:
    """The institution's own course, or 404 (also for another institution's course)."""
    course = Course.objects.select_related("institution").filter(institution=institution, pk=pk).first()
    if course is None:
        raise Http404
    return course


def attendees_of(course: Course) -> QuerySet[Attendance]:
    return Attendance.objects.filter(course=course).order_by("id")


def attendance_of(institution: Institution, pk: int | str) -> Attendance:
    attendance = (
        Attendance.objects.select_related("course__institution")
        .filter(course__institution=institution, pk=pk)
        .prefetch_related(Prefetch("events", queryset=AttendanceEvent.objects.select_related("actor")))
        .first()
    )
    if attendance is None:
        raise Http404
    return attendance


def upload_of(institution: Institution, pk: int | str) -> UploadBatch:
    batch = UploadBatch.objects.select_related("course").filter(course__institution=institution, pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def uploads_of(course: Course) -> QuerySet[UploadBatch]:
    return UploadBatch.objects.filter(course=course).defer("content", "results").order_by("-created_at", "-id")


# --------------------------------------------------------------------------- the person's side


def credits_for_person(person: User, year: int | None = None) -> list[ExternalCredit]:
    """The continuing-education source (机构登记): the person's attendances in force, with their history.

    Matched by the person's account, or by their 证件类型 + 证件号码 (registered before they signed up).
    """
    if not getattr(person, "is_authenticated", False) or not person.id_number:
        match = Q(person_id=getattr(person, "pk", None))
    else:
        match = Q(person_id=person.pk) | Q(id_type=person.id_type, id_number=person.id_number)
    rows = (
        Attendance.objects.filter(match, status=AttendanceStatus.ACTIVE)
        .select_related("course__institution")
        .prefetch_related(Prefetch("events", queryset=AttendanceEvent.objects.order_by("created_at", "id")))
    )
    if year is not None:
        rows = rows.filter(course__end_date__year=year)
    found: list[ExternalCredit] = []
    for a in rows:
        course = a.course
        history = tuple(
            (
                e.created_at,
                _event_text(e),
                course.institution.name,
                e.reason,
            )
            for e in a.events.all()
        )
        found.append(
            ExternalCredit(
                source=SOURCE_CODE,
                source_label=str(SOURCE_LABEL),
                key=f"{SOURCE_CODE}-{a.pk}",
                year=course.year,
                title=course.name,
                organiser=course.institution.name,
                start_date=course.start_date,
                end_date=course.end_date,
                subject=course.subject,
                credits=a.credits,
                hours=course.hours,
                detail=_hours_text(course),
                history=history,
            )
        )
    return found


def _event_text(event: AttendanceEvent) -> str:
    from django.utils.translation import gettext as _

    if event.credits_before is not None and event.credits_after is not None:
        return _("%(kind)s: %(before)d → %(after)d credits") % {
            "kind": event.get_kind_display(),
            "before": event.credits_before,
            "after": event.credits_after,
        }
    if event.credits_after is not None:
        return _("%(kind)s: %(credits)d credits") % {"kind": event.get_kind_display(), "credits": event.credits_after}
    return str(event.get_kind_display())


def _hours_text(course: Course) -> str:
    from django.utils.translation import gettext as _

    return _("%(mode)s · %(hours)d class hours") % {"mode": course.get_mode_display(), "hours": course.hours}
