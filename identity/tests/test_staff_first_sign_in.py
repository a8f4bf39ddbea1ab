"""First sign-in (new password + authenticator enrolment), one's own password, recent sign-ins."""

import re
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from identity.constants import StaffRole
from identity.models import User
from identity.staff_management import create_staff_member, reset_staff_totp
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit

pytestmark = pytest.mark.django_db

FIRST_URL = reverse("identity:staff_first_sign_in")
FIRST_PASSWORD_URL = reverse("identity:staff_first_password")
ENROL_URL = reverse("identity:staff_enrol")
HOME_URL = reverse("identity:staff_home")
NEW_PASSWORD = "Chosen-By-Me-2026"


@pytest.fixture
def admin():
    return StaffFactory(username="jiangan-admin", role=StaffRole.UNIT_ADMIN, unit=review_unit("420102"))


def code_from_page(html: str, *, offset_steps: int = 0) -> str:
    """What an authenticator app shows after reading the secret printed on the enrolment page."""
    import base64

    found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)
    assert found is not None, "no TOTP secret on the page"
    secret = found.group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + offset_steps * 30
    return f"{totp.token():06d}"


def test_a_new_reviewer_changes_the_one_time_password_enrols_and_lands_signed_in(admin):
    member, one_time = create_staff_member(
        actor=admin, username="newbie", full_name="新人", role=StaffRole.REVIEWER, unit=review_unit("420102")
    )
    client = Client()
    # The ordinary sign-in cannot work yet: there is no device.
    assert "首次登录" in client.get(reverse("identity:staff_login")).content.decode()

    response = client.post(FIRST_URL, {"username": "newbie", "password": one_time})
    assert response.status_code == 302 and response.url == FIRST_PASSWORD_URL
    assert client.get(HOME_URL).status_code == 302  # not signed in yet
    assert client.get(ENROL_URL).url == FIRST_PASSWORD_URL  # password first

    weak = client.post(FIRST_PASSWORD_URL, {"new_password1": "12345678", "new_password2": "12345678"})
    assert "密码太短" in weak.content.decode() or "过于常见" in weak.content.decode()
    assert client.post(FIRST_PASSWORD_URL, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).url == (
        ENROL_URL
    )

    page = client.get(ENROL_URL).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    wrong = client.post(ENROL_URL, {"otp_token": f"{(int(code_from_page(page)) + 1) % 1_000_000:06d}"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()

    # django-otp throttles a device for a second after a wrong code: a person takes longer than that.
    with time_machine.travel(time.time() + 3, tick=True):
        done = client.post(ENROL_URL, {"otp_token": code_from_page(page)})
    assert done.status_code == 302
    assert client.get(HOME_URL).status_code == 200
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.must_change_password and not member.must_enrol_totp
    assert TOTPDevice.objects.filter(user=member, confirmed=True).count() == 1
    actions = list(AuditEvent.objects.filter(object_id=str(member.pk)).values_list("action", flat=True))
    assert {"auth.staff_first_sign_in", "auth.staff_password_changed", "auth.staff_totp_enrolled"} <= set(actions)

    # Afterwards the ordinary sign-in works with the new device, and the first sign-in refuses.
    client.post(reverse("identity:logout"))
    refused = Client().post(FIRST_URL, {"username": "newbie", "password": NEW_PASSWORD})
    assert "已绑定身份验证器" in refused.content.decode()
    # The enrolment used the code of the time step 3 s ahead (travelled) and django-otp refuses a
    # step at or before the last one used: sign in a full step later, not at "now + 1 step", which
    # equals the used step whenever those 3 s crossed a step boundary.
    with time_machine.travel(time.time() + 35, tick=True):
        signed = Client().post(
            reverse("identity:staff_login"),
            {"username": "newbie", "password": NEW_PASSWORD, "otp_token": StaffFactory.code_for(member)},
        )
    assert signed.status_code == 302


def test_after_a_totp_reset_the_person_enrols_with_their_own_password(admin):
    reviewer = StaffFactory(username="lost-phone", unit=review_unit("420102"))
    reset_staff_totp(actor=admin, target=reviewer)
    client = Client()

    response = client.post(FIRST_URL, {"username": "lost-phone", "password": STAFF_PASSWORD})
    assert response.url == ENROL_URL
    page = client.get(ENROL_URL).content.decode()
    assert client.post(ENROL_URL, {"otp_token": code_from_page(page)}).status_code == 302
    assert client.get(HOME_URL).status_code == 200


def test_the_first_sign_in_refuses_wrong_passwords_and_accounts_with_a_device():
    reviewer = StaffFactory(username="has-device")
    for password in ("wrong-password-1", STAFF_PASSWORD):
        response = Client().post(FIRST_URL, {"username": "has-device", "password": password})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=False).exists()
    reasons = set(
        AuditEvent.objects.filter(action="auth.staff_login", result="failure").values_list("detail__reason", flat=True)
    )
    assert reasons == {"bad_credentials", "not_enrolling"}


def test_the_enrolment_page_needs_a_pending_first_sign_in(client):
    assert client.get(ENROL_URL).url == FIRST_URL
    assert client.post(ENROL_URL, {"otp_token": "123456"}).url == FIRST_URL
    assert client.get(FIRST_PASSWORD_URL).url == FIRST_URL


# --------------------------------------------------------------------------- own account


@pytest.fixture
def reviewer_client(login_staff):
    reviewer = StaffFactory(username="me", full_name="本人", unit=review_unit("420102"))
    return reviewer, login_staff(Client(), reviewer)


def test_changing_ones_password_needs_the_current_one_and_passes_the_validators(reviewer_client):
    reviewer, client = reviewer_client
    url = reverse("identity:staff_password")

    wrong = client.post(url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert "旧密码不正确" in wrong.content.decode()
    weak = client.post(url, {"old_password": STAFF_PASSWORD, "new_password1": "me", "new_password2": "me"})
    assert "密码太短" in weak.content.decode()
    differ = client.post(
        url, {"old_password": STAFF_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "不一致" in differ.content.decode() or "不相同" in differ.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.check_password(STAFF_PASSWORD)

    ok = client.post(
        url, {"old_password": STAFF_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert ok.status_code == 200 and 'data-testid="password-changed"' in ok.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW_PASSWORD)
    assert client.get(HOME_URL).status_code == 200  # this session stays signed in
    assert AuditEvent.objects.filter(action="auth.staff_password_changed", object_id=str(reviewer.pk)).exists()


def test_the_account_page_lists_the_last_20_sign_in_events_of_the_user_only(reviewer_client):
    from audit.services import record_event

    reviewer, me = reviewer_client
    other = StaffFactory(username="someone-else")
    for n in range(22):
        record_event(action="auth.staff_login", obj=reviewer, result="failure", detail={"n": n})
    record_event(action="auth.staff_login", obj=other, detail={"username": other.username})
    record_event(action="staff.move", obj=reviewer, actor=other)  # not a sign-in event
    me.post(reverse("identity:logout"))
    me = Client()
    assert (
        me.post(
            reverse("identity:staff_login"),
            {"username": "me", "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(reviewer)},
        ).status_code
        == 302
    )

    page = me.get(reverse("identity:staff_account")).content.decode()
    rows = re.findall(r'data-testid="sign-in-row">(.*?)</tr>', page, re.S)
    assert len(rows) == 20
    assert "成功" in rows[0] and "工作人员登录" in rows[0]  # the newest first: this sign-in
    assert all("失败" in row for row in rows[2:])
    assert "调整工作人员所属单位" not in page and "退出登录" in rows[1]
    assert User.objects.filter(username="me").exists()


def test_wrong_enrolment_codes_lock_the_account_like_failed_sign_ins(admin, settings):
    reviewer = StaffFactory(username="guesser", unit=review_unit("420102"))
    reset_staff_totp(actor=admin, target=reviewer)
    client = Client()
    client.post(FIRST_URL, {"username": "guesser", "password": STAFF_PASSWORD})
    page = client.get(ENROL_URL).content.decode()
    right = code_from_page(page)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(ENROL_URL, {"otp_token": wrong})
    with time_machine.travel(time.time() + 120, tick=True):
        locked = client.post(ENROL_URL, {"otp_token": code_from_page(page)})

    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert client.get(HOME_URL).status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert client.get(ENROL_URL).url == FIRST_URL  # the pending sign-in ended
    failures = AuditEvent.objects.filter(action="auth.staff_totp_enrolment_failed", object_id=str(reviewer.pk))
    assert failures.count() >= 1
