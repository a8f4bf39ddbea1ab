"""Writing rows to an XLSX file with openpyxl's write-only mode: constant memory whatever the size.

Rows go straight to the sheet's temporary XML file as they come (inline strings, no shared-string
table), so memory does not grow with the number of rows. Excel's limit of 1,048,576 rows per sheet
is handled by continuing on a new sheet with the same header.
"""

from collections.abc import Callable, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .cells import neutralise

# Data rows per sheet: Excel's row limit minus the header row.
MAX_ROWS_PER_SHEET = 1_048_575


def write_xlsx(
    handle,
    *,
    title: str,
    headers: list[str],
    rows: Iterable[list],
    progress: Callable[[int], None] | None = None,
    progress_every: int = 2000,
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
) -> int:
    """Write `rows` (lists of cell values, neutralised here) under `headers` into `handle`.

    Calls `progress(rows_written)` every `progress_every` rows. Returns the number of data rows.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet_number = 0
    in_sheet = 0
    written = 0

    def new_sheet() -> WriteOnlyWorksheet:
        nonlocal sheet_number, in_sheet
        sheet_number += 1
        name = title if sheet_number == 1 else f"{title}（{sheet_number}）"
        sheet: WriteOnlyWorksheet = workbook.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=neutralise(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        in_sheet = 0
        return sheet

    sheet = new_sheet()
    for row in rows:
        if in_sheet >= max_rows_per_sheet:
            sheet = new_sheet()
        sheet.append([neutralise(value) for value in row])
        in_sheet += 1
        written += 1
        if progress is not None and written % progress_every == 0:
            progress(written)
    workbook.save(handle)
    return written
