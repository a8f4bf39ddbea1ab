"""identity.models.User: an accountant's session hash covers the phone (a changed number ends every
session); staff keep Django's own hash, so their sessions survive the change of code."""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse

from identity.tests.factories import AccountantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_an_accountants_session_hash_changes_with_the_phone_only():
    accountant = AccountantFactory(phone="13800000000")
    before = accountant.get_session_auth_hash()
    accountant.full_name = "另一个名字"
    assert accountant.get_session_auth_hash() == before
    accountant.phone = "13911112222"
    assert accountant.get_session_auth_hash() != before


def test_the_fallback_keys_cover_the_phone_too(settings):
    settings.SECRET_KEY_FALLBACKS = ["an-old-secret-key-0123456789abcdef-0123456789"]
    accountant = AccountantFactory(phone="13800000000")
    before = list(accountant.get_session_auth_fallback_hash())
    accountant.phone = "13911112222"
    assert list(accountant.get_session_auth_fallback_hash()) != before


def test_staff_keep_djangos_session_hash():
    staff = StaffFactory()
    assert staff.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(staff)


def test_a_signed_in_accountant_is_signed_out_when_the_phone_changes(client):
    accountant = AccountantFactory(phone="13800000000")
    client.force_login(accountant)
    home = reverse("dossier:collect")
    assert client.get(home).status_code == 200
    accountant.phone = "13911112222"
    accountant.save(update_fields=["phone"])
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
