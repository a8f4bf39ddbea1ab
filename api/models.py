"""Clients of the data-exchange API and the responses kept for idempotent POSTs.

Rules (enforced by `services`, the only writer):
- a client is registered by the system administrator (Django admin) with its scopes; its secret is
  shown once. The database keeps only a random salt and a SHA-256 fingerprint of the secret: the
  secret itself is HMAC-SHA256(API_SIGNING_KEY, salt), so a database dump alone forges nothing;
  issuing a new secret replaces the salt (the old secret stops working at once);
- an institution client is tied to one institution and acts through a service account (an inactive
  staff user that can never sign in), which is what course and attendee rows name as their author;
- a records client may be limited to one review unit (and the units below it);
- an idempotency record is unique per (client, key): the same key with the same request replays
  the stored response, with another request it is refused (409).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client id"), max_length=40, unique=True, editable=False)
    secret_salt = models.CharField(max_length=64, editable=False)
    secret_fingerprint = models.CharField(_("secret fingerprint"), max_length=16, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "regions.ReviewUnit",
        verbose_name=_("limited to unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    secret_issued_at = models.DateTimeField(_("secret issued at"), null=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return f"{self.name} ({self.client_id})"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent response")
        verbose_name_plural = _("idempotent responses")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_unique_key")]

    def __str__(self):
        return f"{self.client_id}:{self.key}"
