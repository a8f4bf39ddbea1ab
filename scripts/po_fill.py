"""Fill msgstr values of a .po file from a JSON object {msgid: msgstr}.

    python scripts/po_fill.py identity/locale/zh_Hans/LC_MESSAGES/django.po translations.json

Prints the msgids still untranslated, so a catalogue can be completed in a loop.
"""

import json
import sys

import polib


def main(po_path: str, json_path: str | None = None) -> int:
    po = polib.pofile(po_path)
    mapping = json.load(open(json_path, encoding="utf-8")) if json_path else {}
    for entry in po:
        if entry.msgid in mapping:
            entry.msgstr = mapping[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(po_path)
    missing = [e.msgid for e in po if not e.msgstr and not e.obsolete]
    for msgid in missing:
        print(msgid)  # noqa: T201 - a command-line tool
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
