"""Issuing certificates (the only writer of `Certificate`): checks, the row, the PDF, the audit row.

Both services return `(certificate, pdf bytes)`. The PDF is drawn anew on every download (it is
never stored); the certificate row is reused while what it certifies is unchanged (the same figures
of the same year, the same record version), so downloading twice gives one certificate number.
"""

import logging
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import record_event
from identity.models import User

from . import pdf
from .constants import Kind, Status
from .models import Certificate
from .selectors import verify_path

if TYPE_CHECKING:
    from dossier.models import Dossier

logger = logging.getLogger(__name__)


class CertificateRefused(Exception):
    """No certificate can be issued; `message` says why (Chinese, shown to the person)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _refuse(
    *, person: User, kind: str, code: str, message: str, request: HttpRequest | None, year: int | None = None
) -> NoReturn:
    record_event(
        action="certificates.refused",
        request=request,
        actor=person,
        object_type="certificates.certificate",
        result=AuditEvent.Result.DENIED,
        detail={"kind": kind, "year": year, "reason": code},
    )
    raise CertificateRefused(message, code)


def _absolute(path: str, request: HttpRequest | None) -> str:
    from django.conf import settings

    base: str = getattr(settings, "CERTIFICATES_BASE_URL", "")
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def _issued(*, person: User, kind: str, request: HttpRequest | None, **fields: Any) -> tuple[Certificate, bool]:
    """The issued certificate certifying exactly `fields`, or a new one; audited either way."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.filter(person=person, kind=kind, status=Status.ISSUED, **fields)
            .order_by("-issued_at", "-id")
            .first()
        )
        created = certificate is None
        if certificate is None:
            certificate = Certificate.objects.create(person=person, kind=kind, issued_at=timezone.now(), **fields)
        record_event(
            action="certificates.issue",
            request=request,
            actor=person,
            obj=certificate,
            detail={"kind": kind, "serial": certificate.serial, "new": created, **fields},
        )
    return certificate, created


def issue_ce_certificate(*, person: User, year: int, request: HttpRequest | None = None) -> tuple[Certificate, bytes]:
    """The 继续教育学分证明 of `year`, only when the year's summary meets the requirement.

    The summary is the one 继续教育 shows (`year_summary`: approved entries and the credits of every
    registered source, e.g. 机构登记). Raises CertificateRefused for a year that does not meet it.
    """
    from continuing_education.selectors import year_summary
    from dossier.models import PersonRecord

    record = PersonRecord.objects.select_related("unit").filter(person=person).first()
    if record is None:
        _refuse(
            person=person,
            kind=Kind.CE_YEAR,
            year=year,
            code="not_collected",
            message=_("Your information has not been approved yet, so no certificate can be issued."),
            request=request,
        )
    summary = year_summary(person, year)
    if not summary.meets:
        _refuse(
            person=person,
            kind=Kind.CE_YEAR,
            year=year,
            code="not_met",
            message=_(
                "The credits of %(year)s do not meet the requirement (at least %(min)s approved credits, professional "
                "subjects at least %(share)s of the total; approved so far: %(credits)s), so no certificate can be "
                "issued for that year."
            )
            % {
                "year": year,
                "min": summary.requirement.min_credits,
                "share": summary.requirement.share,
                "credits": summary.approved_credits,
            },
            request=request,
        )
    certificate, _created = _issued(
        person=person,
        kind=Kind.CE_YEAR,
        request=request,
        year=year,
        credits=summary.approved_credits,
        professional_credits=summary.professional_credits,
        unit_name=record.unit.name,
    )
    content = pdf.ce_certificate_pdf(
        certificate=certificate,
        person=person,
        summary=summary,
        unit_name=certificate.unit_name,
        url=_absolute(verify_path(certificate), request),
    )
    return certificate, content


def _photo_bytes(dossier: "Dossier") -> bytes | None:
    if not dossier.photo_id:
        return None
    from documents.storage import read_bytes

    photo = dossier.photo
    assert photo is not None and photo.file.name is not None  # photo_id is set; a stored document has its file
    try:
        return read_bytes(photo.file.storage, photo.file.name)
    except FileNotFoundError:
        logger.error("photo file missing for dossier %s", dossier.pk)
        return None


def issue_registration_form(*, person: User, request: HttpRequest | None = None) -> tuple[Certificate, bytes]:
    """The approved 会计人员信息登记表 (current version, with the photo). Raises CertificateRefused
    when the person has no approved record."""
    from dossier.selectors import approved_record

    record = approved_record(person)
    if record is None:
        _refuse(
            person=person,
            kind=Kind.REGISTRATION,
            code="not_collected",
            message=_("Your information has not been approved yet, so there is no registration form to download."),
            request=request,
        )
    dossier = record.current
    photo = _photo_bytes(dossier)  # read before writing anything: a storage outage refuses cleanly
    certificate, _created = _issued(
        person=person,
        kind=Kind.REGISTRATION,
        request=request,
        record_version=record.version,
        unit_name=record.unit.name,
    )
    content = pdf.registration_pdf(
        certificate=certificate,
        record=record,
        dossier=dossier,
        photo=photo,
        url=_absolute(verify_path(certificate), request),
    )
    return certificate, content
