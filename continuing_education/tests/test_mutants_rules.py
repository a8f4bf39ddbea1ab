"""The credit rules' bounds and the administrator's messages, pinned where mutation testing
(make mutation) found the other tests silent."""

from types import SimpleNamespace

import pytest

from continuing_education.constants import MAX_ITEM_CREDITS, CreditRule
from continuing_education.exceptions import CreditError
from continuing_education.rules import credits_for, params_problems, settled_credits_problem


def item(rule, **params):
    return SimpleNamespace(rule=rule, params=params)


@pytest.mark.parametrize(
    ("rule", "params", "problems"),
    [
        (CreditRule.FIXED, {"credits": 1}, []),
        (CreditRule.FIXED, {"credits": MAX_ITEM_CREDITS}, []),
        (CreditRule.FIXED, {"credits": 0}, ["“credits”须为1至999之间的整数。"]),
        (CreditRule.FIXED, {"credits": MAX_ITEM_CREDITS + 1}, ["“credits”须为1至999之间的整数。"]),
        (CreditRule.FIXED, {"credits": 1.5}, ["“credits”须为1至999之间的整数。"]),
        (CreditRule.FIXED, {"credits": True}, ["“credits”须为1至999之间的整数。"]),
        (CreditRule.FIXED, {"credits": "90"}, ["“credits”须为1至999之间的整数。"]),
        (CreditRule.FIXED, {"credits": 90, "x": 1, "a": 2}, ["该规则不认识以下参数：a、x。"]),
        (CreditRule.PER_DAY, {"credits_per_day": 10}, []),
        (CreditRule.PER_DAY, {"credits_per_day": 10, "max_days": 366}, []),
        (CreditRule.PER_DAY, {"credits_per_day": 10, "max_days": 367}, ["“max_days”须为1至366之间的整数。"]),
        (CreditRule.PER_DAY, {"credits_per_day": 10, "max_days": 0}, ["“max_days”须为1至366之间的整数。"]),
        (CreditRule.PER_DAY, {"credits_per_day": 10, "days": 3}, ["该规则不认识以下参数：days。"]),
        (CreditRule.PER_HOUR, {"credits_per_hour": 3, "max_hours": 2000}, []),
        (CreditRule.PER_HOUR, {"credits_per_hour": 3, "max_hours": 2001}, ["“max_hours”须为1至2000之间的整数。"]),
        (CreditRule.PER_HOUR, {"credits_per_hour": 0}, ["“credits_per_hour”须为1至999之间的整数。"]),
        (CreditRule.PER_HOUR, {"credits_per_hour": 3, "hours": 1}, ["该规则不认识以下参数：hours。"]),
        (CreditRule.BY_ROLE, {}, ['请至少填写一个角色及其学分，例如 {"第一作者": 30}。']),
        (CreditRule.BY_ROLE, {"主持人": 90, "一" * 30: 1}, []),
        (CreditRule.BY_ROLE, {" ": 10}, ["角色名称须为1至30个字。"]),
        (CreditRule.BY_ROLE, {"一" * 31: 10}, ["角色名称须为1至30个字。"]),
        (CreditRule.BY_ROLE, {"主持人": 1.5}, ["“主持人”须为1至999之间的整数。"]),
        (CreditRule.BY_ROLE, {"主持人": MAX_ITEM_CREDITS + 1}, ["“主持人”须为1至999之间的整数。"]),
        (CreditRule.REVIEWER_SETS, {"max_credits": 90}, []),
        (CreditRule.REVIEWER_SETS, {"max_credits": 90, "credits": 1}, ["该规则不认识以下参数：credits。"]),
        (CreditRule.REVIEWER_SETS, {}, ["“max_credits”须为1至999之间的整数。"]),
        ("no_such_rule", {}, ["未知的学分规则。"]),
    ],
)
def test_the_administrator_is_told_exactly_what_is_wrong_with_the_parameters(rule, params, problems):
    assert params_problems(rule, params) == problems


def test_parameters_that_are_not_an_object_are_refused_with_an_example():
    assert params_problems(CreditRule.FIXED, [90]) == ['参数须为JSON对象，例如 {"credits": 90}。']


@pytest.mark.parametrize(
    ("entry", "credits", "error"),
    [
        ({"days": 1}, 10, None),
        ({"days": 30}, 300, None),
        ({"days": 31}, None, ("days", "天数须为1至30之间的整数。")),
        ({"days": 0}, None, ("days", "天数须为1至30之间的整数。")),
        ({"days": 2.0}, None, ("days", "天数须为1至30之间的整数。")),
        ({"days": True}, None, ("days", "天数须为1至30之间的整数。")),
    ],
)
def test_per_day_credits_take_whole_days_within_the_items_limit(entry, credits, error):
    per_day = item(CreditRule.PER_DAY, credits_per_day=10, max_days=30)
    if error is None:
        assert credits_for(per_day, **entry) == credits
    else:
        with pytest.raises(CreditError) as caught:
            credits_for(per_day, **entry)
        assert (caught.value.field, str(caught.value)) == error


@pytest.mark.parametrize(
    ("hours", "ok"), [(1, True), (200, True), (0, False), (201, False), (1.5, False), (False, False)]
)
def test_per_hour_credits_take_whole_hours_within_the_items_limit(hours, ok):
    per_hour = item(CreditRule.PER_HOUR, credits_per_hour=3, max_hours=200)
    if ok:
        assert credits_for(per_hour, hours=hours) == 3 * hours
    else:
        with pytest.raises(CreditError) as caught:
            credits_for(per_hour, hours=hours)
        assert caught.value.field == "hours"


@pytest.mark.parametrize(
    ("proposed", "ok"), [(1, True), (30, True), (0, False), (31, False), (2.5, False), (True, False)]
)
def test_a_proposal_is_a_whole_number_up_to_the_items_maximum(proposed, ok):
    reviewer_sets = item(CreditRule.REVIEWER_SETS, max_credits=30)
    if ok:
        assert credits_for(reviewer_sets, proposed=proposed) == proposed
        assert settled_credits_problem(reviewer_sets, proposed) is None
    else:
        with pytest.raises(CreditError):
            credits_for(reviewer_sets, proposed=proposed)
        assert settled_credits_problem(reviewer_sets, proposed) == "核定学分须为1至30之间的整数。"
