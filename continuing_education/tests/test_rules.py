"""Every item's credit rule, and the check of an item's parameters in the admin."""

import pytest
from django.core.exceptions import ValidationError

from continuing_education.constants import CreditRule
from continuing_education.exceptions import CreditError
from continuing_education.models import CreditItem
from continuing_education.rules import credits_for, params_problems, settled_credits_problem

from .factories import item

pytestmark = pytest.mark.django_db

FIXED_90 = (1, 2, 3, 4, 5, 7, 8, 12)


def test_the_data_migration_loads_the_fourteen_items_all_professional():
    items = list(CreditItem.objects.order_by("no"))
    assert [i.no for i in items] == list(range(1, 15))
    assert {i.subject for i in items} == {"professional"}
    assert all(i.is_active and i.proof_hint for i in items)
    for entry in items:
        entry.full_clean()  # every shipped item's params fit its rule


@pytest.mark.parametrize("no", FIXED_90)
def test_fixed_items_give_ninety_credits_whatever_else_is_entered(no):
    assert credits_for(item(no)) == 90
    assert credits_for(item(no), days=3, role="主持人", proposed=10) == 90


def test_an_independent_paper_gives_thirty_credits():
    assert credits_for(item(10)) == 30


@pytest.mark.parametrize(("days", "credits"), [(1, 10), (2, 20), (3, 30), (30, 300)])
def test_a_meeting_gives_ten_credits_a_day(days, credits):
    assert credits_for(item(6), days=days) == credits


@pytest.mark.parametrize("days", [None, "", 0, -1, 31, 2.5, True])
def test_a_meeting_needs_a_whole_number_of_days_from_one_to_the_cap(days):
    with pytest.raises(CreditError) as caught:
        credits_for(item(6), days=days)
    assert caught.value.field == "days"
    assert "天数" in str(caught.value)


def test_an_item_may_set_its_own_cap_on_days():
    meeting = item(6)
    meeting.params = {"credits_per_day": 10, "max_days": 5}
    assert credits_for(meeting, days=5) == 50
    with pytest.raises(CreditError, match="1至5"):
        credits_for(meeting, days=6)


@pytest.mark.parametrize(
    ("no", "role", "credits"),
    [
        (9, "主持人", 90),
        (9, "其他参与人", 60),
        (11, "第一作者", 30),
        (11, "其他作者", 10),
        (13, "第一作者", 90),
        (13, "其他作者", 60),
    ],
)
def test_joint_work_gives_the_credits_of_the_role(no, role, credits):
    assert credits_for(item(no), role=role) == credits


def test_a_role_of_another_item_is_refused_by_name():
    with pytest.raises(CreditError) as caught:
        credits_for(item(11), role="主持人")
    assert caught.value.field == "role"
    assert str(caught.value) == "所选角色不适用于该项目，请在以下角色中选择：第一作者、其他作者。"


def test_joint_work_needs_a_role():
    with pytest.raises(CreditError, match="请选择您的角色"):
        credits_for(item(9))


@pytest.mark.parametrize("proposed", [1, 45, 90])
def test_item_fourteen_gives_the_proposed_credits_up_to_the_maximum(proposed):
    assert credits_for(item(14), proposed=proposed) == proposed


@pytest.mark.parametrize("proposed", [None, 0, 91, -5])
def test_item_fourteen_refuses_a_proposal_outside_one_to_the_maximum(proposed):
    with pytest.raises(CreditError) as caught:
        credits_for(item(14), proposed=proposed)
    assert caught.value.field == "proposed_credits"


def test_settled_credits_must_lie_between_one_and_the_item_maximum():
    assert settled_credits_problem(item(14), 90) is None
    assert settled_credits_problem(item(14), 1) is None
    assert settled_credits_problem(item(14), 91) == "核定学分须为1至90之间的整数。"
    assert settled_credits_problem(item(14), 0) is not None


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        (CreditRule.FIXED, {"credits": 90}),
        (CreditRule.PER_DAY, {"credits_per_day": 10}),
        (CreditRule.PER_DAY, {"credits_per_day": 8, "max_days": 10}),
        (CreditRule.BY_ROLE, {"主持人": 90, "其他参与人": 60}),
        (CreditRule.REVIEWER_SETS, {"max_credits": 90}),
    ],
)
def test_params_that_fit_their_rule_pass(rule, params):
    assert params_problems(rule, params) == []


@pytest.mark.parametrize(
    ("rule", "params"),
    [
        (CreditRule.FIXED, {}),
        (CreditRule.FIXED, {"credits": "90"}),
        (CreditRule.FIXED, {"credits": 0}),
        (CreditRule.FIXED, {"credits": 90, "extra": 1}),
        (CreditRule.PER_DAY, {"credits": 10}),
        (CreditRule.PER_DAY, {"credits_per_day": 10, "max_days": 0}),
        (CreditRule.BY_ROLE, {}),
        (CreditRule.BY_ROLE, {"主持人": True}),
        (CreditRule.BY_ROLE, {" ": 60}),
        (CreditRule.REVIEWER_SETS, {"max_credits": 9.5}),
        (CreditRule.REVIEWER_SETS, []),
        ("unknown", {"credits": 90}),
    ],
)
def test_params_that_do_not_fit_their_rule_are_refused(rule, params):
    assert params_problems(rule, params)


def test_the_admin_refuses_an_item_whose_params_do_not_fit_its_rule():
    meeting = item(6)
    meeting.rule = CreditRule.FIXED  # the params still say {"credits_per_day": 10}
    with pytest.raises(ValidationError) as caught:
        meeting.full_clean()
    assert caught.value.message_dict["params"] == [
        "“credits”须为1至999之间的整数。",
        "该规则不认识以下参数：credits_per_day。",
    ]
