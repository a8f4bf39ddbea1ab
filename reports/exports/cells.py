"""Cell values that are safe to open in Excel or WPS (CSV/formula injection, OWASP).

A text starting with = + - @ (or a tab or carriage return) would be read as a formula: the
dashboard's `reports.xlsx.safe_cell` gives it a leading apostrophe, so the cell shows the text as
it was typed. Here, before that, characters XML 1.0 cannot carry (control characters) are removed,
or openpyxl would refuse the row, and dates become text in Asia/Shanghai time.
"""

import datetime

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.xlsx import safe_cell


def neutralise(value):
    """The value to write in a cell: texts made inert, dates as text, booleans 是/否, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
