"""The demo staff's current TOTP codes on the developer outbox page (DEBUG only)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.management.demo import DEMO_PASSWORD, DEMO_STAFF
from identity.tests.factories import StaffFactory, review_unit

pytestmark = pytest.mark.django_db

OUTBOX_URL = reverse("notifications:dev_outbox")


@pytest.fixture
def demo_accounts(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 16 accounts
    for code in ("420000", "420100", "420102"):
        review_unit(code)
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def shown_code(text: str, username: str) -> str:
    row = re.search(rf'data-testid="demo-totp-{username}">(.*?)</tr>', text, re.S)
    assert row is not None, f"no demo TOTP row for {username}"
    code = re.search(r'data-testid="demo-totp-code">(\d{6})<', row.group(1))
    assert code is not None, f"no demo TOTP code for {username}"
    return code.group(1)


def test_the_outbox_lists_each_demo_staff_member_with_the_current_code(client, demo_accounts):
    text = client.get(OUTBOX_URL).content.decode()

    assert "演示工作人员：当前动态验证码" in text
    for username in ("province", "wuhan", "jiangan", "admin"):
        user = TOTPDevice.objects.get(user__username=username).user
        assert shown_code(text, username) in {StaffFactory.code_for(user), StaffFactory.code_for(user, offset_steps=-1)}


def test_the_wuhan_unit_reviewers_are_listed_with_unit_username_and_code_and_can_sign_in(client, demo_accounts):
    text = client.get(OUTBOX_URL).content.decode()
    row = re.search(r'data-testid="demo-totp-wh-420106">(.*?)</tr>', text, re.S).group(1)
    assert "武昌区" in row and "wh-420106" in row
    for username in ("wh-420103", "wh-420117"):
        assert f'data-testid="demo-totp-{username}"' in text

    response = client.post(
        reverse("identity:staff_login"),
        {"username": "wh-420106", "password": DEMO_PASSWORD, "otp_token": shown_code(text, "wh-420106")},
    )

    assert response.status_code == 302
    assert "武昌区" in client.get(reverse("identity:staff_home")).content.decode()


def test_a_new_developer_can_sign_in_with_the_password_and_the_code_from_the_outbox(client, demo_accounts):
    code = shown_code(client.get(OUTBOX_URL).content.decode(), "jiangan")

    response = client.post(
        reverse("identity:staff_login"), {"username": "jiangan", "password": DEMO_PASSWORD, "otp_token": code}
    )

    assert response.status_code == 302
    assert "江岸区" in client.get(reverse("identity:staff_home")).content.decode()


def test_a_demo_account_whose_secret_was_changed_is_not_shown(client, demo_accounts):
    TOTPDevice.objects.filter(user__username="wuhan").update(key="ab" * 20)
    other = StaffFactory(username="realperson")

    text = client.get(OUTBOX_URL).content.decode()

    assert 'data-testid="demo-totp-wuhan"' not in text
    assert 'data-testid="demo-totp-jiangan"' in text
    assert other.username not in text


def test_without_debug_the_outbox_and_its_codes_do_not_exist(client, demo_accounts, settings):
    settings.DEBUG = False

    response = client.get(OUTBOX_URL)

    assert response.status_code == 404
    assert "demo-totp" not in response.content.decode()


def test_the_code_selector_returns_nothing_without_debug(demo_accounts, settings):
    from identity.staff_selectors import demo_staff_totp_codes

    assert len(demo_staff_totp_codes()) == len(DEMO_STAFF)
    settings.DEBUG = False
    assert demo_staff_totp_codes() == []


def test_the_next_code_signs_in_again_within_the_same_30_seconds(client, demo_accounts):
    text = client.get(OUTBOX_URL).content.decode()
    row = re.search(r'data-testid="demo-totp-jiangan">(.*?)</tr>', text, re.S).group(1)
    next_code = re.search(r'data-testid="demo-totp-next">(\d{6})<', row).group(1)
    login = reverse("identity:staff_login")
    client.post(login, {"username": "jiangan", "password": DEMO_PASSWORD, "otp_token": shown_code(text, "jiangan")})
    client.post(reverse("identity:logout"))

    response = client.post(login, {"username": "jiangan", "password": DEMO_PASSWORD, "otp_token": next_code})

    assert response.status_code == 302
