"""Widgets rendered in Python, for the few selects that carry many options on hot pages.

Django's `Select` renders every option through three templates (select, option, attrs): about
0.1 ms per option, 12–15 ms for the 117 review units of the province's inbox filter (issue #10).
`LeanSelect` writes the same markup in one pass over the choices.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class LeanSelect(forms.Select):
    """A single-value `<select>` rendered without templates; same attributes and options as `Select`.

    Grouped choices (optgroups) fall back to Django's rendering.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option_value,
                    mark_safe(" selected") if option_value in selected else "",  # noqa: S308 - a constant
                    label,
                )
            )
        return mark_safe(  # noqa: S308 - every part is escaped above
            f"<select{flatatt(final_attrs)}>\n" + "\n".join(conditional_escape(o) for o in options) + "\n</select>"
        )
