from django.contrib import admin

from core.forms import CleanTextModelForm

from .models import AnnualRequirement, CreditItem


@admin.register(CreditItem)
class CreditItemAdmin(admin.ModelAdmin):
    """The 1–14 items. `params` are checked against the rule on save (CreditItem.clean).

    Records keep the number, name, rule and subject they were filed under, so edits apply to new
    records only; an item in use cannot be deleted — stop offering it instead.
    """

    form = CleanTextModelForm
    list_display = ["no", "name", "rule", "params", "subject", "is_active", "sort_order"]
    list_display_links = ["no", "name"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["rule", "subject", "is_active"]
    search_fields = ["name"]
    ordering = ["sort_order", "no"]


@admin.register(AnnualRequirement)
class AnnualRequirementAdmin(admin.ModelAdmin):
    """The yearly requirement (≥ 90 credits, 专业科目 ≥ 2/3), from a year on."""

    list_display = ["from_year", "min_credits", "share_numerator", "share_denominator", "source"]
    ordering = ["-from_year"]
