"""Hubei's administrative divisions and the review units (会计管理部门) that sit on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """A GB/T 2260 administrative division (省, 市/州, 区/县/县级市). Loaded as data."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("Prefecture-level")
        COUNTY = "county", _("County-level")
        # 429000 省直辖县级行政区划: a statistical grouping row, not a real division.
        GROUP = "group", _("Grouping")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self):
        return self.name


class ReviewUnit(models.Model):
    """A 会计管理部门: who reviews. Points at a division; its tree decides who sees what.

    The tree is 省直 (the province bureau, root) → each city's 市直 unit → its counties; the four
    county-level units directly under the province hang under 省直. A reviewer of a unit sees
    that unit and every unit below it: `path` is a materialised path of unit codes, so "all units
    at or below X" is one indexed prefix query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province (省直)")
        CITY = "city", _("City (市直)")
        COUNTY = "county", _("County")
        OTHER = "other", _("Other unit")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="review_units")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("review unit")
        verbose_name_plural = _("review units")

    def __str__(self):
        return self.name
