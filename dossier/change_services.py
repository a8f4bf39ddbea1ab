"""Writes of 信息变更 (manual §6): start a change from the approved record, edit it section by
section, hand in the proofs the changes require, submit, withdraw; and the kind's `apply()`.

The approved record is never touched while a change is open: the change edits a copy of the
current dossier (`services.copy_dossier`). Section saves, unsaved input and proofs go through the
same services as 信息采集 (`services.save_step`, `keep_unsaved_input`, `save_proofs`), which lock the
application row. Refusals raise `DossierError` or `reviews.services.ReviewError`.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import record_event
from reviews import services as reviews
from reviews.constants import EDITABLE_STATUSES
from reviews.models import Application
from reviews.services import ReviewError

from . import services
from .change_selectors import change_of_application, change_problems, summarise
from .constants import KIND_CHANGE, Step
from .models import ChangePayload, PersonRecord, RecordVersion
from .proofs import proof_slots
from .services import DossierError, copy_dossier, provisional_unit, record_approved_dossier

NOT_COLLECTED = _(
    "Only accountants whose information has been approved can change it. Please complete the information "
    "collection first."
)
OUTDATED = _(
    "Your approved information has changed since this change was started. Withdraw this change and start again."
)


@transaction.atomic
def start_change(*, person, request=None) -> ChangePayload:
    """The person's open 信息变更, created on first use from a copy of their approved record.

    Refused for someone not collected. The kind is exclusive: a second call (or a concurrent one)
    returns the same change. It is filed with the unit that manages the person until the post
    section names another one (a unit no longer in use: the draft waits at the root unit until
    the person chooses a new one).
    """
    record = PersonRecord.objects.select_related("unit", "current").filter(person=person).first()
    if record is None:
        raise DossierError(NOT_COLLECTED)
    unit = record.unit if record.unit.is_active else provisional_unit()
    application = reviews.start_application(kind=KIND_CHANGE, applicant=person, unit=unit, request=request)
    application = Application.objects.select_for_update().get(pk=application.pk)
    payload = ChangePayload.objects.filter(application=application).first()
    if payload is None:
        base = RecordVersion.objects.get(record=record, number=record.version)
        payload = ChangePayload.objects.create(
            application=application, dossier=copy_dossier(dossier=record.current), base=base
        )
        record_event(
            action="dossier.change.start", request=request, obj=application, detail={"base_version": base.number}
        )
    return payload


def save_section(*, payload: ChangePayload, step: Step, form, request=None) -> None:
    """Save a valid section form into the edited copy (a new unit in the post section re-routes
    the change to that unit: the new unit decides it)."""
    services.save_step(payload=payload, step=step, form=form, go_to=step, request=request)


@transaction.atomic
def cancel_unsaved_input(*, payload: ChangePayload, step: Step) -> None:
    """Forget what was typed into a section and not saved (the saved values stay)."""
    application = Application.objects.select_for_update().get(pk=payload.application_id)
    if application.status not in EDITABLE_STATUSES:
        raise DossierError(services.NOT_EDITABLE)
    payload.unsaved_input.pop(str(step), None)
    payload.save(update_fields=["unsaved_input"])


def save_change_proofs(*, payload: ChangePayload, data, files, request=None) -> dict[str, str]:
    """Take the boxes of the proofs the changes require (manual §6.3) into the edited copy.

    Only those boxes are taken; a carried-over proof of an unchanged item stays as it was.
    Returns {slot: error} for files the upload pipeline refused.
    """
    summary = summarise(payload)
    return services.save_proofs(payload=payload, data=data, files=files, slots=summary.required, request=request)


def check_change_before_submit(application: Application) -> None:
    """The kind's `before_submit` hook (inside the submitting transaction, the row locked).

    Refused, saying why, with unsaved input, an invalid section, nothing changed, a required proof
    without a new file, or when the approved record moved on. Proofs of boxes the data no longer
    has are dropped, and a box the changes do not require keeps the approved version's file, so
    the new version differs from the approved one exactly in what was changed.
    """
    payload = change_of_application(application)
    summary = summarise(payload)
    problems = change_problems(summary)
    record = PersonRecord.objects.filter(person_id=application.applicant_id).only("current_id").first()
    if record is None or record.current_id != payload.base.dossier_id:
        problems.append(str(OUTDATED))
    if problems:
        raise ReviewError(" ".join(str(p) for p in problems), code="incomplete")
    dossier = payload.dossier
    slots = {slot.key for slot in proof_slots(dossier)}
    dossier.proofs.exclude(slot__in=slots).delete()
    required = {slot.key for slot in summary.required}
    old_proofs = summary.old.get("proofs", {})
    for slot, proof in summary.proofs.items():
        if slot in slots and slot not in required and slot in old_proofs and str(proof.document_id) != old_proofs[slot]:
            proof.document_id = old_proofs[slot]
            proof.save(update_fields=["document"])


def submit_change(*, payload: ChangePayload, actor, request=None) -> Application:
    """Hand in (or resubmit) the change; the engine runs `check_change_before_submit` under its lock."""
    return reviews.submit(application=payload.application, actor=actor, request=request)


def withdraw_change(*, payload: ChangePayload, actor, request=None) -> Application:
    """Give the change up (draft, pending or returned); the approved record stays as it is."""
    return reviews.withdraw(application=payload.application, actor=actor, request=request)


def apply_change(application: Application) -> PersonRecord:
    """The kind's `apply()`, inside the approving transaction.

    The edited dossier becomes the record's current version, with a new `RecordVersion` (its
    snapshot and the unit that now manages the person); every earlier version stays. Refused when
    the record is no longer the version the change started from.
    """
    payload = ChangePayload.objects.select_related("dossier__unit", "base").get(application=application)
    record = PersonRecord.objects.select_for_update().filter(person_id=application.applicant_id).first()
    if record is None or record.current_id != payload.base.dossier_id:
        raise ReviewError(OUTDATED, code="outdated")
    return record_approved_dossier(dossier=payload.dossier, application=application)
