"""The credit rules' bounds and the administrator's messages, pinned where mutation testing
(make mutation) found the other tests silent."""

from types import SimpleNamespace

import pytest

from continuing_education.constants import MAX_ITEM_CREDITS, CreditRule
from continuing_education.exceptions import CreditError
from continuing_education.rules import (
    credits_for,
    max_credits_of,
    max_hours_of,
    params_problems,
    roles_of,
    settled_credits_problem,
)


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


PER_DAY = item(CreditRule.PER_DAY, credits_per_day=10)
PER_HOUR = item(CreditRule.PER_HOUR, credits_per_hour=3)
BY_ROLE = item(CreditRule.BY_ROLE, 主持人=90, 其他参与人=60)
REVIEWER_SETS = item(CreditRule.REVIEWER_SETS, max_credits=30)


@pytest.mark.parametrize(
    ("rule_item", "entry", "field", "code", "message"),
    [
        (PER_DAY, {}, "days", "days_required", "请填写天数。"),
        (PER_DAY, {"days": ""}, "days", "days_required", "请填写天数。"),
        (PER_DAY, {"days": 31}, "days", "days_range", "天数须为1至30之间的整数。"),
        (PER_HOUR, {}, "hours", "hours_required", "请填写学时数。"),
        (PER_HOUR, {"hours": ""}, "hours", "hours_required", "请填写学时数。"),
        (PER_HOUR, {"hours": 201}, "hours", "hours_range", "学时数须为 1 至 200 之间的整数。"),
        (BY_ROLE, {}, "role", "role_required", "请选择您的角色。"),
        (
            BY_ROLE,
            {"role": "第一作者"},
            "role",
            "role_not_allowed",
            "所选角色不适用于该项目，请在以下角色中选择：主持人、其他参与人。",
        ),
        (REVIEWER_SETS, {}, "proposed_credits", "proposed_required", "请填写申报学分。"),
        (REVIEWER_SETS, {"proposed": ""}, "proposed_credits", "proposed_required", "请填写申报学分。"),
        (REVIEWER_SETS, {"proposed": 31}, "proposed_credits", "proposed_range", "申报学分须为1至30之间的整数。"),
        (item("no_such_rule"), {"days": 1}, "item", "bad_rule", "该项目暂时无法录入。"),
    ],
)
def test_each_refused_entry_names_its_field_its_code_and_the_fix_in_chinese(rule_item, entry, field, code, message):
    with pytest.raises(CreditError) as caught:
        credits_for(rule_item, **entry)
    assert (caught.value.field, caught.value.code, str(caught.value)) == (field, code, message)


def test_an_item_may_set_its_own_cap_on_class_hours_and_200_applies_otherwise():
    assert credits_for(PER_HOUR, hours=200) == 600
    assert max_hours_of(PER_HOUR) == 200
    capped = item(CreditRule.PER_HOUR, credits_per_hour=3, max_hours=10)
    assert max_hours_of(capped) == 10
    assert credits_for(capped, hours=10) == 30
    with pytest.raises(CreditError) as caught:
        credits_for(capped, hours=11)
    assert str(caught.value) == "学时数须为 1 至 10 之间的整数。"


def test_only_reviewer_set_items_have_a_maximum_and_other_items_are_settled_up_to_999():
    fixed = item(CreditRule.FIXED, credits=90)
    assert max_credits_of(fixed) is None
    assert max_credits_of(REVIEWER_SETS) == 30
    assert settled_credits_problem(fixed, MAX_ITEM_CREDITS) is None
    assert settled_credits_problem(fixed, MAX_ITEM_CREDITS + 1) == "核定学分须为1至999之间的整数。"


def test_roles_with_the_same_credits_are_offered_in_name_order():
    joint = item(CreditRule.BY_ROLE, 第二作者=30, 主持人=90, 第一作者=30)
    assert roles_of(joint) == ["主持人", "第一作者", "第二作者"]
    assert roles_of(REVIEWER_SETS) == []
