"""Admin: the SMS outbox, read-only (rows change only through notifications.services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "masked_phone", "template", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status", "template"]
    search_fields = ["=dedupe_key", "=provider_message_id"]
    show_full_result_count = False
    ordering = ["-created_at"]
    # The whole phone number stays out of the admin: only its masked form is shown.
    fields = [
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
    ]
    readonly_fields = fields

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
