"""Forms of the public 手机号更换 pages (manual §9).

Built on the accountant sign-in forms (`identity.accountant_forms`): the same document checks, the
image captcha before every SMS, and two buttons — "获取短信验证码" validates the identity part but not
the SMS code, the final button validates everything.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from identity.accountant_forms import AccountantCodeForm, AccountantRegistrationForm
from regions.forms import ReviewUnitField

from .constants import PHOTO_FIELDS, REASON_MAX_LENGTH, PhotoSlot
from .services import PhoneChangeError, clean_reason

_RE_SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _new_phone_field(**extra) -> forms.CharField:
    return forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        error_messages={
            "required": _("Enter the new mobile number."),
            "max_length": _("The mobile number is too long."),
        },
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}),
        **extra,
    )


def _photo_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        error_messages={
            "required": _("Choose this photo."),
            "invalid": _("Choose this photo."),
            "empty": _("The file is empty. Choose the photo again."),
        },
        widget=forms.FileInput(attrs={"class": "form-control", "accept": "image/jpeg,image/png"}),
    )


class PhoneChangeCodeForm(AccountantRegistrationForm):
    """证件类型 + 证件号码 + 姓名 + 新手机号 + 图形验证码 (+ 短信验证码): the part that asks for the code.

    The SMS code goes to the NEW number. `sending=True` (the "get code" button) does not ask for it.
    """

    purpose = "phone_change"

    phone = _new_phone_field(help_text=_("The SMS code is sent to this new number."))

    field_order = ["id_type", "id_number", "full_name", "phone", "captcha", "sms_code"]


class PhoneChangeApplyForm(PhoneChangeCodeForm):
    """The whole application: the identity part, then reason, unit and the three photos.

    Files are checked by `services.precheck_photos` and `inspect_photos` (content, not name); a form with any error keeps
    no file, so the photo fields say to choose them again.
    """

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": _("Please say why you are changing your mobile number."),
            "max_length": _("The reason may be at most %(limit_value)d characters long."),
        },
        help_text=_("For example: the old phone was lost, or the old number has been cancelled."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3, "maxlength": REASON_MAX_LENGTH}),
    )
    unit = ReviewUnitField(
        help_text=_(
            "If your information collection has been approved, the application goes to the unit that manages "
            "your record; otherwise to the unit chosen here."
        ),
    )
    photo_front = _photo_field(PhotoSlot.ID_FRONT.label)
    photo_back = _photo_field(PhotoSlot.ID_BACK.label)
    photo_in_hand = _photo_field(PhotoSlot.IN_HAND.label)
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_reason(self):
        try:
            return clean_reason(self.cleaned_data["reason"])
        except PhoneChangeError as exc:
            raise ValidationError(exc.errors["reason"], code="reason") from None

    def clean_submission(self):
        # A token from the page against double submits; anything malformed simply means none.
        token = self.cleaned_data.get("submission") or ""
        return token if _RE_SUBMISSION.match(token) else ""

    @property
    def photo_fields(self):
        return [self[name] for name in PHOTO_FIELDS]

    @property
    def files_were_posted(self) -> bool:
        return bool(self.files) and any(name in self.files for name in PHOTO_FIELDS)


class PhoneChangeStatusForm(AccountantCodeForm):
    """Progress lookup: 证件类型 + 证件号码 + 新手机号 + 图形验证码 + 短信验证码 (sent to the new number)."""

    purpose = "phone_change"

    phone = _new_phone_field(help_text=_("The new number you gave in your application; the SMS code is sent to it."))

    field_order = ["id_type", "id_number", "phone", "captcha", "sms_code"]
