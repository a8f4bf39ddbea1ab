from django.contrib import admin

from core.forms import CleanTextModelForm
from core.options import OptionListAdminBase

from .models import IntegrityOption, NegativeRecord, PenaltyKind


@admin.register(IntegrityOption)
class IntegrityOptionAdmin(OptionListAdminBase):
    """The honour names and levels of the honour form. A value in use must not change: correct the label."""

    list_display = ["label", "list_key", "value", "asks_for_name", "sort_order", "is_active"]


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
