"""The audit log and the third-party security tables (django-axes, django-otp) in the admin.

The audit table is large and append-only: the changelist never counts the whole table, never
runs a DISTINCT over it (the action filter lists the registered actions, the date filter is a
range on the indexed `created_at`), and no row can be added, changed or deleted here.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .actions import action_choices, label_for
from .models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """Filter on the action code; the choices come from the registry, not from the table."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class EstimatedCountPaginator(Paginator):
    """On PostgreSQL an unfiltered audit list takes the planner's row estimate, not COUNT(*)."""

    @cached_property
    def count(self):
        query = self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [AuditEvent._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > 10_000:
                return int(row[0])
        return super().count


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_column",
        "actor_role",
        "actor_unit",
        "action_label",
        "object_column",
        "result",
        "ip",
    ]
    list_display_links = ["created_at"]
    list_filter = [ActionFilter, "result", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "object_id", "request_id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    readonly_fields = ["action_label"]

    @admin.display(description=_("actor"), ordering="actor_name")
    def actor_column(self, obj):
        return obj.actor_name or _("(system or anonymous)")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        label = label_for(obj.action)
        if label == obj.action:
            return obj.action
        return format_html('{} <small class="quiet">{}</small>', label, obj.action)

    @admin.display(description=_("object"))
    def object_column(self, obj):
        if not obj.object_type:
            return "—"
        return f"{obj.object_type} #{obj.object_id}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------------------------
# django-axes: its strings are translated in audit's catalogue (audit.thirdparty); the admins are
# re-registered read-only-safe as they are, only the lists lose their full count.

for _model, _admin_class in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin_class.__name__, (_admin_class,), {"show_full_result_count": False}))


# ---------------------------------------------------------------------------------------------
# django-otp: plain English strings in the admin class; Chinese names for the fieldsets and the
# QR code column (the model and field names are set in audit.thirdparty).

TOTP_FIELDSETS = {
    "Identity": _("Device"),
    "Timestamps": _("Dates"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling after failed codes"),
}


class ChineseTOTPDeviceAdmin(TOTPDeviceAdmin):
    def get_fieldsets(self, request, obj=None):
        return [(TOTP_FIELDSETS.get(name, name), options) for name, options in super().get_fieldsets(request, obj)]

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device):
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">{}</a>', href, _("show the QR code"))


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, ChineseTOTPDeviceAdmin)
