"""Hubei's administrative divisions, the review units (会计管理部门) that sit on them, and the
working-day calendar (public holidays and 调休 make-up workdays)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Division(models.Model):
    """A GB/T 2260 administrative division (省, 市/州, 区/县/县级市). Loaded as data."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("Prefecture-level")
        COUNTY = "county", _("County-level")
        # 429000 省直辖县级行政区划: a statistical grouping row, not a real division.
        GROUP = "group", _("Grouping")

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("division name"), max_length=50)
    level = models.CharField(_("division level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self) -> str:
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

    code = models.CharField(_("unit code"), max_length=20, unique=True)
    name = models.CharField(_("unit name"), max_length=50)
    level = models.CharField(_("unit level"), max_length=10, choices=Level.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("administrative division"), on_delete=models.PROTECT, related_name="review_units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Written only by regions.services.save_unit. On PostgreSQL, db_index on a CharField makes Django
    # create a second index "..._like" with varchar_pattern_ops, which serves `path LIKE '420100/%'`
    # under any collation (tested in regions/tests/test_units.py).
    path = models.CharField(_("unit path"), max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("review unit")
        verbose_name_plural = _("review units")

    def __str__(self) -> str:
        return self.name


class CalendarYear(models.Model):
    """A year whose holiday schedule has been entered.

    Rules: a year with a row here is computed from its CalendarException rows. A *provisional* year
    holds only the statutory holidays, computed by the `holidays` package before the State
    Council's notice (with its 调休 make-up workdays) is published; the admin reminds
    administrators to enter the notice and untick "provisional". A year without a row is computed
    from the same statutory holidays on the fly (never plain Monday to Friday), with a warning.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_(
            "Statutory holidays only, computed before the State Council's notice was published. "
            "Enter the notice's holidays and make-up workdays, then untick this."
        ),
    )
    source = models.CharField(
        _("source of the schedule"),
        max_length=200,
        blank=True,
        help_text=_("For example the number of the State Council notice."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday schedule year")
        verbose_name_plural = _("holiday schedule years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarException(models.Model):
    """One day that breaks the Monday-to-Friday rule.

    Rules: a holiday is a weekday on which nobody works (a weekend holiday needs no row); a make-up
    workday (调休) is a Saturday or Sunday on which everybody works; the day lies in its year.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday on a weekday")
        WORKDAY = "workday", _("Make-up workday on a weekend")

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="exceptions"
    )
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind of day"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("holiday name"), max_length=50, help_text=_("For example 国庆节 (National Day)."))

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.day is None:
            return
        if self.calendar_year_id is not None and self.day.year != self.calendar_year_id:
            errors["day"] = _("The date must lie in %(year)s.") % {"year": self.calendar_year_id}
        is_weekend = self.day.weekday() >= 5
        if self.kind == self.Kind.HOLIDAY and is_weekend:
            errors["kind"] = _("This date is a Saturday or Sunday: a holiday on it needs no entry.")
        elif self.kind == self.Kind.WORKDAY and not is_weekend:
            errors["kind"] = _("A make-up workday must be a Saturday or Sunday.")
        if errors:
            raise ValidationError(errors)
