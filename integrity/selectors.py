"""Reads of integrity records: the accountant's own honours, what a person's record shows, and the
staff side (people and negative records in a staff member's scope).

Staff scope: a person is in scope when their managing unit (the unit of their approved 信息采集
record) is the staff member's unit or below it (`reviews.scope.units_for_reviewer`). Anyone else —
not collected, another county, not a person at all — is simply not found (404).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from documents.models import Document
from dossier.people import people_in_scope as dossier_people_in_scope
from identity.models import User
from regions.models import ReviewUnit
from reviews.constants import Status
from reviews.models import Application, ReviewEvent

from .constants import HONOUR_PROOF_SLOTS, KIND_HONOUR
from .models import HonourPayload, HonourProof, NegativeRecord

# The states shown on the accountant's management page, in this order (withdrawn = deleted: gone).
MANAGED_STATUSES = (Status.RETURNED, Status.PENDING, Status.APPROVED)


def proof_label(slot: str) -> str:
    return str(_("Proof %(number)d") % {"number": HONOUR_PROOF_SLOTS.index(slot) + 1})


def _proofs_prefetch(prefix: str = "") -> Prefetch[str, QuerySet[HonourProof]]:
    return Prefetch(f"{prefix}proofs", queryset=HonourProof.objects.select_related("document").order_by("slot"))


# --------------------------------------------------------------------------- accountant side


def honours_of(person: User) -> list[HonourPayload]:
    """The person's honour records that are not withdrawn, newest first, with their envelope, unit,
    history and proofs (four queries whatever their number)."""
    return list(
        HonourPayload.objects.select_related("application__unit")
        .filter(application__applicant=person, application__kind=KIND_HONOUR, application__status__in=MANAGED_STATUSES)
        .prefetch_related(
            _proofs_prefetch(),
            Prefetch("application__events", queryset=ReviewEvent.objects.order_by("created_at", "id")),
        )
        .order_by("-application__created_at", "-application_id")
    )


def honours_by_status(person: User) -> list[tuple[str, StrOrPromise, list[HonourPayload]]]:
    """(status, label, records) for each state of the management page (§8.3), empty ones included."""
    records = honours_of(person)
    return [
        (status.value, status.label, [r for r in records if r.application.status == status])
        for status in MANAGED_STATUSES
    ]


def own_honour(person: User, application_id: int | str) -> HonourPayload:
    """One of the person's own honour records (any state but withdrawn) by application id, or 404."""
    return get_object_or_404(
        HonourPayload.objects.select_related("application__unit").prefetch_related(_proofs_prefetch()),
        application_id=application_id,
        application__applicant=person,
        application__kind=KIND_HONOUR,
        application__status__in=MANAGED_STATUSES,
    )


def honour_proofs(application: Application) -> list[tuple[str, Document]]:
    """The kind's proof list for reviewers: (label, Document), in box order (one query)."""
    rows = HonourProof.objects.filter(payload__application=application).select_related("document").order_by("slot")
    return [(proof_label(row.slot), row.document) for row in rows if row.slot in HONOUR_PROOF_SLOTS]


# --------------------------------------------------------------------------- a person's integrity record


@dataclass
class PersonIntegrity:
    """What a person's integrity record shows: approved honours and negative records in force."""

    honours: list[HonourPayload] = field(default_factory=list)
    negatives: list[NegativeRecord] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.honours and not self.negatives


def approved_honours(person: User) -> list[HonourPayload]:
    """The person's approved honours, newest award first, with proofs (two queries)."""
    return list(
        HonourPayload.objects.select_related("application")
        .filter(application__applicant=person, application__kind=KIND_HONOUR, application__status=Status.APPROVED)
        .prefetch_related(_proofs_prefetch())
        .order_by("-awarded_on", "-application_id")
    )


def records_for_person(person: User, *, today: datetime.date | None = None) -> PersonIntegrity:
    """Approved honours and the negative records still in force (not revoked; period or bar running).

    Three queries. For the person's own pages (信息查询, 诚信录入) through `integrity/_person_records.html`.
    """
    today = today or timezone.localdate()
    negatives = [
        record
        for record in NegativeRecord.objects.select_related("penalty_kind").filter(
            person=person, revoked_at__isnull=True
        )
        if record.is_in_force(today)
    ]
    return PersonIntegrity(honours=approved_honours(person), negatives=negatives)


# --------------------------------------------------------------------------- staff side


def managing_unit(person: User) -> ReviewUnit | None:
    """The unit managing a collected person (their approved 信息采集 record), or None (one query)."""
    from dossier.models import PersonRecord

    record = PersonRecord.objects.select_related("unit").filter(person=person).first()
    return record.unit if record else None


def people_in_scope(user: User) -> QuerySet[User]:
    """Accountants whose approved record is managed at or below the staff member's unit (none for anyone else).

    The one rule of dossier.people (an EXISTS on the person's record against the cached list of unit
    ids), so a lookup by ID number starts from its index whatever the size of the scope.
    """
    return dossier_people_in_scope(user, with_applicants=False)


def find_people(user: User, id_number: str) -> list[User]:
    """People in scope with exactly this ID number (any ID type), with their managing unit."""
    if not id_number:
        return []
    return list(
        people_in_scope(user)
        .filter(id_number=id_number)
        .select_related("dossier_record__unit")
        .order_by("id_type", "id")
    )


def person_in_scope(user: User, person_id: int | str) -> User:
    """A person in the staff member's scope, with their managing unit, or 404."""
    return get_object_or_404(people_in_scope(user).select_related("dossier_record__unit"), pk=person_id)


def negative_records_of(person: User) -> list[NegativeRecord]:
    """Every negative record of a person, revoked ones included, newest decision first (one query)."""
    return list(NegativeRecord.objects.select_related("penalty_kind", "unit").filter(person=person))


def negative_record_in_scope(user: User, record_id: int | str) -> NegativeRecord:
    """A negative record of a person in the staff member's scope, or 404."""
    record = (
        NegativeRecord.objects.select_related("penalty_kind", "person")
        .filter(pk=record_id, person__in=people_in_scope(user))
        .first()
    )
    if record is None:
        raise Http404
    return record


def staff_may_view_honour_proof(user: object, document: object) -> bool:
    """Documents access rule: staff may open a proof of an approved honour of a person in their scope
    (the person's integrity record follows them when they move to another unit).

    Typed as `documents.access.AccessRule`: documents passes a signed-in user and a Document."""
    if not isinstance(document, Document) or not document.application_id:
        return False
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if not getattr(user, "is_staff_member", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not is_verified():
        return False
    return HonourProof.objects.filter(
        document_id=document.pk,
        payload__application__status=Status.APPROVED,
        payload__application__applicant__in=people_in_scope(user),
    ).exists()
