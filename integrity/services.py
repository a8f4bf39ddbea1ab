"""Writes of integrity records.

Honours (表彰奖励) go through the review engine: 保存 creates the application, its payload and
proofs and submits it in one transaction; a returned record is corrected and resubmitted; a pending
or returned record may be deleted (withdrawn), an approved one never. Negative records (失信记录)
are entered and revoked by staff for people in their scope, each with an audit row in the same
transaction. Refusals raise `IntegrityRecordError` (with the field it belongs to) or the engine's
`ReviewError`.
"""

import datetime
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit.models import AuditEvent
from audit.services import record_event
from core.masking import mask_id_number
from core.text import clean_text
from documents.constants import DocumentKind
from documents.exceptions import UploadRejected
from documents.forms import proof_prefix
from documents.models import Document
from documents.selectors import document_for_owner
from documents.services import attach, store_upload
from dossier.selectors import approved_record
from identity.models import User
from regions.models import ReviewUnit
from reviews import services as reviews
from reviews.constants import DECIDING_ROLES, EDITABLE_STATUSES, Status
from reviews.models import Application
from reviews.scope import units_for_reviewer
from reviews.services import ReviewError

from .constants import (
    BASIS_MAX_LENGTH,
    BODY_MAX_LENGTH,
    DOCUMENT_NUMBER_MAX_LENGTH,
    EARLIEST_DATE,
    HONOUR_PROOF_SLOTS,
    KIND_HONOUR,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REVOKE_REASON_MAX_LENGTH,
    BanRule,
    OptionList,
)
from .models import HonourPayload, HonourProof, NegativeRecord, PenaltyKind
from .options import option
from .selectors import managing_unit

_T = TypeVar("_T")
NOT_COLLECTED = _(
    "Only accountants whose information collection has been approved can use integrity records. "
    "Please complete information collection first."
)
PROOF_REQUIRED = _("Please upload at least one proof (the certificate or the commendation document).")
NAME_REQUIRED = _("Please type the name of the honour.")
CHOOSE_FROM_LIST = _("Please choose an item from the list.")
REQUIRED = _("Please fill in this field.")
TOO_LONG = _("At most %(max)d characters.")
DATE_IN_FUTURE = _("The date cannot be in the future.")
DATE_TOO_EARLY = _("Please check the date: it cannot be before 1 October 1949.")
NOT_EDITABLE = _(
    "Only a returned record can be corrected. A record waiting for review can be deleted and entered again."
)
APPROVED_CANNOT_BE_DELETED = _("An approved integrity record cannot be deleted.")
CANNOT_DELETE = _("This record cannot be deleted.")
MAY_NOT_MANAGE = _("Only reviewers may enter or revoke negative records.")
PERSON_NOT_FOUND = _("No accountant with this ID number was found in your area.")
PERIOD_END_REQUIRED = _("Give the end of the period, or tick “permanent”.")
PERIOD_END_WITH_PERMANENT = _("A permanent period has no end date.")
PERIOD_END_BEFORE_START = _("The end of the period cannot be before its start.")
ALREADY_REVOKED = _("This record has already been revoked.")
FORM_USED = _("This form has already been used. Please open the entry page again.")
REVOKE_REASON_REQUIRED = _("Please give the reason for revoking the record.")


class IntegrityRecordError(Exception):
    """A request about an integrity record the person must correct or cannot make.

    `field` names the form field the message belongs next to (None: the whole form); `errors`
    holds every refused field when a check found several.
    """

    def __init__(
        self, message: StrOrPromise, *, field: str | None = None, errors: dict[str, StrOrPromise] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        # Every field refused at once ({field: message}), for forms that show them all.
        self.errors = errors if errors is not None else ({field: message} if field else {})

    def __str__(self) -> str:
        return str(self.message)


# --------------------------------------------------------------------------- field rules


# The labels people see next to the boxes (integrity.forms), named in text-hygiene messages.
FIELD_LABELS = {
    "other_name": _("Name of the honour"),
    "awarding_body": _("Awarded by"),
    "document_number": _("Document number"),
    "basis": _("Legal basis"),
    "authority": _("Deciding authority"),
    "note": _("Note"),
    "reason": _("Reason for revoking"),
}


def _clean(value: object, *, field: str, multiline: bool = False) -> str:
    """`core.text.clean_text` of a free-text field, refusals as IntegrityRecordError on `field`."""
    try:
        return clean_text(value, field_label=FIELD_LABELS.get(field, ""), multiline=multiline)
    except ValidationError as exc:
        raise IntegrityRecordError(exc.messages[0], field=field) from None


def _text(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    text = _clean(value, field=field)
    if required and not text:
        raise IntegrityRecordError(REQUIRED, field=field)
    if len(text) > max_length:
        raise IntegrityRecordError(TOO_LONG % {"max": max_length}, field=field)
    return text


def _past_date(value: object, *, field: str, today: datetime.date) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise IntegrityRecordError(REQUIRED, field=field)
    if value > today:
        raise IntegrityRecordError(DATE_IN_FUTURE, field=field)
    if value < EARLIEST_DATE:
        raise IntegrityRecordError(DATE_TOO_EARLY, field=field)
    return value


class _Checks:
    """Runs field checks and keeps every refusal, so a form shows all its errors at once."""

    def __init__(self) -> None:
        self.errors: dict[str, StrOrPromise] = {}

    def run(self, key: str, check: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T | None:
        try:
            return check(*args, **kwargs)
        except IntegrityRecordError as exc:
            self.errors.setdefault(exc.field or key, exc.message)
            return None

    def fail(self, field: str, message: StrOrPromise) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            field, message = next(iter(self.errors.items()))
            raise IntegrityRecordError(message, field=field, errors=self.errors)


def _listed(list_key: OptionList, value: str | None, *, field: str) -> tuple[str, bool]:
    picked = option(list_key, value or "")
    if picked is None:
        raise IntegrityRecordError(CHOOSE_FROM_LIST, field=field)
    return picked


def clean_honour_fields(
    *,
    name_choice: str,
    other_name: str | None = "",
    level: str,
    awarded_on: datetime.date | None,
    awarding_body: str,
    document_number: str,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The fields of an honour record checked and normalised, ready to store.

    Raises IntegrityRecordError with every field that breaks a rule (`errors`; `field` is the
    first). 奖励名称 and 级别 must be offered items; an item that asks for a name needs it typed
    (kept as `name`), any other item is its own name; 时间 not in the future.
    """
    today = today or timezone.localdate()
    checks = _Checks()
    picked = checks.run("name_choice", _listed, OptionList.HONOUR_NAME, name_choice, field="name_choice")
    name: str | None = None
    if picked is not None:
        label, asks_for_name = picked
        name = label
        if asks_for_name:
            if not " ".join(str(other_name or "").split()):
                checks.fail("other_name", NAME_REQUIRED)
            else:
                name = checks.run("other_name", _text, other_name, field="other_name", max_length=NAME_MAX_LENGTH)
    checks.run("level", _listed, OptionList.HONOUR_LEVEL, level, field="level")
    cleaned = {
        "name_choice": name_choice,
        "name": name,
        "level": level,
        "awarded_on": checks.run("awarded_on", _past_date, awarded_on, field="awarded_on", today=today),
        "awarding_body": checks.run(
            "awarding_body", _text, awarding_body, field="awarding_body", max_length=BODY_MAX_LENGTH
        ),
        "document_number": checks.run(
            "document_number", _text, document_number, field="document_number", max_length=DOCUMENT_NUMBER_MAX_LENGTH
        ),
    }
    checks.raise_if_any()
    return cleaned


def clean_negative_fields(
    *,
    penalty_kind: PenaltyKind | None,
    basis: str,
    authority: str,
    decision_date: datetime.date | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None = None,
    is_permanent: bool = False,
    note: str | None = "",
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The fields of a negative record checked and normalised.

    Raises IntegrityRecordError with every field that breaks a rule (`errors`; `field` is the
    first): an offered penalty kind; 依据 and 决定机关 given; 决定日期 not in the future; 期限 from a
    start to an end not before it, or permanent without an end; a note of at most 500 characters.
    """
    today = today or timezone.localdate()
    checks = _Checks()
    if not isinstance(penalty_kind, PenaltyKind) or not penalty_kind.is_active:
        checks.fail("penalty_kind", CHOOSE_FROM_LIST)
    cleaned = {
        "penalty_kind": penalty_kind,
        "basis": checks.run("basis", _text, basis, field="basis", max_length=BASIS_MAX_LENGTH),
        "authority": checks.run("authority", _text, authority, field="authority", max_length=BODY_MAX_LENGTH),
        "decision_date": checks.run("decision_date", _past_date, decision_date, field="decision_date", today=today),
    }
    if not isinstance(period_start, datetime.date):
        checks.fail("period_start", REQUIRED)
    elif period_start < EARLIEST_DATE:
        checks.fail("period_start", DATE_TOO_EARLY)
    is_permanent = bool(is_permanent)
    if is_permanent and period_end is not None:
        checks.fail("period_end", PERIOD_END_WITH_PERMANENT)
    elif not is_permanent and period_end is None:
        checks.fail("period_end", PERIOD_END_REQUIRED)
    elif (
        not is_permanent
        and isinstance(period_start, datetime.date)
        and period_end is not None  # always true here: the branch above took a missing end
        and period_end < period_start
    ):
        checks.fail("period_end", PERIOD_END_BEFORE_START)
    note = checks.run("note", _clean, note, field="note", multiline=True) or ""
    if len(note) > NOTE_MAX_LENGTH:
        checks.fail("note", TOO_LONG % {"max": NOTE_MAX_LENGTH})
    checks.raise_if_any()
    return {
        **cleaned,
        "period_start": period_start,
        "period_end": None if is_permanent else period_end,
        "is_permanent": is_permanent,
        "note": note,
    }


# --------------------------------------------------------------------------- honours: proofs


def take_proof_uploads(
    *, owner: User, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile[Any]]
) -> tuple[dict[str, Document], dict[str, StrOrPromise]]:
    """The proof boxes of the honour form: ({slot: Document}, {slot: error}).

    Each box posts either the id of a file already uploaded through it (`proof-<slot>-document`,
    htmx) or the file itself (`proof-<slot>-file`, without JavaScript), which is stored now as a
    temporary upload so that nothing is lost if another field needs correcting; `proof-<slot>-remove`
    drops the box's earlier file (a new file chosen with it still counts). Only the person's own proofs of that box are taken. A refused file keeps the
    box's earlier file and reports why.
    """
    documents: dict[str, Document] = {}
    errors: dict[str, StrOrPromise] = {}
    for slot in HONOUR_PROOF_SLOTS:
        prefix = proof_prefix(slot)
        current = document_for_owner(owner=owner, document_id=data.get(f"{prefix}-document"))
        if current is not None and (current.slot != slot or current.kind != DocumentKind.PROOF):
            current = None
        if data.get(f"{prefix}-remove"):
            current = None
        upload = files.get(f"{prefix}-file")
        if upload is not None:
            try:
                current = store_upload(owner=owner, uploaded_file=upload, slot=slot)
            except UploadRejected as exc:
                errors[slot] = exc.message
        if current is not None:
            documents[slot] = current
    return documents, errors


def _set_proofs(*, payload: HonourPayload, application: Application, proofs: Mapping[str, Document | None]) -> None:
    if not any(proofs.get(slot) for slot in HONOUR_PROOF_SLOTS):
        raise IntegrityRecordError(PROOF_REQUIRED, field="proofs")
    current = {p.slot: p for p in payload.proofs.all()}
    for slot in HONOUR_PROOF_SLOTS:
        document = proofs.get(slot)
        if document is None:
            if slot in current:
                current[slot].delete()
            continue
        if document.owner_id != application.applicant_id:
            raise IntegrityRecordError(PROOF_REQUIRED, field=slot)
        try:
            if document.application_id != application.pk:
                attach(document=document, application_id=application.pk)
        except UploadRejected as exc:
            raise IntegrityRecordError(exc.message, field=slot) from exc
        if slot in current:
            if current[slot].document_id != document.pk:
                current[slot].document = document
                current[slot].save(update_fields=["document"])
        else:
            HonourProof.objects.create(payload=payload, slot=slot, document=document)


def check_honour_before_submit(application: Application) -> None:
    """The kind's `before_submit` hook: the payload is there, dated in the past, with a proof."""
    payload = HonourPayload.objects.filter(application=application).first()
    if payload is None:
        raise ReviewError(REQUIRED, code="incomplete")
    if payload.awarded_on > timezone.localdate():
        raise ReviewError(DATE_IN_FUTURE, code="incomplete")
    if not payload.proofs.exists():
        raise ReviewError(PROOF_REQUIRED, code="incomplete")


def _managing_unit(person: User) -> ReviewUnit:
    record = approved_record(person)
    if record is None:
        raise IntegrityRecordError(NOT_COLLECTED)
    return record.unit


# --------------------------------------------------------------------------- honours: the person


def apply_for_honour(
    *,
    person: User,
    fields: dict[str, Any],
    proofs: Mapping[str, Document | None],
    submission_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """录入 + 保存 (manual §8.2): create an honour record and submit it for review, in one transaction.

    Routed to the person's managing unit (their approved 信息采集 record). `fields` as for
    `clean_honour_fields`; `proofs` {slot: Document} from `take_proof_uploads`. The same
    `submission_key` twice (a double click) gives back the first record instead of a second one.
    """
    if submission_key is not None:
        existing = _by_submission_key(person, submission_key)
        if existing is not None:
            return existing
    unit = _managing_unit(person)
    cleaned = clean_honour_fields(**fields)
    if not any(proofs.get(slot) for slot in HONOUR_PROOF_SLOTS):
        raise IntegrityRecordError(PROOF_REQUIRED, field="proofs")
    try:
        with transaction.atomic():
            application = reviews.start_application(kind=KIND_HONOUR, applicant=person, unit=unit, request=request)
            payload = HonourPayload.objects.create(application=application, submission_key=submission_key, **cleaned)
            _set_proofs(payload=payload, application=application, proofs=proofs)
            record_event(
                action="integrity.honour_save",
                request=request,
                actor=person,
                obj=application,
                detail={"name": cleaned["name"][:100], "level": cleaned["level"]},
            )
            reviews.submit(application=application, actor=person, request=request)
    except IntegrityError:
        if submission_key is None:
            raise
        existing = _by_submission_key(person, submission_key)
        if existing is None:  # a key that is not this person's: never theirs to reuse
            raise IntegrityRecordError(FORM_USED) from None
        return existing
    return application


def _by_submission_key(person: User, key: uuid.UUID) -> Application | None:
    payload = (
        HonourPayload.objects.select_related("application")
        .filter(submission_key=key, application__applicant=person)
        .first()
    )
    return payload.application if payload else None


def resubmit_honour(
    *,
    person: User,
    application: Application,
    fields: dict[str, Any],
    proofs: Mapping[str, Document | None],
    request: HttpRequest | None = None,
) -> Application:
    """Correct a returned honour record and submit it again (it goes back to the same queue, or to the
    person's new managing unit if they have moved meanwhile)."""
    cleaned = clean_honour_fields(**fields)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.applicant_id != person.pk or locked.kind != KIND_HONOUR:
            raise IntegrityRecordError(CANNOT_DELETE)
        if locked.status not in EDITABLE_STATUSES:
            raise IntegrityRecordError(NOT_EDITABLE)
        payload = HonourPayload.objects.get(application=locked)
        for name, value in cleaned.items():
            setattr(payload, name, value)
        payload.save()
        _set_proofs(payload=payload, application=locked, proofs=proofs)
        unit = _managing_unit(person)
        if unit.pk != locked.unit_id:
            reviews.set_unit(application=locked, unit=unit, actor=person, request=request)
        record_event(
            action="integrity.honour_save",
            request=request,
            actor=person,
            obj=locked,
            detail={"name": cleaned["name"][:100], "level": cleaned["level"]},
        )
        reviews.submit(application=locked, actor=person, request=request)
    application.refresh_from_db()
    return application


def delete_honour(*, person: User, application: Application, request: HttpRequest | None = None) -> Application:
    """删除 (manual §8.3): withdraw a pending or returned honour record through the engine.

    An approved record can never be deleted: refused here (and audited), whatever the page showed.
    """
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.applicant_id != person.pk or locked.kind != KIND_HONOUR:
                raise IntegrityRecordError(CANNOT_DELETE)
            if locked.status == Status.APPROVED:
                raise IntegrityRecordError(APPROVED_CANNOT_BE_DELETED)
            if locked.status not in (Status.PENDING, Status.RETURNED, Status.DRAFT):
                raise IntegrityRecordError(CANNOT_DELETE)
            reviews.withdraw(application=locked, actor=person, request=request)
    except IntegrityRecordError as exc:
        record_event(
            action="integrity.honour_delete",
            request=request,
            actor=person,
            obj=application,
            result=AuditEvent.Result.FAILURE,
            detail={"reason": str(exc.message)[:200]},
        )
        raise
    application.refresh_from_db()
    return application


# --------------------------------------------------------------------------- negative records: staff


def may_manage_negative_records(user: User | None) -> bool:
    """Reviewers and unit administrators enter and revoke negative records (system admins do not)."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "is_staff_member", False)
        and user.is_active
        and user.role in DECIDING_ROLES
        and user.unit_id is not None
    )


def _check_scope(actor: User, person: User) -> ReviewUnit:
    """The person's managing unit, if it is at or below the actor's unit; else 'not found'."""
    unit = managing_unit(person)
    if unit is None or not units_for_reviewer(actor).filter(pk=unit.pk).exists():
        raise IntegrityRecordError(PERSON_NOT_FOUND)
    return unit


def _staff_detail(person: User, **extra: object) -> dict[str, object]:
    return {"person": mask_id_number(person.id_number), **extra}


def preview_negative_record(*, person: User, fields: dict[str, Any]) -> NegativeRecord:
    """The record `create_negative_record` would store, unsaved (for the confirmation page).

    The penalty kind's bar rule is copied into it. Raises IntegrityRecordError(field=…).
    """
    cleaned = clean_negative_fields(**fields)
    kind = cleaned["penalty_kind"]
    return NegativeRecord(
        person=person,
        ban_rule=kind.ban_rule,
        ban_years=kind.ban_years if kind.ban_rule == BanRule.YEARS else None,
        **cleaned,
    )


def create_negative_record(
    *, actor: User, person: User, fields: dict[str, Any], request: HttpRequest | None = None
) -> NegativeRecord:
    """Enter a negative record (失信记录) for a person in the actor's scope, audited in the same transaction.

    `fields` as for `clean_negative_fields`. The penalty kind's bar rule is copied into the record.
    """
    if not may_manage_negative_records(actor):
        raise IntegrityRecordError(MAY_NOT_MANAGE)
    record = preview_negative_record(person=person, fields=fields)
    kind = record.penalty_kind
    with transaction.atomic():
        unit = _check_scope(actor, person)
        record.unit = unit
        record.entered_by = actor
        record.entered_by_name = actor.display_name[:100]
        record.entered_by_unit = (actor.unit.name if actor.unit is not None else "")[:60]
        record.save(force_insert=True)
        record_event(
            action="integrity.negative_create",
            request=request,
            actor=actor,
            obj=record,
            detail=_staff_detail(
                person,
                penalty_kind=kind.name,
                decision_date=record.decision_date.isoformat(),
                unit=unit.name,
            ),
        )
    return record


def revoke_negative_record(
    *, actor: User, record: NegativeRecord, reason: str, request: HttpRequest | None = None
) -> NegativeRecord:
    """Revoke (撤销) a negative record with a reason: it stays, marked revoked, and is audited."""
    if not may_manage_negative_records(actor):
        raise IntegrityRecordError(MAY_NOT_MANAGE)
    reason = _clean(reason, field="reason")
    if not reason:
        raise IntegrityRecordError(REVOKE_REASON_REQUIRED, field="reason")
    if len(reason) > REVOKE_REASON_MAX_LENGTH:
        raise IntegrityRecordError(TOO_LONG % {"max": REVOKE_REASON_MAX_LENGTH}, field="reason")
    with transaction.atomic():
        locked = NegativeRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
        _check_scope(actor, locked.person)
        if locked.is_revoked:
            raise IntegrityRecordError(ALREADY_REVOKED)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoked_by_name = actor.display_name[:100]
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoked_by_name", "revoke_reason"])
        record_event(
            action="integrity.negative_revoke",
            request=request,
            actor=actor,
            obj=locked,
            detail=_staff_detail(locked.person, reason=reason[:200]),
        )
    return locked


def record_staff_search(*, request: HttpRequest, id_number: str, found: int) -> None:
    """Audit a staff search for a person by ID number (masked in the log)."""
    with transaction.atomic():
        record_event(
            action="integrity.search",
            request=request,
            detail={"id_number": mask_id_number(id_number), "found": found},
        )


def record_staff_view(*, request: HttpRequest, person: User) -> None:
    """Audit a staff member opening a person's integrity records (a staff view of personal data)."""
    with transaction.atomic():
        record_event(action="integrity.view_person", request=request, obj=person, detail=_staff_detail(person))
