"""XLSX export of the filtered audit rows.

openpyxl's write-only workbook, fed from `.iterator()` (a server-side cursor on PostgreSQL): memory
stays flat whatever the number of rows; the file is built in a temporary file (spilled to disk
past a few MB) and streamed to the browser. At most EXPORT_MAX_ROWS rows: past that the sheet ends
with a line saying so and the view warns. Every text cell is neutralised against formula injection
(a value starting with = + - @ tab or CR gets a leading apostrophe and is stored as text).
"""

import json
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from identity.constants import StaffRole, UserKind

from .actions import label_for
from .models import AuditEvent
from .selectors import EXPORT_MAX_ROWS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def neutralise(value: str) -> str:
    """A text a spreadsheet will never read as a formula (OWASP "CSV injection")."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def role_label(code: str) -> str:
    for choices in (StaffRole, UserKind):
        if code in choices.values:
            return str(choices(code).label)
    return code


def _headers() -> list[str]:
    return [
        _("Time"),
        _("Actor"),
        _("Role"),
        _("Unit"),
        pgettext("audit log column", "Action"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Result"),
        _("IP"),
        _("Request id"),
        _("Detail"),
    ]


def _row(event: AuditEvent) -> list:
    return [
        timezone.localtime(event.created_at).replace(tzinfo=None),
        event.actor_name,
        role_label(event.actor_role),
        event.actor_unit,
        label_for(event.action),
        event.action,
        event.object_type,
        event.object_id,
        str(AuditEvent.Result(event.result).label) if event.result in AuditEvent.Result.values else event.result,
        event.ip or "",
        event.request_id,
        json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
    ]


def _cells(sheet, values: list) -> list:
    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"  # never a formula, whatever the text
        else:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        cells.append(cell)
    return cells


def write_events_xlsx(events, *, max_rows: int = EXPORT_MAX_ROWS):
    """Write the rows of `events` (a filtered, ordered queryset) to an XLSX temporary file.

    Returns (file positioned at 0, rows written, truncated?).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit log"))
    sheet.freeze_panes = "A2"
    sheet.append(_cells(sheet, _headers()))
    written = 0
    truncated = False
    for event in events[: max_rows + 1].iterator(chunk_size=CHUNK_SIZE):
        if written >= max_rows:
            truncated = True
            break
        sheet.append(_cells(sheet, _row(event)))
        written += 1
    if truncated:
        note = _("Only the first %(count)s rows were exported: narrow the filters to export the rest.") % {
            "count": f"{max_rows:,}"
        }
        sheet.append(_cells(sheet, [note]))
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output, written, truncated
