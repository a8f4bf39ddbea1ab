"""Forms of the integrity pages. The rules live in `integrity.services`; the forms parse input, call
the services' checks and put each refusal next to its field."""

import json
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.forms import InvalidFieldsMixin, normalize_id_number

from .constants import (
    BASIS_MAX_LENGTH,
    BODY_MAX_LENGTH,
    DOCUMENT_NUMBER_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REVOKE_REASON_MAX_LENGTH,
    OptionList,
)
from .models import PenaltyKind
from .options import active_choices, values_asking_for_name
from .services import IntegrityRecordError, clean_honour_fields, clean_negative_fields

DATE_WIDGET_ATTRS = {"type": "date", "class": "form-control"}
DATE_ERRORS = {"invalid": _("Enter a valid date, for example 2024-05-01.")}


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs=dict(DATE_WIDGET_ATTRS), format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        **kwargs,
    )


class _RuleForm(InvalidFieldsMixin, forms.Form):
    """Runs a service's field check in clean() and shows its refusal next to the field it names."""

    def add_rule_error(self, exc: IntegrityRecordError) -> None:
        """Every refused field gets its message (unless the field already shows one)."""
        errors = exc.errors.items() if exc.errors else [(exc.field, exc.message)]
        for field, message in errors:
            if field not in self.fields:
                self.add_error(None, message)
                continue
            if field in self.errors:
                continue
            self.add_error(field, message)
            widget = self.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class HonourForm(_RuleForm):
    """录入页 (manual §8.2): 奖励名称 (or another honour's name), 级别, 时间, 授予单位, 文号.

    The proofs are posted beside it by the upload boxes (`services.take_proof_uploads`).
    """

    name_choice = forms.ChoiceField(label=_("Honour name"))
    other_name = forms.CharField(
        label=_("Name of the honour"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=_("Only when the honour is not in the list: type its full name."),
    )
    level = forms.ChoiceField(label=_("Level"))
    awarded_on = _date_field(_("Date awarded"))
    awarding_body = forms.CharField(label=_("Awarded by"), max_length=BODY_MAX_LENGTH)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=DOCUMENT_NUMBER_MAX_LENGTH,
        help_text=_("The number of the commendation document, for example 鄂财会发〔2024〕5号."),
    )
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        please = ("", _("Please choose"))
        self.fields["name_choice"].choices = [please, *active_choices(OptionList.HONOUR_NAME)]
        self.fields["level"].choices = [please, *active_choices(OptionList.HONOUR_LEVEL)]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif not field.widget.is_hidden and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = "form-control"
        # integrity.js shows the name box only for the items that ask for it.
        self.fields["name_choice"].widget.attrs["data-asks-name"] = json.dumps(
            values_asking_for_name(), ensure_ascii=False
        )
        self.fields["other_name"].widget.attrs["data-other-name"] = ""
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(
                clean_honour_fields(
                    name_choice=cleaned.get("name_choice"),
                    other_name=cleaned.get("other_name"),
                    level=cleaned.get("level"),
                    awarded_on=cleaned.get("awarded_on"),
                    awarding_body=cleaned.get("awarding_body"),
                    document_number=cleaned.get("document_number"),
                )
            )
        except IntegrityRecordError as exc:
            self.add_rule_error(exc)
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("name_choice", "other_name", "level", "awarded_on", "awarding_body", "document_number")
        }

    @classmethod
    def initial_from(cls, payload) -> dict:
        asks = payload.name_choice in values_asking_for_name()
        return {
            "name_choice": payload.name_choice,
            "other_name": payload.name if asks else "",
            "level": payload.level,
            "awarded_on": payload.awarded_on,
            "awarding_body": payload.awarding_body,
            "document_number": payload.document_number,
        }


class PersonSearchForm(InvalidFieldsMixin, forms.Form):
    """Find a person by exact ID number (posted, never in the URL)."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Please enter the ID number.")},
    )

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])


class NegativeRecordForm(_RuleForm):
    """A negative record (失信记录): 处罚种类, 依据, 决定机关, 决定日期, 期限 (from–to, or permanent), note."""

    penalty_kind = forms.ModelChoiceField(
        label=_("Penalty kind"),
        queryset=PenaltyKind.objects.filter(is_active=True),
        empty_label=_("Please choose"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    basis = forms.CharField(
        label=_("Legal basis"),
        max_length=BASIS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("The law and article the decision rests on, for example 《中华人民共和国会计法》第四十一条."),
    )
    authority = forms.CharField(
        label=_("Deciding authority"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    decision_date = _date_field(_("Decision date"))
    period_start = _date_field(_("Period from"))
    period_end = _date_field(_("Period to"), required=False)
    is_permanent = forms.BooleanField(
        label=_("Permanent"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "data-permanent": ""}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(clean_negative_fields(**self.service_fields()))
        except IntegrityRecordError as exc:
            self.add_rule_error(exc)
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "penalty_kind",
                "basis",
                "authority",
                "decision_date",
                "period_start",
                "period_end",
                "is_permanent",
                "note",
            )
        }


class RevokeForm(InvalidFieldsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REVOKE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Please give the reason for revoking the record.")},
    )
