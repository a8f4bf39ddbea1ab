"""Kinds and states of certificates, the audit actions of this app, the signer's salt."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CE_YEAR = "ce_year", _("Continuing education credits of a year")  # 继续教育学分证明
    REGISTRATION = "registration", _("Accountant registration form")  # 会计人员信息登记表


class Status(models.TextChoices):
    """The stored status: only an administrator's revocation is stored; whether the certified facts
    still hold (credits still meet the requirement, the form is still the current version) is computed
    when the certificate is verified."""

    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class Validity(models.TextChoices):
    """What the verification page says about a certificate, computed from the current data."""

    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    INVALID = "invalid", _("No longer valid")
    REVOKED = "revoked", _("Revoked")


# django.core.signing salt of the verification URL's token: a token signed for anything else
# (or with another SECRET_KEY) is refused.
SIGNING_SALT = "certificates.verify"

# Public verification: requests per IP address and window (seconds); settings may override.
DEFAULT_VERIFY_LIMIT = 30
DEFAULT_VERIFY_WINDOW = 60

AUDIT_LABELS = {
    "certificates.issue": _("Issued a certificate PDF"),
    "certificates.refused": _("Certificate refused"),
    "certificates.verify": _("Verified a certificate"),
}
