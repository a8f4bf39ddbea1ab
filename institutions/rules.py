"""A course's credits: the `CourseCreditRule` in force, applied by the continuing-education rules engine."""

from continuing_education.constants import CreditRule
from continuing_education.rules import credits_for

from .models import CourseCreditRule

# Hubei (鄂财会发〔2018〕13号): 1 学时 = 3 credits; used when no rule row exists.
DEFAULT_RULE = (CreditRule.PER_HOUR, {"credits_per_hour": 3})


class _Rule:
    """What `credits_for` reads of an item: its rule and params."""

    def __init__(self, rule, params):
        self.rule, self.params = rule, params


def rule_for(*, year: int, mode: str) -> _Rule:
    """The rule of a course of `mode` in `year`: the latest row ≤ year of that mode, else of every mode."""
    rows = CourseCreditRule.objects.filter(from_year__lte=year, mode__in=[mode, ""]).order_by("-from_year")
    best = None
    for row in rows:
        if best is None or row.from_year > best.from_year or (row.from_year == best.from_year and row.mode):
            best = row
    if best is None:
        return _Rule(*DEFAULT_RULE)
    return _Rule(best.rule, best.params)


def course_credits(*, year: int, mode: str, hours: int) -> tuple[int, _Rule]:
    """(credits, rule) of a course of `hours` 学时; CreditError (field "hours") when hours are out of range."""
    rule = rule_for(year=year, mode=mode)
    return credits_for(rule, hours=hours), rule
