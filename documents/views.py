"""Downloads behind an access check, the two htmx upload boxes, and the statement template."""

import logging
import re
from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from audit.services import record_event
from identity.permissions import accountant_required

from .access import can_view
from .constants import DocumentKind
from .exceptions import UploadRejected
from .forms import PhotoUploadForm, UploadForm, is_valid_picker, is_valid_slot, proof_prefix
from .generated import employment_statement_docx
from .models import Document
from .selectors import document_for_owner
from .services import store_photo, store_upload
from .storage import read_bytes

logger = logging.getLogger(__name__)

# Shown inline but unable to run anything: no scripts, no requests out, framed only by our own pages.
IMAGE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
# The same for PDFs, plus what a browser's built-in viewer may need to embed the document itself
# (checked in Chromium: the viewer renders under the sandbox, at top level and in a frame).
PDF_CSP = "sandbox; default-src 'none'; object-src 'self'; frame-ancestors 'self'"


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, and the real (Chinese) name as filename*."""
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "document"
    fallback = f"{ascii_stem}.{ext}" if dot else ascii_stem
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@require_safe
@xframe_options_sameorigin
def document_view(request, pk):
    """One document for its owner or whoever an access rule admits; 404 to everyone else.

    The file is fetched whole before answering (documents are a few MB at most), so a storage that
    is down or hangs gives the 503 page within the storage time-outs (StorageUnavailable, turned
    into the page by documents.middleware), never a broken or half-sent file.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("identity:login"))
    if user.is_staff_member and not user.is_verified():
        return redirect_to_login(request.get_full_path(), reverse("identity:staff_login"))
    document = Document.objects.filter(pk=pk).order_by().first()
    if document is None or not can_view(user, document):
        raise Http404
    try:
        content = read_bytes(document.file.storage, document.file.name)
    except FileNotFoundError as exc:
        logger.error("document %s has no file in storage", document.pk)
        raise Http404 from exc
    if document.owner_id != user.pk:
        with transaction.atomic():
            record_event(
                action="document.view",
                request=request,
                obj=document,
                detail={
                    "slot": document.slot,
                    "owner_id": document.owner_id,
                    "application_id": document.application_id,
                },
            )
    response = HttpResponse(content, content_type=document.content_type)
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = content_disposition(disposition, document.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP if document.content_type == "application/pdf" else IMAGE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@accountant_required
def photo_upload(request):
    """htmx: process and store the photo of a picker; answer its state (preview + hidden id, or the error)."""
    picker = request.POST.get("picker", "photo")
    if not is_valid_picker(picker):
        return HttpResponseBadRequest()
    current = document_for_owner(owner=request.user, document_id=request.POST.get(picker))
    if current is not None and current.kind != DocumentKind.PHOTO:
        current = None
    form = PhotoUploadForm(request.POST, request.FILES, prefix=picker)
    error = ""
    if form.is_valid():
        try:
            current = store_photo(
                owner=request.user, uploaded_file=form.cleaned_data["file"], crop=form.cleaned_data["crop"]
            )
        except UploadRejected as exc:
            error = exc.message
    else:
        error = form.errors["file"][0]
    return render(request, "documents/_photo_state.html", {"name": picker, "document": current, "error": error})


@require_POST
@accountant_required
def proof_upload(request):
    """htmx: store a temporary proof for a slot; answer the refreshed box (current file link, or the error)."""
    slot = request.POST.get("slot", "")
    if not is_valid_slot(slot):
        return HttpResponseBadRequest()
    prefix = proof_prefix(slot)
    current = document_for_owner(owner=request.user, document_id=request.POST.get(f"{prefix}-document"))
    if current is not None and (current.slot != slot or current.kind != DocumentKind.PROOF):
        current = None
    form = UploadForm(request.POST, request.FILES, prefix=prefix)
    error = ""
    if form.is_valid():
        try:
            current = store_upload(owner=request.user, uploaded_file=form.cleaned_data["file"], slot=slot)
        except UploadRejected as exc:
            error = exc.message
    else:
        error = form.errors["file"][0]
    return render(request, "documents/_proof_upload_state.html", {"slot": slot, "document": current, "error": error})


@require_safe
@accountant_required
def employment_statement(request):
    """The 从事会计工作说明 to print, filled with the person's name and ID (manual §6.3)."""
    return employment_statement_response(request.user)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def employment_statement_response(person, *, unit_name: str = "") -> HttpResponse:
    """The 从事会计工作说明 DOCX as a download, for anything with a name and an ID document.

    `person` is a user or a dossier (both have `full_name`, `id_number`, `get_id_type_display`).
    """
    content = employment_statement_docx(
        name=person.full_name,
        id_type_label=person.get_id_type_display(),
        id_number=person.id_number,
        unit_name=unit_name,
    )
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition("attachment", _("Statement of accounting work") + ".docx")
    response["Cache-Control"] = "no-store"
    return response
