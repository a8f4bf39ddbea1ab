"""Kinds, states and formats of uploaded documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """What an upload is for; each kind has its own formats and limits."""

    PROOF = "proof", _("Proof")  # 证明材料: JPEG, PNG or PDF
    PHOTO = "photo", _("Photo")  # 个人照片: 295×413 JPEG, at most 20 KB


class DocumentStatus(models.TextChoices):
    """Where a document is in its life.

    temporary: uploaded from a form that has not been submitted yet; purged after a day.
    attached: belongs to an application (application_id is set); kept.
    rejected: a scanner refused it after it was stored; it is never shown to anybody.
    """

    TEMPORARY = "temporary", _("Temporary")
    ATTACHED = "attached", _("Attached")
    REJECTED = "rejected", _("Rejected by the scanner")


class ContentType(models.TextChoices):
    """The only formats accepted, decided by content, never by name."""

    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    PDF = "application/pdf", "PDF"


EXTENSIONS: dict[str, str] = {ContentType.JPEG: "jpg", ContentType.PNG: "png", ContentType.PDF: "pdf"}

# The 1-inch photo of the Hubei templates (DOMAIN.md, manual §4.3).
PHOTO_WIDTH = 295
PHOTO_HEIGHT = 413
PHOTO_SLOT = "photo"

# A slot names which proof a file is: "id_front", "diploma:2", "ce:item7".
SLOT_PATTERN = r"^[a-z][a-z0-9_]{0,39}(:[a-z0-9_]{1,19})?$"
