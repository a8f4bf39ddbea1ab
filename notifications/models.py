"""SMS outbox rows and the developer outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to send, written in the transaction of the change that causes it.

    The message is a provider template (`template`, a key of `notifications.messages`) with its
    parameters; `text` is the same message rendered, for people reading the outbox. A task
    delivers it after commit and marks it sent; `dedupe_key` makes queueing the same message twice
    harmless. Never holds a code.

    Life cycle (notifications.services): pending → sending (claimed by one worker: `attempts`
    counted, `lease_token` and `lease_expires_at` set; the provider is called outside any
    database transaction) → sent, or back to pending with `next_attempt_at` in the future
    (exponential backoff), or failed after the last attempt or a permanent error. A `sending` row
    whose lease expired (its worker died) is claimable again. Only the worker holding the current
    `lease_token` records the result. A system administrator can put a failed row back to pending.

    `outcome_unknown_since` is set while an earlier attempt may have been taken by the provider
    without our learning it (its worker died holding the lease, or it ended in a read time-out or a
    reset connection): the next attempt first asks the provider (`find_sent`) instead of sending again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    dedupe_key = models.CharField(max_length=120, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=11)
    template = models.CharField(_("template"), max_length=50, default="")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    text = models.CharField(_("text"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    # When the latest attempt was claimed.
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    # The start of the earliest attempt the provider may have taken unbeknown to us; None when every
    # earlier attempt is known to have been refused (or the row is sent).
    outcome_unknown_since = models.DateTimeField(_("outcome unknown since"), null=True, blank=True)
    # Set by each claim; the result of a send is recorded only by the holder of the current token.
    lease_token = models.UUIDField(_("lease token"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_status_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} ({self.status})"


class DevSmsMessage(models.Model):
    """What the console backend 'sent', for the developer outbox page (DEBUG only)."""

    phone = models.CharField(max_length=11)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S}"
