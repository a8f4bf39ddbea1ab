"""Form plumbing shared by every app: text hygiene on every free-text field.

`CleanTextMixin` runs `core.text.clean_text` on the value of every `forms.CharField` of the form
(and its subclasses: EmailField, RegexField, model CharField/TextField form fields...) before the
field's own checks, its `clean_<name>()` and the form's `clean()`, so every app's forms refuse
control, zero-width and bidi characters with the same message naming the field, without per-field
code. A `Textarea` field is multi-line (keeps newlines and tabs). Password and hidden inputs are
left alone (passwords are never shown back; hidden fields are not typed and check themselves).
"""

from functools import cache
from typing import TYPE_CHECKING

from django import forms

from .text import clean_text


class CleanTextFieldMixin:
    """On a CharField: `to_python` followed by `clean_text` with the field's label."""

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str) or value == "":
            return value
        return clean_text(value, field_label=self.label, multiline=isinstance(self.widget, forms.Textarea))


class CleanCharField(CleanTextFieldMixin, forms.CharField):
    """A CharField with text hygiene, for forms that do not use `CleanTextMixin`."""


@cache
def _clean_class(cls: type) -> type:
    return type(f"Clean{cls.__name__}", (CleanTextFieldMixin, cls), {"__module__": __name__})


def wants_hygiene(field: forms.Field) -> bool:
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field, CleanTextFieldMixin)
        and not isinstance(field.widget, (forms.PasswordInput, forms.HiddenInput))
    )


def apply_text_hygiene(fields) -> None:
    """Give every free-text field in `fields` (a form's own copies) the cleaning `to_python`."""
    for field in fields.values():
        if wants_hygiene(field):
            # typeshed's lru_cache asks for Hashable, which it does not see a class as.
            field.__class__ = _clean_class(type(field))  # type: ignore[arg-type]


if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # for the type checker: the mixin is only ever put before a form class
else:
    _FormBase = object


class CleanTextMixin(_FormBase):
    """Put first in a form's bases: every free-text field is cleaned by `core.text.clean_text`."""

    def full_clean(self) -> None:
        apply_text_hygiene(self.fields)
        super().full_clean()


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The ModelForm of the Django admin's edit pages of text data (`ModelAdmin.form`): the text an
    administrator types (return reasons, option labels, item and unit names) gets the same hygiene."""
