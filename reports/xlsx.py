"""Small XLSX helpers shared by the dashboard's table exports and the roster exports.

`safe_cell(value)` is a stable interface (reports.exports imports it): keep its name and signature.
"""

from io import BytesIO

from openpyxl import Workbook

# A spreadsheet program reads a text cell starting with one of these as a formula (CSV/formula
# injection, OWASP). Tab and carriage return are listed by OWASP as well.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as it may go into a cell: text that a spreadsheet would run as a formula (starting
    with = + - @, tab or carriage return) gets a leading apostrophe (') so it stays text, as OWASP
    advises; numbers, dates and None pass unchanged, anything else becomes its text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if not isinstance(value, str):
        if hasattr(value, "isoformat"):
            return value
        value = str(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(*, title: str, rows) -> bytes:
    """A one-sheet workbook of `rows` (lists of cells, neutralised by safe_cell) as bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name and more than 31 characters.
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in str(title))
    return cleaned[:31] or "Sheet1"
