"""Certificate downloads (the accountant's own, from 继续教育 and 信息查询) and the public verification page."""

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import record_event
from core.masking import mask_id_number, mask_name
from core.request_info import client_ip
from core.request_types import ProjectHttpRequest
from identity.permissions import accountant_required
from identity.request_types import SignedInRequest

from . import services
from .constants import Kind, Validity
from .ratelimit import hit_verify
from .selectors import certificate_for_token, unsigned_token, validity_of


def _pdf(content: bytes, filename: str) -> FileResponse:
    from io import BytesIO

    return FileResponse(BytesIO(content), as_attachment=True, filename=filename, content_type="application/pdf")


def _refused(request: SignedInRequest, exc: services.CertificateRefused) -> HttpResponse:
    return render(request, "certificates/refused.html", {"message": exc.message}, status=404)


@accountant_required
@require_GET
def ce_certificate(request: SignedInRequest, year: int) -> HttpResponseBase:
    """继续教育学分证明 of `year` as a PDF (only the signed-in person's own; a year not met: 404 with why)."""
    try:
        certificate, content = services.issue_ce_certificate(person=request.user, year=year, request=request)
    except services.CertificateRefused as exc:
        return _refused(request, exc)
    return _pdf(content, f"继续教育学分证明-{year}-{certificate.serial}.pdf")


@accountant_required
@require_GET
def registration_form(request: SignedInRequest) -> HttpResponseBase:
    """会计人员信息登记表 of the signed-in person's approved record as a PDF."""
    try:
        certificate, content = services.issue_registration_form(person=request.user, request=request)
    except services.CertificateRefused as exc:
        return _refused(request, exc)
    return _pdf(content, f"会计人员信息登记表-{certificate.serial}.pdf")


def _invalid_number(request: ProjectHttpRequest) -> HttpResponse:
    return render(request, "certificates/invalid.html", status=404)


@require_GET
def verify(request: ProjectHttpRequest, signed: str) -> HttpResponse:
    """Public (no sign-in): what a certificate certifies and whether it is still valid.

    Rate-limited per IP address first; a token whose signature does not match is refused before any
    database access; validity is computed from the current data (`selectors.validity_of`).
    """
    retry_after = hit_verify(client_ip(request))
    if retry_after is not None:
        response = render(request, "certificates/rate_limited.html", {"retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    token = unsigned_token(signed)
    if token is None:
        return _invalid_number(request)
    certificate = certificate_for_token(token)
    if certificate is None:
        return _invalid_number(request)
    verification = validity_of(certificate)
    record_event(
        action="certificates.verify",
        request=request,
        actor=None,
        obj=certificate,
        detail={"validity": verification.validity},
    )
    person = certificate.person
    context = {
        "certificate": certificate,
        "verification": verification,
        "is_ce": certificate.kind == Kind.CE_YEAR,
        "masked_name": mask_name(person.full_name),
        "masked_id": mask_id_number(person.id_number),
        "Validity": Validity,
        "checked_at": timezone.now(),
        "heading": _("Certificate verification"),
    }
    return render(request, "certificates/verify.html", context)
