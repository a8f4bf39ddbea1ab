"""施教机构 pages: administrators (institutions and their staff accounts) and the institutions' own
pages (courses, attendees, uploads). Thin views over `services` and `selectors`; every look-up is
scoped to the institution (or the administrator's region), so anything else answers 404."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.models import User
from identity.request_types import SignedInRequest
from regions.models import ReviewUnit

from . import selectors, services
from .constants import BatchStatus, InstitutionStatus
from .forms import AttendeeForm, CorrectForm, CourseForm, InstitutionForm, RevokeForm, StaffAccountForm, UploadForm
from .models import Course, InstitutionMembership, UploadBatch
from .permissions import institution_admin_required, institution_required
from .request_types import InstitutionRequest
from .upload import error_report, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _form_errors(form: InstitutionForm | StaffAccountForm | CourseForm, exc: services.InstitutionError) -> None:
    for field, message in (getattr(exc, "errors", None) or {exc.field or "__all__": exc.message}).items():
        form.add_error(field if field in form.fields else None, str(message))
    form._style()


# --------------------------------------------------------------------------- administrators


def _admin_units(user: User) -> QuerySet[ReviewUnit]:
    units = ReviewUnit.objects.filter(is_active=True).order_by("path")
    if user.role != "system_admin":
        assert user.unit is not None  # a unit administrator has a unit (services.can_administer)
        units = units.filter(path__startswith=user.unit.path)
    return units


@institution_admin_required
@require_GET
def admin_list(request: SignedInRequest) -> HttpResponse:
    institutions = selectors.institutions_for_admin(request.user)
    return render(request, "institutions/admin_list.html", {"institutions": institutions})


@institution_admin_required
@require_http_methods(["GET", "POST"])
def admin_new(request: SignedInRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None, units=_admin_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            institution = services.create_institution(actor=request.user, request=request, **data)
        except services.InstitutionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Institution created: %(name)s.") % {"name": institution.name})
            return redirect("institutions:admin_detail", pk=institution.pk)
    return render(request, "institutions/admin_new.html", {"form": form})


@institution_admin_required
@require_http_methods(["GET", "POST"])
def admin_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    institution = selectors.institution_for_admin(request.user, pk)
    form = StaffAccountForm(request.POST or None)
    new_account = None
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_institution_staff(
                actor=request.user, institution=institution, request=request, **form.cleaned_data
            )
        except services.InstitutionError as exc:
            _form_errors(form, exc)
        else:
            new_account = {"username": user.username, "password": password}
            form = StaffAccountForm()
    members = InstitutionMembership.objects.filter(institution=institution).select_related("user")
    context = {"institution": institution, "form": form, "members": members, "new_account": new_account}
    return render(request, "institutions/admin_detail.html", context)


@institution_admin_required
@require_POST
def admin_status(request: SignedInRequest, pk: int) -> HttpResponse:
    institution = selectors.institution_for_admin(request.user, pk)
    status = request.POST.get("status", "")
    if status in InstitutionStatus.values:
        services.set_institution_status(actor=request.user, institution=institution, status=status, request=request)
        messages.success(request, _("Status changed."))
    return redirect("institutions:admin_detail", pk=institution.pk)


# --------------------------------------------------------------------------- the institution's pages


@institution_required
@require_GET
def home(request: InstitutionRequest) -> HttpResponse:
    courses = selectors.courses_of(request.institution)
    return render(request, "institutions/home.html", {"institution": request.institution, "courses": courses})


@institution_required
@require_http_methods(["GET", "POST"])
def course_new(request: InstitutionRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(
                institution=request.institution,
                actor=request.user,
                data=services.CourseInput(**form.cleaned_data),
                request=request,
            )
        except services.InstitutionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Course registered: %(credits)d credits per attendee.") % {"credits": course.credits}
            )
            return redirect("institutions:course", pk=course.pk)
    return render(request, "institutions/course_new.html", {"form": form, "institution": request.institution})


def _course_page(
    request: InstitutionRequest,
    course: Course,
    *,
    attendee_form: AttendeeForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "institution": request.institution,
        "course": course,
        "attendees": selectors.attendees_of(course),
        "uploads": selectors.uploads_of(course)[:10],
        "attendee_form": attendee_form or AttendeeForm(initial={"date": course.start_date}),
        "upload_form": upload_form or UploadForm(),
    }
    return render(request, "institutions/course.html", context, status=status)


@institution_required
@require_GET
def course(request: InstitutionRequest, pk: int) -> HttpResponse:
    return _course_page(request, selectors.course_of(request.institution, pk))


@institution_required
@require_POST
def attendee_add(request: InstitutionRequest, pk: int) -> HttpResponse:
    course = selectors.course_of(request.institution, pk)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            result = services.register_one(course=course, actor=request.user, request=request, **form.cleaned_data)
        except services.InstitutionError as exc:
            form.add_error(None, str(exc.message))
            form._style()
        else:
            if result.registered:
                messages.success(request, _("Attendee registered."))
            else:
                messages.info(request, _("This person was already registered for this course."))
            return redirect("institutions:course", pk=course.pk)
    return _course_page(request, course, attendee_form=form)


@institution_required
@require_GET
def template(request: InstitutionRequest, pk: int) -> HttpResponse:
    course = selectors.course_of(request.institution, pk)
    return _xlsx(template_workbook(course), "attendees-template.xlsx")


@institution_required
@require_POST
def upload(request: InstitutionRequest, pk: int) -> HttpResponse:
    course = selectors.course_of(request.institution, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            batch = services.start_upload(
                course=course, actor=request.user, file_name=uploaded.name, content=uploaded.read(), request=request
            )
        except services.InstitutionError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("institutions:upload_detail", pk=batch.pk)
    return _course_page(request, course, upload_form=form)


def _upload_context(request: InstitutionRequest, batch: UploadBatch) -> dict[str, Any]:
    results = batch.results or []
    return {
        "institution": request.institution,
        "batch": batch,
        "course": batch.course,
        "rows": results[:500],
        "more_rows": max(0, len(results) - 500),
        "error_list": [r for r in results if r.get("errors")][:200],
        "valid_rows": len(results) - batch.error_rows,
    }


@institution_required
@require_GET
def upload_detail(request: InstitutionRequest, pk: int) -> HttpResponse:
    batch = selectors.upload_of(request.institution, pk)
    return render(request, "institutions/upload.html", _upload_context(request, batch))


@institution_required
@require_GET
def upload_progress(request: InstitutionRequest, pk: int) -> HttpResponse:
    """htmx polling: the progress bar while checking; once checked, the whole page reloads itself."""
    batch = selectors.upload_of(request.institution, pk)
    response = render(request, "institutions/_progress.html", {"batch": batch})
    if batch.status != BatchStatus.VALIDATING:
        response["HX-Refresh"] = "true"
    return response


@institution_required
@require_GET
def upload_errors(request: InstitutionRequest, pk: int) -> HttpResponse:
    batch = selectors.upload_of(request.institution, pk)
    return _xlsx(error_report(batch.results or []), f"errors-{batch.pk}.xlsx")


@institution_required
@require_POST
def upload_commit(request: InstitutionRequest, pk: int) -> HttpResponse:
    batch = selectors.upload_of(request.institution, pk)
    try:
        batch = services.commit_upload(batch=batch, actor=request.user, request=request)
    except services.InstitutionError as exc:
        messages.error(request, str(exc.message))
        return redirect("institutions:upload_detail", pk=batch.pk)
    messages.success(request, _("%(n)d attendees registered.") % {"n": batch.registered})
    return redirect("institutions:course", pk=batch.course_id)


@institution_required
@require_http_methods(["GET", "POST"])
def attendee(request: InstitutionRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_of(request.institution, pk)
    correct_form = CorrectForm(initial={"credits": attendance.credits})
    revoke_form = RevokeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        form = CorrectForm(request.POST) if action == "correct" else RevokeForm(request.POST)
        if form.is_valid():
            try:
                if action == "correct":
                    services.correct_attendance(
                        attendance=attendance, actor=request.user, request=request, **form.cleaned_data
                    )
                    messages.success(request, _("Credits corrected."))
                else:
                    services.revoke_attendance(
                        attendance=attendance, actor=request.user, request=request, **form.cleaned_data
                    )
                    messages.success(request, _("Credits revoked."))
            except services.InstitutionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                return redirect("institutions:attendee", pk=attendance.pk)
        form._style()
        if isinstance(form, CorrectForm):  # action == "correct"
            correct_form = form
        else:
            revoke_form = form
    context = {
        "institution": request.institution,
        "attendance": attendance,
        "course": attendance.course,
        "correct_form": correct_form,
        "revoke_form": revoke_form,
    }
    return render(request, "institutions/attendee.html", context)
