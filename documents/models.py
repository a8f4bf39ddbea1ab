"""Uploaded files: proofs and photos, stored under server-made names, served only after a check."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import EXTENSIONS, ContentType, DocumentKind, DocumentStatus


def document_path(instance: "Document", filename: str = "") -> str:
    """docs/<yyyy>/<mm>/<uuid>.<ext>: never anything the person typed or named."""
    created = instance.created_at or timezone.now()
    return f"docs/{created:%Y}/{created:%m}/{instance.pk}.{EXTENSIONS[instance.content_type]}"


class Document(models.Model):
    """One stored file.

    Rules: the content type is decided by the bytes (magic bytes and a successful decode), never
    by the name or the browser; images are re-encoded before storing, so the stored bytes (and
    their SHA-256) are what was checked; the original name is sanitised metadata only. A row
    always has its file and a file always has its row. A document belongs to its owner until an
    application takes it (`application_id`, deliberately not a foreign key: documents does not
    know the review engine); temporary ones are purged after a day; rejected ones are never shown.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.PROOF)
    slot = models.CharField(_("slot"), max_length=60)
    application_id = models.BigIntegerField(_("application"), null=True, blank=True, db_index=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=120, blank=True)
    content_type = models.CharField(_("content type"), max_length=40, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.TEMPORARY
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["owner", "slot", "status"], name="documents_owner_slot_idx"),
            models.Index(fields=["status", "created_at"], name="documents_status_created_idx"),
        ]

    def __str__(self):
        return f"{self.slot} {self.pk}"

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def is_image(self) -> bool:
        return self.content_type in (ContentType.JPEG, ContentType.PNG)

    @property
    def download_name(self) -> str:
        """The original name's stem with the extension of what the file really is."""
        stem = self.original_name.rsplit(".", 1)[0] if "." in self.original_name else self.original_name
        return f"{stem or self.slot.replace(':', '-')}.{self.extension}"
