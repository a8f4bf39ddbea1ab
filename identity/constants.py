from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    """证件类型 (DOMAIN.md, Identity documents)."""

    RESIDENT_ID = "resident_id", _("Resident identity card")  # 居民身份证
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit for HK/Macao/Taiwan residents")  # 港澳台居民居住证
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        _("Mainland travel permit for HK and Macao residents"),
    )  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")  # 台湾居民来往大陆通行证
    FOREIGN_PR = "foreign_pr", _("Foreign permanent resident ID card")  # 外国人永久居留身份证
    PASSPORT = "passport", _("Passport")  # 护照


class UserKind(models.TextChoices):
    ACCOUNTANT = "accountant", _("Accountant")
    STAFF = "staff", _("Finance bureau staff")


class StaffRole(models.TextChoices):
    """Staff roles. 等保 level 3 separation of duties: the system administrator (system settings and
    unit administrators), the security administrator (staff security: lockouts, devices, the audit
    log) and the auditor (reads the audit log, changes nothing) are different people."""

    REVIEWER = "reviewer", _("Reviewer")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")
    # Staff of a training institution (施教机构, app `institutions`): no review unit, and none of the
    # finance bureau's pages; they reach only their own institution's pages.
    INSTITUTION = "institution", _("Training institution staff")
