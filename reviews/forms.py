"""Forms of the reviewers' workspace: the inbox filter, the two decisions and the bulk approval."""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from core.widgets import LeanSelect

from .constants import BULK_APPROVE_MAX, RETURN_REASON_MAX_LENGTH, REVIEWER_STATUSES, Status
from .models import StandardReturnReason
from .registry import all_kinds
from .selectors import InboxFilters
from .services import TOO_MANY, ReviewError, clean_return_reason


def normalize_id_number(value: str) -> str:
    """Full-width to ASCII, no spaces, upper-case X: the form ID numbers are stored in."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


class InvalidFieldsMixin(CleanTextMixin):
    """Adds Bootstrap's `is-invalid` to the widgets of fields with errors; text hygiene (`core.forms`)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class InboxFilterForm(InvalidFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=LeanSelect)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(s.value, s.label) for s in REVIEWER_STATUSES],
        widget=LeanSelect,
    )
    # Up to 117 units for the province: rendered without a template per option (core.widgets).
    unit = forms.TypedChoiceField(
        label=_("Reviewing unit"), required=False, coerce=int, empty_value=None, widget=LeanSelect
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    submitted_to = forms.DateField(
        label=_("Submitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    name = forms.CharField(label=_("Name (exact)"), required=False, max_length=50)
    id_number = forms.CharField(label=_("ID number (exact)"), required=False, max_length=32)

    def __init__(self, *args: Any, units: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        """`units`: (id, name) of the units the reviewer may filter on (`scope.reviewer_unit_choices`)."""
        super().__init__(*args, **kwargs)
        # Both declared above as choice fields.
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("All kinds")),
            *((k.name, k.label) for k in all_kinds()),
        ]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", _("All my units")), *units]
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["unit"].widget.attrs["class"] = "form-select"
        for name in ("submitted_from", "submitted_to", "name", "id_number"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # forms.BaseForm.clean returns cleaned_data
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date must not be before the start date."))
        return cleaned

    def filters(self) -> InboxFilters:
        """The valid filters; an invalid one is left out (its error shows next to the field)."""
        data = getattr(self, "cleaned_data", {})
        return InboxFilters(
            kind=data.get("kind") or "",
            status=data.get("status") or Status.PENDING,
            unit_id=data.get("unit"),
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            name=data.get("name") or "",
            id_number=data.get("id_number") or "",
        )


class DecisionForm(forms.Form):
    """Carries the version the reviewer saw: a decision on anything newer is refused."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReturnForm(InvalidFieldsMixin, DecisionForm):
    # A plain list read once per form (values_list): no ModelChoiceField iterator, no server-side
    # cursor on PostgreSQL. The value is the reason's id, cleaned to an int (or None).
    standard_reason = forms.TypedChoiceField(
        label=_("Standard reason"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    detail = forms.CharField(
        label=_("Reason for the applicant"),
        required=False,
        max_length=RETURN_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("The applicant reads this reason on their page and in the SMS."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = list(StandardReturnReason.objects.filter(is_active=True).values_list("pk", "text"))
        self.reason_texts = dict(reasons)
        # Declared above as a choice field.
        cast(forms.ChoiceField, self.fields["standard_reason"]).choices = [
            ("", _("— choose a standard reason —")),
            *reasons,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # forms.BaseForm.clean returns cleaned_data
        reason = cleaned.get("standard_reason")
        parts = [self.reason_texts[reason]] if reason else []
        if cleaned.get("detail"):
            parts.append(cleaned["detail"])
        if "detail" in self.errors:
            return cleaned
        try:
            # Joined with a full-width semicolon: the reason is Chinese text.
            cleaned["reason"] = clean_return_reason("；".join(parts))
        except ReviewError as exc:
            self.add_error("detail", exc.message)
        return cleaned


# One inbox checkbox: "<application id>:<version seen>".
_SELECTION = re.compile(r"^(\d{1,18}):(\d{1,9})$")
# The inbox's own query string (filters), to go back to the same list afterwards.
_BACK = re.compile(r"^\?[A-Za-z0-9_.~%+=&-]*$")


class BulkApproveForm(forms.Form):
    """The inbox's "approve selected": pairs of id and version the reviewer saw.

    Anything else posted (status, unit, reviewer...) is ignored.
    """

    selected = forms.Field(
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one application to approve.")},
    )
    back = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean_selected(self) -> list[tuple[int, int]]:
        pairs: dict[int, int] = {}
        for value in self.cleaned_data["selected"]:
            match = _SELECTION.match(str(value))
            if match is None:
                raise forms.ValidationError(
                    _("This page is out of date. Please reload the inbox and select again."), code="stale"
                )
            pk, version = int(match[1]), int(match[2])
            pairs.setdefault(pk, version)
        if len(pairs) > BULK_APPROVE_MAX:
            raise forms.ValidationError(TOO_MANY % {"max": BULK_APPROVE_MAX}, code="too_many")
        return list(pairs.items())

    def clean_back(self) -> str:
        back = self.cleaned_data["back"]
        return back if _BACK.match(back) else ""
