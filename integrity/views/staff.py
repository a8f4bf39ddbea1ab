"""Staff pages of 诚信: find a person in scope, see their integrity records, enter and revoke
negative records (失信记录). Thin views over integrity.services/selectors.

A person outside the staff member's scope is "not found" in the search and 404 everywhere else;
staff who may not enter negative records (not a reviewer or unit administrator) get 404 on those
pages. Opening a person's records and every search are audited.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from identity.models import User
from identity.permissions import staff_required
from identity.request_types import SignedInRequest

from .. import services
from ..forms import NegativeRecordForm, PersonSearchForm, RevokeForm
from ..selectors import approved_honours, find_people, negative_record_in_scope, negative_records_of, person_in_scope


@staff_required
@require_http_methods(["GET", "POST"])
def search(request: SignedInRequest) -> HttpResponse:
    """Find a person by exact ID number within the staff member's scope (posted, never in the URL)."""
    form = PersonSearchForm(request.POST or None)
    people = None
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        people = find_people(request.user, id_number)
        services.record_staff_search(request=request, id_number=id_number, found=len(people))
    return render(request, "integrity/staff/search.html", {"form": form, "people": people})


def _person_context(
    request: SignedInRequest,
    person: User,
    *,
    bound_revoke_form: RevokeForm | None = None,
    bound_record_id: int | None = None,
) -> dict[str, Any]:
    negatives = negative_records_of(person)
    for record in negatives:
        if record.pk == bound_record_id:
            record.revoke_form = bound_revoke_form
        else:
            record.revoke_form = RevokeForm(auto_id=f"id_revoke_{record.pk}_%s")
    return {
        "person": person,
        "unit": person.dossier_record.unit,
        "honours": approved_honours(person),
        "negatives": negatives,
        "can_manage": services.may_manage_negative_records(request.user),
    }


@staff_required
@require_http_methods(["GET"])
def person(request: SignedInRequest, pk: int) -> HttpResponse:
    """A person's integrity records: approved honours and every negative record (revoked ones marked)."""
    person = person_in_scope(request.user, pk)
    services.record_staff_view(request=request, person=person)
    return render(request, "integrity/staff/person.html", _person_context(request, person))


def _require_manager(request: SignedInRequest) -> None:
    if not services.may_manage_negative_records(request.user):
        raise Http404


@staff_required
@require_http_methods(["GET", "POST"])
def negative_new(request: SignedInRequest, pk: int) -> HttpResponse:
    """Enter a negative record: fill in, check the summary, confirm (录入 needs a confirmation)."""
    _require_manager(request)
    person = person_in_scope(request.user, pk)
    context = {"person": person, "unit": person.dossier_record.unit}
    if request.method == "GET":
        return render(request, "integrity/staff/negative_form.html", {**context, "form": NegativeRecordForm()})
    form = NegativeRecordForm(request.POST)
    action = request.POST.get("action", "preview")
    # "edit" comes back from the summary to change something: the form keeps what was typed.
    if action == "edit" or not form.is_valid():
        return render(request, "integrity/staff/negative_form.html", {**context, "form": form})
    if action != "confirm":
        preview = services.preview_negative_record(person=person, fields=form.service_fields())
        return render(request, "integrity/staff/negative_confirm.html", {**context, "form": form, "preview": preview})
    try:
        services.create_negative_record(
            actor=request.user, person=person, fields=form.service_fields(), request=request
        )
    except services.IntegrityRecordError as exc:
        form.add_rule_error(exc)
        return render(request, "integrity/staff/negative_form.html", {**context, "form": form})
    messages.success(request, _("The negative record has been entered."))
    return redirect("integrity:staff_person", pk=person.pk)


@staff_required
@require_POST
def negative_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    """Revoke a negative record with a reason; it stays on the person's page, marked revoked."""
    _require_manager(request)
    record = negative_record_in_scope(request.user, pk)
    form = RevokeForm(request.POST, auto_id=f"id_revoke_{record.pk}_%s")
    if form.is_valid():
        try:
            services.revoke_negative_record(
                actor=request.user, record=record, reason=form.cleaned_data["reason"], request=request
            )
        except services.IntegrityRecordError as exc:
            if exc.field == "reason":
                form.add_error("reason", exc.message)
            else:
                messages.error(request, str(exc))
                return redirect("integrity:staff_person", pk=record.person_id)
        else:
            messages.success(request, _("The negative record has been revoked."))
            return redirect("integrity:staff_person", pk=record.person_id)
    person = person_in_scope(request.user, record.person_id)
    context = _person_context(request, person, bound_revoke_form=form, bound_record_id=record.pk)
    return render(request, "integrity/staff/person.html", context)
