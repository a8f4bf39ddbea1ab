"""The credit rules of the 1–14 items: checking an item's params, and turning an entry into credits.

Every item names one rule (`CreditRule`) and carries that rule's numbers in `params`, so the
numbers are data an administrator edits, never code:

| rule          | params                                          | credits of one record             |
| ------------- | ----------------------------------------------- | --------------------------------- |
| fixed         | {"credits": 90}                                 | credits                           |
| per_day       | {"credits_per_day": 10, "max_days": 30 (opt.)}  | credits_per_day × days            |
| by_role       | {"主持人": 90, "其他参与人": 60}                  | the credits of the person's role  |
| reviewer_sets | {"max_credits": 90}                             | proposed by the person (≤ max), settled by the reviewer |
| per_hour      | {"credits_per_hour": 3, "max_hours": 200 (opt.)}| credits_per_hour × 学时 (institution courses) |
"""

from typing import cast

from django.utils.translation import gettext_lazy as _

from .constants import DEFAULT_MAX_DAYS, DEFAULT_MAX_HOURS, MAX_ITEM_CREDITS, CreditRule
from .exceptions import CreditError

MAX_ROLE_LENGTH = 30
MAX_DAYS_LIMIT = 366
MAX_HOURS_LIMIT = 2000


def _is_count(value, *, upper: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= upper


def params_problems(rule: str, params) -> list[str]:
    """What is wrong with `params` for `rule`, in words for the administrator (empty when fine)."""
    if not isinstance(params, dict):
        return [str(_('The parameters must be a JSON object, for example {"credits": 90}.'))]
    credits_hint = _("“%(key)s” must be a whole number from 1 to %(max)d.")
    problems = []

    def need(key, upper=MAX_ITEM_CREDITS):
        if not _is_count(params.get(key), upper=upper):
            problems.append(str(credits_hint % {"key": key, "max": upper}))

    def only(*keys):
        extra = sorted(set(params) - set(keys))
        if extra:
            problems.append(str(_("Unknown parameters for this rule: %(keys)s.") % {"keys": "、".join(extra)}))

    if rule == CreditRule.FIXED:
        need("credits")
        only("credits")
    elif rule == CreditRule.PER_DAY:
        need("credits_per_day")
        if "max_days" in params:
            need("max_days", MAX_DAYS_LIMIT)
        only("credits_per_day", "max_days")
    elif rule == CreditRule.BY_ROLE:
        if not params:
            problems.append(str(_('Name at least one role with its credits, for example {"第一作者": 30}.')))
        for role, credits in params.items():
            if not role.strip() or len(role) > MAX_ROLE_LENGTH:
                problems.append(str(_("A role name must have 1 to %(max)d characters.") % {"max": MAX_ROLE_LENGTH}))
            elif not _is_count(credits, upper=MAX_ITEM_CREDITS):
                problems.append(str(credits_hint % {"key": role, "max": MAX_ITEM_CREDITS}))
    elif rule == CreditRule.REVIEWER_SETS:
        need("max_credits")
        only("max_credits")
    elif rule == CreditRule.PER_HOUR:
        need("credits_per_hour")
        if "max_hours" in params:
            need("max_hours", MAX_HOURS_LIMIT)
        only("credits_per_hour", "max_hours")
    else:
        problems.append(str(_("Unknown credit rule.")))
    return problems


def roles_of(item) -> list[str]:
    """The roles a by-role item offers, most credits first (a JSON object keeps no order on PostgreSQL)."""
    if item.rule != CreditRule.BY_ROLE:
        return []
    return [role for role, _credits in sorted(item.params.items(), key=lambda pair: (-pair[1], pair[0]))]


def max_days_of(item) -> int:
    return int(item.params.get("max_days", DEFAULT_MAX_DAYS))


def max_credits_of(item) -> int | None:
    """The most credits a reviewer-set item may get (None for the other rules)."""
    return int(item.params["max_credits"]) if item.rule == CreditRule.REVIEWER_SETS else None


def max_hours_of(item) -> int:
    return int(item.params.get("max_hours", DEFAULT_MAX_HOURS))


def credits_for(item, *, days=None, role=None, proposed=None, hours=None) -> int:
    """The credits one record of `item` earns, or CreditError naming the field to correct.

    For a reviewer-set item this is the person's proposal (at most the item's maximum); the reviewer
    settles the final credits before approving.
    """
    rule, params = item.rule, item.params
    if rule == CreditRule.FIXED:
        return int(params["credits"])
    if rule == CreditRule.PER_DAY:
        if days in (None, ""):
            raise CreditError(_("Please enter the number of days."), field="days", code="days_required")
        limit = max_days_of(item)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
            raise CreditError(
                _("The number of days must be a whole number from 1 to %(max)d.") % {"max": limit},
                field="days",
                code="days_range",
            )
        return int(params["credits_per_day"]) * days
    if rule == CreditRule.PER_HOUR:
        if hours in (None, ""):
            raise CreditError(_("Please enter the number of class hours."), field="hours", code="hours_required")
        limit = max_hours_of(item)
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= limit:
            raise CreditError(
                _("The number of class hours must be a whole number from 1 to %(max)d.") % {"max": limit},
                field="hours",
                code="hours_range",
            )
        return int(params["credits_per_hour"]) * hours
    if rule == CreditRule.BY_ROLE:
        if not role:
            raise CreditError(_("Please choose your role."), field="role", code="role_required")
        if role not in params:
            raise CreditError(
                _("This role does not apply to this item. Choose one of: %(roles)s.")
                % {"roles": "、".join(roles_of(item))},
                field="role",
                code="role_not_allowed",
            )
        return int(params[role])
    if rule == CreditRule.REVIEWER_SETS:
        limit = cast(int, max_credits_of(item))  # an int for a reviewer-set item
        if proposed in (None, ""):
            raise CreditError(
                _("Please enter the credits you apply for."), field="proposed_credits", code="proposed_required"
            )
        if not isinstance(proposed, int) or isinstance(proposed, bool) or not 1 <= proposed <= limit:
            raise CreditError(
                _("The credits you apply for must be a whole number from 1 to %(max)d.") % {"max": limit},
                field="proposed_credits",
                code="proposed_range",
            )
        return proposed
    raise CreditError(_("This item cannot be filed at the moment."), field="item", code="bad_rule")


def settled_credits_problem(item, credits) -> str | None:
    """Why the reviewer's settled credits are not acceptable for the item (None when they are)."""
    limit = max_credits_of(item) or MAX_ITEM_CREDITS
    if not isinstance(credits, int) or isinstance(credits, bool) or not 1 <= credits <= limit:
        return str(_("The settled credits must be a whole number from 1 to %(max)d.") % {"max": limit})
    return None
