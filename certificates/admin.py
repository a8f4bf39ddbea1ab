from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only list; an administrator may only revoke (status), which the verification page shows."""

    list_display = (
        "serial",
        "kind",
        "person_name",
        "masked_id_number",
        "year",
        "record_version",
        "status",
        "issued_at",
    )
    list_filter = ("kind", "status", "year")
    fields = (
        "kind",
        "person",
        "year",
        "credits",
        "professional_credits",
        "record_version",
        "unit_name",
        "status",
        "issued_at",
    )
    readonly_fields = (
        "kind",
        "person",
        "year",
        "credits",
        "professional_credits",
        "record_version",
        "unit_name",
        "issued_at",
    )
    search_fields = ("person__id_number",)
    list_select_related = ("person",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"))
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.person.id_number)
