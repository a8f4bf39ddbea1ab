"""The dashboard's table cells and unit options, written in Python (issue #10: key pages at the cost floor).

The province's dashboard has some 600 table cells and 117 unit options: through the template language
(a `{% for %}`, `{% if %}` and a variable per cell) they cost more than every figure's query together.
These write the same markup as the template did, in one pass: values localized and escaped like
`{{ value }}`, None as an em dash.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _value(value: Any) -> str:
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() gives an int without grouping, at a fraction of its cost
    return conditional_escape(localize(value))


@register.filter
def row_cells(row: Sequence[Any]) -> SafeString:
    """`<th scope="row">` for the first cell (the row header), `<td class="text-end">` for the others."""
    if not row:
        return mark_safe("")  # noqa: S308 - empty
    first, *rest = row
    cells = [f'<th scope="row">{_value(first)}</th>']
    cells += [
        '<td class="text-end">—</td>' if cell is None else f'<td class="text-end">{_value(cell)}</td>' for cell in rest
    ]
    return mark_safe("".join(cells))  # noqa: S308 - every value is escaped by _value


@register.simple_tag
def unit_options(units: Iterable[Mapping[str, Any]], selected: str) -> SafeString:
    """The `<option>`s of the unit filter (`Scope.choices`), the selected unit's marked."""
    options = [
        f'<option value="{conditional_escape(unit["code"])}"'
        f"{' selected' if unit['code'] == selected else ''}>{conditional_escape(unit['name'])}</option>"
        for unit in units
    ]
    return mark_safe("".join(options))  # noqa: S308 - codes and names are escaped above
