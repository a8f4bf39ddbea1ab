"""Forms of the accountant sign-in and registration pages (manual §4.1, §4.2).

Both forms serve two buttons: "获取短信验证码" validates everything but the SMS code (the image
captcha included: it is solved, and consumed, before every send), "登录" / "注册" validates everything
but the image captcha. One image code per attempt: the SMS code is bound to the session challenge
that only a send after a solved captcha creates (`identity.codes`), so the final submit asks for
that code alone and the service refuses it when no code was requested in this session.
"""

import re
import unicodedata
from typing import TYPE_CHECKING, Any, cast

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin

from .constants import IdType
from .validators import MSG_REQUIRED, normalize_id_number, validate_id_number, validate_mobile

_RE_SMS_CODE = re.compile(r"^\d{6}$")
# Besides letters, names may hold the middle dot of minority and foreign names (·), dots, hyphens,
# apostrophes and single spaces.
_NAME_PUNCTUATION = set("·•・.-' ")

if TYPE_CHECKING:
    _FormBase = forms.Form
else:
    _FormBase = object


class CaptchaInput(CaptchaTextInput):  # type: ignore[misc]  # django-simple-captcha ships no type information
    """The image captcha as a Bootstrap input group; clicking the image fetches a new one (core/app.js)."""

    template_name = "identity/accountant/captcha_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        context["refresh_url"] = reverse("captcha-refresh")
        return context


class SendCaptchaField(CaptchaField):  # type: ignore[misc]  # django-simple-captcha ships no type information
    """The image captcha, checked only when an SMS code is asked for (`checked=False`: ignored)."""

    checked = True

    def clean(self, value: Any) -> str:
        if not self.checked:
            return ""
        cleaned: str = super().clean(value)
        return cleaned


# For the type checker the mixin is a Form (it goes before one in the bases); at run time it stays a mixin.
class BootstrapErrorsMixin(CleanTextMixin, _FormBase):
    """Mark fields with errors `is-invalid` and point them at their message (aria-describedby);
    text hygiene on every free-text field (`core.forms`)."""

    # `error`: whatever Form.add_error takes (its overloads pair a None field with a dict of errors).
    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # `_errors`, not `errors` (which would run the whole cleaning); django-stubs omit the private attribute.
        for name in self._errors or {}:  # type: ignore[attr-defined]
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            classes = widget.attrs.get("class", "").split()
            if "is-invalid" not in classes:
                widget.attrs["class"] = " ".join([*classes, "is-invalid"])
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{name}-error"


class AccountantCodeForm(BootstrapErrorsMixin, forms.Form):
    """证件类型 + 证件号码 + 手机号 + 图形验证码 + 短信验证码. `sending=True`: the code is not asked for."""

    purpose = ""

    id_type = forms.ChoiceField(
        label=_("ID type"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
        error_messages={"required": _("Choose your ID type."), "invalid_choice": _("Choose a valid ID type.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        error_messages={"required": MSG_REQUIRED, "max_length": _("The ID number is too long.")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        error_messages={"required": _("Enter your mobile number."), "max_length": _("The mobile number is too long.")},
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}),
    )
    captcha = SendCaptchaField(
        label=_("Image code"),
        widget=CaptchaInput(attrs={"class": "form-control"}),
        error_messages={
            "required": _("Type the characters shown in the image."),
            "incomplete": _("Type the characters shown in the image."),
            "invalid": _("The image code is wrong or has expired. Type the characters of the new image."),
        },
        help_text=_("Needed only to get an SMS code. Click the image for a new one."),
    )
    sms_code = forms.CharField(
        label=_("SMS code"),
        max_length=12,
        error_messages={"required": _("Enter the 6-digit code sent to your phone.")},
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )

    def __init__(self, *args: Any, sending: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sending = sending
        if sending:
            self.fields["sms_code"].required = False
        else:
            # The captcha was solved (and used up) when the code was sent: not asked again.
            self.fields["captcha"].required = False
            cast(SendCaptchaField, self.fields["captcha"]).checked = False

    def clean_phone(self) -> str:
        return validate_mobile(self.cleaned_data["phone"])

    def clean_sms_code(self) -> str:
        if self.sending:
            return ""
        code = normalize_id_number(self.cleaned_data["sms_code"])
        if not _RE_SMS_CODE.match(code):
            raise ValidationError(_("The SMS code has 6 digits."), code="format")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("id_type") and "id_number" in data:
            try:
                data["id_number"] = validate_id_number(data["id_type"], data["id_number"])
            except ValidationError as exc:
                self.add_error("id_number", exc)
        return data


class AccountantLoginForm(AccountantCodeForm):
    """Sign-in (manual §1.2, §4.2): no password."""

    purpose = "login"


class AccountantRegistrationForm(AccountantCodeForm):
    """Registration (manual §4.1): the sign-in fields plus 姓名."""

    purpose = "register"

    full_name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages={"required": _("Enter your name."), "max_length": _("The name can have at most 50 characters.")},
        help_text=_("As written on your ID document."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )

    field_order = ["id_type", "id_number", "full_name", "phone", "captcha", "sms_code"]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name[:1].isalpha() or any(
            not (unicodedata.category(c).startswith("L") or c in _NAME_PUNCTUATION) for c in name
        ):
            raise ValidationError(
                _("A name holds letters or Chinese characters, with the middle dot (·) or spaces between parts."),
                code="format",
            )
        if len(name) < 2:
            raise ValidationError(_("The name is too short."), code="short")
        return name
