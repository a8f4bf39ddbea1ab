"""Rows as the services leave them, made directly (exports only read them), and reading the files."""

import datetime
import io
import itertools

from django.utils import timezone
from openpyxl import load_workbook

from continuing_education.constants import KIND_CE
from continuing_education.models import CreditItem, CreditRecord
from dossier.models import PersonRecord
from dossier.tests.factories import DossierFactory
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from reviews.constants import Status
from reviews.models import Application

_tokens = itertools.count(1)


def staff(code: str, role=StaffRole.REVIEWER, **kwargs):
    return StaffFactory(unit=review_unit(code), role=role, **kwargs)


def approved_person(code: str = "420102", **dossier_fields):
    """An accountant with an approved record managed by unit `code` (rows as the services leave them)."""
    unit = review_unit(code)
    dossier = DossierFactory.create(unit=unit, **dossier_fields)
    return PersonRecord.objects.create(person=dossier.owner, current=dossier, unit=unit, approved_at=timezone.now())


def application(code: str = "420102", *, kind: str = KIND_CE, status=Status.PENDING, person=None, **fields):
    person = person or AccountantFactory()
    now = timezone.now()
    return Application.objects.create(
        kind=kind,
        applicant=person,
        unit=review_unit(code),
        status=status,
        exclusive=False,
        applicant_name=person.full_name,
        applicant_id_number=person.id_number,
        submitted_at=now,
        last_submitted_at=now,
        **fields,
    )


def ce_record(code: str = "420102", *, year: int = 2025, item_no: int = 1, status=Status.PENDING, **fields):
    app = application(code, status=status)
    item = CreditItem.objects.get(no=item_no)
    return CreditRecord.objects.create(
        application=app,
        person=app.applicant,
        item=item,
        item_no=item.no,
        item_name=item.name,
        rule=item.rule,
        subject=item.subject,
        year=year,
        start_date=datetime.date(year, 5, 1),
        end_date=datetime.date(year, 5, 1),
        title=fields.pop("title", "培训"),
        credits=fields.pop("credits", 10),
        token=f"t{next(_tokens)}",
        **fields,
    )


def read_xlsx(data: bytes) -> list[list]:
    """All rows of the first sheet (header first)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def file_bytes(job) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(job.file_name, "rb") as handle:
        return handle.read()
