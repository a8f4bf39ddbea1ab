import datetime

import pytest

from continuing_education.constants import CreditRule
from continuing_education.exceptions import CreditError
from continuing_education.models import CreditItem
from continuing_education.rules import credits_for, params_problems
from institutions import services
from institutions.models import CourseCreditRule
from institutions.rules import course_credits

from .conftest import make_course, make_institution

pytestmark = pytest.mark.django_db


def test_per_hour_params_are_checked_like_every_rule():
    assert params_problems(CreditRule.PER_HOUR, {"credits_per_hour": 3}) == []
    assert params_problems(CreditRule.PER_HOUR, {"credits_per_hour": 3, "max_hours": 100}) == []
    assert params_problems(CreditRule.PER_HOUR, {"credits_per_hour": 0})
    assert params_problems(CreditRule.PER_HOUR, {"credits_per_hour": 3, "per_day": 1})


def test_hubei_rule_one_class_hour_is_three_credits():
    assert course_credits(year=2026, mode="face_to_face", hours=8)[0] == 24
    assert course_credits(year=2026, mode="online", hours=1)[0] == 3


def test_the_rule_is_data_a_newer_or_mode_specific_row_wins():
    CourseCreditRule.objects.create(from_year=2026, mode="online", rule="per_hour", params={"credits_per_hour": 2})
    assert course_credits(year=2026, mode="online", hours=10)[0] == 20
    assert course_credits(year=2026, mode="face_to_face", hours=10)[0] == 30
    assert course_credits(year=2025, mode="online", hours=10)[0] == 30  # not yet in force


def test_hours_out_of_range_are_refused_with_the_field():
    rule = type("R", (), {"rule": CreditRule.PER_HOUR, "params": {"credits_per_hour": 3, "max_hours": 10}})()
    with pytest.raises(CreditError) as exc:
        credits_for(rule, hours=11)
    assert exc.value.field == "hours"
    with pytest.raises(CreditError):
        credits_for(rule, hours=None)


def test_a_self_entered_item_cannot_use_the_per_hour_rule():
    from django.core.exceptions import ValidationError

    item = CreditItem(no=99, name="x", rule=CreditRule.PER_HOUR, params={"credits_per_hour": 3})
    with pytest.raises(ValidationError):
        item.clean()


def test_a_course_keeps_its_credits_and_rule():
    course = make_course(make_institution(), hours=5)
    assert course.credits == 15
    assert course.rule == CreditRule.PER_HOUR
    assert course.rule_params == {"credits_per_hour": 3}


def test_a_bad_course_is_refused_with_chinese_messages():
    institution = make_institution()
    with pytest.raises(services.InstitutionError) as exc:
        make_course(institution, start_date=datetime.date(2026, 5, 3), end_date=datetime.date(2026, 5, 1))
    assert exc.value.field == "end_date"
    with pytest.raises(services.InstitutionError) as exc:
        make_course(institution, hours=0)
    assert exc.value.field == "hours"
