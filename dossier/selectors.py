"""Reads of the dossier: the person's collection, their approved record, what reviewers see."""

from __future__ import annotations

from django.db.models import Prefetch

from documents.models import Document
from identity.models import User
from reviews.constants import OPEN_STATUSES
from reviews.models import Application
from reviews.registry import get_kind
from reviews.selectors import latest_application

from .constants import KIND_COLLECTION
from .models import CollectionPayload, Dossier, DossierProof, EducationRecord, PersonRecord
from .proofs import checklist


def collection_payload(person: User) -> CollectionPayload | None:
    """The person's open 信息采集 (draft, pending or returned) with its dossier and envelope, if any."""
    return (
        CollectionPayload.objects.select_related("dossier", "application__unit")
        .filter(application__applicant=person, application__kind=KIND_COLLECTION, application__status__in=OPEN_STATUSES)
        .order_by("-application__created_at")
        .first()
    )


def latest_collection(person: User) -> Application | None:
    return latest_application(person, KIND_COLLECTION)


def _dossier_rows(prefix: str = "") -> tuple[Prefetch[str], Prefetch[str]]:
    return (
        Prefetch(f"{prefix}educations", queryset=EducationRecord.objects.order_by("position", "id")),
        Prefetch(f"{prefix}proofs", queryset=DossierProof.objects.select_related("document")),
    )


def dossier_for_display(dossier_id: int) -> Dossier:
    """A dossier with everything a page shows: photo, unit, rows and proofs (three queries)."""
    return Dossier.objects.select_related("photo", "unit").prefetch_related(*_dossier_rows()).get(pk=dossier_id)


def approved_record(person: User) -> PersonRecord | None:
    """The person's approved record with its current dossier ready to show (three queries), or None."""
    return (
        PersonRecord.objects.select_related("current__photo", "current__unit", "unit")
        .prefetch_related(*_dossier_rows("current__"))
        .filter(person=person)
        .first()
    )


def is_collected(person: User) -> bool:
    return PersonRecord.objects.filter(person=person).exists()


def load_collection_payload(application: Application) -> CollectionPayload | None:
    """The 信息采集 payload with all the reviewer's page shows (three queries): the dossier with its
    photo and unit, its 学历 rows and its proofs with their documents. The kind's `load_payload`."""
    return (
        CollectionPayload.objects.select_related("dossier__photo", "dossier__unit")
        .prefetch_related(*_dossier_rows("dossier__"))
        .filter(application=application)
        .first()
    )


def collection_proofs(application: Application) -> list[tuple[str, object]]:
    """The kind's proof list for reviewers: (label, Document) in checklist order, handed-in ones only.

    Reads the payload the page already loaded (`get_payload` keeps it on the application)."""
    payload = get_kind(KIND_COLLECTION).get_payload(application)
    if payload is None:
        return []
    dossier = payload.dossier
    return [(str(item.slot.label), item.proof.document) for item in checklist(dossier) if item.proof is not None]


def collection_photo(application: Application) -> Document | None:
    payload = get_kind(KIND_COLLECTION).get_payload(application)
    return payload.dossier.photo if payload else None
