"""Forms of the upload boxes. Field names are shared with the partial templates (see templatetags)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import SLOT_PATTERN

PICKER_PATTERN = r"^[a-z][a-z0-9_]{0,30}$"


def proof_prefix(slot: str) -> str:
    """Form prefix of the proof box of `slot`: fields "<prefix>-file" and "<prefix>-document"."""
    return f"proof-{slot}"


def slot_dom_id(slot: str) -> str:
    """A slot as an HTML id part (":" would need escaping in CSS selectors; slots never contain "-")."""
    return slot.replace(":", "-")


def is_valid_slot(slot: str) -> bool:
    return bool(re.fullmatch(SLOT_PATTERN, slot or ""))


def is_valid_picker(name: str) -> bool:
    return bool(re.fullmatch(PICKER_PATTERN, name or ""))


class UploadForm(forms.Form):
    """One file of a proof box: `<prefix>-file`."""

    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service says what is wrong with an empty file
        error_messages={"required": _("Choose a file first."), "invalid": _("Choose a file first.")},
    )


class PhotoUploadForm(UploadForm):
    """The photo picker: `<name>-file` and the crop `<name>-crop_x/_y/_w/_h` in source pixels.

    The crop is filled by photo.js; without it (no JavaScript, or a partial crop) the centre is used.
    A view receiving the collection form without JavaScript can use it too:
    `PhotoUploadForm(request.POST, request.FILES, prefix="photo")`, then `store_photo(..., crop=form.cleaned_data["crop"])`.
    """

    # Hidden and filled by script: anything unreadable means "no crop", never an error to show.
    crop_x = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_y = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_w = forms.CharField(required=False, widget=forms.HiddenInput)
    crop_h = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        try:
            crop = tuple(round(float(cleaned.get(name) or "")) for name in ("crop_x", "crop_y", "crop_w", "crop_h"))
        except (TypeError, ValueError, OverflowError):
            crop = None
        cleaned["crop"] = crop
        return cleaned
