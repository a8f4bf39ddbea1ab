"""The 信息采集 / 信息变更 hooks that let a reviewer see what changed since an application was returned
(`reviews.registry.ApplicationKind.snapshot` / `describe_changes`): the edited dossier as a snapshot
(`dossier.snapshot.dossier_snapshot`) and the differences as the change pages word them
(`dossier.change_diff.describe`)."""

from reviews.registry import get_kind

from .change_diff import describe
from .snapshot import dossier_snapshot


def application_snapshot(application) -> dict | None:
    """The dossier the application carries, as JSON (None when it has no payload yet)."""
    payload = get_kind(application.kind).get_payload(application)
    return dossier_snapshot(payload.dossier) if payload is not None else None


def describe_changes(old: dict, new: dict) -> list:
    """The data changes between two dossier snapshots, in form order (lines with label/old/new)."""
    return describe(old, new)
