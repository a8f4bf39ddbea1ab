from django import template

from dossier.options import label_for

register = template.Library()


@register.filter
def option_label(value, list_key: str) -> str:
    """The label administrators gave a stored option value: `{{ dossier.ethnicity|option_label:"ethnicity" }}`."""
    return label_for(list_key, value) if value else value
