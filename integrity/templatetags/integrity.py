"""`{% load integrity %}{% person_integrity_records person %}`: a person's integrity record on any page."""

from django import template

from integrity.selectors import records_for_person

register = template.Library()


@register.inclusion_tag("integrity/_person_records.html")
def person_integrity_records(person):
    """Renders integrity/_person_records.html for `person` (three queries)."""
    return {"integrity_records": records_for_person(person)}
