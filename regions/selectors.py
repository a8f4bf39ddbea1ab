"""Reads of regions and review units."""

from django.db.models import QuerySet

from .models import ReviewUnit


def units_at_or_below(unit: ReviewUnit) -> QuerySet[ReviewUnit]:
    """The unit and every unit under it, in one indexed prefix query on the materialised path."""
    return ReviewUnit.objects.filter(path__startswith=unit.path)
