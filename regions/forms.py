"""The review-unit picker: choose a 市州, then a 区县/管理部门 of it.

Use it in any form (the 信息采集 form, the 信息变更 form, the 手机号更换 form):

    from regions.forms import ReviewUnitField

    class WorkForm(forms.Form):
        unit = ReviewUnitField()              # cleaned_data["unit"] is an active ReviewUnit

    # In a ModelForm, ReviewUnitField() replaces the ForeignKey's default field; the instance's
    # unit (a ReviewUnit or its pk) pre-selects both selects.

and in the form's template:

    {% block head %}{{ form.media }}{% endblock %}          {# regions/unit_picker.js #}
    ...
    {% include "regions/_unit_picker.html" with field=form.unit %}

The partial renders the manual's 属地化 warning, the two selects (POST names `<name>_city` and
`<name>`; the second holds the unit code), the error next to them (`is-invalid` +
`invalid-feedback`) and the help text. With JavaScript, changing the 市州 asks
`regions:unit_options?city=<code>` (htmx) for the second select's options. Without JavaScript the
second select lists every unit grouped by 市州 (`<optgroup>`); if someone changes the 市州 and
submits a unit of another one, the form answers with an error and the units of the new 市州.
A bound form with an error shows both selects as they were submitted.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from .models import ReviewUnit
from .selectors import PickerGroup, picker_group, picker_group_of, picker_groups, unit_by_code


def _as_pair(value: object) -> tuple[str, str]:
    """(city code, unit code) from submitted data, a ReviewUnit, its pk or its code."""
    if value in (None, ""):
        return "", ""
    if isinstance(value, list | tuple):
        city, unit = (list(value) + ["", ""])[:2]
        return str(city or ""), str(unit or "")
    if isinstance(value, ReviewUnit):
        code = value.code
    elif isinstance(value, int):
        code = next((u.code for g in picker_groups() for u in g.units if u.pk == value), "")
    else:
        code = str(value)
    group = picker_group_of(code)
    return (group.code if group else ""), code


class UnitPickerWidget(forms.Widget):
    """Two selects: the top unit (市州) and the unit of that 市州. Renders from cached data."""

    template_name = "regions/widgets/unit_picker.html"
    city_suffix = "_city"

    class Media:
        js = ["regions/unit_picker.js"]

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> tuple[str, str]:
        return data.get(name + self.city_suffix, ""), data.get(name, "")

    def value_omitted_from_data(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> bool:
        return name not in data and name + self.city_suffix not in data

    def format_value(self, value: Any) -> tuple[str, str]:
        return _as_pair(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        city, unit = widget["value"]
        groups = picker_groups()
        city_group: PickerGroup | None = picker_group(city) if city else None
        unit_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["id"] = unit_id
        widget.update(
            city_name=name + self.city_suffix,
            city_id=unit_id + self.city_suffix,
            selected_city=city_group.code if city_group else "",
            selected_unit=unit,
            groups=groups,
            city_group=city_group,
            invalid=widget["attrs"].get("aria-invalid") == "true",
            options_url=reverse("regions:unit_options"),
            direct_units="、".join(u.name for u in groups[0].units[1:]) if groups else "",
            root_label=groups[0].label if groups else "",
        )
        return context


class ReviewUnitField(forms.Field):
    """A form field whose cleaned value is an active ReviewUnit, chosen by its code.

    Errors (Chinese through the catalogue): nothing chosen; a code that is not an active unit; a
    unit that does not belong to the chosen 市州.
    """

    widget = UnitPickerWidget
    default_error_messages = {
        "required": _("Choose the district, county or management department."),
        "invalid_choice": _("The chosen unit does not exist or is no longer in use. Choose again."),
        "wrong_city": _("The chosen unit does not belong to the chosen city. Choose the district or county again."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Administrative division"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> ReviewUnit | None:
        city, code = _as_pair(value) if isinstance(value, list | tuple) else ("", str(value or ""))
        if not code:
            return None
        if city:
            group = picker_group(city)
            if group is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            if all(u.code != code for u in group.units):
                raise forms.ValidationError(self.error_messages["wrong_city"], code="wrong_city")
        unit = unit_by_code(code)
        if unit is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        return _as_pair(initial)[1] != _as_pair(data)[1]
