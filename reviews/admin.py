"""Admin: standard return reasons are edited here; applications and events are read-only."""

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django_stubs_ext import StrOrPromise

from core.admin_paging import EstimatedCountPaginator
from core.forms import CleanTextModelForm
from core.masking import mask_id_number

from .models import Application, ReviewEvent, StandardReturnReason
from .registry import all_kinds

_M = TypeVar("_M", bound=Model)


class KindFilter(admin.SimpleListFilter):
    """Kinds from the registry: Django's default filter runs SELECT DISTINCT over every application."""

    title = Application._meta.get_field("kind").verbose_name
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> list[tuple[str, StrOrPromise]]:
        return [(kind.name, kind.label) for kind in all_kinds()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(StandardReturnReason)
class StandardReturnReasonAdmin(admin.ModelAdmin[StandardReturnReason]):
    form = CleanTextModelForm
    list_display = ["text", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["text"]


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Applications change only through reviews.services (lock, version, event, audit)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin[Application]):
    list_display = [
        "id",
        "kind",
        "applicant_name",
        "masked_id_number",
        "unit",
        "status",
        "last_submitted_at",
        "due_date",
    ]
    list_filter = ["status", KindFilter]
    list_select_related = ["unit"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # no COUNT(*) of the whole table (issue #10)
    exclude = ["applicant_id_number"]
    raw_id_fields = ["applicant", "unit", "decided_by"]

    @admin.display(description=Application._meta.get_field("applicant_id_number").verbose_name)
    def masked_id_number(self, obj: Application) -> str:
        return mask_id_number(obj.applicant_id_number)


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin[ReviewEvent]):
    list_display = ["created_at", "application_id", "event_type", "from_status", "to_status", "actor_name"]
    # Newest first, by id (the primary key's index): the model's order (created_at, id) had no index
    # and sorted 1.75 M rows for each page.
    ordering = ["-id"]
    # 1.75 M rows at 1 M accountants: no exact counts of the table (issue #10).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_filter = ["event_type"]
    raw_id_fields = ["application", "actor"]
