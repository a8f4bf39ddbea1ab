"""The 人员查询 form: one search kind and one value, normalised and checked like registration does."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dossier import people
from identity.constants import IdType
from identity.validators import normalize_id_number, validate_id_number, validate_mobile, validate_uscc

_RE_EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
# Every other document type (passports, permits, the 2017 permanent residence card).
_RE_OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$")
_RESIDENCE_PERMIT_AREAS = ("810000", "820000", "830000")

NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 50


def clean_id_number(raw: str) -> str:
    """The normalised ID number (full-width → ASCII, no spaces, X upper-case), checked as far as a
    number of unknown type can be: 15 digits or more must be a real resident ID / residence permit /
    permanent residence number (18 characters, check digit, birth date); anything else 5–20 letters
    and digits (passports, permits)."""
    number = normalize_id_number(raw)
    if _RE_EIGHTEEN.match(number):
        if number.startswith(_RESIDENCE_PERMIT_AREAS):
            return validate_id_number(IdType.RESIDENCE_PERMIT, number)
        if number.startswith("9"):
            return validate_id_number(IdType.FOREIGN_PR, number)
        return validate_id_number(IdType.RESIDENT_ID, number)
    if number.isdigit() and len(number) >= 15:
        # A resident ID number mistyped (or an old 15-digit one): validate_id_number says why.
        return validate_id_number(IdType.RESIDENT_ID, number)
    if not _RE_OTHER_ID.match(number):
        raise ValidationError(
            _(
                "An ID number has only letters and digits: 18 characters for a resident ID card, "
                "5 to 20 for other documents."
            ),
            code="format",
        )
    return number


def clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if len(name) < NAME_MIN_LENGTH:
        # One character (a surname) matches a large share of the province: at least two.
        raise ValidationError(_("Enter at least the first two characters of the name."), code="min_length")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(_("A name has at most 50 characters."), code="max_length")
    return name


class PeopleSearchForm(forms.Form):
    """Find an accountant in scope: by ID number, name (its beginning), mobile number or the
    employer's 统一社会信用代码. Posted, so that no ID number or phone lands in a URL or access log."""

    BY_CHOICES = (
        (people.ID_NUMBER, _("ID number")),
        (people.NAME, _("Name (beginning)")),
        (people.PHONE, _("Mobile phone")),
        (people.USCC, _("Employer's unified social credit code")),
    )
    _CLEANERS = {
        people.ID_NUMBER: clean_id_number,
        people.NAME: clean_name,
        people.PHONE: validate_mobile,
        people.USCC: validate_uscc,
    }
    _REQUIRED = {
        people.ID_NUMBER: _("Please enter the ID number."),
        people.NAME: _("Please enter the name or its beginning."),
        people.PHONE: _("Please enter the mobile number."),
        people.USCC: _("Please enter the unified social credit code."),
    }

    by = forms.ChoiceField(
        label=_("Search by"),
        choices=BY_CHOICES,
        initial=people.ID_NUMBER,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Choose what to search by.")},
    )
    q = forms.CharField(
        label=_("Search for"),
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        by = cleaned.get("by")
        if by is None:
            return cleaned
        raw = cleaned.get("q", "")
        if not raw.strip():
            self.add_error("q", ValidationError(self._REQUIRED[by], code="required"))
            return cleaned
        try:
            cleaned["q"] = self._CLEANERS[by](raw)
        except ValidationError as exc:
            self.add_error("q", exc)
        return cleaned
