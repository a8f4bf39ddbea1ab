from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through documents.services. Files open through documents:view."""

    list_display = ("pk", "kind", "slot", "status", "content_type", "size", "application_id", "created_at")
    list_filter = ("kind", "status", "content_type")
    search_fields = ("=id", "=application_id", "=sha256")
    raw_id_fields = ("owner",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
