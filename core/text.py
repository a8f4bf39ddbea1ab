"""Text hygiene: the one cleaner of every free-text value people type (`clean_text`).

What it does, in order:

1. NFC normalisation (a character typed decomposed is stored composed, so comparisons and search
   find it). NFKC is *not* applied: it would turn full-width letters and 〇-like characters into
   other ones; ID numbers and names keep their own normalisation where they are compared.
2. Harmless look-alikes are normalised silently:
   - line endings (CR LF, CR, U+2028, U+2029) become ``\\n``;
   - no-break and typographic spaces (U+00A0, U+2000–U+200A, U+202F, U+205F) become an ordinary
     space. The full-width space U+3000 is a normal Chinese character and is kept;
   - zero-width characters (U+200B–U+200D, U+2060, U+FEFF) at the very start or end of the value
     are dropped: copy-paste from Word, PDFs and web pages leaves them there and they change
     nothing a reader sees.
3. Refused with a message naming the field (the value is given back to the person to fix):
   - control characters: C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F), except ``\\n`` and ``\\t``
     in multi-line fields. In a single-line field a tab or newline is whitespace and is folded
     into one space (step 4), as a browser does when such text is pasted into a one-line box;
   - zero-width characters inside the text (they split a word invisibly, so the stored value
     no longer matches what a reviewer searches or compares);
   - bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): U+202E makes
     a reviewer read the text backwards;
   - every other invisible format character (Unicode category Cf, e.g. soft hyphen, tag
     characters) and lone surrogates.
   Private-use characters are kept: rare characters of Chinese names live there in some fonts.
4. Whitespace: the value is trimmed. A single-line value has each run of whitespace (other than
   U+3000) folded into one space. A multi-line value keeps its lines and the spaces inside them;
   trailing spaces of each line are dropped and at most one empty line is kept between paragraphs.

`clean_text` is idempotent and never returns one of the refused characters (property-tested).
Forms get it without per-field code through `core.forms.CleanTextMixin`.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Spaces that look like (and mean) an ordinary space.
_SPACE_LIKE = dict.fromkeys(
    map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"), " "
)
_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
_ASCII_BLANKS = re.compile(r"[ \t\n\x0b\x0c]+")
_MANY_EMPTY_LINES = re.compile(r"\n{3,}")
_EDGE_TRIM = " \t\n\x0b\x0c\u3000" + "".join(ZERO_WIDTH)


def forbidden_character(char: str, *, multiline: bool = False) -> str | None:
    """Why `char` may not be stored ("bidi", "invisible", "control"), or None when it may."""
    if char in BIDI_CONTROLS:
        return "bidi"
    if char in ZERO_WIDTH:
        return "invisible"
    if multiline and char in "\n\t":
        return None
    category = unicodedata.category(char)
    if category == "Cc":
        return "control"
    if category in ("Cf", "Cs"):
        return "invisible"
    return None


def _message(kind: str, label: str, position: int) -> str:
    if kind == "bidi":
        text = gettext(
            "“%(field)s” contains an invisible character that changes the direction of the text "
            "(at character %(position)d). Please delete it and type the text again."
        )
    else:
        text = gettext(
            "“%(field)s” contains an invisible control character (at character %(position)d). "
            "Please delete it and type the text again."
        )
    return text % {"field": label, "position": position}


def clean_text(value, *, field_label, multiline: bool = False) -> str:
    """`value` normalised as described in the module docstring, or ValidationError naming the field.

    `field_label` is the label the person sees next to the box (a lazy string is fine).
    Raises ValidationError with code "bidi_control" or "invisible_character".
    """
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = _NEWLINES.sub("\n", text).translate(_SPACE_LIKE)
    if multiline:
        lines = [line.rstrip(" \t") for line in text.split("\n")]
        text = _MANY_EMPTY_LINES.sub("\n\n", "\n".join(lines))
    else:
        text = _ASCII_BLANKS.sub(" ", text)
    text = text.strip(_EDGE_TRIM)
    for position, char in enumerate(text, start=1):
        kind = forbidden_character(char, multiline=multiline)
        if kind is not None:
            label = str(field_label) if field_label else gettext("This field")
            raise ValidationError(
                _message(kind, label, position),
                code="bidi_control" if kind == "bidi" else "invisible_character",
            )
    return text
