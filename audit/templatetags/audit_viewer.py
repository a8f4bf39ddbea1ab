"""Labels for the audit viewer's table: action codes and role codes in the active language."""

from django import template

from ..actions import label_for
from ..export import role_label as _role_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return label_for(code)


@register.filter
def role_label(code: str) -> str:
    return _role_label(code)
