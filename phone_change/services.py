"""Writes of the 手机号更换 application (manual §9; DOMAIN.md "手机号更换"; SECURITY.md 6.3.8).

A person who registered but lost the old phone applies on a PUBLIC page, in one POST: document,
name, the new phone with the SMS code sent to it, reason, the unit, and three photos (ID card both
sides, the person holding it). `submit_phone_change`:

1. checks the reason and, cheaply, the photos (presence, size, type and pixel count from the header)
   before the code, so the usual file mistakes do not cost the person their code;
2. checks and consumes the SMS code sent to the NEW phone (`identity.accountant_services.verify_code`,
   with its rate limits and audit), and only then decodes the photos in full (the documents
   pipeline) — image work only for requests that hold a valid code. The same checks and messages
   apply to everybody;
3. looks for a registered, active accountant with this document AND this name. Only then is
   anything stored:
   - no open application: one is started, routed to the unit managing the approved record (else
     the unit chosen on the form), the photos are stored as the accountant's documents attached to
     it, and it is submitted through the review engine;
   - a returned one: the new submission replaces its data and photos and resubmits it (the engine
     resumes its SLA clock); the old photos go back to temporary and are purged;
   - a pending one: nothing changes (a double submit, or another request while one is in review).
   Otherwise nothing is stored and nothing is routed;
4. takes at least PHONE_CHANGE_ANSWER_SECONDS from the match on, whatever the match found. The
   person is told the same thing whatever happened; the returned `Outcome` is for the audit log and
   tests only.

Uploads: nothing from the public page is stored before the person is matched, so there are no
anonymous or unowned documents. The photos of a matched submission are owned by the accountant
(their quota) and attached to the application in the submission's own transaction; a form with an
error keeps no file (the page asks to choose them again).

Phones need not be unique across people (family members share a phone; sign-in is bound to the
document, not to the number), so approval never refuses a number another accountant also uses:
the reviewer sees how many others have it on record and decides.

Approval (`apply_phone_change`, the kind's apply) writes the new number onto the account, which
ends every session of the person (`identity.models.User` mixes the phone into the session hash),
and tells the OLD phone through the notification outbox; the engine's approval SMS goes to the new
number. A return sends no SMS (the old phone is lost, the new one is not the account's yet): the
person sees the reason on the status page and applies again.

Audit actions written here: phone_change.submitted, phone_change.already_pending,
phone_change.not_routed, phone_change.applied, phone_change.status_checked (masked values only).
"""

from __future__ import annotations

import time
import unicodedata
import warnings
from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from PIL import Image

from audit.models import AuditEvent
from audit.services import record_event
from core.masking import mask_id_number, mask_phone
from core.text import clean_text
from documents.constants import ContentType
from documents.exceptions import UploadRejected
from documents.inspection import (
    PILLOW_FORMATS,
    damaged_image_message,
    inspect_proof,
    read_upload,
    sniff,
    too_many_pixels_message,
)
from documents.services import detach, store_upload
from identity.accountant_services import AccountantError, find_accountant, verify_code
from identity.models import SmsCodePurpose, User
from notifications.messages import PHONE_CHANGED_NOTICE
from notifications.services import queue_notification
from reviews import services as reviews
from reviews.constants import Status
from reviews.selectors import open_application
from reviews.services import ReviewError

from .constants import (
    ANSWER_FLOOR_DEFAULT,
    ANSWER_FLOOR_SETTING,
    KIND_PHONE_CHANGE,
    PHOTO_FIELDS,
    REASON_MAX_LENGTH,
    Outcome,
    Routing,
)
from .models import PhoneChangePayload
from .selectors import latest_for_status, managing_unit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from regions.models import ReviewUnit
    from reviews.models import Application

REASON_REQUIRED = _("Please say why you are changing your mobile number.")
REASON_TOO_LONG = _("The reason may be at most %(max)d characters long.")
PHOTO_REQUIRED = _("Choose this photo.")
PHOTO_NOT_IMAGE = _("Upload a photo in JPG or PNG format (not a PDF or another kind of file).")
CODE_USED = _("This code has been used. After choosing the photos again, ask for a new code.")
# The middle dots people type in minority and foreign names, all read as one.
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", ".": "·", "‧": "·", "∙": "·"})


class PhoneChangeError(Exception):
    """A refusal the person can act on: `errors` maps a form field (None: the whole form) to a message.

    `status` is the HTTP status to answer with (429 rate limited, 503 limiter down).
    """

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        field: str | None = None,
        errors: Mapping[str, StrOrPromise] | None = None,
        status: int = 200,
    ) -> None:
        self.errors: dict[str | None, StrOrPromise] = {}
        self.errors.update(errors or {})
        if message is not None:
            self.errors.setdefault(field, message)
        super().__init__("; ".join(str(m) for m in self.errors.values()))
        self.status = status


# --------------------------------------------------------------------------- checks


def clean_reason(reason: str | None) -> str:
    """The reason, cleaned by `core.text.clean_text` (one line, spaces folded; invisible and
    direction-changing characters refused); required, at most REASON_MAX_LENGTH characters."""
    try:
        text = clean_text(reason, field_label=_("Reason for the change"))
    except ValidationError as exc:
        raise PhoneChangeError(exc.messages[0], field="reason") from None
    if not text:
        raise PhoneChangeError(REASON_REQUIRED, field="reason")
    if len(text) > REASON_MAX_LENGTH:
        raise PhoneChangeError(REASON_TOO_LONG % {"max": REASON_MAX_LENGTH}, field="reason")
    return text


def precheck_photos(*, photos: Mapping[str, UploadedFile[bytes] | None]) -> dict[str, bytes]:
    """The cheap checks of the three photos ({form field: UploadedFile}), before the SMS code.

    Present, within the proof size limit, JPEG or PNG by their magic bytes, and a header that
    declares an acceptable pixel count — nothing is decoded yet, so a flood of requests with wrong
    codes costs no image work. Returns {field: bytes}; raises PhoneChangeError with one message per
    refused photo. Stores nothing.
    """
    errors: dict[str, StrOrPromise] = {}
    read: dict[str, bytes] = {}
    for field in PHOTO_FIELDS:
        uploaded = photos.get(field)
        if uploaded is None:
            errors[field] = PHOTO_REQUIRED
            continue
        try:
            data = read_upload(uploaded, max_bytes=settings.DOCUMENT_PROOF_MAX_BYTES)
            _check_header(data)
        except UploadRejected as exc:
            errors[field] = exc.message
            continue
        read[field] = data
    if errors:
        raise PhoneChangeError(errors=errors)
    return read


def _check_header(data: bytes) -> None:
    content_type = sniff(data)
    if content_type not in (ContentType.JPEG, ContentType.PNG):
        raise UploadRejected(PHOTO_NOT_IMAGE, code="type")
    max_pixels = settings.DOCUMENT_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(BytesIO(data))  # reads the header only
            width, height = probe.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadRejected(too_many_pixels_message(max_pixels), code="pixels") from None
        except Exception:
            raise UploadRejected(damaged_image_message(), code="damaged") from None
    if probe.format not in PILLOW_FORMATS[content_type]:
        raise UploadRejected(PHOTO_NOT_IMAGE, code="type")
    if width * height > max_pixels:
        raise UploadRejected(too_many_pixels_message(max_pixels), code="pixels")


def inspect_photos(*, photos: dict[str, bytes]) -> None:
    """The full checks of the documents pipeline (decode, re-encode, scanners) on {field: bytes}.

    Run after the code was checked, for everybody alike. A photo refused here has used up the code:
    the error says so next to the code too.
    """
    errors = {}
    for field, data in photos.items():
        try:
            inspect_proof(data)
        except UploadRejected as exc:
            errors[field] = exc.message
    if errors:
        raise PhoneChangeError(errors={**errors, "sms_code": CODE_USED})


def name_key(name: str) -> str:
    """A name as compared with the one on record: width, spaces, case and middle-dot variants ignored."""
    text = unicodedata.normalize("NFKC", name or "").translate(_NAME_DOTS)
    return "".join(text.split()).casefold()


def _check_code(*, request: HttpRequest, id_type: str, id_number: str, new_phone: str, code: str) -> None:
    try:
        verify_code(
            request=request,
            purpose=SmsCodePurpose.PHONE_CHANGE,
            id_type=id_type,
            id_number=id_number,
            phone=new_phone,
            code=code,
        )
    except AccountantError as exc:
        raise PhoneChangeError(exc.message, field=exc.field, status=exc.status) from None


def _match(*, id_type: str, id_number: str, full_name: str) -> tuple[User | None, str]:
    """The registered, active accountant with this document and this name, or (None, why not)."""
    person = find_accountant(id_type=id_type, id_number=id_number)
    if person is None:
        return None, "not_registered"
    if not person.is_active:
        return None, "inactive"
    if name_key(person.full_name) != name_key(full_name):
        return None, "name_mismatch"
    return person, "ok"


def _pad_to_floor(started: float) -> None:
    floor = getattr(settings, ANSWER_FLOOR_SETTING, ANSWER_FLOOR_DEFAULT)
    remaining = floor - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def route_unit(person: User, chosen_unit: ReviewUnit) -> tuple[ReviewUnit, Routing]:
    """(unit, Routing): the unit managing the approved record if active, else the chosen unit."""
    record_unit = managing_unit(person)
    if record_unit is not None and record_unit.is_active:
        return record_unit, Routing.RECORD
    return chosen_unit, Routing.CHOSEN


# --------------------------------------------------------------------------- the public submission


def submit_phone_change(
    *,
    request: HttpRequest,
    id_type: str,
    id_number: str,
    full_name: str,
    new_phone: str,
    code: str,
    reason: str,
    unit: ReviewUnit,
    photos: Mapping[str, UploadedFile[bytes] | None],
) -> Outcome:
    """Take a public 手机号更换 request (see the module docstring). Returns what happened, never to be shown.

    `photos` maps the form fields of PHOTO_FIELDS to uploaded files; `unit` is an active ReviewUnit
    (the unit picker), used when the person has no approved record. Raises PhoneChangeError.
    """
    reason = clean_reason(reason)
    read = precheck_photos(photos=photos)
    _check_code(request=request, id_type=id_type, id_number=id_number, new_phone=new_phone, code=code)
    inspect_photos(photos=read)
    # From here on the work differs with the match: every answer takes at least the floor. (Refusals
    # before this point say nothing about registration and are not held up.)
    started = time.monotonic()
    try:
        masked = {"id_number": mask_id_number(id_number), "new_phone": mask_phone(new_phone)}
        person, why = _match(id_type=id_type, id_number=id_number, full_name=full_name)
        if person is None:
            with transaction.atomic():
                record_event(
                    action="phone_change.not_routed",
                    request=request,
                    result=AuditEvent.Result.FAILURE,
                    detail={**masked, "reason": why},
                )
            return Outcome.NOT_ROUTED
        return _route(
            request=request,
            person=person,
            fields={"id_type": id_type, "id_number": id_number, "full_name": full_name, "new_phone": new_phone},
            reason=reason,
            unit=unit,
            photos=cast("Mapping[str, UploadedFile[bytes]]", photos),  # precheck_photos refused a missing one
            masked=masked,
        )
    finally:
        _pad_to_floor(started)


def _route(
    *,
    request: HttpRequest,
    person: User,
    fields: dict[str, Any],
    reason: str,
    unit: ReviewUnit,
    photos: Mapping[str, UploadedFile[bytes]],
    masked: dict[str, str],
) -> Outcome:
    try:
        with transaction.atomic():
            # One submission of a person at a time: a double submit waits here, then finds it pending.
            person = User.objects.select_for_update().get(pk=person.pk)
            application = open_application(person, KIND_PHONE_CHANGE)
            if application is not None and application.status == Status.PENDING:
                record_event(action="phone_change.already_pending", request=request, obj=application, detail=masked)
                return Outcome.ALREADY_PENDING

            target, routing = route_unit(person, unit)
            payload = None
            if application is None:
                application = reviews.start_application(
                    kind=KIND_PHONE_CHANGE, applicant=person, unit=target, request=request
                )
            else:
                payload = PhoneChangePayload.objects.select_for_update().filter(application=application).first()
                if application.unit_id != target.pk:
                    reviews.set_unit(application=application, unit=target, actor=person, request=request)
            outcome = Outcome.SUBMITTED if payload is None else Outcome.RESUBMITTED
            replaced = [getattr(payload, name) for name in PHOTO_FIELDS] if payload is not None else []

            stored = {
                name: store_upload(owner=person, uploaded_file=photos[name], slot=slot, application_id=application.pk)
                for name, slot in PHOTO_FIELDS.items()
            }
            payload = payload or PhoneChangePayload(application=application, submissions=0)
            for name, value in {**fields, **stored}.items():
                setattr(payload, name, value)
            payload.old_phone = person.phone
            payload.reason = reason
            payload.chosen_unit = unit
            payload.routing = routing
            payload.submissions += 1
            payload.updated_at = timezone.now()
            payload.save()
            for document in replaced:
                detach(document=document)

            reviews.submit(application=application, actor=person, request=request)
            record_event(
                action="phone_change.submitted",
                request=request,
                obj=application,
                detail={
                    **masked,
                    "old_phone": mask_phone(person.phone),
                    "unit": target.code,
                    "routing": routing,
                    "submission": payload.submissions,
                },
            )
            return outcome
    except UploadRejected as exc:  # storage down or the person's upload quota: nothing was kept
        raise PhoneChangeError(exc.message) from None
    except ReviewError as exc:
        raise PhoneChangeError(exc.message) from None


# --------------------------------------------------------------------------- status lookup


def check_status(*, request: HttpRequest, id_type: str, id_number: str, new_phone: str, code: str) -> int | None:
    """Check the SMS code sent to `new_phone`, then find the application that asked for that number.

    Returns its id, or None — the same for an unregistered document. Raises PhoneChangeError for a
    wrong code or a rate limit.
    """
    _check_code(request=request, id_type=id_type, id_number=id_number, new_phone=new_phone, code=code)
    found = latest_for_status(id_type=id_type, id_number=id_number, new_phone=new_phone)
    with transaction.atomic():
        record_event(
            action="phone_change.status_checked",
            request=request,
            object_type="reviews.application" if found else "",
            object_id=str(found or ""),
            detail={"id_number": mask_id_number(id_number), "new_phone": mask_phone(new_phone), "found": bool(found)},
        )
    return found


# --------------------------------------------------------------------------- approval


def apply_phone_change(application: Application) -> None:
    """The kind's apply(): runs inside the approving transaction, after the engine locked the row.

    Writes the new number onto the account (which ends the person's sessions: the session hash
    covers the phone), makes the engine's approval SMS go to the NEW number, queues a notice to the
    OLD number in the same transaction, and writes an audit row.
    """
    payload = PhoneChangePayload.objects.select_for_update().get(application=application)
    person = User.objects.select_for_update().get(pk=application.applicant_id)
    old_phone = person.phone
    person.phone = payload.new_phone
    person.save(update_fields=["phone"])
    if payload.old_phone != old_phone:
        payload.old_phone = old_phone
        payload.save(update_fields=["old_phone"])
    # The engine sends its approval SMS to application.applicant.phone once this returns.
    application.applicant = person

    if old_phone and old_phone != payload.new_phone:
        queue_notification(
            phone=old_phone,
            template=PHONE_CHANGED_NOTICE.key,
            params={"phone": mask_phone(payload.new_phone), "unit": application.unit.name},
            dedupe_key=f"phone_change:{application.pk}:old_phone",
        )
    record_event(
        action="phone_change.applied",
        actor=application.decided_by,
        obj=person,
        detail={
            "application": application.pk,
            "id_number": mask_id_number(person.id_number),
            "old_phone": mask_phone(old_phone),
            "new_phone": mask_phone(payload.new_phone),
        },
    )
