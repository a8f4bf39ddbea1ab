"""Reads of the 手机号更换 application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from identity.constants import UserKind
from reviews.models import Application

from .constants import KIND_PHONE_CHANGE
from .models import PhoneChangePayload

if TYPE_CHECKING:
    from identity.models import User
    from regions.models import ReviewUnit


def managing_unit(person: User) -> ReviewUnit | None:
    """The unit managing the person's approved 信息采集 record, or None (one query)."""
    from dossier.models import PersonRecord

    record = PersonRecord.objects.select_related("unit").filter(person=person).first()
    return record.unit if record else None


def payload_of(application: Application) -> PhoneChangePayload | None:
    """The application's payload with its three photos (one query)."""
    return (
        PhoneChangePayload.objects.select_related("photo_front", "photo_back", "photo_in_hand", "chosen_unit")
        .filter(application=application)
        .first()
    )


def phone_change_proofs(application: Application) -> list[tuple[str, object]]:
    """The kind's proofs for the reviewer's page: the three photos, in order (one query)."""
    payload = payload_of(application)
    return payload.photos if payload else []


def latest_for_status(*, id_type: str, id_number: str, new_phone: str) -> int | None:
    """The id of the newest phone-change application of the accountant with this document that asked for
    `new_phone` (the number the person has just proved to hold), or None. One query.

    Applications that asked for another number are never shown: whoever holds this number sees
    only what was asked for it.
    """
    return (
        Application.objects.filter(
            kind=KIND_PHONE_CHANGE,
            applicant__kind=UserKind.ACCOUNTANT,
            applicant__id_type=id_type,
            applicant__id_number=id_number,
            phone_change__new_phone=new_phone,
        )
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def application_for_status(pk: int) -> Application | None:
    """The application a status lookup found, with its unit (one query)."""
    if pk is None:
        return None
    return Application.objects.select_related("unit").filter(pk=pk, kind=KIND_PHONE_CHANGE).first()
