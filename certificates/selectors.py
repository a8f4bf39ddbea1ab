"""Reads of certificates: the signed token of the verification URL, and what a certificate is worth now."""

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.urls import reverse

from identity.models import User

from .constants import SIGNING_SALT, Kind, Status, Validity
from .models import Certificate


def _signer() -> signing.Signer:
    return signing.Signer(salt=SIGNING_SALT)


def signed_token(certificate: Certificate) -> str:
    """The token as the verification URL carries it: `<token>:<signature>` (HMAC-SHA256, salted)."""
    return _signer().sign(certificate.token)


def unsigned_token(value: str) -> str | None:
    """The token inside a signed value, or None when the signature does not match (no DB access)."""
    try:
        return _signer().unsign(value)
    except signing.BadSignature:
        return None


def verify_path(certificate: Certificate) -> str:
    return reverse("certificates:verify", args=[signed_token(certificate)])


@dataclass(frozen=True)
class Verification:
    """A certificate and its validity now, with the reason in words when it is not valid."""

    certificate: Certificate
    validity: str
    current_version: int | None = None
    current_credits: int | None = None

    @property
    def is_valid(self) -> bool:
        return self.validity == Validity.VALID


def certificate_for_token(token: str) -> Certificate | None:
    return Certificate.objects.select_related("person").filter(token=token).first()


def validity_of(certificate: Certificate) -> Verification:
    """Whether the certified facts still hold, computed from the current data.

    - revoked by an administrator: revoked;
    - 登记表: valid while its version is the approved record's current version, superseded after a
      later approved 信息变更 (or invalid if the person has no approved record any more);
    - 继续教育: valid while the year's summary (every source of credits: approved entries and
      institution-registered credits) still meets the requirement; invalid otherwise.
    """
    if certificate.status == Status.REVOKED:
        return Verification(certificate, Validity.REVOKED)
    if certificate.kind == Kind.REGISTRATION:
        from dossier.models import PersonRecord

        version = PersonRecord.objects.filter(person=certificate.person_id).values_list("version", flat=True).first()
        if version is None:
            return Verification(certificate, Validity.INVALID)
        if version != certificate.record_version:
            return Verification(certificate, Validity.SUPERSEDED, current_version=version)
        return Verification(certificate, Validity.VALID, current_version=version)
    from continuing_education.selectors import year_summary

    assert certificate.year is not None  # a continuing-education certificate has its year (constraint cert_kind_fields)
    summary = year_summary(certificate.person, certificate.year)
    validity = Validity.VALID if summary.meets else Validity.INVALID
    return Verification(certificate, validity, current_credits=summary.approved_credits)


def record_section_context(person: User) -> dict[str, Any]:
    """What the 信息查询 page's certificate section needs (the page shows it only with a record)."""
    return {}
