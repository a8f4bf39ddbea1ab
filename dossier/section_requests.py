"""Request handling shared by the collection steps and the change sections (same section forms)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from documents.exceptions import UploadRejected
from documents.selectors import document_for_owner

from . import services
from .constants import Step
from .forms import EDUCATION_PREFIX
from .sections import SECTIONS, education_with_row_added, education_with_row_removed, input_from_post


def posted_section_data(request, step: Step):
    """The section's posted data; a photo chosen without JavaScript is stored first (its id replaces it).

    Returns (data, photo_error).
    """
    data, photo_error = request.POST, ""
    if step == Step.PERSONAL and request.FILES.get(f"{services.PHOTO_PICKER}-file"):
        try:
            photo = services.store_photo_upload(owner=request.user, data=request.POST, files=request.FILES)
        except UploadRejected as exc:
            photo_error = exc.message
        else:
            data = request.POST.copy()
            data[services.PHOTO_PICKER] = str(photo.pk)
    return data, photo_error


def photo_context(request, step: Step, form) -> dict:
    """What the photo picker of the 个人信息 section needs (nothing for other sections)."""
    if step != Step.PERSONAL:
        return {}
    photo_id = form["photo"].value()
    return {
        "photo_document": document_for_owner(owner=request.user, document_id=photo_id) if photo_id else None,
        "photo_error": " ".join(form.errors.get("photo", [])) if form.is_bound else "",
    }


def education_rows_form(request, payload, action: str):
    """Add or remove a 学历 row without validating; what was typed is kept in the draft."""
    if action == "add_row":
        data = education_with_row_added(request.POST)
    else:
        try:
            index = int(request.POST.get("remove_row", ""))
        except ValueError:
            index = -1
        data = education_with_row_removed(request.POST, index)
    services.keep_unsaved_input(payload=payload, step=Step.EDUCATION, data=dict(data.lists()))
    return SECTIONS[Step.EDUCATION].form_from_input(payload.dossier, data)


def autosave_response(request, payload, step: Step) -> HttpResponse:
    """The draft-save endpoint of a section (core/static/core/autosave.js posts the form as it is typed).

    Stores the raw input (`services.autosave_input`): 204 when kept, 404 without an open draft or
    for a section that is not a form, 409 once the application can no longer be edited (the page
    then warns before leaving, since what was typed could not be saved). Files are never taken
    here: a photo is kept through its document id after 使用此照片.
    """
    if payload is None or step not in SECTIONS:
        raise Http404
    try:
        services.autosave_input(payload=payload, step=step, data=input_from_post(request.POST))
    except services.DossierError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


def education_row_response(request, payload, *, add_row_url: str) -> HttpResponse:
    """Add a row (增加一行) without reloading the page (htmx, issue #8): only the new 学历 row.

    The whole form is posted (what was typed so far is kept in the draft, like `autosave_input`);
    the answer is the new row, appended to the rows, plus out-of-band the formset's TOTAL_FORMS,
    the earlier rows' remove buttons and the add button (gone at the maximum). 404 without an open
    draft, 409 once the application can no longer be edited, 204 (nothing added) at the maximum.
    The full-page post (`education_rows_form`) stays the fallback without script.
    """
    if payload is None:
        raise Http404
    total_key = f"{EDUCATION_PREFIX}-TOTAL_FORMS"
    data = education_with_row_added(request.POST)
    if data[total_key] == request.POST.get(total_key):  # already at the maximum
        return HttpResponse(status=204)
    try:
        services.autosave_input(payload=payload, step=Step.EDUCATION, data=dict(data.lists()))
    except services.DossierError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    form = SECTIONS[Step.EDUCATION].form_from_input(payload.dossier, data)
    context = {"form": form, "add_row_url": add_row_url}
    return render(request, "dossier/sections/_education_row_added.html", context)
