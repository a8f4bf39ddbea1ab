"""信息变更 (manual §6): thin views over dossier.change_services / change_selectors.

The entry (`dossier:change`) shows, depending on where the person stands: why they cannot change
anything yet (not collected), their approved record with the sections to change and its version
history, the open change side by side with the approved values (draft or returned, the return
reason on top), or the change waiting for review. Everything is the signed-in accountant's own:
the change is always looked up from `request.user`, never from an id in the URL.
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

from . import change_services, services
from .change_diff import DATA_SECTIONS
from .change_selectors import open_change, record_versions, summarise
from .constants import Step
from .section_requests import (
    autosave_response,
    education_row_response,
    education_rows_form,
    photo_context,
    posted_section_data,
)
from .sections import SECTIONS, as_data, input_from_post
from .selectors import approved_record, latest_collection

EDU_ROW_ACTIONS = ("add_row", "remove_row")


def _section_url(step) -> str:
    return reverse("dossier:change_section", args=[str(step)])


def _editable_change(request):
    """The person's open change while they may edit it, or a redirect to the entry instead."""
    payload = open_change(request.user)
    if payload is None or payload.application.status not in EDITABLE_STATUSES:
        return None, redirect("dossier:change")
    return payload, None


# --------------------------------------------------------------------------- entry


@accountant_required
@require_http_methods(["GET", "POST"])
def change(request):
    """变更入口 (manual §6.1): only for approved people; start, continue, or follow a change."""
    payload = open_change(request.user)
    if payload is None:
        return _entry(request)
    if request.method == "POST":  # a second start (double click, another tab): the change is open
        return redirect("dossier:change")
    if payload.application.status == Status.PENDING:
        return _pending(request, payload)
    return _overview(request, payload)


def _entry(request):
    record = approved_record(request.user)
    if record is None:
        context = {"application": latest_collection(request.user)}
        return render(request, "dossier/change/not_collected.html", context)
    if request.method == "POST":
        section = request.POST.get("section", "")
        try:
            change_services.start_change(person=request.user, request=request)
        except (services.DossierError, ReviewError) as exc:
            messages.error(request, str(exc))
            return redirect("dossier:change")
        if section in {str(step) for step in DATA_SECTIONS}:
            return redirect(_section_url(section))
        return redirect("dossier:change")
    context = {
        "record": record,
        "dossier": record.current,
        "sections": DATA_SECTIONS,
        "versions": record_versions(request.user),
    }
    return render(request, "dossier/change/index.html", context)


def _overview(request, payload, *, submit_error=""):
    """变更页 (manual §6.2): the change side by side with the approved values, the proofs it
    requires, submit; with the return reason on top when it came back (§6.4)."""
    application = payload.application
    context = {
        "payload": payload,
        "application": application,
        "summary": summarise(payload),
        "unsaved": set(payload.unsaved_input),
        "is_returned": application.status == Status.RETURNED,
        "submit_error": submit_error,
    }
    return render(request, "dossier/change/overview.html", context)


def _pending(request, payload):
    context = {"payload": payload, "application": payload.application, "summary": summarise(payload)}
    return render(request, "dossier/change/status.html", context)


# --------------------------------------------------------------------------- sections


@accountant_required
@require_http_methods(["GET", "POST"])
def change_section(request, step):
    """One section of the change, edited with the 信息采集 section form on the copy."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    if step not in DATA_SECTIONS:
        raise Http404
    payload, elsewhere = _editable_change(request)
    if elsewhere:
        return elsewhere
    section = SECTIONS[step]
    dossier = payload.dossier
    if request.method == "GET":
        kept = payload.unsaved_input.get(str(step))
        form = section.form_from_input(dossier, as_data(kept)) if kept else section.form(dossier)
        return _render_section(request, payload, step, form, kept=bool(kept))

    action = "remove_row" if "remove_row" in request.POST else request.POST.get("action", "save")
    try:
        if action == "cancel":
            change_services.cancel_unsaved_input(payload=payload, step=step)
            return redirect("dossier:change")
        if step == Step.EDUCATION and action in EDU_ROW_ACTIONS:
            return _render_section(request, payload, Step.EDUCATION, education_rows_form(request, payload, action))
        data, photo_error = posted_section_data(request, step)
        form = section.form(dossier, data=data)
        valid = form.is_valid() and not photo_error
        if photo_error:
            form.errors["photo"] = form.error_class([photo_error])
        if valid:
            change_services.save_section(payload=payload, step=step, form=form, request=request)
            messages.success(request, _("Saved: %(section)s.") % {"section": step.label})
            return redirect("dossier:change")
        services.keep_unsaved_input(payload=payload, step=step, data=input_from_post(data))
    except (services.DossierError, ReviewError) as exc:
        messages.error(request, str(exc))
        return redirect("dossier:change")
    return _render_section(request, payload, step, form)


@accountant_required
@require_POST
def change_section_draft(request, step):
    """Autosave of a change section as it is typed or left (issue #8); see `autosave_response`."""
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    if step not in DATA_SECTIONS:
        raise Http404
    return autosave_response(request, open_change(request.user), step)


@accountant_required
@require_POST
def change_education_row(request):
    """Add a row to the 学历信息 section of a change without reloading the page (htmx)."""
    url = reverse("dossier:change_education_row")
    return education_row_response(request, open_change(request.user), add_row_url=url)


def _render_section(request, payload, step, form, *, kept=False):
    extra = photo_context(request, step, form)
    extra["add_row_url"] = reverse("dossier:change_education_row")
    context = {
        "payload": payload,
        "application": payload.application,
        "dossier": payload.dossier,
        "step": step,
        "form": form,
        "kept": kept,
        "section_template": SECTIONS[step].template,
        "is_returned": payload.application.status == Status.RETURNED,
        **extra,
    }
    return render(request, "dossier/change/section.html", context)


# --------------------------------------------------------------------------- proofs, submit, withdraw


@accountant_required
@require_http_methods(["GET", "POST"])
def change_proofs(request):
    """资料上传页 (manual §6.3): the boxes of the proofs the changes require, and only those."""
    payload, elsewhere = _editable_change(request)
    if elsewhere:
        return elsewhere
    errors = {}
    if request.method == "POST":
        try:
            errors = change_services.save_change_proofs(
                payload=payload, data=request.POST, files=request.FILES, request=request
            )
        except services.DossierError as exc:
            messages.error(request, str(exc))
            return redirect("dossier:change")
        payload = open_change(request.user)
        summary = summarise(payload)
        if not errors and not summary.missing:
            return redirect("dossier:change")
        for slot in summary.missing:
            errors.setdefault(slot.key, _("Please upload a new file for this proof."))
    else:
        summary = summarise(payload)
    boxes = []
    for slot in summary.required:
        proof = summary.proofs.get(slot.key)
        is_new = summary.is_new_proof(slot.key)
        boxes.append(
            {
                "slot": slot,
                "document": proof.document if is_new else None,
                "previous": proof.document if proof is not None and not is_new else None,
                "error": errors.get(slot.key, ""),
            }
        )
    context = {
        "payload": payload,
        "application": payload.application,
        "boxes": boxes,
        "has_errors": bool(errors),
        "is_returned": payload.application.status == Status.RETURNED,
    }
    return render(request, "dossier/change/proofs.html", context)


@accountant_required
@require_safe
def change_employment_statement(request):
    """The 从事会计工作说明 DOCX, pre-filled with the person's name, ID and the changed employer."""
    payload = open_change(request.user)
    if payload is None:
        raise Http404
    return employment_statement_response(payload.dossier, unit_name=payload.dossier.employer_name)


@accountant_required
@require_POST
def change_submit(request):
    """提交: hand in (or resubmit) the change; refused while nothing changed or a proof is missing."""
    payload, elsewhere = _editable_change(request)
    if elsewhere:
        return elsewhere
    try:
        change_services.submit_change(payload=payload, actor=request.user, request=request)
    except ReviewError as exc:
        payload = open_change(request.user)
        if payload is None:  # withdrawn meanwhile (another tab)
            messages.error(request, str(exc))
            return redirect("dossier:change")
        return _overview(request, payload, submit_error=str(exc))
    return redirect("dossier:change")


@accountant_required
@require_POST
def change_withdraw(request):
    """Give up the open change; the approved information stays as it is."""
    payload = open_change(request.user)
    if payload is None:
        return redirect("dossier:change")
    try:
        change_services.withdraw_change(payload=payload, actor=request.user, request=request)
    except ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your change has been withdrawn. Your approved information is unchanged."))
    return redirect("dossier:change")
