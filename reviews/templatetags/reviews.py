"""Display helpers of the review engine for templates: `{% load reviews %}`."""

from django import template

from reviews.constants import Status

register = template.Library()

_BADGES: dict[str, str] = {
    Status.DRAFT: "text-bg-secondary",
    Status.PENDING: "text-bg-warning",
    Status.RETURNED: "text-bg-danger",
    Status.APPROVED: "text-bg-success",
    Status.WITHDRAWN: "text-bg-light border",
}


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap badge classes for a status."""
    return _BADGES.get(status, "text-bg-secondary")
