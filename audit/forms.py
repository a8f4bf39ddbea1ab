"""The audit viewer's filter form.

The ID number of a person is posted, never put in a URL (it would land in access logs): the view
resolves it to the accountant's id and redirects to a URL carrying that id (`person`). Every other
filter travels in the query string, so a page of results can be bookmarked and paged.
"""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.widgets import LeanSelect
from identity.validators import normalize_id_number
from regions.models import ReviewUnit

from .actions import action_choices
from .models import AuditEvent
from .selectors import (
    EventFilters,
    accountants_with_id_number,
    unit_filter_choices,
    units_for_filter,
    user_with_username,
)

MAX_PERSON_IDS = 6
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Actor (username)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    id_number = forms.CharField(
        label=_("Person (exact ID number)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    # Selects rendered without a template per option (core.widgets): ~60 actions, up to 117 units.
    action = forms.ChoiceField(
        label=pgettext_lazy("audit log column", "Action"), required=False, widget=LeanSelect(attrs=_SELECT)
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("All"))] + list(AuditEvent.Result.choices),
        widget=LeanSelect(attrs=_SELECT),
    )
    unit: forms.ModelChoiceField[ReviewUnit] = forms.ModelChoiceField(
        label=_("Unit (and the units below it)"),
        required=False,
        queryset=None,
        empty_label=_("All"),
        to_field_name="code",
        widget=LeanSelect(attrs=_SELECT),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format="%Y-%m-%d")
    )
    # The resolved person (accountant ids), carried in the URL instead of the ID number.
    person = forms.TypedMultipleChoiceField(required=False, coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All"))] + action_choices()
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = units_for_filter(user)  # validates a chosen code (one query, only then)
        # The options, from the cached (code, name) list instead of the queryset.
        unit.widget.choices = [("", unit.empty_label), *unit_filter_choices(user)]
        data = self.data
        person = data.getlist("person") if hasattr(data, "getlist") else data.get("person", [])
        # Ids only: anything else is refused by the field's own validation.
        self.fields["person"].choices = [(value, value) for value in person[:MAX_PERSON_IDS] if str(value).isdigit()]
        self.actor_user = None

    def clean_actor(self):
        username = self.cleaned_data["actor"].strip()
        if not username:
            return ""
        self.actor_user = user_with_username(username)
        if self.actor_user is None:
            raise forms.ValidationError(_("There is no account with this username."))
        return username

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        return normalize_id_number(raw) if raw else ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        id_number = cleaned.get("id_number")
        if id_number:
            found = accountants_with_id_number(id_number)
            if not found:
                self.add_error("id_number", _("No accountant with this ID number was found."))
            else:
                cleaned["person"] = found[:MAX_PERSON_IDS]
        return cleaned

    def filters(self) -> EventFilters:
        data = self.cleaned_data
        return EventFilters(
            actor_id=self.actor_user.pk if self.actor_user else None,
            person_ids=tuple(data.get("person") or ()),
            action=data.get("action") or "",
            result=data.get("result") or "",
            unit=data.get("unit"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def query_params(self) -> dict:
        """The filters as query-string parameters (never the ID number itself)."""
        data = self.cleaned_data
        params = {
            "actor": data.get("actor") or "",
            "action": data.get("action") or "",
            "result": data.get("result") or "",
            "unit": data["unit"].code if data.get("unit") else "",
            "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
            "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
            "person": [str(pk) for pk in data.get("person") or ()],
        }
        return {key: value for key, value in params.items() if value}

    def audit_detail(self) -> dict:
        """The filters as recorded in the audit row of a view or export (ids, never ID numbers)."""
        return self.query_params()
