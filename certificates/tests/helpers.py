"""Helpers of the certificates tests: people with credits, reading a PDF back, decoding its QR code."""

import datetime
import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from continuing_education.tests.factories import record
from dossier.tests.factories import approved_person
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from reviews.constants import Status

USCC_BODY = "91420100MA4K00007"  # an institution's 统一社会信用代码 without its check character
ZBARIMG = shutil.which("zbarimg")
needs_zbarimg = pytest.mark.skipif(
    ZBARIMG is None, reason="zbarimg (Debian package zbar-tools) is not installed: the QR code cannot be decoded"
)


def person_with_credits(*items, **person_fields):
    """An approved accountant with approved 继续教育 records of this year (item numbers; item 1 = 90 credits)."""
    person = approved_person(**person_fields)
    for no in items:
        record(person, no, status=Status.APPROVED)
    return person


def institution_credits(person, *, hours: int = 30, year: int = 2026):
    """Credits registered for `person` by a training institution (机构登记, 3 credits a class hour)."""
    from stdnum.cn import uscc

    from institutions import services
    from institutions.models import Attendance, InstitutionMembership

    admin = StaffFactory.create(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    institution = services.create_institution(
        actor=admin,
        name="武汉会计培训中心",
        uscc=USCC_BODY + uscc.calc_check_digit(USCC_BODY),
        region=review_unit("420100"),
        contact_name="李四",
        contact_phone="13900000001",
    )
    staff = StaffFactory.create(role=StaffRole.INSTITUTION, unit=None)
    InstitutionMembership.objects.create(user=staff, institution=institution)
    course = services.create_course(
        institution=institution,
        actor=staff,
        data=services.CourseInput(
            name=f"{year}年政府会计准则培训",
            subject="professional",
            mode="face_to_face",
            start_date=datetime.date(year, 5, 1),
            end_date=datetime.date(year, 5, 3),
            hours=hours,
        ),
    )
    services.register_one(
        course=course,
        actor=staff,
        id_type=person.id_type,
        id_number=person.id_number,
        name=person.full_name,
        date=datetime.date(year, 5, 2),
    )
    return Attendance.objects.get(course=course, person=person), staff


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_images(content: bytes) -> list:
    reader = PdfReader(BytesIO(content))
    return [image for page in reader.pages for image in page.images]


def qr_urls(content: bytes) -> list[str]:
    """Every QR code found in the PDF's images, decoded by zbarimg."""
    assert ZBARIMG is not None  # the tests that decode QR codes are skipped without it
    found = []
    with tempfile.TemporaryDirectory() as folder:
        for n, image in enumerate(pdf_images(content)):
            path = Path(folder) / f"image{n}.png"
            image.image.convert("RGB").save(path)
            result = subprocess.run(  # noqa: S603 - a fixed program on a file we wrote
                [ZBARIMG, "--quiet", "--raw", "-Sqrcode.enable", str(path)],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            found += [line for line in result.stdout.splitlines() if line.strip()]
    return found


def verify_path_in(content: bytes) -> str:
    """The path of the verification URL in the PDF's QR code (exactly one)."""
    urls = qr_urls(content)
    assert len(urls) == 1, urls
    parts = urlsplit(urls[0])
    assert parts.scheme in ("http", "https") and parts.path.startswith("/verify/"), urls[0]
    return parts.path
