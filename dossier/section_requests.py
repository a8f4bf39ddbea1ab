"""Request handling shared by the collection steps and the change sections (same section forms)."""

from documents.exceptions import UploadRejected
from documents.selectors import document_for_owner

from . import services
from .constants import Step
from .sections import SECTIONS, education_with_row_added, education_with_row_removed


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
