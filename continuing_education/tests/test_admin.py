"""Administrators edit the 1–14 items and the yearly requirement; a bad edit is refused."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from continuing_education.models import AnnualRequirement
from identity.constants import StaffRole
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit
from reviews.constants import Status

from .factories import collected_accountant, item, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, units):
    sysadmin = StaffFactory(username="ce-admin", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    response = client.post(
        reverse("identity:staff_login"),
        {"username": sysadmin.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(sysadmin)},
    )
    assert response.status_code == 302
    return client


def item_form(chosen, **overrides):
    data = {
        "no": chosen.no,
        "name": chosen.name,
        "rule": chosen.rule,
        "params": '{"credits_per_day": 10}',
        "proof_hint": chosen.proof_hint,
        "subject": chosen.subject,
        "is_active": "on",
        "sort_order": chosen.sort_order,
    }
    data.update(overrides)
    return data


def test_the_items_are_listed_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:continuing_education_credititem_changelist"))
    assertContains(response, "继续教育管理部门认可的其他形式")
    assertContains(response, "按天计算学分")


def test_params_that_do_not_fit_the_rule_are_refused_in_the_admin(admin_client):
    meeting = item(6)
    url = reverse("admin:continuing_education_credititem_change", args=[meeting.pk])
    response = admin_client.post(url, item_form(meeting, params='{"credits": 10}'))
    assert response.status_code == 200
    assertContains(response, "“credits_per_day”须为1至999之间的整数。")
    meeting.refresh_from_db()
    assert meeting.params == {"credits_per_day": 10}


def test_an_edited_item_applies_to_new_records_and_old_records_keep_theirs(admin_client):
    person = collected_accountant()
    old = record(person, 6, status=Status.APPROVED, days=2, start_date=record_day(), end_date=record_day(1))
    meeting = item(6)
    url = reverse("admin:continuing_education_credititem_change", args=[meeting.pk])
    response = admin_client.post(url, item_form(meeting, params='{"credits_per_day": 8}', name="专业会议（新名称）"))
    assert response.status_code == 302
    new = record(person, 6, days=2, start_date=record_day(), end_date=record_day(1))
    old.refresh_from_db()
    assert (old.credits, old.item_name) == (20, "参加继续教育管理部门组织的会计类专业会议")
    assert (new.credits, new.item_name) == (16, "专业会议（新名称）")


def test_a_requirement_with_a_share_above_one_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:continuing_education_annualrequirement_add"),
        {"from_year": 2027, "min_credits": 90, "share_numerator": 4, "share_denominator": 3, "source": ""},
    )
    assertContains(response, "占比不能超过1。")
    assert not AnnualRequirement.objects.filter(from_year=2027).exists()


def record_day(offset=0):
    return datetime.date(2026, 5, 4 + offset)
