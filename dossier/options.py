"""Option lists as data: loading them from the JSON file, reading them (cached), a form field.

Every list is kept in `OptionItem` rows that administrators edit in the admin; forms never carry a
list in code. Reads go through the cache (one entry for all lists) so a form costs no query once
warm; any save or delete of an item drops the entry.
"""

import json
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from core.options import OptionListCache

from .constants import OPTION_SOURCES, OptionList

DATA_FILE = Path(__file__).resolve().parent / "data" / "option_lists.json"
CACHE_KEY = "dossier:options:v1"
CACHE_SECONDS = 3600


def items_from_file(path: Path = DATA_FILE) -> dict[str, list[str]]:
    """The items of each list as the data file gives them, in order, after the prepend/exclude rules."""
    data = json.loads(path.read_text(encoding="utf-8"))
    lists = {}
    for list_key, source in OPTION_SOURCES.items():
        options = data[source["key"]]
        options = options[source["sub"]] if "sub" in source else options["options"]
        if isinstance(options, dict):  # {code: name}: ordered by code (GB 3304 for 民族)
            options = [options[code] for code in sorted(options)]
        values = [*source.get("prepend", []), *options]
        lists[str(list_key)] = [v for v in values if v not in source.get("exclude", [])]
    return lists


def load_option_items(option_item_model) -> int:
    """Create the items missing from the database (existing ones, maybe edited, are kept).

    Used by the data migration with the historical model. Returns how many were created.
    """
    created = 0
    for list_key, values in items_from_file().items():
        existing = set(option_item_model.objects.filter(list_key=list_key).values_list("value", flat=True))
        new = [
            option_item_model(list_key=list_key, value=value, label=value, sort_order=(index + 1) * 10)
            for index, value in enumerate(values)
            if value not in existing
        ]
        option_item_model.objects.bulk_create(new)
        created += len(new)
    return created


OPTION_LISTS = OptionListCache(CACHE_KEY, "dossier.OptionItem", ("value", "label", "is_active"), CACHE_SECONDS)


def _all_lists() -> dict[str, list[tuple[str, str, bool]]]:
    """Every list, read at most once per request (core.request_memo), from the cache otherwise."""
    return OPTION_LISTS.lists()


def invalidate_options() -> None:
    OPTION_LISTS.invalidate()


def active_choices(list_key: OptionList | str) -> list[tuple[str, str]]:
    """(value, label) of the active items of one list, in their order."""
    return [(value, label) for value, label, active in _all_lists().get(str(list_key), []) if active]


def label_for(list_key: OptionList | str, value: str) -> str:
    """The label of a stored value (inactive items included); the value itself if unknown."""
    for item_value, label, _active in _all_lists().get(str(list_key), []):
        if item_value == value:
            return label
    return value


class OptionField(forms.ChoiceField):
    """A select whose choices are the active items of one option list.

    Choices are read when the form is built (cached), so an item an administrator switches off is
    neither offered nor accepted from then on.
    """

    def __init__(self, list_key: OptionList, *, required=True, **kwargs):
        self.list_key = list_key
        kwargs.setdefault("label", list_key.label)
        super().__init__(choices=self._choices_with_blank, required=required, **kwargs)

    def _choices_with_blank(self):
        return [("", _("Please choose")), *active_choices(self.list_key)]
