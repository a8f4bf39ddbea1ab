"""Certificates issued as PDFs and verifiable by anyone (issue #11): 继续教育学分证明 of a year and the
approved 会计人员信息登记表.

Rules (enforced by `services`, the only writer):
- a 继续教育学分证明 is issued only for a year whose summary meets the requirement
  (`continuing_education.selectors.year_summary`); it keeps the figures it certified;
- a 登记表 is issued for the person's approved record and keeps the record version it shows;
- `token` is random (256 bits) and is never shown alone: the verification URL carries it signed
  (`selectors.signed_token`), so a forged or altered token is refused before any lookup;
- whether a certificate is still valid is computed at verification time from the current data
  (`selectors.verify`): a later approved 信息变更 supersedes a 登记表; credits revoked or withdrawn
  so that the year no longer meets the requirement invalidate that year's certificate.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import Kind, Status


def new_token() -> str:
    """43 URL-safe characters from 32 random bytes (256 bits)."""
    return secrets.token_urlsafe(32)


class Certificate(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="certificates"
    )
    # 继续教育: the year and the figures certified.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    credits = models.PositiveIntegerField(_("credits"), null=True, blank=True)
    professional_credits = models.PositiveIntegerField(_("professional credits"), null=True, blank=True)
    # 登记表: the version of the approved record shown.
    record_version = models.PositiveIntegerField(_("record version"), null=True, blank=True)
    unit_name = models.CharField(_("managing unit"), max_length=100, blank=True)

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["person", "kind", "year"], name="cert_person_kind_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=Kind.CE_YEAR, year__isnull=False, credits__isnull=False))
                | (models.Q(kind=Kind.REGISTRATION, record_version__isnull=False)),
                name="cert_kind_fields",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def serial(self) -> str:
        """The number printed on the certificate (not the token: it proves nothing by itself)."""
        prefix = "JX" if self.kind == Kind.CE_YEAR else "DJ"
        return f"{prefix}{self.issued_at:%Y%m%d}{self.pk:06d}"
