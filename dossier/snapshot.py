"""A dossier as plain JSON (what a RecordVersion keeps) and the difference between two of them.

The snapshot is self-contained: values are stored as the person saw them (option values are the
list's words, the unit carries its code and name), so an old version reads the same after lists
or units change. `diff_snapshots` is what 信息变更 shows a reviewer: which field went from what to what.
"""

from dataclasses import dataclass
from typing import Any

from .constants import Step
from .models import Dossier

SCALAR_FIELDS = {
    Step.PERSONAL: (
        "full_name",
        "id_type",
        "id_number",
        "sex",
        "birth_date",
        "ethnicity",
        "political_status",
        "address",
        "email",
        "photo",
    ),
    Step.QUALIFICATION: (
        "qualification_type",
        "qualification_level",
        "qualification_obtained_by",
        "qualification_date",
        "qualification_certificate_no",
        "accounting_title",
        "is_cpa",
        "is_valuer",
        "is_tax_adviser",
        "high_end_talent",
        "admin_post",
        "abacus_level",
    ),
    Step.POST: (
        "on_duty",
        "employer_name",
        "employer_uscc",
        "unit_nature",
        "employer_address",
        "accounting_post",
        "accounting_since",
        "unit",
    ),
}
EDUCATION_FIELDS = (
    "level",
    "study_mode",
    "degree",
    "school",
    "major",
    "enrolled_on",
    "graduated_on",
    "certificate_no",
)


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _field_value(dossier: Dossier, name: str):
    if name == "photo":
        return str(dossier.photo_id) if dossier.photo_id else None
    if name == "unit":
        unit = dossier.unit
        return {"code": unit.code, "name": unit.name} if unit else None
    return _plain(getattr(dossier, name))


def dossier_snapshot(dossier: Dossier) -> dict[str, Any]:
    """The whole dossier as JSON-ready data (unit and education rows must be loadable: a few queries)."""
    snapshot: dict[str, Any] = {
        str(step): {name: _field_value(dossier, name) for name in names} for step, names in SCALAR_FIELDS.items()
    }
    snapshot[str(Step.EDUCATION)] = [
        {"token": row.token, **{name: _plain(getattr(row, name)) for name in EDUCATION_FIELDS}}
        for row in dossier.educations.all()
    ]
    snapshot["proofs"] = {proof.slot: str(proof.document_id) for proof in dossier.proofs.all()}
    return snapshot


@dataclass(frozen=True)
class Change:
    section: str  # a Step value or "proofs"
    field: str  # field name; for education rows "<token>.<field>" or "<token>" for a whole row
    old: Any  # a JSON value of the snapshots (None: not there)
    new: Any


def diff_snapshots(old: dict, new: dict) -> list[Change]:
    """Every difference between two snapshots, section by section, in a stable order."""
    changes = []
    for step, names in SCALAR_FIELDS.items():
        key = str(step)
        before, after = old.get(key, {}), new.get(key, {})
        changes += [Change(key, n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]

    key = str(Step.EDUCATION)
    before = {row["token"]: row for row in old.get(key, [])}
    after = {row["token"]: row for row in new.get(key, [])}
    for token, row in before.items():
        if token not in after:
            changes.append(Change(key, token, row, None))
    for token, row in after.items():
        if token not in before:
            changes.append(Change(key, token, None, row))
            continue
        changes += [
            Change(key, f"{token}.{n}", before[token].get(n), row.get(n))
            for n in EDUCATION_FIELDS
            if before[token].get(n) != row.get(n)
        ]

    before, after = old.get("proofs", {}), new.get("proofs", {})
    changes += [
        Change("proofs", slot, before.get(slot), after.get(slot))
        for slot in sorted(set(before) | set(after))
        if before.get(slot) != after.get(slot)
    ]
    return changes
