"""Administration of regions: divisions (read-only), review units and the holiday calendar.

Every write goes through regions.services, so paths stay true and caches are forgotten.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin

from . import calendar, services
from .exceptions import RegionError
from .models import CalendarException, CalendarYear, Division, ReviewUnit


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin[Division]):
    """GB/T 2260 divisions are data loaded by migration; nobody edits them by hand."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Division | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Division | None = None) -> bool:
        return False


class ReviewUnitAdminForm(CleanTextMixin, forms.ModelForm[ReviewUnit]):
    class Meta:
        model = ReviewUnit
        fields = ["code", "name", "level", "division", "parent", "sort_order", "is_active"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # django-stubs omits BaseModelForm._post_clean
        if self.errors:
            return
        # The rules of save_unit, checked here so that a refused move is shown next to its field.
        try:
            services.check_unit(unit=self.instance)
        except RegionError as exc:
            self.add_error(exc.field, exc.message)


@admin.register(ReviewUnit)
class ReviewUnitAdmin(admin.ModelAdmin[ReviewUnit]):
    """Units such as development zones are added here. Deactivate a unit instead of deleting it:
    applications and staff keep pointing at it."""

    form = ReviewUnitAdminForm
    list_display = ["code", "name", "level", "parent", "division", "path", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "path"]
    list_select_related = ["parent", "division"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: ReviewUnit, form: Any, change: bool) -> None:
        services.save_unit(unit=obj)

    def has_delete_permission(self, request: HttpRequest, obj: ReviewUnit | None = None) -> bool:
        return False


if TYPE_CHECKING:
    _WarningMixinBase = admin.ModelAdmin[Any]
else:
    _WarningMixinBase = object


class MissingYearsWarningMixin(_WarningMixinBase):
    """Remind in the changelist, every year, when this year or next lacks the State Council's notice."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        this_year = timezone.localdate().year
        for year in calendar.provisional_years([this_year, this_year + 1]):
            self.message_user(
                request,
                _(
                    "%(year)s: the holiday schedule is provisional (statutory holidays only, no make-up "
                    "workdays). Enter the State Council's notice for %(year)s and untick “provisional”."
                )
                % {"year": year},
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


class CalendarExceptionInline(admin.TabularInline[CalendarException, CalendarYear]):
    model = CalendarException
    fields = ["day", "kind", "name"]
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(MissingYearsWarningMixin, admin.ModelAdmin[CalendarYear]):
    """A year and its holidays and make-up workdays, entered from the State Council's notice."""

    list_display = ["year", "provisional", "source"]
    list_filter = ["provisional"]
    inlines = [CalendarExceptionInline]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        services.save_calendar_year(calendar_year=obj)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        services.delete_calendar_year(calendar_year=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for calendar_year in queryset:
            services.delete_calendar_year(calendar_year=calendar_year)

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet[CalendarException, CalendarYear, Any],
        change: bool,
    ) -> None:
        for exception in formset.save(commit=False):
            services.save_calendar_exception(exception=exception)
        for exception in formset.deleted_objects:
            services.delete_calendar_exception(exception=exception)


@admin.register(CalendarException)
class CalendarExceptionAdmin(MissingYearsWarningMixin, admin.ModelAdmin[CalendarException]):
    list_display = ["day", "kind", "name", "calendar_year"]
    list_filter = ["kind", "calendar_year"]
    search_fields = ["name"]
    date_hierarchy = "day"

    def save_model(self, request: HttpRequest, obj: CalendarException, form: Any, change: bool) -> None:
        services.save_calendar_exception(exception=obj)

    def delete_model(self, request: HttpRequest, obj: CalendarException) -> None:
        services.delete_calendar_exception(exception=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarException]) -> None:
        for exception in queryset:
            services.delete_calendar_exception(exception=exception)
