"""Names of 施教机构 (training institutions): statuses, course modes, the XLSX template's columns."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.constants import IdType

SOURCE_CODE = "institution"  # the continuing_education.external source code
SOURCE_LABEL = _("Registered by institution")  # 机构登记


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class CourseMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")  # 面授
    ONLINE = "online", _("Online")  # 网络
    OTHER = "other", _("Other")  # 其他


class AttendanceStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    REVOKED = "revoked", _("Revoked")


class BatchStatus(models.TextChoices):
    VALIDATING = "validating", _("Checking")
    READY = "ready", _("Checked")
    FAILED = "failed", _("Could not be read")
    COMMITTED = "committed", _("Registered")


class EventKind(models.TextChoices):
    REGISTER = "register", _("Registered")
    CORRECT = "correct", _("Corrected")
    REVOKE = "revoke", _("Revoked")


# The 证件类型 column of the template: the Chinese names people type, whatever the UI language.
ID_TYPE_NAMES = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "港澳台居民居住证": IdType.RESIDENCE_PERMIT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "外国人永久居留身份证": IdType.FOREIGN_PR,
    "护照": IdType.PASSPORT,
}
ID_TYPE_CHINESE: dict[str, str] = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.RESIDENCE_PERMIT: "港澳台居民居住证",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PR: "外国人永久居留身份证",
    IdType.PASSPORT: "护照",
}

# The template's header row (Chinese: the file is filled in by institutions in Hubei).
COLUMNS = ("证件类型", "证件号码", "姓名", "参训日期")
MAX_UPLOAD_ROWS = 20000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
VALIDATION_BATCH = 1000

AUDIT_LABELS = {
    "institutions.create": _("Created a training institution"),
    "institutions.status": _("Changed the status of a training institution"),
    "institutions.staff_create": _("Created a training institution staff account"),
    "institutions.course_create": _("Registered a training course"),
    "institutions.upload": _("Uploaded a course attendee list"),
    "institutions.register": _("Registered course attendees and their credits"),
    "institutions.correct": _("Corrected an attendee's credits"),
    "institutions.revoke": _("Revoked an attendee's credits"),
}
