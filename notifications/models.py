"""SMS outbox rows and the developer outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to send, written in the transaction of the change that causes it.

    A task delivers it after commit and marks it sent; `dedupe_key` makes a retry or a
    second delivery attempt harmless (at-least-once, de-duplicated). Never holds a code.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    dedupe_key = models.CharField(max_length=120, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=11)
    text = models.CharField(_("text"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "created_at"], name="notif_status_idx")]

    def __str__(self):
        return f"{self.dedupe_key} ({self.status})"


class DevSmsMessage(models.Model):
    """What the console backend 'sent', for the developer outbox page (DEBUG only)."""

    phone = models.CharField(max_length=11)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S}"
