"""The reviewers' workspace: the inbox, the application page, the two decisions and the bulk
approval (decisions POST only).

Every view starts from `reviews.scope`: outside the reviewer's scope everything answers 404.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from core.masking import mask_id_number
from identity.models import User
from identity.permissions import staff_required
from identity.request_types import SignedInRequest

from . import services
from .changes import changes_since_return
from .constants import REVIEWER_STATUSES, Status
from .forms import BulkApproveForm, DecisionForm, InboxFilterForm, ReturnForm
from .models import Application
from .registry import ApplicationKind, all_kinds, allows_bulk_approve, get_kind
from .scope import get_application_for_reviewer, reviewer_can_decide, reviewer_unit_choices
from .selectors import application_history, inbox_counts, inbox_page
from .services import ReviewError
from .templatetags.reviews import status_badge

# A decision posted without a valid version (a tampered or very old page).
STALE_PAGE = gettext_lazy("This page is out of date. Please look at the application again and retry.")
FILTER_FIELDS = ("kind", "unit", "submitted_from", "submitted_to", "name", "id_number")


def _query(params: Mapping[str, object]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@staff_required
@require_GET
def inbox(request: SignedInRequest) -> HttpResponse:
    """The queue of the reviewer's unit and every unit below it."""
    units = reviewer_unit_choices(request.user)
    form = InboxFilterForm(request.GET, units=units)
    form.is_valid()
    filters = form.filters()
    page = inbox_page(request.user, filters=filters, after=request.GET.get("after"), before=request.GET.get("before"))
    counts = inbox_counts(request.user, kind=filters.kind, unit_id=filters.unit_id)
    rows: list[Any] = page.items  # _prepare_rows gives the instances their display attributes
    _prepare_rows(request.user, rows, dict(units))

    kept = {name: request.GET.get(name, "") for name in FILTER_FIELDS if name not in form.errors}
    tabs = [
        {"status": s, "label": s.label, "count": counts[s], "url": _query({**kept, "status": s.value})}
        for s in REVIEWER_STATUSES
    ]
    current = {**kept, "status": filters.status}
    context = {
        "form": form,
        "page": page,
        "tabs": tabs,
        "status": filters.status,
        "status_label": Status(filters.status).label,
        "next_url": _query({**current, "after": page.next_cursor}) if page.next_cursor else None,
        "prev_url": _query({**current, "before": page.prev_cursor}) if page.prev_cursor else None,
        "today": timezone.localdate(),
        # The tab counts come from the summary rows: they follow the kind and unit filters only.
        "counts_are_broader": any([filters.submitted_from, filters.submitted_to, filters.name, filters.id_number]),
        "bulk": filters.status == Status.PENDING and any(row.bulk_selectable for row in rows),
        "back": _query(current),
    }
    template = "reviews/_inbox.html" if request.htmx and not request.htmx.boosted else "reviews/inbox.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _prepare_rows(user: User, items: list[Any], unit_names: dict[int, str]) -> None:
    """Everything a row shows, computed once per page rather than per row in the template.

    Detail URLs come from one reverse() and string formatting; labels from dicts; dates formatted once
    (in the current time zone, as the `date` filter would).
    """
    detail_url = reverse("reviews:detail", args=[0])[: -len("0/")]
    kind_labels = {kind.name: str(kind.label) for kind in all_kinds()}
    status_labels = dict(Status.choices)
    today = timezone.localdate()
    for item in items:
        item.unit_name = unit_names.get(item.unit_id, "")
        item.kind_name = kind_labels.get(item.kind, item.kind)
        item.detail_url = f"{detail_url}{item.pk}/"
        item.masked_id = mask_id_number(item.applicant_id_number)
        submitted = item.last_submitted_at
        item.submitted_display = timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M") if submitted else ""
        item.is_pending = item.status == Status.PENDING
        item.overdue = item.is_pending and item.due_date is not None and item.due_date < today
        item.due_display = item.due_date.isoformat() if item.due_date else ""
        item.status_label = status_labels.get(item.status, item.status)
        item.badge = status_badge(item.status)
        # A checkbox for what this reviewer may decide, of a kind that may be approved in bulk.
        item.bulk_selectable = item.is_pending and allows_bulk_approve(item.kind) and reviewer_can_decide(user, item)


def _render_detail(
    request: SignedInRequest,
    application: Application,
    *,
    approve_form: DecisionForm | None = None,
    return_form: ReturnForm | None = None,
    decision_error: StrOrPromise | None = None,
) -> HttpResponse:
    kind: ApplicationKind | None
    try:
        kind = get_kind(application.kind)
    except LookupError:
        kind = None
    payload = kind.get_payload(application) if kind else None
    proofs = [
        {"label": label, "document": document, "is_image": (document.content_type or "").startswith("image/")}
        for label, document in (kind.proofs(application) if kind else [])
    ]
    can_decide = reviewer_can_decide(request.user, application) and application.status == Status.PENDING
    initial = {"version": application.version}
    events = application_history(application)
    context = {
        "application": application,
        "kind": kind,
        "payload": payload,
        "photo": kind.photo(application) if kind else None,
        "proofs": proofs,
        "events": events,
        "changes": changes_since_return(kind, application, events),
        "can_decide": can_decide,
        "approve_form": approve_form or DecisionForm(initial=initial),
        "return_form": return_form or (ReturnForm(initial=initial) if can_decide else None),
        "decision_error": decision_error,
        # Shown by decision.js next to the field before asking to confirm; the server says the same.
        "reason_required": services.REASON_REQUIRED,
    }
    extra = kind.reviewer_context(request.user, application) if kind and kind.reviewer_context else {}
    return render(request, "reviews/detail.html", {**extra, **context})


@staff_required
@require_GET
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """Everything about one application; opening it is audited (a staff view of personal data)."""
    application = get_application_for_reviewer(request.user, pk)
    services.record_staff_view(application=application, request=request)
    return _render_detail(request, application)


def _after_conflict(
    request: SignedInRequest, pk: int, error: StrOrPromise, *, keep_return: Mapping[str, Any] | None = None
) -> HttpResponse:
    """Show the application as it is now, with why the decision was refused."""
    application = get_application_for_reviewer(request.user, pk)
    return_form = None
    if keep_return is not None and application.status == Status.PENDING:
        return_form = ReturnForm(initial={**keep_return, "version": application.version})
    return _render_detail(request, application, return_form=return_form, decision_error=error)


@staff_required
@require_POST
def approve(request: SignedInRequest, pk: int) -> HttpResponse:
    application = get_application_for_reviewer(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _after_conflict(request, pk, STALE_PAGE)
    try:
        services.approve(
            application=application,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except ReviewError as exc:
        return _after_conflict(request, pk, exc.message)
    messages.success(
        request,
        _("Approved: %(name)s, %(kind)s.") % {"name": application.applicant_name, "kind": application.kind_label},
    )
    return redirect("reviews:inbox")


@staff_required
@require_POST
def return_for_changes(request: SignedInRequest, pk: int) -> HttpResponse:
    application = get_application_for_reviewer(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            return _after_conflict(request, pk, STALE_PAGE)
        return _render_detail(request, application, return_form=form)
    try:
        services.return_for_changes(
            application=application,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ReviewError as exc:
        keep = {"standard_reason": form.cleaned_data.get("standard_reason"), "detail": form.cleaned_data.get("detail")}
        return _after_conflict(request, pk, exc.message, keep_return=keep)
    messages.success(
        request,
        _("Returned: %(name)s, %(kind)s.") % {"name": application.applicant_name, "kind": application.kind_label},
    )
    return redirect("reviews:inbox")


@transaction.non_atomic_requests  # the batch commits on its own, then its SMS leave (services.approve_many)
@staff_required
@require_POST
def bulk_approve(request: SignedInRequest) -> HttpResponse:
    """Approve the applications ticked in the inbox; show what happened to each one."""
    form = BulkApproveForm(request.POST)
    valid = form.is_valid()
    back = reverse("reviews:inbox") + form.cleaned_data.get("back", "")  # the same filters as before
    if not valid:
        messages.error(request, " ".join(str(message) for message in form.errors.get("selected", [])) or STALE_PAGE)
        return redirect(back)
    try:
        outcomes = services.approve_many(selections=form.cleaned_data["selected"], actor=request.user, request=request)
    except ReviewError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    approved = sum(1 for outcome in outcomes if outcome.approved)
    context = {"outcomes": outcomes, "approved": approved, "refused": len(outcomes) - approved, "back": back}
    return render(request, "reviews/bulk_result.html", context)
