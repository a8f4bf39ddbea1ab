from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextModelForm

from .models import IntegrityOption, NegativeRecord, PenaltyKind
from .options import invalidate_options


@admin.register(IntegrityOption)
class IntegrityOptionAdmin(admin.ModelAdmin):
    """The honour names and levels of the honour form. A value in use must not change: correct the label."""

    form = CleanTextModelForm
    list_display = ["label", "list_key", "value", "asks_for_name", "sort_order", "is_active"]
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


@admin.register(PenaltyKind)
class PenaltyKindAdmin(admin.ModelAdmin):
    """Kinds of penalty and their bar from accounting work. Records keep the rule they were entered with."""

    form = CleanTextModelForm
    list_display = ["name", "ban_rule", "ban_years", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["ban_rule", "is_active"]


@admin.register(NegativeRecord)
class NegativeRecordAdmin(admin.ModelAdmin):
    """Read only: staff enter and revoke negative records on their own pages, where scope is checked
    and every change is audited."""

    list_display = ["penalty_kind", "decision_date", "unit", "entered_by_name", "created_at", "revoked_at"]
    list_filter = ["penalty_kind", "revoked_at"]
    date_hierarchy = "decision_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
