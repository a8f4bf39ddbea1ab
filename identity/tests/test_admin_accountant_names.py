"""Accountants in the user admin: by name and masked ID number, found by exact ID number or phone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit, sign_in_verified_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:identity_user_changelist")


@pytest.fixture
def admin_client(client):
    sysadmin = StaffFactory(username="sysadmin", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    return sign_in_verified_staff(client, sysadmin)


def listing(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return response.content.decode()


def test_accountant_rows_show_the_name_and_masked_id_number_not_the_generated_username(admin_client):
    AccountantFactory(username="acc-5f3a9c", full_name="张三", id_number="420102199001011236")

    text = listing(admin_client)

    assert "张三（420***********1236）" in text
    assert "acc-5f3a9c" not in text
    assert "420102199001011236" not in text
    assert ">姓名<" in text or "姓名</a>" in text


def test_the_search_finds_an_accountant_by_exact_id_number_or_phone(admin_client):
    AccountantFactory(full_name="张三", id_number="420102199001011236", phone="13912345678")
    AccountantFactory(full_name="李四", id_number="42010219900101123X", phone="13912345679")

    by_id = listing(admin_client, q="42010219900101123x")  # lower-case x is the same number
    by_phone = listing(admin_client, q="13912345678")
    by_part = listing(admin_client, q="1990010112")

    assert "李四" in by_id and "张三" not in by_id
    assert "张三" in by_phone and "李四" not in by_phone
    assert "张三" not in by_part and "李四" not in by_part  # no substring search on ID numbers


def test_the_id_number_search_is_an_equality_on_the_indexed_columns(admin_client):
    AccountantFactory(full_name="张三", id_number="420102199001011236")

    with CaptureQueriesContext(connection) as queries:
        listing(admin_client, q="420102199001011236")

    sql = " ".join(q["sql"] for q in queries if '"identity_user"."id_number"' in q["sql"])
    assert sql
    assert "LIKE" not in sql.upper()


def test_the_name_and_username_search_compares_as_written_so_an_index_serves_it(admin_client):
    StaffFactory(username="Jiangan-Li", full_name="李审核")
    AccountantFactory(full_name="李四", id_number="42010219900101123X")
    AccountantFactory(full_name="王五", id_number="420102199001011236")

    with CaptureQueriesContext(connection) as queries:
        by_prefix = listing(admin_client, q="李")
    searched = " ".join(q["sql"] for q in queries if "LIKE" in q["sql"])
    assert searched and "UPPER" not in searched, [q["sql"][-200:] for q in queries]
    assert "李四" in by_prefix and "李审核" in by_prefix and "王五" not in by_prefix
    assert "Jiangan-Li" in listing(admin_client, q="Jiangan-Li")
    assert "李审核" not in listing(admin_client, q="jiangan-li")  # usernames are case-sensitive
    assert "李四" not in listing(admin_client, q="四")  # a prefix, not a substring
