"""The entry form of a credit record (manual §7.2) and the reviewer's settle form (item 14).

The form parses what was typed; the rules are the services' (`services.entry_problems`), so the form
and a direct service call refuse the same things with the same words.
"""

import datetime
from dataclasses import dataclass
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin

from .constants import CreditRule
from .exceptions import CreditError
from .rules import credits_for, max_credits_of, max_days_of, roles_of
from .selectors import allowed_years
from .services import Entry, entry_problems, years_message


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BootstrapForm(CleanTextMixin, forms.Form):
    """Bootstrap classes on the widgets, `is-invalid` on fields with errors once validated; text hygiene."""

    def _style(self):
        errors = self._errors or {}
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css + (" is-invalid" if name in errors else "")

    def full_clean(self):
        super().full_clean()
        self._style()


@dataclass(frozen=True)
class Estimate:
    """The credits shown while the person fills the form (not a promise: the reviewer decides)."""

    credits: int | None = None
    problem: str = ""
    reviewer_sets: bool = False
    max_credits: int | None = None


def _as_int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None if value in (None, "") else value


def estimate_credits(item, *, days=None, role=None, proposed=None) -> Estimate:
    """The credits of what has been typed so far, or what is still missing to compute them."""
    if item is None:
        return Estimate(problem=str(_("Choose an item to see its credits.")))
    reviewer_sets = item.rule == CreditRule.REVIEWER_SETS
    try:
        credits = credits_for(item, days=_as_int(days), role=role or None, proposed=_as_int(proposed))
    except CreditError as exc:
        return Estimate(problem=str(exc.message), reviewer_sets=reviewer_sets, max_credits=max_credits_of(item))
    return Estimate(credits=credits, reviewer_sets=reviewer_sets, max_credits=max_credits_of(item))


class CreditRecordForm(BootstrapForm):
    """One record: the item, its year and dates, the item's own fields, what it is, and a filing token.

    `items` are the items on offer; the fields an item does not use (days, role, proposed credits)
    are ignored for it. `also_year` keeps a returned record's year selectable for its correction.
    """

    item = forms.TypedChoiceField(
        label=_("Item"),
        coerce=int,
        error_messages={
            "required": _("Please choose an item."),
            "invalid_choice": _("This item is no longer offered. Please choose another one."),
        },
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    start_date = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        help_text=_("The day of the exam, publication or completion, or the first day of a meeting."),
        error_messages={"required": _("Please enter the date."), "invalid": _("Please enter a valid date.")},
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("For an activity of several days; leave empty otherwise."),
        error_messages={"invalid": _("Please enter a valid date.")},
    )
    days = forms.IntegerField(
        label=_("Days attended"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Please enter a whole number of days.")},
    )
    role = forms.CharField(label=_("Your role"), required=False, widget=forms.Select())
    proposed_credits = forms.IntegerField(
        label=_("Credits applied for"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Please enter a whole number of credits.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("The exam subject, or the name of the meeting, project, paper or book."),
        error_messages={
            "required": _("Please enter the title."),
            "max_length": _("At most %(limit_value)d characters."),
        },
    )
    organiser = forms.CharField(
        label=_("Organiser, journal or publisher"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("At most %(limit_value)d characters.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("At most %(limit_value)d characters.")},
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    # Fields an item shows only when its rule uses them.
    RULE_FIELDS = {
        CreditRule.PER_DAY: "days",
        CreditRule.BY_ROLE: "role",
        CreditRule.REVIEWER_SETS: "proposed_credits",
    }

    def __init__(self, *args, items, today=None, also_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.also_year = also_year
        self.items = {item.pk: item for item in items}
        cast(forms.ChoiceField, self.fields["item"]).choices = [
            ("", _("Please choose")),
            *((i.pk, str(i)) for i in items),
        ]
        years = allowed_years(today)
        if also_year is not None and also_year not in years:
            years = [*years, also_year]
        self.years = years
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, str(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = years_message(years)
        self.chosen_item = self._chosen_item()
        item = self.chosen_item
        roles = roles_of(item) if item else []
        self.fields["role"].widget.choices = [("", _("Please choose")), *((r, r) for r in roles)]
        if item and item.rule == CreditRule.REVIEWER_SETS:
            self.fields["proposed_credits"].help_text = _(
                "At most %(max)d. The reviewer settles the final credits."
            ) % {"max": max_credits_of(item)}
        if item and item.rule == CreditRule.PER_DAY:
            self.fields["days"].widget.attrs["max"] = max_days_of(item)
        self.entry: Entry | None = None
        self._style()

    def _chosen_item(self):
        raw = self.data.get(self.add_prefix("item")) if self.is_bound else self.initial.get("item")
        try:
            return self.items.get(int(raw))
        except (TypeError, ValueError):
            return None

    @property
    def item_field(self) -> str | None:
        """The name of the extra field the chosen item uses (days / role / proposed_credits), if any."""
        return self.RULE_FIELDS.get(self.chosen_item.rule) if self.chosen_item else None

    def estimate(self) -> Estimate:
        value = self.data.get if self.is_bound else self.initial.get
        return estimate_credits(
            self.chosen_item, days=value("days"), role=value("role"), proposed=value("proposed_credits")
        )

    def clean(self):
        cleaned = super().clean()
        item = self.items.get(cleaned.get("item"))
        if item is None or self.has_error("year") or self.has_error("start_date"):
            return cleaned
        if item.rule == CreditRule.PER_DAY:
            # The days are asked once: the last day follows from the first day and the days attended.
            days = cleaned.get("days")
            span = days - 1 if isinstance(days, int) and 1 <= days <= max_days_of(item) else 0
            cleaned["end_date"] = cleaned["start_date"] + datetime.timedelta(days=span)
        entry = Entry(
            item=item,
            year=cleaned["year"],
            start_date=cleaned["start_date"],
            end_date=cleaned.get("end_date"),
            title=cleaned.get("title") or "",
            organiser=cleaned.get("organiser") or "",
            note=cleaned.get("note") or "",
            days=cleaned.get("days"),
            role=cleaned.get("role") or "",
            proposed_credits=cleaned.get("proposed_credits"),
        )
        for field, message in entry_problems(entry, today=self.today, also_year=self.also_year).items():
            if field in self.fields and not self.has_error(field):
                self.add_error(field, message)
        self.entry = entry
        return cleaned


class SettleForm(forms.Form):
    """The reviewer's final credits of an item-14 record."""

    credits = forms.IntegerField(
        label=_("Settled credits"),
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric", "class": "form-control"}),
        error_messages={
            "required": _("Please enter the settled credits."),
            "invalid": _("Please enter a whole number of credits."),
        },
    )
