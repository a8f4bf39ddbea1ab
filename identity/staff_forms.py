"""Forms of staff sign-in and of staff accounts in the admin."""

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from regions.models import ReviewUnit

from .constants import StaffRole
from .models import User

TOKEN_RE = re.compile(r"^\d{6}$")


class StaffLoginForm(CleanTextMixin, forms.Form):
    """工作人员登录: username, password and the 6-digit code of the authenticator app."""

    # One answer for every refusal: it must not tell which of the three was wrong.
    REFUSED = _("Incorrect username, password or authenticator code.")
    # Only said to someone who gave the right password (staff_services: REUSED_TOTP).
    CODE_REUSED = _(
        "This authenticator code has already been used. Please wait for the next code (about 30 seconds) and try again."
    )

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": _("Enter your username.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=_("Authenticator code"),
        help_text=_("The 6-digit code shown by the authenticator app bound to your account."),
        max_length=20,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}", "maxlength": "6"}
        ),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip()

    def clean_otp_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["otp_token"])
        if not TOKEN_RE.fullmatch(token):
            raise forms.ValidationError(_("The authenticator code is 6 digits."))
        return token


class StaffCreationForm(CleanTextMixin, forms.ModelForm[User]):
    """Admin form to add a staff member; saving goes through `create_staff` (see the admin)."""

    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "role", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _("2 to 30 letters, digits, dots, underscores or hyphens.")
        self.fields["full_name"].label = _("Full name")
        self.fields["full_name"].required = True
        self.fields["role"].required = True
        # The model form makes a choice field of `role` (choices on the model field) and a model
        # choice field of `unit` (a foreign key).
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "---------"), *StaffRole.choices]
        self.fields["unit"].required = True
        cast(forms.ModelChoiceField[ReviewUnit], self.fields["unit"]).queryset = ReviewUnit.objects.filter(
            is_active=True
        )

    def clean_username(self) -> str:
        # Uniqueness (ignoring case) is checked by create_staff, next to this field.
        username: str = self.cleaned_data["username"]
        return username.strip()

    def validate_unique(self) -> None:
        # create_staff owns the uniqueness rule; avoid a second, case-sensitive message.
        pass

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


# --------------------------------------------------------------------------- staff management


class UnitChoiceField(forms.ModelChoiceField[ReviewUnit]):
    def label_from_instance(self, obj: ReviewUnit) -> str:
        return obj.name


class StaffMemberForm(CleanTextMixin, forms.Form):
    """人员管理 → 新增: an administrator adds a reviewer or administrator within their scope.

    The choices offered are those of the actor's scope; a unit or role outside it (a forged post)
    gets a clear message at the field. The password is generated (a one-time password).
    """

    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_("2 to 30 letters, digits, dots, underscores or hyphens."),
        error_messages={"required": _("Enter a username.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=50, error_messages={"required": _("Enter the staff member's name.")}
    )
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    role = forms.ChoiceField(label=_("Role"), error_messages={"required": _("Choose a role.")})
    unit = UnitChoiceField(
        label=_("Review unit"),
        queryset=ReviewUnit.objects.none(),
        error_messages={"required": _("Choose a review unit.")},
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from .staff_management import UNIT_OUT_OF_SCOPE, assignable_units, grantable_roles

        super().__init__(*args, **kwargs)
        self.actor = actor
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "---------"), *grantable_roles(actor)]
        self.fields["role"].error_messages["invalid_choice"] = _("You cannot give this role.")
        cast(UnitChoiceField, self.fields["unit"]).queryset = assignable_units(actor)
        self.fields["unit"].error_messages["invalid_choice"] = UNIT_OUT_OF_SCOPE

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip()


class StaffAssignmentForm(forms.Form):
    """人员管理 → 调整: a new role and / or unit, within the actor's scope."""

    role = forms.ChoiceField(label=_("Role"), error_messages={"required": _("Choose a role.")})
    unit = UnitChoiceField(
        label=_("Review unit"),
        queryset=ReviewUnit.objects.none(),
        error_messages={"required": _("Choose a review unit.")},
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from .staff_management import UNIT_OUT_OF_SCOPE, assignable_units, grantable_roles

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = grantable_roles(actor)
        self.fields["role"].error_messages["invalid_choice"] = _("You cannot give this role.")
        cast(UnitChoiceField, self.fields["unit"]).queryset = assignable_units(actor)
        self.fields["unit"].error_messages["invalid_choice"] = UNIT_OUT_OF_SCOPE


# --------------------------------------------------------------------------- first sign-in


class FirstSignInForm(CleanTextMixin, forms.Form):
    """首次登录: username + the (one-time) password, for an account without an authenticator."""

    REFUSED = _(
        "Incorrect username or password, or this account already has an authenticator "
        "(then sign in on the staff sign-in page)."
    )

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": _("Enter your username.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip()


class EnrolTokenForm(forms.Form):
    """The code the authenticator app shows after scanning the QR code."""

    WRONG_CODE = _("This code does not match. Check the app's clock and enter the code it shows now.")

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        max_length=20,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}", "maxlength": "6"}
        ),
    )

    def clean_otp_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["otp_token"])
        if not TOKEN_RE.fullmatch(token):
            raise forms.ValidationError(_("The authenticator code is 6 digits."))
        return token
