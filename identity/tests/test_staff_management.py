"""人员管理: who may manage whom (the authorization matrix), bad inputs, resets, deactivation."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from identity.constants import StaffRole
from identity.models import User
from identity.staff_management import manageable_staff
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit

pytestmark = pytest.mark.django_db

LIST_URL = reverse("identity:staff_manage")
NEW_URL = reverse("identity:staff_manage_new")
OUT_OF_SCOPE = "该单位不在您的管理范围内"


def url(name, member):
    return reverse(f"identity:staff_manage_{name}", args=[member.pk])


def signed_in(login_staff, user):
    return login_staff(Client(), user)


@pytest.fixture
def jiangan_admin():
    return StaffFactory(username="jiangan-admin", role=StaffRole.UNIT_ADMIN, unit=review_unit("420102"))


@pytest.fixture
def wuhan_admin():
    return StaffFactory(username="wuhan-admin", role=StaffRole.UNIT_ADMIN, unit=review_unit("420100"))


@pytest.fixture
def sysadmin():
    return StaffFactory(username="sysadmin", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))


@pytest.fixture
def jiangan_reviewer():
    return StaffFactory(username="jiangan-r", role=StaffRole.REVIEWER, unit=review_unit("420102"))


@pytest.fixture
def wuhan_reviewer():
    return StaffFactory(username="wuhan-r", role=StaffRole.REVIEWER, unit=review_unit("420100"))


def new_member(**overrides):
    return {"username": "new-reviewer", "full_name": "新审核员", "email": "", "role": "reviewer", **overrides}


# --------------------------------------------------------------------------- the authorization matrix


@pytest.mark.parametrize("role", [StaffRole.REVIEWER, StaffRole.AUDITOR, StaffRole.SECURITY_ADMIN])
def test_staff_who_manage_nobody_get_404_on_every_management_page(login_staff, role, jiangan_reviewer):
    client = signed_in(login_staff, StaffFactory(role=role, unit=review_unit("420000")))
    assert client.get(LIST_URL).status_code == 404
    assert client.get(NEW_URL).status_code == 404
    assert client.post(NEW_URL, new_member(unit=review_unit("420102").pk)).status_code == 404
    assert client.get(url("detail", jiangan_reviewer)).status_code == 404
    for action in ("assign", "active", "reset_password", "reset_totp"):
        assert client.post(url(action, jiangan_reviewer), {"active": "0", "role": "reviewer"}).status_code == 404
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.is_active and jiangan_reviewer.role == StaffRole.REVIEWER
    assert TOTPDevice.objects.filter(user=jiangan_reviewer).exists()
    assert not User.objects.filter(username="new-reviewer").exists()


def test_the_menu_shows_staff_management_to_managers_only(login_staff, jiangan_admin, jiangan_reviewer):
    home = reverse("identity:staff_home")
    assert LIST_URL in signed_in(login_staff, jiangan_admin).get(home).content.decode()
    page = signed_in(login_staff, jiangan_reviewer).get(home).content.decode()
    assert LIST_URL not in page
    assert reverse("identity:staff_account") in page


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:staff_login"))


def test_a_jiangan_unit_admin_gets_404_for_a_wuhan_user(login_staff, jiangan_admin, wuhan_reviewer):
    client = signed_in(login_staff, jiangan_admin)
    assert client.get(url("detail", wuhan_reviewer)).status_code == 404
    assert client.post(url("active", wuhan_reviewer), {"active": "0"}).status_code == 404
    assert client.post(url("reset_password", wuhan_reviewer)).status_code == 404
    assert client.post(url("reset_totp", wuhan_reviewer)).status_code == 404
    wuhan_reviewer.refresh_from_db()
    assert wuhan_reviewer.is_active and wuhan_reviewer.check_password(STAFF_PASSWORD)
    assert "wuhan-r" not in client.get(LIST_URL).content.decode()


def test_the_list_shows_the_scope_and_never_oneself(login_staff, wuhan_admin, jiangan_admin, jiangan_reviewer):
    other_city = StaffFactory(username="huangshi-r", unit=review_unit("420202"))
    peer = StaffFactory(username="wuhan-admin-2", role=StaffRole.UNIT_ADMIN, unit=review_unit("420100"))

    assert set(manageable_staff(wuhan_admin)) == {jiangan_admin, jiangan_reviewer}
    page = signed_in(login_staff, wuhan_admin).get(LIST_URL).content.decode()
    assert "jiangan-admin" in page and "jiangan-r" in page
    assert other_city.username not in page and peer.username not in page
    assert 'data-testid="staff-row"' in page and page.count('data-testid="staff-row"') == 2


def test_nobody_manages_themselves(login_staff, jiangan_admin, sysadmin):
    for actor in (jiangan_admin, sysadmin):
        client = signed_in(login_staff, actor)
        assert client.get(url("detail", actor)).status_code == 404
        assert client.post(url("active", actor), {"active": "0"}).status_code == 404
        assert client.post(url("assign", actor), {"role": "reviewer", "unit": actor.unit_id}).status_code == 404
        actor.refresh_from_db()
        assert actor.is_active


def test_a_system_administrator_manages_unit_administrators(login_staff, sysadmin, wuhan_admin):
    client = signed_in(login_staff, sysadmin)
    assert client.get(url("detail", wuhan_admin)).status_code == 200
    response = client.post(url("assign", wuhan_admin), {"role": "unit_admin", "unit": review_unit("420103").pk})
    assert response.status_code == 302
    wuhan_admin.refresh_from_db()
    assert wuhan_admin.unit.code == "420103"

    response = client.post(NEW_URL, new_member(username="auditor1", role="auditor", unit=review_unit("420000").pk))
    assert response.status_code == 200
    assert User.objects.get(username="auditor1").role == StaffRole.AUDITOR


def test_a_system_administrator_does_not_manage_other_system_administrators(login_staff, sysadmin):
    other = StaffFactory(username="sysadmin-2", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    client = signed_in(login_staff, sysadmin)
    assert client.get(url("detail", other)).status_code == 404
    response = client.post(NEW_URL, new_member(role="system_admin", unit=review_unit("420000").pk))
    assert "您不能授予该角色" in response.content.decode()
    assert not User.objects.filter(username="new-reviewer").exists()


def test_a_unit_admin_cannot_grant_a_role_above_their_own(login_staff, wuhan_admin, jiangan_reviewer):
    client = signed_in(login_staff, wuhan_admin)
    for role in ("system_admin", "security_admin", "auditor"):
        response = client.post(url("assign", jiangan_reviewer), {"role": role, "unit": jiangan_reviewer.unit_id})
        assert response.status_code == 400
        assert "您不能授予该角色" in response.content.decode()
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.role == StaffRole.REVIEWER


def test_a_unit_admin_cannot_make_a_peer_administrator_of_their_own_unit(login_staff, jiangan_admin, jiangan_reviewer):
    client = signed_in(login_staff, jiangan_admin)
    response = client.post(url("assign", jiangan_reviewer), {"role": "unit_admin", "unit": jiangan_reviewer.unit_id})
    assert response.status_code == 400
    assert "不能任命本单位的单位管理员" in response.content.decode()
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.role == StaffRole.REVIEWER


def test_a_city_admin_promotes_and_moves_within_the_scope(login_staff, wuhan_admin, jiangan_reviewer):
    client = signed_in(login_staff, wuhan_admin)
    response = client.post(url("assign", jiangan_reviewer), {"role": "unit_admin", "unit": review_unit("420103").pk})
    assert response.status_code == 302
    jiangan_reviewer.refresh_from_db()
    assert (jiangan_reviewer.role, jiangan_reviewer.unit.code) == (StaffRole.UNIT_ADMIN, "420103")
    actions = set(AuditEvent.objects.filter(object_id=str(jiangan_reviewer.pk)).values_list("action", flat=True))
    assert {"staff.role", "staff.move"} <= actions


def test_moving_someone_out_of_the_scope_is_refused(login_staff, jiangan_admin, jiangan_reviewer):
    client = signed_in(login_staff, jiangan_admin)
    response = client.post(url("assign", jiangan_reviewer), {"role": "reviewer", "unit": review_unit("420100").pk})
    assert response.status_code == 400
    assert OUT_OF_SCOPE in response.content.decode()
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.unit.code == "420102"


# --------------------------------------------------------------------------- creating: bad inputs


def test_a_unit_admin_creates_a_reviewer_and_sees_the_one_time_password_once(login_staff, jiangan_admin):
    client = signed_in(login_staff, jiangan_admin)
    response = client.post(NEW_URL, new_member(unit=review_unit("420102").pk))

    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="one-time-password"' in page
    member = User.objects.get(username="new-reviewer")
    password = page.split('data-testid="one-time-password">')[1].split("<")[0]
    assert member.check_password(password)
    assert (member.role, member.unit.code, member.must_change_password, member.must_enrol_totp) == (
        StaffRole.REVIEWER,
        "420102",
        True,
        True,
    )
    assert not TOTPDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action="staff.create", object_id=str(member.pk))
    assert event.actor == jiangan_admin and password not in str(event.detail)
    assert response["Cache-Control"].startswith("no-") or "no-store" in response["Cache-Control"]
    # Not shown again anywhere.
    assert password not in client.get(url("detail", member)).content.decode()


def test_creating_in_a_unit_outside_the_scope_is_refused_with_a_clear_message(login_staff, jiangan_admin):
    client = signed_in(login_staff, jiangan_admin)
    response = client.post(NEW_URL, new_member(unit=review_unit("420100").pk))

    assert response.status_code == 200
    assert OUT_OF_SCOPE in response.content.decode()
    assert 'value="new-reviewer"' in response.content.decode()  # the input is kept
    assert not User.objects.filter(username="new-reviewer").exists()


def test_a_duplicate_username_ignoring_case_is_refused(login_staff, jiangan_admin, jiangan_reviewer):
    client = signed_in(login_staff, jiangan_admin)
    response = client.post(NEW_URL, new_member(username="JIANGAN-R", unit=review_unit("420102").pk))

    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="jiangan-r").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "a"}, "用户名为2至30位"),
        ({"full_name": ""}, "请输入工作人员姓名"),
        ({"role": ""}, "请选择角色"),
        ({"unit": ""}, "请选择审核单位"),
        ({"email": "not-an-email"}, "有效的电子邮箱"),
    ],
)
def test_bad_inputs_get_a_chinese_message_and_nothing_is_created(login_staff, jiangan_admin, data, message):
    client = signed_in(login_staff, jiangan_admin)
    before = User.objects.count()
    response = client.post(NEW_URL, {**new_member(unit=review_unit("420102").pk), **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before


# --------------------------------------------------------------------------- resets and deactivation


def test_deactivation_ends_the_persons_sessions_at_once(login_staff, jiangan_admin, jiangan_reviewer):
    victim = signed_in(login_staff, jiangan_reviewer)
    assert victim.get(reverse("identity:staff_home")).status_code == 200

    response = signed_in(login_staff, jiangan_admin).post(url("active", jiangan_reviewer), {"active": "0"})
    assert response.status_code == 302

    after = victim.get(reverse("identity:staff_home"))
    assert after.status_code == 302 and after.url.startswith(reverse("identity:staff_login"))
    jiangan_reviewer.refresh_from_db()
    assert not jiangan_reviewer.is_active
    assert AuditEvent.objects.filter(action="staff.deactivate", actor=jiangan_admin).exists()


def test_a_password_reset_ends_sessions_and_forces_a_change_at_the_next_sign_in(
    login_staff, jiangan_admin, jiangan_reviewer
):
    victim = signed_in(login_staff, jiangan_reviewer)
    response = signed_in(login_staff, jiangan_admin).post(url("reset_password", jiangan_reviewer))
    password = response.content.decode().split('data-testid="one-time-password">')[1].split("<")[0]
    assert victim.get(reverse("identity:staff_home")).status_code == 302

    client = Client()
    signed = client.post(
        reverse("identity:staff_login"),
        {"username": "jiangan-r", "password": password, "otp_token": StaffFactory.code_for(jiangan_reviewer)},
    )
    assert signed.status_code == 302
    forced = client.get(reverse("identity:staff_home"))
    assert forced.status_code == 302 and forced.url == reverse("identity:staff_password")
    assert client.get(reverse("reviews:inbox")).url == reverse("identity:staff_password")
    assert "一次性密码" in client.get(reverse("identity:staff_password")).content.decode()

    changed = client.post(
        reverse("identity:staff_password"),
        {"old_password": password, "new_password1": "Brand-New-Secret-77", "new_password2": "Brand-New-Secret-77"},
    )
    assert changed.status_code == 200
    assert client.get(reverse("identity:staff_home")).status_code == 200
    jiangan_reviewer.refresh_from_db()
    assert not jiangan_reviewer.must_change_password
    assert AuditEvent.objects.filter(action="staff.reset_password", object_id=str(jiangan_reviewer.pk)).exists()
    assert password not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_totp_reset_removes_the_device_and_ends_verified_sessions(login_staff, jiangan_admin, jiangan_reviewer):
    victim = signed_in(login_staff, jiangan_reviewer)
    response = signed_in(login_staff, jiangan_admin).post(url("reset_totp", jiangan_reviewer))
    assert response.status_code == 302

    assert not TOTPDevice.objects.filter(user=jiangan_reviewer).exists()
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.must_enrol_totp
    assert victim.get(reverse("identity:staff_home")).status_code == 302
    assert AuditEvent.objects.filter(action="staff.reset_totp", actor=jiangan_admin).exists()


def test_a_deactivated_account_can_be_activated_again(login_staff, jiangan_admin, jiangan_reviewer):
    client = signed_in(login_staff, jiangan_admin)
    client.post(url("active", jiangan_reviewer), {"active": "0"})
    assert "停用" in client.get(LIST_URL).content.decode()
    client.post(url("active", jiangan_reviewer), {"active": "1"})
    jiangan_reviewer.refresh_from_db()
    assert jiangan_reviewer.is_active


def test_the_list_is_paged_by_30(login_staff, jiangan_admin, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for n in range(33):
        StaffFactory(username=f"r{n:02d}", unit=review_unit("420102"), totp_device=False)
    client = signed_in(login_staff, jiangan_admin)

    first = client.get(LIST_URL).content.decode()
    second = client.get(LIST_URL, {"page": 2}).content.decode()
    assert first.count('data-testid="staff-row"') == 30
    assert second.count('data-testid="staff-row"') == 3
    assert "r32" in second and "r32" not in first
    assert client.get(LIST_URL, {"q": "r1"}).content.decode().count('data-testid="staff-row"') == 10
