from django.contrib import admin

from .models import CourseCreditRule, Institution


@admin.register(CourseCreditRule)
class CourseCreditRuleAdmin(admin.ModelAdmin):
    list_display = ("from_year", "mode", "rule", "params", "source")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "status")
    list_filter = ("status",)
    search_fields = ("name", "uscc")
    readonly_fields = ("uscc", "created_by", "created_at")
