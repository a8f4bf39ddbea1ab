"""Attendee lists: the XLSX template, reading an upload, checking its rows, the error report.

`validate_rows` is a plain function over rows (dicts with the template's four values), usable by
the upload page's background task and by an API alike. It works in batches with set-based look-ups:
per batch one query for the people on record and one for the course's earlier attendees, whatever
the batch's size — never a query per row.
"""

import datetime
import io
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from core.masking import mask_id_number
from identity.constants import UserKind
from identity.models import User
from identity.validators import normalize_id_number, validate_id_number

from .constants import COLUMNS, ID_TYPE_CHINESE, ID_TYPE_NAMES, MAX_UPLOAD_ROWS, VALIDATION_BATCH
from .models import Attendance, Course


class UploadError(Exception):
    """The file as a whole cannot be read (not an XLSX, wrong header, too many rows)."""


# --------------------------------------------------------------------------- the template


def template_workbook(course: Course | None = None) -> bytes:
    """The XLSX template: the header row, one example row, and a sheet explaining the columns."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "参训人员"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example_day = course.start_date if course else datetime.date.today()
    sheet.append(["居民身份证", "420102199001011236", "张三", example_day])
    sheet["D2"].number_format = "yyyy-mm-dd"
    for column, width in zip("ABCD", (22, 24, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    notes.append(["证件类型", "、".join(ID_TYPE_CHINESE.values())])
    notes.append(["证件号码", "与证件一致；居民身份证为18位，末位校验码"])
    notes.append(["姓名", "与证件一致；已在本系统登记的人员须与登记姓名相同"])
    if course:
        notes.append(["参训日期", f"{course.start_date:%Y-%m-%d} 至 {course.end_date:%Y-%m-%d} 之间的日期"])
    else:
        notes.append(["参训日期", "课程起止日期之间的日期，格式 YYYY-MM-DD"])
    notes.append(["", "请删除示例行后填写；每人一行；同一课程同一人只登记一次"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading a file


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes) -> list[dict[str, Any]]:
    """The data rows of an uploaded XLSX: [{"row": 2, "id_type": ..., "id_number": ..., "name": ..., "date": ...}].

    Blank rows are skipped. Raises UploadError for a file that is not the template.
    """
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise UploadError(_("This file is not an Excel (.xlsx) file. Please use the template.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        header_texts = tuple(_cell_text(v) for v in (header or ())[: len(COLUMNS)])
        if header_texts != COLUMNS:
            raise UploadError(
                _("The first row must be the template's header: %(columns)s.") % {"columns": "、".join(COLUMNS)}
            )
        found: list[dict[str, Any]] = []
        for number, values in enumerate(rows, start=2):
            texts = [_cell_text(v) for v in (values or ())[: len(COLUMNS)]]
            texts += [""] * (len(COLUMNS) - len(texts))
            if not any(texts):
                continue
            if len(found) >= MAX_UPLOAD_ROWS:
                raise UploadError(_("A file can hold at most %(max)d rows.") % {"max": MAX_UPLOAD_ROWS})
            found.append(
                {"row": number, "id_type": texts[0], "id_number": texts[1], "name": texts[2], "date": texts[3]}
            )
    finally:
        book.close()
    if not found:
        raise UploadError(_("The file has no attendee rows."))
    return found


# --------------------------------------------------------------------------- checking rows


def _parse_date(text: str) -> datetime.date | None:
    text = (text or "").strip().replace("/", "-").replace(".", "-")
    text = text.split(" ")[0]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _check_cells(row: dict[str, Any], course: Course) -> dict[str, Any]:
    """One row's own checks (no database): returns the row normalised with its `errors`."""
    errors = []
    labels = dict(zip(("id_type", "id_number", "name", "date"), COLUMNS, strict=True))
    for key, label in labels.items():
        if not str(row.get(key) or "").strip():
            errors.append(_("“%(column)s” is empty.") % {"column": label})
    type_text = str(row.get("id_type") or "").strip()
    id_type = ID_TYPE_NAMES.get(type_text, "")
    if type_text and not id_type:
        if type_text in ID_TYPE_CHINESE:  # an API may send the code itself
            id_type = type_text
        else:
            errors.append(
                _("Unknown ID type “%(value)s”: use one of %(types)s.")
                % {"value": type_text[:20], "types": "、".join(ID_TYPE_CHINESE.values())}
            )
    raw_number = str(row.get("id_number") or "")
    number = normalize_id_number(raw_number)
    id_ok = False
    if id_type and number:
        try:
            number = validate_id_number(id_type, raw_number)
            id_ok = True
        except ValidationError as exc:
            errors.append(exc.messages[0])
    name = "".join(str(row.get("name") or "").split())
    if len(name) > 50:
        errors.append(_("The name can have at most 50 characters."))
    date_text = str(row.get("date") or "").strip()
    day = _parse_date(date_text) if date_text else None
    if date_text and day is None:
        errors.append(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": date_text[:20]})
    elif day is not None and not course.start_date <= day <= course.end_date:
        errors.append(
            _("The attendance date must lie within the course: %(start)s to %(end)s.")
            % {"start": course.start_date.isoformat(), "end": course.end_date.isoformat()}
        )
    return {
        "row": row.get("row"),
        "id_type": id_type,
        "id_type_text": type_text,
        "id_number": number,
        "name": name,
        "date": day.isoformat() if day else date_text,
        "person_id": None,
        "already": False,
        "id_ok": id_ok,
        "errors": [str(e) for e in errors],
    }


def validate_rows(
    course: Course,
    rows: Iterable[dict[str, Any]],
    *,
    batch_size: int = VALIDATION_BATCH,
    existing_is_error: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Check every row for registering it to `course`; returns the rows normalised, each with `errors`.

    Checks: every cell filled; a known 证件类型; the number valid for its type (check digit); the name
    the same as the person registered with that number (when there is one: `person_id` is set);
    no second row of the same person in the rows; not already registered for the course (an error
    when `existing_is_error`, else the row is marked `already` — an idempotent repeat); the date
    within the course. Two queries per batch of `batch_size` rows.
    """
    rows = list(rows)
    total = len(rows)
    checked: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for start in range(0, total, batch_size):
        batch = [_check_cells(row, course) for row in rows[start : start + batch_size]]
        numbers = {r["id_number"] for r in batch if r["id_ok"]}
        people = {}
        earlier = set()
        if numbers:
            for pk, id_type, id_number, full_name in User.objects.filter(
                kind=UserKind.ACCOUNTANT, id_number__in=numbers
            ).values_list("pk", "id_type", "id_number", "full_name"):
                people[(id_type, id_number)] = (pk, full_name)
            earlier = set(
                Attendance.objects.filter(course=course, id_number__in=numbers).values_list("id_type", "id_number")
            )
        for row in batch:
            key = (row["id_type"], row["id_number"])
            if not row["id_ok"]:
                checked.append(row)
                continue
            person = people.get(key)
            if person is not None:
                row["person_id"] = person[0]
                if row["name"] and person[1] and row["name"] != person[1]:
                    row["errors"].append(
                        _("The name does not match the person registered with this ID number (%(number)s).")
                        % {"number": mask_id_number(row["id_number"])}
                    )
            if key in seen:
                row["errors"].append(_("The same person as row %(row)s.") % {"row": seen[key]})
            else:
                seen[key] = row["row"]
            if key in earlier:
                if existing_is_error:
                    row["errors"].append(_("Already registered for this course (an earlier upload or entry)."))
                else:
                    row["already"] = True
            checked.append(row)
        if on_progress is not None:
            on_progress(len(checked), total)
    return checked


# --------------------------------------------------------------------------- the error report


def error_report(results: list[dict[str, Any]]) -> bytes:
    """An XLSX of the rows with errors: the row number in the upload, its values, every reason."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "错误报告"
    sheet.append(["行号", *COLUMNS, "错误原因"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE2E1")
    for row in results:
        if not row.get("errors"):
            continue
        sheet.append(
            [
                row["row"],
                row.get("id_type_text", ""),
                row["id_number"],
                row["name"],
                row["date"],
                "；".join(row["errors"]),
            ]
        )
        sheet.cell(row=sheet.max_row, column=6).fill = fill
    for column, width in zip("ABCDEF", (8, 22, 24, 14, 14, 70), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
