"""Template helpers of 继续教育: `{% load ce %}`."""

from django import template

from continuing_education.forms import SettleForm

register = template.Library()

# Session key of a refused settlement, kept for the review page that the settle view redirects to.
SETTLE_SESSION_KEY = "ce:settle:%s"

# Bar widths come from classes (ce.css: .ce-w-0 … .ce-w-100): CSP forbids style attributes.


@register.filter
def width_class(percent) -> str:
    """The class giving a progress bar `percent` % of its width (clamped to 0–100)."""
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = 0
    return f"ce-w-{min(100, max(0, value))}"


@register.simple_tag(takes_context=True)
def settle_form(context, application):
    """The settle form of the review page; after a refused post, with what was typed and why."""
    request = context.get("request")
    kept = request.session.pop(SETTLE_SESSION_KEY % application.pk, None) if request is not None else None
    if kept:
        form = SettleForm({"credits": kept.get("credits", "")})
        form.is_valid()
        form.errors["credits"] = form.error_class([kept.get("error", "")])
        form.fields["credits"].widget.attrs["class"] = "form-control is-invalid"
        return form
    return SettleForm()
