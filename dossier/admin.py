from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextModelForm

from .models import OptionItem
from .options import invalidate_options


@admin.register(OptionItem)
class OptionItemAdmin(admin.ModelAdmin):
    """The option lists of the 信息采集 forms. A value in use must not change: correct the label."""

    form = CleanTextModelForm
    list_display = ["label", "list_key", "value", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["list_key", "is_active"]
    search_fields = ["label", "value"]
    ordering = ["list_key", "sort_order", "id"]
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return ["list_key", "value"] if obj is not None else []

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        invalidate_options()

    @admin.action(description=_("Offer the selected options"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)
        invalidate_options()

    @admin.action(description=_("Stop offering the selected options"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)
        invalidate_options()
