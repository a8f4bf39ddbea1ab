import polib
import pytest

from core.translations import po_files

CATALOGUES = sorted(str(p) for p in po_files() if "/zh_Hans/" in str(p))


def test_every_app_with_ui_strings_has_a_chinese_catalogue():
    assert CATALOGUES, "no zh_Hans catalogue found"


@pytest.mark.parametrize("path", CATALOGUES)
def test_chinese_catalogue_is_complete(path):
    po = polib.pofile(path)
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.msgstr and not e.msgstr_plural)]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags and not e.obsolete]
    assert untranslated == [], f"untranslated in {path}"
    assert fuzzy == [], f"fuzzy in {path}"
