"""The honour form's option lists and the penalty kinds as data: loading them from the JSON files,
reading them (cached).

Administrators edit the rows in the admin; forms never carry a list in code. Reads of the option
lists go through the cache (one entry for both lists), dropped by any save or delete of an item.
"""

import json
from pathlib import Path

from core.options import OptionListCache

from .constants import ASKS_FOR_NAME, OPTION_SOURCES, OptionList

DATA_DIR = Path(__file__).resolve().parent / "data"
OPTIONS_FILE = DATA_DIR / "option_lists.json"
PENALTY_KINDS_FILE = DATA_DIR / "penalty_kinds.json"
CACHE_KEY = "integrity:options:v1"
CACHE_SECONDS = 3600


def items_from_file(path: Path = OPTIONS_FILE) -> dict[str, list[str]]:
    """The items of each list as the data file gives them, in order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(list_key): list(data[source]["options"]) for list_key, source in OPTION_SOURCES.items()}


def penalty_kinds_from_file(path: Path = PENALTY_KINDS_FILE) -> list[dict]:
    return list(json.loads(path.read_text(encoding="utf-8"))["penalty_kinds"])


def load_integrity_data(option_model, penalty_kind_model) -> int:
    """Create the items missing from the database; existing ones, maybe edited, are kept.

    Used by the data migration (with the historical models) and by tests after a flush. Returns how
    many rows were created.
    """
    created = 0
    for list_key, values in items_from_file().items():
        existing = set(option_model.objects.filter(list_key=list_key).values_list("value", flat=True))
        asks = ASKS_FOR_NAME.get(list_key, ())
        new = [
            option_model(
                list_key=list_key, value=value, label=value, asks_for_name=value in asks, sort_order=(index + 1) * 10
            )
            for index, value in enumerate(values)
            if value not in existing
        ]
        option_model.objects.bulk_create(new)
        created += len(new)
    existing = set(penalty_kind_model.objects.values_list("name", flat=True))
    new = [
        penalty_kind_model(
            name=item["name"], ban_rule=item["ban_rule"], ban_years=item["ban_years"], sort_order=(index + 1) * 10
        )
        for index, item in enumerate(penalty_kinds_from_file())
        if item["name"] not in existing
    ]
    penalty_kind_model.objects.bulk_create(new)
    invalidate_options()
    return created + len(new)


OPTION_LISTS = OptionListCache(
    CACHE_KEY, "integrity.IntegrityOption", ("value", "label", "is_active", "asks_for_name"), CACHE_SECONDS
)


def _all_lists() -> dict[str, list[tuple[str, str, bool, bool]]]:
    """Both lists, read at most once per request (core.request_memo), from the cache otherwise."""
    return OPTION_LISTS.lists()


def invalidate_options() -> None:
    OPTION_LISTS.invalidate()


def active_choices(list_key: OptionList | str) -> list[tuple[str, str]]:
    """(value, label) of the active items of one list, in their order."""
    return [(value, label) for value, label, active, _asks in _all_lists().get(str(list_key), []) if active]


def option(list_key: OptionList | str, value: str) -> tuple[str, bool] | None:
    """(label, asks_for_name) of an active item, or None when the value is not offered."""
    for item_value, label, active, asks in _all_lists().get(str(list_key), []):
        if item_value == value and active:
            return label, asks
    return None


def values_asking_for_name(list_key: OptionList | str = OptionList.HONOUR_NAME) -> list[str]:
    return [value for value, _label, active, asks in _all_lists().get(str(list_key), []) if active and asks]
