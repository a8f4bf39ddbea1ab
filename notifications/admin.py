"""Admin: the SMS outbox, read-only (rows change only through notifications.services)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone

from .models import Notification

# The whole phone number stays out of the admin: only its masked form is shown.
_FIELDS = (
    "dedupe_key",
    "masked_phone",
    "template",
    "params",
    "text",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
    "last_attempt_at",
    "lease_expires_at",
    "outcome_unknown_since",
    "sent_at",
    "provider_message_id",
    "last_error",
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["id", "masked_phone", "template", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status", "template"]
    search_fields = ["=dedupe_key", "=provider_message_id"]
    show_full_result_count = False
    ordering = ["-created_at"]
    fields = _FIELDS
    readonly_fields = _FIELDS

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: Notification) -> str:
        return mask_phone(obj.phone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
