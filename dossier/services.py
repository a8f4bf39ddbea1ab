"""Writes of the dossier: the 信息采集 draft step by step, proofs, submission, and the approved record.

Every function is keyword-only and runs in one transaction that locks the application row, so a
step cannot be saved into an application a reviewer is deciding. Refusals raise `DossierError`
(or `reviews.services.ReviewError` from the engine) with a message for the person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.services import record_event
from documents.constants import DocumentKind, DocumentStatus
from documents.exceptions import UploadRejected
from documents.forms import PhotoUploadForm, proof_prefix
from documents.models import Document
from documents.selectors import document_for_owner
from documents.services import attach, store_photo, store_upload
from identity.models import User
from regions.models import ReviewUnit
from reviews import services as reviews
from reviews.constants import EDITABLE_STATUSES, Status
from reviews.models import Application
from reviews.services import ReviewError

from .constants import KIND_COLLECTION, STEPS, Step
from .models import (
    ChangePayload,
    CollectionPayload,
    Dossier,
    DossierProof,
    EducationRecord,
    PersonRecord,
    RecordVersion,
)
from .proofs import ProofSlot, missing_proofs, proof_slots
from .sections import SECTIONS, section_errors
from .snapshot import dossier_snapshot

ALREADY_COLLECTED = _("You have already been collected; there is no need to collect again.")
NOT_EDITABLE = _("Your information has been submitted and is waiting for review: it cannot be changed now.")
PHOTO_PICKER = "photo"  # the photo picker's name: posts "photo" (document id) or "photo-file"


class DossierError(Exception):
    """A request about a dossier the person must correct or cannot make (message shown to them)."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# --------------------------------------------------------------------------- the draft


def provisional_unit() -> ReviewUnit:
    """The unit a draft is filed under until the person chooses theirs in 会计岗位信息.

    The envelope needs a unit from the start, but drafts are invisible to every reviewer; the root
    unit (省直) keeps the draft routable. The post step moves it to the chosen unit.
    """
    unit = ReviewUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()
    assert unit is not None  # the root unit is created by a migration and never deactivated
    return unit


def new_dossier(*, person: User) -> Dossier:
    """An empty dossier carrying the identity fixed at registration (manual §4.3)."""
    return Dossier.objects.create(
        owner=person, full_name=person.full_name, id_type=person.id_type, id_number=person.id_number
    )


def start_collection(*, person: User, request: HttpRequest | None = None) -> CollectionPayload:
    """The person's open 信息采集 (created on first use). Refused once they have been approved."""
    if PersonRecord.objects.filter(person=person).exists():
        raise DossierError(ALREADY_COLLECTED)
    with transaction.atomic():
        application = reviews.start_application(
            kind=KIND_COLLECTION, applicant=person, unit=provisional_unit(), request=request
        )
        application = Application.objects.select_for_update().get(pk=application.pk)
        payload = CollectionPayload.objects.filter(application=application).select_related("dossier").first()
        if payload is None:
            payload = CollectionPayload.objects.create(application=application, dossier=new_dossier(person=person))
    return payload


def _lock_editable(payload: CollectionPayload | ChangePayload) -> Application:
    application = Application.objects.select_for_update().get(pk=payload.application_id)
    if application.status not in EDITABLE_STATUSES:
        raise DossierError(NOT_EDITABLE)
    return application


def _later(step_a: str, step_b: str) -> str:
    return step_a if STEPS.index(Step(step_a)) >= STEPS.index(Step(step_b)) else step_b


def _move(payload: CollectionPayload | ChangePayload, step: Step) -> None:
    payload.current_step = step
    payload.furthest_step = _later(payload.furthest_step, step)


@transaction.atomic
def save_step(
    *,
    payload: CollectionPayload | ChangePayload,
    step: Step,
    form: BaseForm | BaseFormSet[Any],
    go_to: Step,
    request: HttpRequest | None = None,
) -> None:
    """Save a valid section form into the draft and move to `go_to`.

    What was kept unsaved for the step is dropped; a chosen review unit re-routes the draft; the
    photo becomes part of the application (never purged as a temporary upload).
    """
    application = _lock_editable(payload)
    dossier = payload.dossier
    SECTIONS[step].save(dossier, form)
    if step == Step.PERSONAL and dossier.photo is not None:
        _attach(dossier.photo, application)
    if step == Step.POST and dossier.unit_id and dossier.unit_id != application.unit_id:
        assert dossier.unit is not None  # unit_id is set
        reviews.set_unit(application=application, unit=dossier.unit, actor=dossier.owner, request=request)
    payload.unsaved_input.pop(str(step), None)
    _move(payload, go_to)
    payload.save(update_fields=["unsaved_input", "current_step", "furthest_step"])
    record_event(action="dossier.save_step", request=request, obj=application, detail={"step": str(step)})


@transaction.atomic
def keep_unsaved_input(
    *,
    payload: CollectionPayload | ChangePayload,
    step: Step,
    data: dict[str, list[str]],
    go_to: Step | None = None,
) -> None:
    """Keep what was typed into a step that cannot be saved yet (上一步, or errors), verbatim."""
    _lock_editable(payload)
    payload.unsaved_input[str(step)] = data
    if go_to is not None:
        _move(payload, go_to)
    payload.save(update_fields=["unsaved_input", "current_step", "furthest_step"])


@transaction.atomic
def autosave_input(*, payload: CollectionPayload | ChangePayload, step: Step, data: dict[str, list[str]]) -> None:
    """Keep what is being typed into a step or change section as the person types or leaves (issue #8).

    The draft is the raw posted input per section (`unsaved_input`, the same store as 上一步 and a
    refused 下一步 use): nothing is validated here, so partial or invalid text is kept verbatim and
    shown again when the section is opened, but never applied to the dossier — validation still
    happens on 下一步 / 保存, and submission is refused while input is left unsaved. The one
    exception is an accepted photo (使用此照片: its document id is in the input), already checked by
    the photo pipeline: it becomes the dossier's photo and is attached to the application at once,
    so that the daily purge of temporary uploads cannot take it. Refused (DossierError) once the
    application is no longer editable (submitted, approved, withdrawn).
    """
    application = _lock_editable(payload)
    payload.unsaved_input[str(step)] = data
    payload.save(update_fields=["unsaved_input"])
    if step == Step.PERSONAL:
        photo_id = (data.get(PHOTO_PICKER) or [""])[-1]
        document = document_for_owner(owner=payload.dossier.owner, document_id=photo_id) if photo_id else None
        if (
            document is not None
            and document.kind == DocumentKind.PHOTO
            and document.application_id in (None, application.pk)
            and document.pk != payload.dossier.photo_id
        ):
            _attach(document, application)
            payload.dossier.photo = document  # checked by the photo pipeline already: kept as the photo
            payload.dossier.save(update_fields=["photo"])


@transaction.atomic
def move_to_step(*, payload: CollectionPayload | ChangePayload, step: Step) -> None:
    """Remember where the person is, so signing in again resumes there."""
    _lock_editable(payload)
    _move(payload, step)
    payload.save(update_fields=["current_step", "furthest_step"])


def _attach(document: Document, application: Application) -> None:
    """Make a temporary upload part of the application (a document copied from an earlier
    version already belongs to the application it was handed in with, and stays there)."""
    if document.application_id is None or document.status != DocumentStatus.ATTACHED:
        attach(document=document, application_id=application.pk)


def store_photo_upload(
    *, owner: User, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile[Any]]
) -> Document:
    """The photo picker without JavaScript: the chosen file came with the step's form (centre crop).

    Returns the stored (temporary) photo; raises UploadRejected naming the rule that failed.
    """
    form = PhotoUploadForm(data, files, prefix=PHOTO_PICKER)
    if not form.is_valid():
        raise UploadRejected(form.errors["file"][0], code="required")
    return store_photo(owner=owner, uploaded_file=form.cleaned_data["file"], crop=form.cleaned_data["crop"])


def save_proofs(
    *,
    payload: CollectionPayload | ChangePayload,
    data: Mapping[str, Any],
    files: MultiValueDict[str, UploadedFile[Any]],
    slots: Iterable[ProofSlot] | None = None,
    request: HttpRequest | None = None,
) -> dict[str, str]:
    """Take the proof boxes of the 上传证明材料 step into the dossier (manual §4.7).

    Each box of the checklist posts either the id of a file already uploaded through the box
    (`proof-<slot>-document`, htmx) or the file itself (`proof-<slot>-file`, without JavaScript).
    Only the person's own documents of that slot are taken; `slots` limits the boxes taken (a
    信息变更 takes only the proofs its changes require). Returns {slot: error} for files the
    upload pipeline refused; everything else is saved.
    """
    errors: dict[str, str] = {}
    with transaction.atomic():
        application = _lock_editable(payload)
        dossier = payload.dossier
        owner = dossier.owner
        current = {p.slot: p for p in dossier.proofs.all()}
        for slot in proof_slots(dossier) if slots is None else slots:
            prefix = proof_prefix(slot.key)
            upload = files.get(f"{prefix}-file")
            document: Document | None
            try:
                if upload is not None:
                    document = store_upload(
                        owner=owner, uploaded_file=upload, slot=slot.key, application_id=application.pk
                    )
                else:
                    document = document_for_owner(owner=owner, document_id=data.get(f"{prefix}-document"))
                    if document is None or document.slot != slot.key or document.kind != DocumentKind.PROOF:
                        continue
                    _attach(document, application)
            except UploadRejected as exc:
                errors[slot.key] = exc.message
                continue
            if slot.key in current and current[slot.key].document_id == document.pk:
                continue
            DossierProof.objects.update_or_create(dossier=dossier, slot=slot.key, defaults={"document": document})
            record_event(action="dossier.store_proof", request=request, obj=application, detail={"slot": slot.key})
    return errors


# --------------------------------------------------------------------------- submission


def submission_problems(dossier: Dossier) -> list[str]:
    """What stops a dossier from being submitted, in words: unfinished steps and missing proofs."""
    problems = [
        str(_("Step “%(step)s” is not complete.") % {"step": step.label})
        for step, failing in section_errors(dossier).items()
        if failing
    ]
    missing = missing_proofs(dossier)
    if missing:
        problems.append(
            str(_("Please upload the missing proofs: %(names)s.") % {"names": "、".join(str(s.label) for s in missing)})
        )
    return problems


def check_collection_before_submit(application: Application) -> None:
    """The kind's `before_submit` hook (inside the submitting transaction): every step valid,
    nothing typed left unsaved, every proof there. Proofs of boxes the data no longer asks for
    (say a certificate uploaded before 是否注册会计师 became 否) are dropped from the dossier."""
    payload = CollectionPayload.objects.select_related("dossier").get(application=application)
    dossier = payload.dossier
    problems = []
    if payload.unsaved_input:
        steps = [Step(key).label for key in payload.unsaved_input if key in Step.values]
        problems.append(
            str(
                _("You left unsaved changes in: %(steps)s. Open the step and press “Next”.")
                % {"steps": "、".join(map(str, steps))}
            )
        )
    problems += submission_problems(dossier)
    if problems:
        raise ReviewError(" ".join(problems), code="incomplete")
    dossier.proofs.exclude(slot__in=[slot.key for slot in proof_slots(dossier)]).delete()


def submit_collection(*, payload: CollectionPayload, actor: User, request: HttpRequest | None = None) -> Application:
    """Hand in (or resubmit) the 信息采集; the engine runs `check_collection_before_submit` under its lock."""
    application = reviews.submit(application=payload.application, actor=actor, request=request)
    if application.status == Status.PENDING:
        _move_after_submit(payload)
    return application


def _move_after_submit(payload: CollectionPayload) -> None:
    CollectionPayload.objects.filter(pk=payload.pk).update(current_step=Step.PREVIEW, furthest_step=Step.PREVIEW)


# --------------------------------------------------------------------------- the approved record


def apply_collection(application: Application) -> PersonRecord:
    """The kind's `apply()`: runs in the approving transaction.

    The approved dossier becomes the person's current record (it is never edited again) and a new
    `RecordVersion` keeps its snapshot; earlier versions stay.
    """
    payload = CollectionPayload.objects.select_related("dossier__unit").get(application=application)
    dossier = payload.dossier
    return record_approved_dossier(dossier=dossier, application=application)


def record_approved_dossier(*, dossier: Dossier, application: Application) -> PersonRecord:
    """Make `dossier` the person's current record and keep a version of it (any dossier kind)."""
    now = application.decided_at or timezone.now()
    unit = dossier.unit or application.unit
    record = PersonRecord.objects.select_for_update().filter(person_id=dossier.owner_id).first()
    if record is None:
        record = PersonRecord.objects.create(
            person_id=dossier.owner_id, current=dossier, unit=unit, version=1, approved_at=now
        )
    else:
        record.current, record.unit, record.approved_at = dossier, unit, now
        record.version += 1
        record.save(update_fields=["current", "unit", "approved_at", "version"])
    RecordVersion.objects.create(
        record=record,
        number=record.version,
        dossier=dossier,
        application=application,
        unit=unit,
        snapshot=dossier_snapshot(dossier),
        approved_at=now,
    )
    return record


@transaction.atomic
def copy_dossier(*, dossier: Dossier) -> Dossier:
    """A new editable dossier with the same data, rows (same tokens) and proofs (for 信息变更)."""
    copy = Dossier.objects.get(pk=dossier.pk)
    copy.pk = None
    copy._state.adding = True
    copy.save()
    EducationRecord.objects.bulk_create(
        EducationRecord(
            dossier=copy,
            **{
                f.attname: getattr(row, f.attname)
                for f in EducationRecord._meta.concrete_fields
                if f.name not in ("id", "dossier")
            },
        )
        for row in dossier.educations.all()
    )
    DossierProof.objects.bulk_create(
        DossierProof(dossier=copy, slot=p.slot, document_id=p.document_id) for p in dossier.proofs.all()
    )
    return copy
