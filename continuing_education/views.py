"""继续教育 pages (manual §7): the management page, the entry page, a record, correction, deletion, and
the reviewer's settle action. Thin views over `services` and `selectors`.

An accountant's record is always looked up together with `request.user` (another person's record is
a 404); the reviewer's action starts from `reviews.scope` (outside the reviewer's scope: 404).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossier.selectors import is_collected
from identity.permissions import accountant_required, staff_required
from reviews.constants import Status
from reviews.scope import get_application_for_reviewer
from reviews.services import ReviewError

from . import services
from .constants import KIND_CE, MAX_PROOFS
from .exceptions import CreditError
from .external import external_credits
from .forms import CreditRecordForm, SettleForm
from .models import CreditRecord
from .selectors import (
    active_items,
    allowed_years,
    record_for_owner,
    record_for_token,
    record_years,
    records_of,
    requirement_for,
    summarize,
)
from .templatetags.ce import SETTLE_SESSION_KEY

LISTED_STATUSES = (Status.PENDING, Status.RETURNED, Status.APPROVED)


def _not_collected(request):
    return render(request, "continuing_education/not_collected.html")


def _index_url(year: int) -> str:
    return f"{reverse('continuing_education:index')}?year={year}"


# --------------------------------------------------------------------------- management page


@accountant_required
@require_GET
def index(request):
    """继续教育管理 (manual §7.3): one year's records by status, their credits and proofs, the summary."""
    person = request.user
    if not is_collected(person):
        return _not_collected(request)
    open_years = allowed_years()
    # Credits registered by training institutions (机构登记) and other registered sources.
    all_external = external_credits(person)
    years = sorted(set(open_years) | set(record_years(person)) | {c.year for c in all_external}, reverse=True)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = open_years[0]
    if year not in years:
        year = open_years[0]
    status = request.GET.get("status", "")
    if status not in LISTED_STATUSES:
        status = ""
    records = list(records_of(person, year=year))
    external = [credit for credit in all_external if credit.year == year]
    summary = summarize(records, year=year, requirement=requirement_for(year), external=external)
    counts = {s: sum(1 for r in records if r.application.status == s) for s in LISTED_STATUSES}
    context = {
        "year": year,
        "years": years,
        "status": status,
        "status_tabs": [
            {"status": s, "label": Status(s).label, "count": counts[s], "current": s == status} for s in LISTED_STATUSES
        ],
        "total_count": len(records),
        "records": [r for r in records if not status or r.application.status == status],
        "summary": summary,
        "external": external,
    }
    return render(request, "continuing_education/index.html", context)


# --------------------------------------------------------------------------- entry and correction


def _proof_boxes(documents: dict, errors: dict) -> list[dict]:
    return [
        {
            "slot": services.proof_slot(position),
            "position": position,
            "document": documents.get(position),
            "error": errors.get(position, ""),
        }
        for position in range(1, MAX_PROOFS + 1)
    ]


def _render_form(request, form, *, documents, proof_errors, record=None, show_errors=True, form_error=""):
    context = {
        "form": form,
        "record": record,
        "estimate": form.estimate(),
        "boxes": _proof_boxes(documents, proof_errors),
        "show_errors": show_errors,
        "form_error": form_error,
        "has_errors": show_errors and (bool(form.errors) or bool(proof_errors) or bool(form_error)),
    }
    return render(request, "continuing_education/form.html", context)


def _apply_service_error(form, proof_errors: dict, exc: CreditError) -> str:
    """Put a service's refusal next to its field; returns it when it belongs to no field."""
    field = exc.field or ""
    if field.startswith("proof_"):
        proof_errors[int(field.removeprefix("proof_"))] = str(exc.message)
        return ""
    if field in form.fields:
        form.add_error(field, str(exc.message))
        form._style()
        return ""
    return str(exc.message)


def _typed(data) -> dict:
    """What was typed, as the initial values of an unbound form (shown again, not validated)."""
    return {name: data.get(name) for name in CreditRecordForm.base_fields if name in data}


def _handle_post(request, form, *, documents, proof_errors, save, record=None):
    """Validate, call `save(entry, documents)`, or render the form again with everything kept."""
    if request.POST.get("action") == "compute":
        # Without JavaScript: show the item's own fields and its credits; save nothing, judge nothing.
        shown = CreditRecordForm(
            initial=_typed(request.POST), items=list(form.items.values()), also_year=form.also_year
        )
        return _render_form(
            request, shown, documents=documents, proof_errors=proof_errors, record=record, show_errors=False
        )
    form_error = ""
    valid = form.is_valid()
    if not documents and not proof_errors:
        proof_errors[1] = str(services.PROOF_REQUIRED)
    if valid and not proof_errors:
        try:
            saved = save(form.entry, documents)
        except CreditError as exc:
            form_error = _apply_service_error(form, proof_errors, exc)
        except ReviewError as exc:
            form_error = str(exc.message)
        else:
            return saved
    return _render_form(
        request, form, documents=documents, proof_errors=proof_errors, record=record, form_error=form_error
    )


@accountant_required
@require_http_methods(["GET", "POST"])
def new(request):
    """继续教育录入 (manual §7.2): one record of the 1–14 items; "保存" submits it for review at once."""
    person = request.user
    if not is_collected(person):
        return _not_collected(request)
    items = active_items()
    if request.method == "GET":
        initial = {"item": request.GET.get("item"), "year": allowed_years()[0], "token": services.new_token()}
        form = CreditRecordForm(initial=initial, items=items)
        return _render_form(request, form, documents={}, proof_errors={})

    already = record_for_token(person, request.POST.get("token"))
    if already is not None:
        # The same form posted again (double click, back button): the record exists.
        return redirect(_index_url(already.year))
    documents, proof_errors = services.take_proofs(owner=person, data=request.POST, files=request.FILES)
    form = CreditRecordForm(request.POST, items=items)

    def save(entry, proofs):
        record = services.file_record(
            person=person, entry=entry, proofs=proofs, token=form.cleaned_data.get("token"), request=request
        )
        messages.success(request, _("Saved and submitted for review: %(title)s.") % {"title": record.title})
        return redirect(_index_url(record.year))

    return _handle_post(request, form, documents=documents, proof_errors=proof_errors, save=save)


@accountant_required
@require_GET
def item_fields(request):
    """htmx: the chosen item's own fields and its credits, as the person changes item, days or role."""
    if not is_collected(request.user):
        raise Http404
    form = CreditRecordForm(initial=_typed(request.GET), items=active_items())
    context = {"form": form, "estimate": form.estimate(), "show_errors": False}
    return render(request, "continuing_education/_item_fields.html", context)


@accountant_required
@require_GET
def detail(request, pk):
    """One of the person's records: its status (and return reason), fields, credits and proofs."""
    record = record_for_owner(request.user, pk)
    return render(request, "continuing_education/detail.html", {"record": record, "application": record.application})


@accountant_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Correct a returned record and submit it again (manual §7.3)."""
    person = request.user
    record = record_for_owner(person, pk)
    if record.application.status != Status.RETURNED:
        messages.info(request, _("Only a returned record can be corrected."))
        return redirect("continuing_education:detail", pk=record.pk)
    items = active_items()
    if request.method == "GET":
        initial = {
            "item": record.item_id,
            "year": record.year,
            "start_date": record.start_date,
            "end_date": record.end_date if record.end_date != record.start_date else None,
            "title": record.title,
            "organiser": record.organiser,
            "note": record.note,
            "days": record.days,
            "role": record.role,
            "proposed_credits": record.proposed_credits,
        }
        form = CreditRecordForm(initial=initial, items=items, also_year=record.year)
        documents = {proof.position: proof.document for proof in record.proofs.all()}
        return _render_form(request, form, documents=documents, proof_errors={}, record=record)

    documents, proof_errors = services.take_proofs(
        owner=person, data=request.POST, files=request.FILES, application_id=record.application_id
    )
    form = CreditRecordForm(request.POST, items=items, also_year=record.year)

    def save(entry, proofs):
        services.correct_record(record=record, actor=person, entry=entry, proofs=proofs, request=request)
        messages.success(request, _("Corrected and submitted again: %(title)s.") % {"title": entry.title})
        return redirect(_index_url(entry.year))

    return _handle_post(request, form, documents=documents, proof_errors=proof_errors, save=save, record=record)


@accountant_required
@require_POST
def delete(request, pk):
    """删除: withdraw a pending or returned record; an approved one stays (the service refuses)."""
    record = record_for_owner(request.user, pk)
    try:
        services.delete_record(record=record, actor=request.user, request=request)
    except (CreditError, ReviewError) as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted: %(title)s.") % {"title": record.title})
    return redirect(_index_url(record.year))


# --------------------------------------------------------------------------- reviewer


@staff_required
@require_POST
def settle(request, pk):
    """The reviewer settles an item-14 record's credits (form on the review page; back to it after)."""
    application = get_application_for_reviewer(request.user, pk)
    if application.kind != KIND_CE:
        raise Http404
    record = CreditRecord.objects.filter(application=application).first()
    if record is None:
        raise Http404
    form = SettleForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.settle_credits(
                record=record, credits=form.cleaned_data["credits"], actor=request.user, request=request
            )
        except CreditError as exc:
            error = str(exc.message)
    else:
        error = str(form.errors["credits"][0])
    if error:
        # Shown next to the field when the review page renders the form again (templatetags.ce).
        request.session[SETTLE_SESSION_KEY % application.pk] = {
            "credits": request.POST.get("credits", "")[:10],
            "error": error,
        }
    else:
        messages.success(request, _("Credits settled: %(credits)d.") % {"credits": form.cleaned_data["credits"]})
    return redirect("reviews:detail", pk=application.pk)
