"""Reads of the data-exchange API: what each kind of client may see, shaped as plain dicts."""

from typing import Any

from django.db.models import Count, Q

from continuing_education.constants import KIND_CE
from continuing_education.models import YearlyCredits
from continuing_education.selectors import Requirement, requirement_for
from dossier.models import RecordVersion
from institutions.models import Attendance, AttendanceEvent, Course
from reviews.constants import Status
from reviews.models import ReviewEvent

from .errors import ApiError
from .feeds import keyset_page
from .models import ApiClient


def course_for_client(client: ApiClient, course_id: int) -> Course:
    """The client's institution's course, or not_found (also for another institution's course)."""
    course = (
        Course.objects.select_related("institution").filter(institution_id=client.institution_id, pk=course_id).first()
        if client.institution_id
        else None
    )
    if course is None:
        raise ApiError("not_found")
    return course


def course_dict(course: Course) -> dict[str, Any]:
    counts = Attendance.objects.filter(course=course).aggregate(
        active=Count("id", filter=Q(status="active")), revoked=Count("id", filter=Q(status="revoked"))
    )
    return {
        "id": course.pk,
        "name": course.name,
        "subject": course.subject,
        "mode": course.mode,
        "start_date": course.start_date,
        "end_date": course.end_date,
        "hours": course.hours,
        "credits": course.credits,
        "attendees_active": counts["active"],
        "attendees_revoked": counts["revoked"],
        "created_at": course.created_at,
    }


def attendees_page(course: Course, *, after: int, limit: int) -> dict[str, Any]:
    rows = list(Attendance.objects.filter(course=course, id__gt=after).order_by("id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "id": a.pk,
                "id_type": a.id_type,
                "id_number": a.id_number,
                "name": a.name,
                "attended_on": a.attended_on,
                "credits": a.credits,
                "status": a.status,
                "matched_person": a.person_id is not None,
            }
            for a in rows
        ],
        "next_cursor": str(rows[-1].pk if rows else after),
        "has_more": has_more,
    }


def _in_unit(field: str, client: ApiClient) -> Q:
    return Q(**{f"{field}__path__startswith": client.unit.path}) if client.unit is not None else Q()


def records_feed(client: ApiClient, *, after: int, limit: int) -> dict[str, Any]:
    """Approved record versions (1 = the collection, > 1 = an approved 信息变更), oldest first."""
    queryset = RecordVersion.objects.filter(_in_unit("unit", client)).select_related("record__person", "unit")
    page = keyset_page(queryset, model=RecordVersion, after=after, limit=limit)
    items = []
    for version in page.rows:
        person = version.record.person
        items.append(
            {
                "id": version.pk,
                "person": {"id_type": person.id_type, "id_number": person.id_number, "name": person.full_name},
                "version": version.number,
                "kind": "collection" if version.number == 1 else "change",
                "unit": {"code": version.unit.code, "name": version.unit.name},
                "approved_at": version.approved_at,
                "record": version.snapshot,
            }
        )
    return {"items": items, "next_cursor": str(page.next_cursor), "has_more": page.has_more}


def _summaries(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], YearlyCredits]:
    """(person id, year) -> YearlyCredits row, in one query."""
    if not pairs:
        return {}
    match = Q()
    for person_id, year in pairs:
        match |= Q(person_id=person_id, year=year)
    return {(y.person_id, y.year): y for y in YearlyCredits.objects.filter(match)}


def ce_feed(client: ApiClient, *, after_review: int, after_attendance: int, limit: int) -> dict[str, Any]:
    """Events that changed someone's 继续教育 credits of a year, each with that year's summary now.

    Two append-only sources, each with its own part of the cursor: approvals of 继续教育 records
    (review events) and institution-registered credits (attendance events: registered, corrected,
    revoked). A page takes review events first, then fills up with attendance events.
    """
    reviews = ReviewEvent.objects.filter(
        Q(application__kind=KIND_CE, to_status=Status.APPROVED) & _in_unit("application__unit", client)
    ).select_related("application__applicant", "application__ce_record")
    review_page = keyset_page(reviews, model=ReviewEvent, after=after_review, limit=limit)
    rows = []
    for event in review_page.rows:
        person = event.application.applicant
        record = getattr(event.application, "ce_record", None)
        year = record.year if record else event.created_at.year
        rows.append(
            ("review", event.pk, event.created_at, person, person.id_type, person.id_number, person.full_name, year)
        )
    attendance_cursor, attendance_more = after_attendance, True
    room = limit - len(rows)
    if room > 0:
        attendances = AttendanceEvent.objects.filter(
            _in_unit("attendance__course__institution__region", client)
        ).select_related("attendance__course", "attendance__person")
        attendance_page = keyset_page(attendances, model=AttendanceEvent, after=after_attendance, limit=room)
        attendance_cursor, attendance_more = attendance_page.next_cursor, attendance_page.has_more
        for event in attendance_page.rows:
            a = event.attendance
            rows.append(
                ("institution", event.pk, event.created_at, a.person, a.id_type, a.id_number, a.name, a.course.year)
            )
    summaries = _summaries({(r[3].pk, r[7]) for r in rows if r[3] is not None})
    requirements: dict[int, Requirement] = {}
    items = []
    for source, pk, at, person, id_type, id_number, name, year in rows:
        summary = None
        if person is not None:
            requirement = requirements.setdefault(year, requirement_for(year))
            row = summaries.get((person.pk, year))
            approved = row.approved_credits if row else 0
            professional = row.professional_credits if row else 0
            summary = {
                "approved_credits": approved,
                "professional_credits": professional,
                "required_credits": requirement.min_credits,
                "meets_requirement": approved >= requirement.min_credits
                and approved > 0
                and professional * requirement.share.denominator >= approved * requirement.share.numerator,
            }
        items.append(
            {
                "event": f"{source}-{pk}",
                "source": source,
                "at": at,
                "person": {"id_type": id_type, "id_number": id_number, "name": name},
                "year": year,
                "summary": summary,
            }
        )
    return {
        "items": items,
        "next_cursor": f"{review_page.next_cursor}.{attendance_cursor}",
        "has_more": review_page.has_more or attendance_more,
    }
