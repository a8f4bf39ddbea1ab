"""What each export reads: its form, its rows (a lazy queryset, scoped by `reviews.scope`) and columns.

Every row source starts from THE scope functions (`reviewer_unit_ids`, `applications_for_reviewer`)
and asks the database for plain value tuples in a stable order, so the writer can stream them with
`.iterator()` without building model instances or a list.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuing_education.constants import Subject
from continuing_education.models import CreditRecord
from core.masking import mask_id_number, mask_phone
from dossier.constants import Sex
from dossier.models import PersonRecord
from identity.constants import IdType
from reviews.constants import REVIEWER_STATUSES, Status
from reviews.registry import all_kinds
from reviews.scope import applications_for_reviewer, reviewer_unit_choices, reviewer_unit_ids
from reviews.selectors import InboxFilters, _filtered

from .constants import ExportKind
from .forms import ApplicationExportForm, CeExportForm, RosterExportForm


@dataclass(frozen=True)
class Column:
    """One column: its header, the value it reads, and how that value becomes the cell's text."""

    header: object
    field: str
    # How the value becomes the cell's text; "unit": the unit's name (among the person's units).
    show: Callable[[Any], Any] | Literal["unit"] | None = None
    # "id" or "phone": masked unless the export is unmasked.
    personal: str = ""


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _labels(choices) -> Callable:
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


# --------------------------------------------------------------------------- 人员名册


def roster_rows(user, data: dict) -> QuerySet:
    rows = PersonRecord.objects.filter(unit_id__in=reviewer_unit_ids(user))
    if data.get("unit"):
        rows = rows.filter(unit_id=data["unit"])
    if data.get("on_duty"):
        rows = rows.filter(current__on_duty=data["on_duty"] == "yes")
    if data.get("approved_from"):
        rows = rows.filter(approved_at__gte=_day_start(data["approved_from"]))
    if data.get("approved_to"):
        rows = rows.filter(approved_at__lt=_day_start(data["approved_to"] + timedelta(days=1)))
    if data.get("name"):
        rows = rows.filter(current__full_name=data["name"])
    if data.get("id_number"):
        rows = rows.filter(current__id_number=data["id_number"])
    return rows.order_by("pk")


def roster_columns() -> list[Column]:
    yes_no = {True: "是", False: "否"}
    return [
        Column(_("Name"), "current__full_name"),
        Column(_("ID type"), "current__id_type", _labels(IdType.choices)),
        Column(_("ID number"), "current__id_number", personal="id"),
        Column(_("Sex"), "current__sex", _labels(Sex.choices)),
        Column(_("Mobile phone"), "person__phone", personal="phone"),
        Column(_("Managing unit"), "unit_id", "unit"),
        Column(_("In an accounting post"), "current__on_duty", yes_no.get),
        Column(_("Employer"), "current__employer_name"),
        Column(_("Unified social credit code"), "current__employer_uscc"),
        Column(_("Nature of the employer"), "current__unit_nature"),
        Column(_("Accounting post"), "current__accounting_post"),
        Column(_("In accounting work since"), "current__accounting_since"),
        Column(_("Qualification type"), "current__qualification_type"),
        Column(_("Qualification level"), "current__qualification_level"),
        Column(_("Qualification obtained on"), "current__qualification_date"),
        Column(_("Certificate number"), "current__qualification_certificate_no"),
        Column(_("Accounting professional title"), "current__accounting_title"),
        Column(_("Certified public accountant"), "current__is_cpa", yes_no.get),
        Column(_("Approved at"), "approved_at"),
        Column(_("Record version"), "version"),
    ]


# --------------------------------------------------------------------------- 申请


def application_rows(user, data: dict) -> QuerySet:
    """The inbox's own filter (`reviews.selectors`), for one status or for every status at once."""
    filters = InboxFilters(
        kind=data.get("kind") or "",
        unit_id=data.get("unit"),
        submitted_from=data.get("submitted_from"),
        submitted_to=data.get("submitted_to"),
        name=data.get("name") or "",
        id_number=data.get("id_number") or "",
    )
    statuses = [data["status"]] if data.get("status") else [s.value for s in REVIEWER_STATUSES]
    rows = reduce(or_, (_filtered(user, replace(filters, status=status)) for status in statuses))
    return rows.order_by("last_submitted_at", "id")


def application_columns() -> list[Column]:
    kinds = {kind.name: str(kind.label) for kind in all_kinds()}
    return [
        Column(_("Application number"), "id"),
        Column(_("Kind"), "kind", lambda value: kinds.get(value, value)),
        Column(_("Name"), "applicant_name"),
        Column(_("ID number"), "applicant_id_number", personal="id"),
        Column(_("Reviewing unit"), "unit_id", "unit"),
        Column(_("Status"), "status", _labels(Status.choices)),
        Column(_("First submitted at"), "submitted_at"),
        Column(_("Submitted at"), "last_submitted_at"),
        Column(_("Due date"), "due_date"),
        Column(_("Decided at"), "decided_at"),
        Column(_("Return reason"), "return_reason"),
    ]


# --------------------------------------------------------------------------- 继续教育


def ce_rows(user, data: dict) -> QuerySet:
    rows = CreditRecord.objects.filter(application__in=applications_for_reviewer(user))
    if data.get("unit"):
        rows = rows.filter(application__unit_id=data["unit"])
    if data.get("status"):
        rows = rows.filter(application__status=data["status"])
    if data.get("year"):
        rows = rows.filter(year=data["year"])
    if data.get("item"):
        rows = rows.filter(item_no=data["item"])
    if data.get("name"):
        rows = rows.filter(application__applicant_name=data["name"])
    if data.get("id_number"):
        rows = rows.filter(application__applicant_id_number=data["id_number"])
    return rows.order_by("pk")


def ce_columns() -> list[Column]:
    return [
        Column(_("Name"), "application__applicant_name"),
        Column(_("ID number"), "application__applicant_id_number", personal="id"),
        Column(_("Mobile phone"), "person__phone", personal="phone"),
        Column(_("Year"), "year"),
        Column(_("Item number"), "item_no"),
        Column(_("Item"), "item_name"),
        Column(_("Subject"), "subject", _labels(Subject.choices)),
        Column(_("Date"), "start_date"),
        Column(_("End date"), "end_date"),
        Column(_("Title"), "title"),
        Column(_("Organiser"), "organiser"),
        Column(_("Days"), "days"),
        Column(_("Role"), "role"),
        Column(_("Credits"), "credits"),
        Column(_("Credits applied for"), "proposed_credits"),
        Column(_("Status"), "application__status", _labels(Status.choices)),
        Column(_("Reviewing unit"), "application__unit_id", "unit"),
        Column(_("Submitted at"), "application__last_submitted_at"),
    ]


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Source:
    kind: str
    form_class: type
    rows: Callable[[object, dict], QuerySet]
    columns: Callable[[], list[Column]]


SOURCES: dict[str, Source] = {
    ExportKind.ROSTER: Source(ExportKind.ROSTER, RosterExportForm, roster_rows, roster_columns),
    ExportKind.APPLICATIONS: Source(
        ExportKind.APPLICATIONS, ApplicationExportForm, application_rows, application_columns
    ),
    ExportKind.CE_RECORDS: Source(ExportKind.CE_RECORDS, CeExportForm, ce_rows, ce_columns),
}


def get_source(kind: str) -> Source | None:
    return SOURCES.get(kind)


def scope_units(user) -> list[tuple[int, str]]:
    return reviewer_unit_choices(user)


def bind_form(source: Source, user, data=None, *, may_unmask: bool = False):
    return source.form_class(data, units=scope_units(user), may_unmask=may_unmask)


@dataclass
class Plan:
    """What the writer needs: headers, the lazy value rows and the function turning one into cells."""

    headers: list[str]
    rows: QuerySet
    cells: Callable[[tuple], list]


def plan(source: Source, user, data: dict, *, unmasked: bool) -> Plan:
    """Rows and cell functions of an export with validated filter `data` (a form's cleaned_data)."""
    columns = source.columns()
    unit_names = dict(reviewer_unit_choices(user))
    shows: list[Callable[[Any], Any] | None] = []
    for column in columns:
        if column.personal == "id" and not unmasked:
            shows.append(mask_id_number)
        elif column.personal == "phone" and not unmasked:
            shows.append(mask_phone)
        elif column.show == "unit":
            shows.append(unit_names.get)
        else:
            shows.append(column.show)
    pairs = tuple(enumerate(shows))

    def cells(row: tuple) -> list:
        return [row[index] if show is None else show(row[index]) for index, show in pairs]

    rows = source.rows(user, data).values_list(*(column.field for column in columns))
    return Plan(headers=[str(column.header) for column in columns], rows=rows, cells=cells)


def stream(plan_: Plan, chunk_size: int) -> Iterable[list]:
    """The rows one by one from the database (a server-side cursor on PostgreSQL), as cells."""
    cells = plan_.cells
    for row in plan_.rows.iterator(chunk_size=chunk_size):
        yield cells(row)
