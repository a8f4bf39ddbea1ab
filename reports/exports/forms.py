"""The export forms: one per kind, the inbox's own filter form for applications.

A filter value that is not one of the offered choices (another county's unit, an unknown kind or
status) is an error shown next to its field: nothing is queued. The same forms validate the stored
filters again when the worker starts (`sources.build`).
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from continuing_education.models import CreditItem
from reviews.constants import REVIEWER_STATUSES
from reviews.forms import InboxFilterForm, InvalidFieldsMixin, normalize_id_number

from .constants import REASON_MAX_LENGTH

UNIT_NOT_IN_SCOPE = _("This unit is not one of yours: choose one of the units in the list.")
UNKNOWN_CHOICE = _("“%(value)s” is not one of the choices: choose one from the list.")
DATE_ORDER = _("The end date must not be before the start date.")


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _status_choices():
    return [("", _("All statuses")), *((s.value, s.label) for s in REVIEWER_STATUSES)]


class ExportFormMixin(InvalidFieldsMixin):
    """Unit choices from the person's scope, Chinese messages for unknown choices, Bootstrap classes.

    `full` (full ID and phone numbers) and `reason` are added for people whose role grants them; for
    anybody else a posted `full` is ignored (the field does not exist).
    """

    date_pairs: tuple[tuple[str, str], ...] = ()
    cleaned_data: dict[str, Any]  # set by forms.Form's full_clean (the mixin is always used with a Form)

    def __init__(self, *args, units=(), may_unmask=False, **kwargs):
        """`units`: (id, name) of the units in the person's scope (`reviews.scope.reviewer_unit_choices`)."""
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].choices = [("", _("All my units")), *units]
            self.fields["unit"].error_messages["invalid_choice"] = UNIT_NOT_IN_SCOPE
        if may_unmask:
            self.fields["full"] = forms.BooleanField(
                label=_("Full ID numbers and mobile numbers"),
                required=False,
                help_text=_("Only when the purpose needs them; the reason is recorded in the audit log."),
            )
            self.fields["reason"] = forms.CharField(
                label=_("Reason for full numbers"), required=False, max_length=REASON_MAX_LENGTH
            )
        for name, field in self.fields.items():
            if isinstance(field, forms.ChoiceField):
                if name != "unit":
                    field.error_messages["invalid_choice"] = UNKNOWN_CHOICE
                field.widget.attrs["class"] = "form-select"
            elif isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control"
        if "id_number" in self.fields:
            self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean(self):
        cleaned = super().clean()
        for start_name, end_name in self.date_pairs:
            start, end = cleaned.get(start_name), cleaned.get(end_name)
            if start and end and start > end:
                self.add_error(end_name, DATE_ORDER)
        if cleaned.get("full"):
            cleaned["reason"] = " ".join((cleaned.get("reason") or "").split())
            if not cleaned["reason"] and "reason" not in self.errors:
                self.add_error("reason", _("Say why the full numbers are needed."))
        return cleaned

    # ------------------------------------------------------------------ stored form

    def filter_values(self) -> dict[str, str]:
        """The filters as the strings a form accepts again (for the job row and the audit log)."""
        values = {}
        for name, value in self.cleaned_data.items():
            if name in ("full", "reason") or value in (None, ""):
                continue
            values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return values

    @property
    def wants_full(self) -> bool:
        return bool(self.cleaned_data.get("full"))

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("reason", "") if self.wants_full else ""


class RosterExportForm(ExportFormMixin, forms.Form):
    """人员名册: the approved records of the units in scope."""

    date_pairs = (("approved_from", "approved_to"),)

    unit = forms.TypedChoiceField(label=_("Managing unit"), required=False, coerce=int, empty_value=None)
    on_duty = forms.ChoiceField(
        label=_("In an accounting post"),
        required=False,
        choices=[("", _("Everyone")), ("yes", _("Yes")), ("no", _("No"))],
    )
    approved_from = _date_field(_("Approved from"))
    approved_to = _date_field(_("Approved to"))
    name = forms.CharField(label=_("Name (exact)"), required=False, max_length=50)
    id_number = forms.CharField(label=_("ID number (exact)"), required=False, max_length=32)


class ApplicationExportForm(ExportFormMixin, InboxFilterForm):
    """Applications of any kind, with the inbox's filters (and every status at once).

    The inbox form checks the order of the two dates itself.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices()


class CeExportForm(ExportFormMixin, forms.Form):
    """继续教育 records, by year, item and the status of their application."""

    unit = forms.TypedChoiceField(label=_("Reviewing unit"), required=False, coerce=int, empty_value=None)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    item = forms.TypedChoiceField(label=_("Item"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    name = forms.CharField(label=_("Name (exact)"), required=False, max_length=50)
    id_number = forms.CharField(label=_("ID number (exact)"), required=False, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices()
        self.fields["item"].choices = [
            ("", _("All items")),
            *((no, f"{no}. {name}") for no, name in CreditItem.objects.order_by("no").values_list("no", "name")),
        ]
