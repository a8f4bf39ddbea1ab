"""Reads of 信息变更 (manual §6): the open change, what it changes and asks for, the version history,
and who among the staff may open the files a change carries over from earlier versions."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Prefetch, Q
from django.utils.translation import gettext as _

from reviews.constants import OPEN_STATUSES, Status
from reviews.models import Application
from reviews.scope import applications_for_reviewer, reviewer_unit_ids

from .change_diff import ChangeLine, SectionComparison, compare, data_changes, describe, required_proofs
from .constants import KIND_CHANGE, Step
from .models import ChangePayload, Dossier, DossierProof, EducationRecord, PersonRecord, RecordVersion
from .proofs import ProofSlot, checklist
from .sections import section_errors
from .snapshot import Change, dossier_snapshot


def _payloads():
    return ChangePayload.objects.select_related(
        "application__unit", "base", "dossier__unit", "dossier__photo"
    ).prefetch_related(
        Prefetch("dossier__educations", queryset=EducationRecord.objects.order_by("position", "id")),
        Prefetch("dossier__proofs", queryset=DossierProof.objects.select_related("document")),
    )


def open_change(person) -> ChangePayload | None:
    """The person's open 信息变更 (draft, pending or returned), ready for its pages (three queries)."""
    return (
        _payloads()
        .filter(application__applicant=person, application__kind=KIND_CHANGE, application__status__in=OPEN_STATUSES)
        .order_by("-application__created_at", "-application_id")
        .first()
    )


def change_for_display(payload_id: int) -> ChangePayload:
    """One change with its envelope, base version, edited dossier, rows and proofs (three queries)."""
    return _payloads().get(pk=payload_id)


def change_of_application(application: Application) -> ChangePayload:
    """The change filed under `application`, ready to check or show (three queries)."""
    return _payloads().get(application=application)


@dataclass
class ChangeSummary:
    """Everything a change page shows, computed once: old and new side by side, the changes, the
    proofs they require and which of those still need a new file."""

    payload: ChangePayload
    old: dict
    new: dict
    changes: list[Change]
    lines: list[ChangeLine]
    sections: list[SectionComparison]
    required: list[ProofSlot]
    proofs: dict  # slot -> DossierProof of the edited dossier
    missing: list[ProofSlot]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def unit_change(self) -> tuple[str, str] | None:
        """(old unit name, new unit name) when the change moves the person to another review unit."""
        old_unit = self.old.get(str(Step.POST), {}).get("unit") or {}
        new_unit = self.new.get(str(Step.POST), {}).get("unit") or {}
        if old_unit.get("code") == new_unit.get("code"):
            return None
        return old_unit.get("name", ""), new_unit.get("name", "")

    @property
    def required_items(self) -> list[dict]:
        """The required boxes with the new file handed in for each (None while still missing)."""
        missing = {slot.key for slot in self.missing}
        return [
            {"slot": slot, "proof": None if slot.key in missing else self.proofs.get(slot.key)}
            for slot in self.required
        ]

    def is_new_proof(self, slot_key: str) -> bool:
        proof = self.proofs.get(slot_key)
        return proof is not None and str(proof.document_id) != self.old.get("proofs", {}).get(slot_key)


def summarise(payload: ChangePayload) -> ChangeSummary:
    """The summary of a change (no query when the payload comes from `open_change` /
    `change_for_display`, apart from the cached option lists)."""
    old = payload.base.snapshot
    new = dossier_snapshot(payload.dossier)
    changes = data_changes(old, new)
    required = required_proofs(changes, payload.dossier)
    proofs = {proof.slot: proof for proof in payload.dossier.proofs.all()}
    old_proofs = old.get("proofs", {})
    missing = [
        slot
        for slot in required
        if slot.key not in proofs or str(proofs[slot.key].document_id) == old_proofs.get(slot.key)
    ]
    return ChangeSummary(
        payload=payload,
        old=old,
        new=new,
        changes=changes,
        lines=describe(old, new, changes),
        sections=compare(old, new),
        required=required,
        proofs=proofs,
        missing=missing,
    )


def change_problems(summary: ChangeSummary) -> list[str]:
    """What stops a change from being submitted, in words (empty when it may be submitted)."""
    payload = summary.payload
    problems = []
    if payload.unsaved_input:
        steps = [str(Step(key).label) for key in payload.unsaved_input if key in Step.values]
        problems.append(
            _("You left unsaved input in: %(steps)s. Open the section and save it, or cancel it.")
            % {"steps": "、".join(steps)}
        )
    failing = [str(step.label) for step, bad in section_errors(payload.dossier).items() if bad]
    if failing:
        problems.append(_("Please correct: %(steps)s.") % {"steps": "、".join(failing)})
    if not summary.has_changes:
        problems.append(_("Nothing has been changed: change at least one item before submitting."))
    if summary.missing:
        problems.append(
            _("Please upload the proofs your changes require: %(names)s.")
            % {"names": "、".join(str(slot.label) for slot in summary.missing)}
        )
    return problems


def change_proofs(application: Application) -> list[tuple[str, object]]:
    """The kind's proof list for reviewers: every proof of the edited dossier, in checklist order;
    the ones handed in with this change say so."""
    payload = ChangePayload.objects.filter(application=application).select_related("dossier", "base").first()
    if payload is None:
        return []
    old_proofs = payload.base.snapshot.get("proofs", {})
    items: list[tuple[str, object]] = []
    for item in checklist(payload.dossier):
        if item.proof is None:
            continue
        label = str(item.slot.label)
        if str(item.proof.document_id) != old_proofs.get(item.slot.key):
            label = _("%(label)s (new with this change)") % {"label": label}
        items.append((label, item.proof.document))
    return items


def change_photo(application: Application):
    payload = ChangePayload.objects.filter(application=application).select_related("dossier__photo").first()
    return payload.dossier.photo if payload else None


# --------------------------------------------------------------------------- version history


@dataclass(frozen=True)
class VersionEntry:
    """One approved version of a record as the history lists it."""

    number: int
    approved_at: datetime
    unit_name: str
    kind_label: str
    application_id: int
    is_current: bool
    lines: list[ChangeLine]  # what changed from the version before (empty for the first one)
    follows_previous: bool  # False when the version before is not listed (another unit's time)


def _entries(versions: list[RecordVersion], current_number: int | None) -> list[VersionEntry]:
    entries = []
    previous = None
    for version in versions:  # oldest first
        follows = previous is not None and previous.number == version.number - 1
        entries.append(
            VersionEntry(
                number=version.number,
                approved_at=version.approved_at,
                unit_name=version.unit.name,
                kind_label=str(version.application.kind_label),
                application_id=version.application_id,
                is_current=version.number == current_number,
                lines=describe(previous.snapshot, version.snapshot) if follows and previous is not None else [],
                follows_previous=follows or version.number == 1,
            )
        )
        previous = version
    entries.reverse()  # newest first
    return entries


def _versions(**filters):
    return RecordVersion.objects.select_related("unit", "application", "record").filter(**filters).order_by("number")


def record_versions(person) -> list[VersionEntry]:
    """Every approved version of the person's own record, newest first (one query)."""
    versions = list(_versions(record__person=person))
    current = versions[0].record.version if versions else None
    return _entries(versions, current)


def record_versions_for_reviewer(user, person_id: int) -> list[VersionEntry]:
    """The versions of a person's record a staff member may see, newest first (one query).

    The unit that manages the person now, or that has an application of theirs under review,
    sees the whole history; a unit the person has left sees the versions of its own time
    (DOMAIN.md "Moving inside Hubei": the old unit sees the history, the new one decides).
    Both rules are conditions of the one query: a version is listed when its unit is in scope or
    when either EXISTS (computed once by PostgreSQL, not per row) holds.
    """
    scope = reviewer_unit_ids(user)
    if not scope:
        return []
    manages = Exists(PersonRecord.objects.filter(person_id=person_id, unit_id__in=scope)) | Exists(
        applications_for_reviewer(user).filter(applicant_id=person_id, status__in=(Status.PENDING, Status.RETURNED))
    )
    versions = list(_versions(record__person_id=person_id).filter(Q(unit_id__in=scope) | manages))
    current = versions[0].record.version if versions else None
    return _entries(versions, current)


def reviewer_versions(user, application) -> dict:
    """The reviewer page's context for the dossier kinds (`ApplicationKind.reviewer_context`)."""
    return {"versions": record_versions_for_reviewer(user, application.applicant_id)}


# --------------------------------------------------------------------------- documents access


def staff_may_view_change_document(user, document) -> bool:
    """Documents access rule: staff may open a file used by the edited dossier (or the approved
    version it copies) of a 信息变更 in their scope.

    A change keeps the proofs and photo of the approved record that did not change; those files
    belong to the application they were first handed in with — perhaps in another unit, when the
    change moves the person. The unit deciding the change must still see them.
    """
    if not getattr(document, "application_id", None) or user is None or not user.is_authenticated:
        return False
    if not getattr(user, "is_staff_member", False) or not user.is_active:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not is_verified():
        return False
    # Small indexed steps from the file to the applications using it (never a scan of a scope).
    dossier_ids = set(DossierProof.objects.filter(document_id=document.pk).values_list("dossier_id", flat=True))
    dossier_ids |= set(Dossier.objects.filter(photo_id=document.pk).values_list("id", flat=True))
    if not dossier_ids:
        return False
    version_ids = RecordVersion.objects.filter(dossier_id__in=dossier_ids).values_list("id", flat=True)
    application_ids = list(
        ChangePayload.objects.filter(Q(dossier_id__in=dossier_ids) | Q(base_id__in=list(version_ids))).values_list(
            "application_id", flat=True
        )
    )
    return bool(application_ids) and applications_for_reviewer(user).filter(pk__in=application_ids).exists()
