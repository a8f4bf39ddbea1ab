"""Writes of 继续教育: filing a record (保存 submits it at once, manual §7.2), correcting a returned one,
deleting (withdrawing) a pending or returned one (§7.3), the reviewer settling item-14 credits, and
the kind's hooks the review engine calls (before submit, apply on approval).

Every function is keyword-only and runs in one transaction; refusals raise `CreditError` (or the
engine's `ReviewError`) with a message for the person, naming the field when there is one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.services import record_event
from core.text import clean_text
from documents.constants import DocumentKind
from documents.exceptions import UploadRejected
from documents.forms import proof_prefix
from documents.models import Document
from documents.selectors import document_for_owner
from documents.services import attach, store_upload
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.scope import reviewer_can_decide
from reviews.services import ReviewError

from .constants import KIND_CE, MAX_PROOFS, PROOF_SLOT_PREFIX, CreditRule, Subject
from .exceptions import CreditError
from .external import adjust_yearly
from .models import CreditItem, CreditProof, CreditRecord, YearlyCredits
from .rules import credits_for, settled_credits_problem
from .selectors import allowed_years, late_entry_until

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest
    from django.utils.datastructures import MultiValueDict

    from identity.models import User
    from regions.models import ReviewUnit

NOT_COLLECTED = _(
    "Only accountants whose information collection has been approved can enter continuing education credits."
)
ITEM_INACTIVE = _("This item is no longer offered. Please choose another one.")
YEAR_NOT_OPEN = _("Credits can be entered for %(years)s only.")
YEAR_NOT_OPEN_LATE = _("Credits can be entered for %(years)s only: last year's items until %(month)d/%(day)d.")
DATE_OUTSIDE_YEAR = _("The date must lie in %(year)d.")
DATE_IN_FUTURE = _("This date cannot be in the future.")
END_BEFORE_START = _("The end date cannot be before the date.")
DAYS_LONGER_THAN_DATES = _("From the date to the end date there are only %(span)d days.")
TITLE_REQUIRED = _("Please enter the title.")
PROOF_REQUIRED = _("Please upload at least one proof.")
NOT_YOURS = _("Only the person who filed this record may do this.")
APPROVED_CANNOT_BE_DELETED = _("An approved record cannot be deleted.")
ALREADY_DELETED = _("This record has already been deleted.")
ONLY_RETURNED_CAN_BE_CORRECTED = _("Only a returned record can be corrected and submitted again.")
NOT_YOURS_TO_SETTLE = _("Only a reviewer of the unit that decides this record may settle its credits.")
SETTLE_ONLY_PENDING = _("Credits can be settled only while the record is waiting for review.")
NOT_REVIEWER_SET = _("The credits of this item follow its rule; they are not settled by hand.")
SETTLE_FIRST = _("Settle the credits of this record (item %(no)d) before approving it.")


def proof_slot(position: int) -> str:
    """The documents slot of proof box `position` ("ce:1" …)."""
    return f"{PROOF_SLOT_PREFIX}:{position}"


def new_token() -> str:
    """A fresh filing token for the entry form (one per page view)."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- checking an entry


@dataclass(frozen=True)
class Entry:
    """What a person enters for one record (the entry form's cleaned values)."""

    item: CreditItem
    year: int
    start_date: date
    end_date: date | None = None
    title: str = ""
    organiser: str = ""
    note: str = ""
    days: int | None = None
    role: str = ""
    proposed_credits: int | None = None


def years_message(years: list[int]) -> str:
    names = "、".join(str(y) for y in sorted(years))
    until = late_entry_until()
    if until is None:
        return str(YEAR_NOT_OPEN % {"years": names})
    return str(YEAR_NOT_OPEN_LATE % {"years": names, "month": until[0], "day": until[1]})


# The entry's free-text fields: (label people see, multi-line), for `core.text.clean_text`.
TEXT_FIELDS = {
    "title": (_("Title"), False),
    "organiser": (_("Organiser, journal or publisher"), False),
    "note": (_("Note"), True),
}


def cleaned_texts(entry: Entry) -> tuple[dict[str, str], dict[str, str]]:
    """The entry's free text cleaned by `core.text.clean_text`: ({field: text}, {field: problem}).

    The form already cleans what it takes; this covers entries that reach the services otherwise.
    """
    texts, problems = {}, {}
    for field, (label, multiline) in TEXT_FIELDS.items():
        try:
            texts[field] = clean_text(getattr(entry, field), field_label=label, multiline=multiline)
        except ValidationError as exc:
            problems[field] = exc.messages[0]
    return texts, problems


def entry_problems(entry: Entry, *, today: date | None = None, also_year: int | None = None) -> dict[str, str]:
    """Every problem of an entry, by form field (empty when it can be filed).

    `also_year` keeps a record's own year open for its correction after the late-entry deadline.
    """
    today = today or timezone.localdate()
    problems: dict[str, str] = {}
    item = entry.item
    if not item.is_active:
        problems["item"] = str(ITEM_INACTIVE)
    years = allowed_years(today)
    if also_year is not None and also_year not in years:
        years = [*years, also_year]
    if entry.year not in years:
        problems["year"] = years_message(years)
    texts, text_problems = cleaned_texts(entry)
    problems.update(text_problems)
    if "title" not in problems and not texts["title"]:
        problems["title"] = str(TITLE_REQUIRED)
    end_date = entry.end_date or entry.start_date
    for field, day in (("start_date", entry.start_date), ("end_date", entry.end_date)):
        if day is None:
            continue
        if day.year != entry.year:
            problems[field] = str(DATE_OUTSIDE_YEAR % {"year": entry.year})
        elif day > today:
            problems[field] = str(DATE_IN_FUTURE)
    if entry.start_date and entry.end_date and entry.end_date < entry.start_date:
        problems.setdefault("end_date", str(END_BEFORE_START))
    try:
        credits_for(item, days=entry.days, role=entry.role or None, proposed=entry.proposed_credits)
    except CreditError as exc:
        problems.setdefault(exc.field or "item", str(exc.message))
    if (
        item.rule == CreditRule.PER_DAY
        and "days" not in problems
        and entry.start_date
        and end_date >= entry.start_date
        and cast(int, entry.days) > (end_date - entry.start_date).days + 1
    ):
        problems["days"] = str(DAYS_LONGER_THAN_DATES % {"span": (end_date - entry.start_date).days + 1})
    return problems


def _checked(entry: Entry, *, today: date | None = None, also_year: int | None = None) -> tuple[Entry, int | None]:
    """The entry with only the fields its rule uses, and its credits (None: the reviewer settles them)."""
    problems = entry_problems(entry, today=today, also_year=also_year)
    if problems:
        field, message = next(iter(problems.items()))
        raise CreditError(message, field=field, code="invalid_entry")
    rule = entry.item.rule
    entry = replace(
        entry,
        end_date=entry.end_date or entry.start_date,
        **cast(dict[str, Any], cleaned_texts(entry)[0]),
        days=entry.days if rule == CreditRule.PER_DAY else None,
        role=entry.role if rule == CreditRule.BY_ROLE else "",
        proposed_credits=entry.proposed_credits if rule == CreditRule.REVIEWER_SETS else None,
    )
    credits = credits_for(entry.item, days=entry.days, role=entry.role or None, proposed=entry.proposed_credits)
    return entry, (None if rule == CreditRule.REVIEWER_SETS else credits)


def _entry_fields(entry: Entry, credits: int | None) -> dict[str, Any]:
    item = entry.item
    return {
        "item": item,
        "item_no": item.no,
        "item_name": item.name,
        "rule": item.rule,
        "subject": item.subject,
        "year": entry.year,
        "start_date": entry.start_date,
        "end_date": entry.end_date,
        "title": entry.title,
        "organiser": entry.organiser,
        "note": entry.note,
        "days": entry.days,
        "role": entry.role,
        "proposed_credits": entry.proposed_credits,
        "credits": credits,
        "settled_by": None,
        "settled_at": None,
    }


def _managing_unit(person: User) -> ReviewUnit:
    """The unit of the person's approved record: where their records are reviewed."""
    from dossier.selectors import approved_record

    record = approved_record(person)
    if record is None:
        raise CreditError(NOT_COLLECTED, code="not_collected")
    return record.unit


# --------------------------------------------------------------------------- proofs


def take_proofs(
    *,
    owner: User,
    data: Mapping[str, Any],
    files: MultiValueDict[str, UploadedFile[Any]],
    application_id: int | None = None,
) -> tuple[dict[int, Document], dict[int, str]]:
    """The proof boxes of the entry form: ({position: Document}, {position: error}).

    Each box posts the id of a file already uploaded through it (`proof-ce:<n>-document`, htmx) or,
    without JavaScript, the file itself (`proof-ce:<n>-file`), which is stored now (temporarily) so
    that nothing is lost when the rest of the form has errors. Only the person's own proofs of that
    box are taken, never one handed in with another application.
    """
    documents: dict[int, Document] = {}
    errors: dict[int, str] = {}
    for position in range(1, MAX_PROOFS + 1):
        slot = proof_slot(position)
        prefix = proof_prefix(slot)
        upload = files.get(f"{prefix}-file")
        if upload is not None:
            try:
                documents[position] = store_upload(owner=owner, uploaded_file=upload, slot=slot)
            except UploadRejected as exc:
                errors[position] = str(exc.message)
            continue
        document = document_for_owner(owner=owner, document_id=data.get(f"{prefix}-document"))
        if document is None or document.slot != slot or document.kind != DocumentKind.PROOF:
            continue
        if document.application_id is not None and document.application_id != application_id:
            continue
        documents[position] = document
    return documents, errors


def _save_proofs(*, record: CreditRecord, proofs: dict[int, Document]) -> None:
    """Make the posted boxes the record's proofs (boxes left empty drop their proof)."""
    if not proofs:
        raise CreditError(PROOF_REQUIRED, field="proof_1", code="proof_required")
    for position, document in proofs.items():
        try:
            attach(document=document, application_id=record.application_id)
        except UploadRejected as exc:
            raise CreditError(exc.message, field=f"proof_{position}", code="proof_rejected") from exc
        CreditProof.objects.update_or_create(record=record, position=position, defaults={"document": document})
    CreditProof.objects.filter(record=record).exclude(position__in=list(proofs)).delete()


# --------------------------------------------------------------------------- the person's side


def file_record(
    *,
    person: User,
    entry: Entry,
    proofs: dict[int, Document],
    token: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> CreditRecord:
    """File a record and submit it for review at once ("保存", manual §7.2).

    The record goes to the person's managing unit (their approved record's unit). Posting the same
    form twice (same `token`: a double click, the back button) files one record and returns it.
    """
    token = (token or "")[:40] or new_token()
    existing = CreditRecord.objects.filter(person=person, token=token).select_related("application").first()
    if existing is not None:
        return existing
    unit = _managing_unit(person)
    entry, credits = _checked(entry, today=today)
    if not proofs:
        raise CreditError(PROOF_REQUIRED, field="proof_1", code="proof_required")
    try:
        with transaction.atomic():
            application = reviews.start_application(kind=KIND_CE, applicant=person, unit=unit, request=request)
            record = CreditRecord.objects.create(
                application=application, person=person, token=token, **_entry_fields(entry, credits)
            )
            _save_proofs(record=record, proofs=proofs)
            reviews.submit(application=application, actor=person, request=request)
            record_event(
                action="continuing_education.file",
                request=request,
                actor=person,
                obj=application,
                detail={"item": entry.item.no, "year": entry.year, "credits": credits},
            )
    except IntegrityError:
        existing = CreditRecord.objects.filter(person=person, token=token).select_related("application").first()
        if existing is None:
            raise
        return existing
    return record


def _lock_own(record: CreditRecord, actor: User | None) -> Application:
    application = Application.objects.select_for_update().get(pk=record.application_id)
    if actor is None or application.applicant_id != actor.pk:
        raise CreditError(NOT_YOURS, code="not_yours")
    return application


def correct_record(
    *,
    record: CreditRecord,
    actor: User,
    entry: Entry,
    proofs: dict[int, Document],
    request: HttpRequest | None = None,
    today: date | None = None,
) -> CreditRecord:
    """Correct a returned record and submit it again (manual §7.3).

    The record keeps its own year open even after last year's deadline: the person filed in time.
    Credits are computed again; an item-14 record waits for the reviewer to settle them again.
    """
    with transaction.atomic():
        application = _lock_own(record, actor)
        if application.status != Status.RETURNED:
            raise CreditError(ONLY_RETURNED_CAN_BE_CORRECTED, code="not_returned")
        locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
        entry, credits = _checked(entry, today=today, also_year=locked.year)
        for name, value in _entry_fields(entry, credits).items():
            setattr(locked, name, value)
        locked.save()
        _save_proofs(record=locked, proofs=proofs)
        unit = _managing_unit(actor)
        if unit.pk != application.unit_id:
            reviews.set_unit(application=application, unit=unit, actor=actor, request=request)
        reviews.submit(application=application, actor=actor, request=request)
        record_event(
            action="continuing_education.correct",
            request=request,
            actor=actor,
            obj=application,
            detail={"item": entry.item.no, "year": entry.year, "credits": credits},
        )
    locked.application = Application.objects.select_related("unit").get(pk=application.pk)
    return locked


def _audit_refusal(
    action: str, record: CreditRecord, actor: User, request: HttpRequest | None, exc: CreditError
) -> None:
    record_event(
        action=action,
        request=request,
        actor=actor,
        object_type="reviews.application",
        object_id=str(record.application_id),
        result=AuditEvent.Result.FAILURE,
        detail={"reason": str(exc.message)[:200]},
    )


def delete_record(*, record: CreditRecord, actor: User, request: HttpRequest | None = None) -> Application:
    """删除 (manual §7.3): withdraw a pending or returned record. An approved record is never deleted."""
    try:
        with transaction.atomic():
            application = _lock_own(record, actor)
            if application.status == Status.APPROVED:
                raise CreditError(APPROVED_CANNOT_BE_DELETED, code="approved")
            if application.status == Status.WITHDRAWN:
                raise CreditError(ALREADY_DELETED, code="withdrawn")
            reviews.withdraw(application=application, actor=actor, request=request)
            record_event(
                action="continuing_education.delete",
                request=request,
                actor=actor,
                obj=application,
                detail={"item": record.item_no, "year": record.year},
            )
    except CreditError as exc:
        _audit_refusal("continuing_education.delete", record, actor, request, exc)
        raise
    return application


# --------------------------------------------------------------------------- the reviewer's side


def settle_credits(
    *, record: CreditRecord, credits: int | None, actor: User, request: HttpRequest | None = None
) -> CreditRecord:
    """The reviewer settles the final credits of a reviewer-set record (item 14) before approving it.

    Only a reviewer who may decide the application, only while it is pending; at most the item's maximum.
    """
    try:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=record.application_id)
            if not reviewer_can_decide(actor, application):
                raise CreditError(NOT_YOURS_TO_SETTLE, field="credits", code="not_decider")
            if application.status != Status.PENDING:
                raise CreditError(SETTLE_ONLY_PENDING, field="credits", code="not_pending")
            locked = CreditRecord.objects.select_for_update().select_related("item").get(pk=record.pk)
            if locked.rule != CreditRule.REVIEWER_SETS:
                raise CreditError(NOT_REVIEWER_SET, field="credits", code="not_reviewer_set")
            problem = settled_credits_problem(locked.item, credits)
            if problem:
                raise CreditError(problem, field="credits", code="credits_range")
            before = locked.credits
            locked.credits = credits
            locked.settled_by = actor
            locked.settled_at = timezone.now()
            locked.save(update_fields=["credits", "settled_by", "settled_at", "updated_at"])
            record_event(
                action="continuing_education.settle",
                request=request,
                actor=actor,
                obj=application,
                detail={"proposed": locked.proposed_credits, "before": before, "credits": credits},
            )
    except CreditError as exc:
        _audit_refusal("continuing_education.settle", record, actor, request, exc)
        raise
    return locked


# --------------------------------------------------------------------------- the kind's hooks


def check_record_before_submit(application: Application) -> None:
    """The kind's `before_submit`: a record with at least one proof (runs under the engine's lock)."""
    record = CreditRecord.objects.filter(application=application).first()
    if record is None or not CreditProof.objects.filter(record=record).exists():
        raise ReviewError(PROOF_REQUIRED, code="proof_required")


def _add_to_yearly(record: CreditRecord) -> None:
    # An approved record has its credits.
    credits = cast(int, record.credits)
    professional = credits if record.subject == Subject.PROFESSIONAL else 0
    changes = {
        "approved_credits": F("approved_credits") + record.credits,
        "professional_credits": F("professional_credits") + professional,
        "approved_records": F("approved_records") + 1,
    }
    rows = YearlyCredits.objects.filter(person_id=record.person_id, year=record.year)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            YearlyCredits.objects.create(
                person_id=record.person_id,
                year=record.year,
                approved_credits=credits,
                professional_credits=professional,
                approved_records=1,
            )
    except IntegrityError:
        # Another approval of the same person and year created the row meanwhile.
        rows.update(**changes)


def apply_record(application: Application) -> CreditRecord:
    """The kind's `apply()`, inside the approving transaction: the credits count for the record's year.

    Refused (ReviewError, shown to the reviewer) while an item-14 record has no settled credits.
    """
    record = CreditRecord.objects.select_for_update().get(application=application)
    if record.credits is None:
        raise ReviewError(SETTLE_FIRST % {"no": record.item_no}, code="credits_not_settled")
    _add_to_yearly(record)
    return record


def apply_records(applications: list[Application]) -> dict[int, ReviewError]:
    """The kind's `apply_many`, inside a bulk approval's transaction: `apply_record` for a batch in
    a constant number of queries.

    One query locks the batch's records (in id order); a record whose item-14 credits are not settled
    is refused (ReviewError, like `apply_record`) and nothing is written for it; the credits of the
    others are added to their people's yearly rows at once (`_add_many_to_yearly`).
    """
    records = {
        record.application_id: record
        for record in CreditRecord.objects.select_for_update()
        .filter(application_id__in=[application.pk for application in applications])
        .order_by("pk")
    }
    refused: dict[int, ReviewError] = {}
    counted = []
    for application in applications:
        record = records[application.pk]  # every 继续教育 application has its record (filed together)
        if record.credits is None:
            refused[application.pk] = ReviewError(SETTLE_FIRST % {"no": record.item_no}, code="credits_not_settled")
        else:
            counted.append(record)
    _add_many_to_yearly(counted)
    return refused


def _add_many_to_yearly(records: list[CreditRecord]) -> None:
    """`_add_to_yearly` for many records: one query locks the yearly rows that exist, one UPDATE
    adds to them, one INSERT (in a savepoint) creates the missing ones. If another transaction
    created one of those meanwhile, the missing ones are added one by one instead."""
    totals: dict[tuple[int, int], list[int]] = {}
    for record in records:
        credits = record.credits or 0  # settled: apply_records refuses a record without credits
        total = totals.setdefault((record.person_id, record.year), [0, 0, 0])
        total[0] += credits
        total[1] += credits if record.subject == Subject.PROFESSIONAL else 0
        total[2] += 1
    if not totals:
        return
    people = {person_id for person_id, _year in totals}
    years = {year for _person_id, year in totals}
    rows = [
        row
        for row in YearlyCredits.objects.select_for_update().filter(person_id__in=people, year__in=years).order_by("pk")
        if (row.person_id, row.year) in totals
    ]
    for row in rows:
        credits, professional, count = totals.pop((row.person_id, row.year))
        row.approved_credits += credits
        row.professional_credits += professional
        row.approved_records += count
    if rows:
        YearlyCredits.objects.bulk_update(rows, ["approved_credits", "professional_credits", "approved_records"])
    if not totals:
        return
    missing = sorted(totals.items())
    try:
        with transaction.atomic():
            YearlyCredits.objects.bulk_create(
                [
                    YearlyCredits(
                        person_id=person_id,
                        year=year,
                        approved_credits=credits,
                        professional_credits=professional,
                        approved_records=count,
                    )
                    for (person_id, year), (credits, professional, count) in missing
                ]
            )
    except IntegrityError:
        # Another approval of one of these people and years created its row meanwhile.
        for (person_id, year), (credits, professional, count) in missing:
            adjust_yearly(person_id=person_id, year=year, credits=credits, professional=professional, records=count)
