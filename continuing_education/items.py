"""Loading the 1–14 items and the national requirement from `data/ce_items.json` (data migration).

Rows already in the database — maybe edited by an administrator — are kept as they are.
"""

import json
from pathlib import Path

from .constants import DEFAULT_MIN_CREDITS, DEFAULT_PROFESSIONAL_SHARE, SUBJECT_NAMES, Subject

DATA_FILE = Path(__file__).resolve().parent / "data" / "ce_items.json"
NATIONAL_RULE_YEAR = 2018
NATIONAL_RULE_SOURCE = "财会〔2018〕10号"


def items_from_file(path: Path = DATA_FILE) -> list[dict]:
    """The items as model field values, in the file's order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    default_subject = SUBJECT_NAMES.get(data.get("subject", ""), Subject.PROFESSIONAL)
    return [
        {
            "no": entry["no"],
            "name": entry["name"],
            "rule": entry["rule"],
            "params": entry["params"],
            "proof_hint": entry.get("proof", ""),
            "subject": SUBJECT_NAMES.get(entry.get("subject", ""), default_subject),
            "sort_order": entry["no"] * 10,
        }
        for entry in data["items"]
    ]


def load_credit_items(item_model) -> int:
    """Create the items missing from the database (by number). Returns how many were created."""
    existing = set(item_model.objects.values_list("no", flat=True))
    new = [item_model(**values) for values in items_from_file() if values["no"] not in existing]
    item_model.objects.bulk_create(new)
    return len(new)


def load_national_requirement(requirement_model) -> bool:
    """The national rule (90 credits, 专业科目 ≥ 2/3) from 2018 on, when no requirement exists yet."""
    if requirement_model.objects.exists():
        return False
    requirement_model.objects.create(
        from_year=NATIONAL_RULE_YEAR,
        min_credits=DEFAULT_MIN_CREDITS,
        share_numerator=DEFAULT_PROFESSIONAL_SHARE.numerator,
        share_denominator=DEFAULT_PROFESSIONAL_SHARE.denominator,
        source=NATIONAL_RULE_SOURCE,
    )
    return True
