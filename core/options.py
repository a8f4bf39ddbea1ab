"""Option lists kept as rows administrators edit (dossier's 民族/学历/…, integrity's 奖励名称/级别).

Each app that keeps such lists has one concrete model built on `OptionItemBase` (the fields, their
order, `__str__`, and dropping the cached lists on every save or delete), one
`OptionListCache` (every list of the model, read at most once per request through
`core.request_memo`) and an admin built on `OptionListAdminBase`. The apps keep their own data
files, loaders and read helpers (`active_choices`, `label_for`, …).
"""

from collections.abc import Iterable
from typing import Any, ClassVar

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from . import request_memo
from .forms import CleanTextModelForm

CACHE_SECONDS = 3600


class OptionListCache:
    """Every list of one option-list model: {list_key: [(field, …), …]} in list order, cached.

    Read at most once per request (`core.request_memo`), from the cache otherwise; `invalidate()`
    drops it (the model does on every save and delete, the admin after bulk updates).
    """

    def __init__(self, key: str, model: str, fields: Iterable[str], seconds: int = CACHE_SECONDS):
        self.key = key
        self.model = model  # "app_label.ModelName": the model is looked up only when the lists are loaded
        self.fields = tuple(fields)
        request_memo.register(key, self.load, seconds)

    def load(self) -> dict[str, list[tuple]]:
        """The lists from the database (one query)."""
        model = apps.get_model(self.model)
        lists: dict[str, list[tuple]] = {}
        for list_key, *values in model.objects.order_by("list_key", "sort_order", "id").values_list(
            "list_key", *self.fields
        ):
            lists.setdefault(list_key, []).append(tuple(values))
        return lists

    def lists(self) -> dict[str, list[tuple]]:
        return request_memo.cached(self.key)

    def invalidate(self) -> None:
        request_memo.forget(self.key)


class OptionItemBase(models.Model):
    """An item of one app's option lists (abstract).

    `value` is what forms and records store and must never change once used; `label` is what people
    see and may be corrected. Inactive items are no longer offered nor accepted, but stay readable
    in old records. A concrete model sets `list_choices` (its lists: the choices of `list_key`),
    `option_lists` (its `OptionListCache`) and its own Meta (ordering, names, the unique constraint
    on list_key + value).
    """

    list_key = models.CharField(_("list"), max_length=40)  # choices: the concrete model's list_choices
    value = models.CharField(_("value"), max_length=100)
    label = models.CharField(_("label"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    list_choices: ClassVar[list[tuple[str, Any]]]
    option_lists: ClassVar[OptionListCache]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_list_key_display()}: {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.option_lists.invalidate()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        self.option_lists.invalidate()
        return result

    def get_list_key_display(self) -> str:
        return str(dict(self.list_choices).get(self.list_key, self.list_key))


@receiver(class_prepared)
def _give_list_key_its_choices(sender: type[models.Model], **kwargs: Any) -> None:
    """`list_key` of a concrete option model gets the model's `list_choices` (forms, validation,
    migrations see them as if declared on the field), keeping the fields in their declared order."""
    if issubclass(sender, OptionItemBase) and not sender._meta.abstract:
        sender._meta.get_field("list_key").choices = sender.list_choices


class OptionListAdminBase(admin.ModelAdmin):
    """The admin of an option-list model: labels, order and "offered" are edited; a value in use must
    not change, so list and value are read-only once an item exists. Bulk changes drop the cached lists.
    """

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
        self.model.option_lists.invalidate()

    @admin.action(description=_("Offer the selected options"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)
        self.model.option_lists.invalidate()

    @admin.action(description=_("Stop offering the selected options"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)
        self.model.option_lists.invalidate()
