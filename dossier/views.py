"""信息采集 (manual §4.3–§4.10) and 信息查询 (§5): thin views over dossier.services / selectors.

Every view is the signed-in accountant's own: the application, the dossier and the documents are
always looked up from `request.user`, never from an id in the URL.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.views import employment_statement_response
from identity.permissions import accountant_required
from reviews.constants import EDITABLE_STATUSES, Status
from reviews.services import ReviewError

from . import services
from .change_selectors import record_versions
from .constants import STEPS, Step
from .proofs import checklist
from .record_sections import render_sections
from .section_requests import (
    autosave_response,
    education_row_response,
    education_rows_form,
    photo_context,
    posted_section_data,
)
from .sections import (
    SECTIONS,
    as_data,
    input_from_post,
    section_errors,
)
from .selectors import approved_record, collection_payload, dossier_for_display, is_collected, latest_collection

EDU_ROW_ACTIONS = ("add_row", "remove_row")


def _step_url(step) -> str:
    return reverse("dossier:step", args=[str(step)])


def _neighbour(step: Step, offset: int) -> Step | None:
    index = STEPS.index(step) + offset
    return STEPS[index] if 0 <= index < len(STEPS) else None


def _wizard_context(payload, step: Step, **extra) -> dict:
    furthest = STEPS.index(Step(payload.furthest_step))
    steps = [
        {"step": s, "label": s.label, "url": _step_url(s), "reachable": i <= furthest, "current": s == step}
        for i, s in enumerate(STEPS)
    ]
    application = payload.application
    return {
        "payload": payload,
        "application": application,
        "dossier": payload.dossier,
        "step": step,
        "steps": steps,
        "previous_step": _neighbour(step, -1),
        "is_returned": application.status == Status.RETURNED,
        **extra,
    }


def _open_editable_payload(request):
    """The person's open, editable collection, or a redirect to where they belong instead."""
    payload = collection_payload(request.user)
    if payload is None:
        return None, redirect("dossier:collect")
    if payload.application.status not in EDITABLE_STATUSES:
        return None, redirect("dossier:status")
    return payload, None


# --------------------------------------------------------------------------- entry


@accountant_required
@require_http_methods(["GET", "POST"])
def collect(request):
    """The 信息采集 entry: start, resume at the step where the person was, or say where things stand."""
    if is_collected(request.user):
        return render(request, "dossier/collected.html")
    payload = collection_payload(request.user)
    if payload is None:
        if request.method == "POST":
            try:
                payload = services.start_collection(person=request.user, request=request)
            except (services.DossierError, ReviewError) as exc:
                messages.error(request, str(exc))
                return redirect("dossier:collect")
            return redirect(_step_url(payload.current_step))
        return render(request, "dossier/start.html", {"previous": latest_collection(request.user)})
    if payload.application.status != Status.DRAFT:  # pending, or returned with its reason
        return redirect("dossier:status")
    return redirect(_step_url(payload.current_step))


# --------------------------------------------------------------------------- the steps


@accountant_required
@require_http_methods(["GET", "POST"])
def step_view(request, step):
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    payload, elsewhere = _open_editable_payload(request)
    if elsewhere:
        return elsewhere
    if STEPS.index(step) > STEPS.index(Step(payload.furthest_step)):
        return redirect(_step_url(payload.current_step))
    if step == Step.PROOFS:
        return _proofs_step(request, payload)
    if step == Step.PREVIEW:
        return _preview_step(request, payload)
    return _section_step(request, payload, step)


@accountant_required
@require_POST
def step_draft(request, step):
    """Autosave of a collection step as it is typed or left (issue #8); see `autosave_response`."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    payload = collection_payload(request.user)
    if payload is not None and STEPS.index(step) > STEPS.index(Step(payload.furthest_step)):
        raise Http404
    return autosave_response(request, payload, step)


@accountant_required
@require_POST
def step_education_row(request):
    """Add a row to 学历信息 without reloading the page (htmx); see `education_row_response`."""
    payload = collection_payload(request.user)
    if payload is not None and STEPS.index(Step.EDUCATION) > STEPS.index(Step(payload.furthest_step)):
        raise Http404
    return education_row_response(request, payload, add_row_url=reverse("dossier:step_education_row"))


def _render_section(request, payload, step, form, *, kept=False):
    extra = photo_context(request, step, form)
    extra["kept"] = kept
    extra["add_row_url"] = reverse("dossier:step_education_row")
    context = _wizard_context(payload, step, form=form, section_template=SECTIONS[step].template, **extra)
    return render(request, "dossier/step.html", context)


def _section_step(request, payload, step: Step):
    section = SECTIONS[step]
    dossier = payload.dossier
    if request.method == "GET":
        kept = payload.unsaved_input.get(str(step))
        form = section.form_from_input(dossier, as_data(kept)) if kept else section.form(dossier)
        return _render_section(request, payload, step, form, kept=bool(kept))

    action = "remove_row" if "remove_row" in request.POST else request.POST.get("action", "next")
    try:
        if step == Step.EDUCATION and action in EDU_ROW_ACTIONS:
            return _render_section(request, payload, Step.EDUCATION, education_rows_form(request, payload, action))
        go_to = _neighbour(step, -1 if action == "prev" else 1) or step
        data, photo_error = posted_section_data(request, step)
        form = section.form(dossier, data=data)
        valid = form.is_valid() and not photo_error
        if photo_error:
            form.errors["photo"] = form.error_class([photo_error])
        if valid:
            services.save_step(payload=payload, step=step, form=form, go_to=go_to, request=request)
            return redirect(_step_url(go_to))
        going_back = action == "prev"
        services.keep_unsaved_input(
            payload=payload, step=step, data=input_from_post(data), go_to=go_to if going_back else None
        )
    except (services.DossierError, ReviewError) as exc:
        messages.error(request, str(exc))
        return redirect("dossier:status")
    if going_back:
        return redirect(_step_url(go_to))
    return _render_section(request, payload, step, form)


def _proofs_step(request, payload):
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        try:
            errors = services.save_proofs(payload=payload, data=request.POST, files=request.FILES, request=request)
            items = checklist(payload.dossier)
            if action == "prev":
                services.move_to_step(payload=payload, step=Step.POST)
                return redirect(_step_url(Step.POST))
            if not errors and all(item.proof for item in items):
                services.move_to_step(payload=payload, step=Step.PREVIEW)
                return redirect(_step_url(Step.PREVIEW))
        except services.DossierError as exc:
            messages.error(request, str(exc))
            return redirect("dossier:status")
        for item in items:
            if item.proof is None:
                errors.setdefault(item.slot.key, _("Please upload this proof."))
    else:
        items = checklist(payload.dossier)
    boxes = [{"item": item, "error": errors.get(item.slot.key, "")} for item in items]
    context = _wizard_context(payload, Step.PROOFS, boxes=boxes, has_errors=bool(errors))
    return render(request, "dossier/proofs.html", context)


def _preview_context(payload, **extra):
    dossier = dossier_for_display(payload.dossier_id)
    return _wizard_context(
        payload,
        Step.PREVIEW,
        dossier=dossier,
        items=checklist(dossier),
        failing={str(step) for step, failing in section_errors(dossier).items() if failing},
        unsaved=set(payload.unsaved_input),
        **extra,
    )


def _preview_step(request, payload):
    if request.method == "POST":
        if request.POST.get("action") == "prev":
            try:
                services.move_to_step(payload=payload, step=Step.PROOFS)
            except services.DossierError as exc:
                messages.error(request, str(exc))
                return redirect("dossier:status")
            return redirect(_step_url(Step.PROOFS))
        return redirect(_step_url(Step.PREVIEW))
    return render(request, "dossier/preview.html", _preview_context(payload))


@accountant_required
@require_POST
def submit(request):
    """提交: hand in (or resubmit) the collection; refused while anything is missing, saying what."""
    payload, elsewhere = _open_editable_payload(request)
    if elsewhere:
        return elsewhere
    try:
        services.submit_collection(payload=payload, actor=request.user, request=request)
    except ReviewError as exc:
        context = _preview_context(payload, submit_error=str(exc))
        return render(request, "dossier/preview.html", context)
    return redirect("dossier:status")


@accountant_required
@require_safe
def employment_statement(request):
    """The 从事会计工作说明 DOCX, pre-filled with the person's name, ID and employer."""
    payload = collection_payload(request.user)
    if payload is None:
        raise Http404
    return employment_statement_response(payload.dossier, unit_name=payload.dossier.employer_name)


# --------------------------------------------------------------------------- status and record


@accountant_required
@require_safe
def status(request):
    """提交信息并等待审核 / 审核通过与退回 (manual §4.9, §4.10)."""
    if is_collected(request.user):
        return redirect("dossier:collect")
    payload = collection_payload(request.user)
    if payload is None:
        return redirect("dossier:collect")
    application = payload.application
    if application.status == Status.DRAFT:
        return redirect(_step_url(payload.current_step))
    context = {
        "payload": payload,
        "application": application,
        "is_returned": application.status == Status.RETURNED,
    }
    return render(request, "dossier/status.html", context)


@accountant_required
@require_safe
def record(request):
    """信息查询 (manual §5): the approved record, or why there is none to show yet."""
    person_record = approved_record(request.user)
    if person_record is None:
        return render(request, "dossier/not_approved.html", {"application": latest_collection(request.user)})
    dossier = person_record.current
    context = {
        "record": person_record,
        "dossier": dossier,
        "items": checklist(dossier),
        "versions": record_versions(request.user),
        "extra_sections": render_sections(request.user, request=request),
    }
    return render(request, "dossier/record.html", context)
