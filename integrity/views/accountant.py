"""诚信录入 for the accountant (manual §8): 录入页, 管理页; thin views over integrity.services/selectors.

Everything is the signed-in accountant's own: records are looked up with `request.user`, and another
person's record answers 404. Only collected (approved) people may use it; others are told why.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from documents.models import Document
from dossier.selectors import is_collected
from identity.permissions import accountant_required
from identity.request_types import SignedInRequest
from reviews.constants import EDITABLE_STATUSES
from reviews.services import ReviewError

from .. import services
from ..constants import HONOUR_PROOF_SLOTS
from ..forms import HonourForm
from ..models import HonourPayload
from ..selectors import honours_by_status, own_honour, proof_label, records_for_person


def _not_collected(request: SignedInRequest) -> HttpResponse:
    return render(request, "integrity/not_collected.html")


@accountant_required
@require_http_methods(["GET"])
def index(request: SignedInRequest) -> HttpResponse:
    """管理页 (§8.3): the person's records by status, with proofs; their integrity record on top."""
    if not is_collected(request.user):
        return _not_collected(request)
    context = {"sections": honours_by_status(request.user), "integrity_records": records_for_person(request.user)}
    return render(request, "integrity/index.html", context)


def _proof_boxes(documents: dict[str, Document], errors: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"slot": slot, "label": proof_label(slot), "document": documents.get(slot), "error": errors.get(slot, "")}
        for slot in HONOUR_PROOF_SLOTS
    ]


def _render_form(
    request: SignedInRequest,
    form: HonourForm,
    *,
    documents: dict[str, Document],
    errors: dict[str, Any],
    payload: HonourPayload | None = None,
    proofs_error: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "boxes": _proof_boxes(documents, errors),
        "proofs_error": proofs_error,
        "payload": payload,
        "application": payload.application if payload else None,
    }
    return render(request, "integrity/honour_form.html", context)


def _posted(request: SignedInRequest) -> tuple[HonourForm, dict[str, Document], dict[str, Any], bool, str]:
    """The bound form and the proof boxes' files (new files are stored first, so none is lost)."""
    form = HonourForm(request.POST)
    documents, errors = services.take_proof_uploads(owner=request.user, data=request.POST, files=request.FILES)
    valid = form.is_valid()
    proofs_error = "" if documents else str(services.PROOF_REQUIRED)
    return form, documents, errors, valid and not errors and not proofs_error, proofs_error


def _error_into_form(form: HonourForm, exc: services.IntegrityRecordError) -> str:
    """Put a service refusal next to its field; returns the message for the proofs or the whole form."""
    if exc.field in form.fields:
        form.add_rule_error(exc)
        return ""
    return str(exc.message)


@accountant_required
@require_http_methods(["GET", "POST"])
def new(request: SignedInRequest) -> HttpResponse:
    """录入页 (§8.2): fill in the honour and its proofs; 保存 submits it for review."""
    if not is_collected(request.user):
        return _not_collected(request)
    if request.method == "GET":
        return _render_form(request, HonourForm(), documents={}, errors={})
    form, documents, errors, ok, proofs_error = _posted(request)
    if ok:
        try:
            services.apply_for_honour(
                person=request.user,
                fields=form.service_fields(),
                proofs=documents,
                submission_key=form.cleaned_data.get("submission_key"),
                request=request,
            )
        except services.IntegrityRecordError as exc:
            if exc.field in HONOUR_PROOF_SLOTS:
                errors[exc.field] = exc.message
            else:
                proofs_error = _error_into_form(form, exc)
        except ReviewError as exc:
            proofs_error = str(exc.message)
        else:
            messages.success(request, _("Saved and submitted for review."))
            return redirect("integrity:index")
    return _render_form(request, form, documents=documents, errors=errors, proofs_error=proofs_error)


@accountant_required
@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Correct a returned record and submit it again; the return reason is shown above the form."""
    payload = own_honour(request.user, pk)
    if payload.application.status not in EDITABLE_STATUSES:
        messages.error(request, str(services.NOT_EDITABLE))
        return redirect("integrity:index")
    if request.method == "GET":
        current = {proof.slot: proof.document for proof in payload.proofs.all()}
        form = HonourForm(initial=HonourForm.initial_from(payload))
        return _render_form(request, form, documents=current, errors={}, payload=payload)
    form, documents, errors, ok, proofs_error = _posted(request)
    if ok:
        try:
            services.resubmit_honour(
                person=request.user,
                application=payload.application,
                fields=form.service_fields(),
                proofs=documents,
                request=request,
            )
        except services.IntegrityRecordError as exc:
            if exc.field in HONOUR_PROOF_SLOTS:
                errors[exc.field] = exc.message
            else:
                proofs_error = _error_into_form(form, exc)
        except ReviewError as exc:
            proofs_error = str(exc.message)
        else:
            messages.success(request, _("Corrected and submitted for review again."))
            return redirect("integrity:index")
    return _render_form(request, form, documents=documents, errors=errors, payload=payload, proofs_error=proofs_error)


@accountant_required
@require_POST
def delete(request: SignedInRequest, pk: int) -> HttpResponse:
    """删除: withdraw a pending or returned record (an approved one cannot be deleted)."""
    payload = own_honour(request.user, pk)
    try:
        services.delete_honour(person=request.user, application=payload.application, request=request)
    except (services.IntegrityRecordError, ReviewError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The record “%(name)s” has been deleted.") % {"name": payload.name})
    return redirect("integrity:index")
