"""What changed in an application since a reviewer returned it.

On a return the engine keeps a snapshot of what the reviewer saw on the return's event
(`ReviewEvent.snapshot`): the kind's own `snapshot(application)` (its data, JSON-ready) and the
proofs' document ids with their labels. When the application is handed in again the reviewer's
page compares that with a fresh snapshot: field by field (through the kind's `describe_changes`,
or key by key for a flat snapshot) and proof by proof (documents added and removed, matched by
document id). Kinds without a `snapshot` hook still get the proof comparison.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import translation

from .constants import EventType, Status
from .models import Application, ReviewEvent
from .registry import ApplicationKind


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ProofChange:
    label: str
    document_id: str


@dataclass
class ChangesSinceReturn:
    """The differences between the returned application (`returned_at`, by whom) and now."""

    returned_event: object
    fields: list[FieldChange] = field(default_factory=list)
    proofs_added: list[ProofChange] = field(default_factory=list)
    proofs_removed: list[ProofChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.fields or self.proofs_added or self.proofs_removed)


def _proofs(kind: ApplicationKind, application: Application) -> list[dict[str, str]]:
    return [
        {"label": str(label), "document": str(document.pk)}
        for label, document in kind.proofs(application)
        if document is not None
    ]


def take_snapshot(kind: ApplicationKind, application: Application) -> dict[str, Any]:
    """What the reviewer sees of the application now, as JSON-ready data (labels in Chinese, the
    language of the records)."""
    with translation.override("zh-hans"):
        return {
            "data": kind.snapshot(application) if kind.snapshot else None,
            "proofs": _proofs(kind, application),
        }


def _plain(value: object) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _field_changes(kind: ApplicationKind, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    if old is None or new is None:
        return []
    if kind.describe_changes:
        return [FieldChange(str(line.label), str(line.old), str(line.new)) for line in kind.describe_changes(old, new)]
    keys = list(old) + [key for key in new if key not in old]
    return [
        FieldChange(str(key), _plain(old.get(key)), _plain(new.get(key)))
        for key in keys
        if old.get(key) != new.get(key)
    ]


def last_return(events: Sequence[ReviewEvent]) -> ReviewEvent | None:
    """The latest return event that kept a snapshot (events oldest first, as the page lists them)."""
    for event in reversed(events):
        if event.event_type == EventType.RETURNED:
            return event if event.snapshot is not None else None
    return None


def changes_since_return(
    kind: ApplicationKind | None, application: Application, events: Sequence[ReviewEvent]
) -> ChangesSinceReturn | None:
    """For a pending application handed in again after a return: what changed since that return.

    None when there is nothing to compare (never returned, returned before snapshots were kept, not
    pending again, or an unknown kind). `events` is the history the page already loaded.
    """
    if kind is None or application.status != Status.PENDING:
        return None
    returned = last_return(events)
    if returned is None:
        return None
    before = cast(dict[str, Any], returned.snapshot)  # last_return gives only events with a snapshot
    now = take_snapshot(kind, application)
    old_proofs = {p["document"]: p["label"] for p in before.get("proofs", [])}
    new_proofs = {p["document"]: p["label"] for p in now["proofs"]}
    return ChangesSinceReturn(
        returned_event=returned,
        fields=_field_changes(kind, before.get("data"), now["data"]),
        proofs_added=[ProofChange(label, doc) for doc, label in new_proofs.items() if doc not in old_proofs],
        proofs_removed=[ProofChange(label, doc) for doc, label in old_proofs.items() if doc not in new_proofs],
    )
