"""Bridges from reviewer templates to the 信息变更 selectors (the reviews page renders a kind's
template with `application` and `payload` only)."""

from django import template

from dossier.change_selectors import change_for_display, record_versions_for_reviewer, summarise

register = template.Library()


@register.simple_tag
def change_summary(payload):
    """`{% change_summary payload as summary %}`: the change side by side with the approved version."""
    return summarise(change_for_display(payload.pk)) if payload is not None else None


@register.simple_tag(takes_context=True)
def versions_for_reviewer(context, application):
    """`{% versions_for_reviewer application as versions %}`: the applicant's record versions the
    signed-in staff member may see."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or application is None:
        return []
    return record_versions_for_reviewer(user, application.applicant_id)
