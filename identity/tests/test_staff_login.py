"""Staff sign-in: password + TOTP, one generic refusal, lockout, sessions, audit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import NoReverseMatch, reverse

from audit.models import AuditEvent
from identity.constants import IdType, StaffRole, UserKind
from identity.models import User
from identity.staff_services import move_staff, set_staff_active
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:staff_login")
HOME_URL = reverse("identity:staff_home")
REFUSED = "用户名、密码或动态验证码错误"


def landing_url() -> str:
    try:
        return reverse("reviews:inbox")
    except NoReverseMatch:
        return HOME_URL


def post_login(client, username, *, password=STAFF_PASSWORD, code="000000", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, "otp_token": code, **extra})


def sign_in(client, user, **extra):
    return post_login(client, user.username, code=StaffFactory.code_for(user), **extra)


def login_events(**filters):
    return AuditEvent.objects.filter(action="auth.staff_login", **filters)


@pytest.fixture
def reviewer():
    return StaffFactory(username="jiangan-reviewer", full_name="江岸审核员")


# --------------------------------------------------------------------------- success


def test_a_reviewer_signs_in_with_password_and_current_code_and_lands_on_their_page(client, reviewer):
    response = sign_in(client, reviewer)

    assert response.status_code == 302
    assert response.url == landing_url()
    home = client.get(HOME_URL)
    assert home.status_code == 200
    assert home.wsgi_request.user == reviewer
    assert home.wsgi_request.user.is_verified()


def test_the_workbench_shows_name_role_and_unit(client, reviewer):
    sign_in(client, reviewer)

    text = client.get(HOME_URL).content.decode()

    assert "工作台" in text
    assert 'data-testid="staff-name">江岸审核员<' in text
    assert 'data-testid="staff-role">审核员<' in text
    assert 'data-testid="staff-unit">江岸区<' in text


def test_sign_in_gives_a_new_session_key(client, reviewer):
    client.get(LOGIN_URL)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    sign_in(client, reviewer)

    assert client.session.session_key != before


def test_a_successful_sign_in_is_audited_without_password_or_code(client, reviewer):
    code = StaffFactory.code_for(reviewer)
    post_login(client, reviewer.username, code=code)

    event = login_events(result=AuditEvent.Result.SUCCESS).get()
    assert event.actor == reviewer
    assert event.actor_unit == "江岸区"
    assert STAFF_PASSWORD not in str(event.detail)
    assert code not in str(event.detail)


def test_a_safe_next_url_is_followed_and_an_outside_one_ignored(client, reviewer):
    response = sign_in(client, reviewer, next=HOME_URL + "?tab=1")
    assert response.url == HOME_URL + "?tab=1"

    other = StaffFactory()
    response = sign_in(client.__class__(), other, next="https://evil.example/steal")
    assert response.url == landing_url()


def test_a_signed_in_reviewer_opening_the_sign_in_page_is_sent_on(client, reviewer):
    sign_in(client, reviewer)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == landing_url()


# --------------------------------------------------------------------------- refusals


def test_a_wrong_code_is_refused_with_the_generic_message_and_the_username_kept(client, reviewer):
    wrong = f"{(int(StaffFactory.code_for(reviewer)) + 1) % 1_000_000:06d}"

    response = post_login(client, reviewer.username, code=wrong)

    text = response.content.decode()
    assert response.status_code == 200
    assert REFUSED in text
    assert 'value="jiangan-reviewer"' in text
    assert STAFF_PASSWORD not in text
    assert not response.wsgi_request.user.is_authenticated
    event = login_events().get()
    assert event.result == AuditEvent.Result.FAILURE
    assert event.detail["reason"] == "bad_totp"
    assert wrong not in str(event.detail)


def test_a_wrong_password_is_refused_with_the_same_message(client, reviewer):
    response = post_login(
        client, reviewer.username, password="Not-The-Password-1", code=StaffFactory.code_for(reviewer)
    )

    assert REFUSED in response.content.decode()
    assert client.get(HOME_URL).status_code == 302
    assert login_events().get().detail["reason"] == "bad_credentials"


def test_an_unknown_username_is_refused_with_the_same_message(client):
    response = post_login(client, "nobody-here")

    assert REFUSED in response.content.decode()
    event = login_events().get()
    assert event.object_id == ""
    assert event.detail["username"] == "nobody-here"


def test_an_accountant_cannot_sign_in_at_the_staff_page_even_with_a_password(client):
    accountant = User.objects.create(
        username="acc-1", kind=UserKind.ACCOUNTANT, id_type=IdType.RESIDENT_ID, id_number="420102199001011236"
    )
    accountant.set_password(STAFF_PASSWORD)
    accountant.save()

    response = post_login(client, "acc-1", code="123456")

    assert REFUSED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    event = login_events().get()
    assert event.detail["reason"] == "not_staff"
    assert "420102199001011236" not in str(event.detail)


def test_staff_without_a_confirmed_device_cannot_sign_in(client):
    user = StaffFactory(totp_device=False)

    response = post_login(client, user.username, code="123456")

    assert REFUSED in response.content.decode()
    assert login_events().get().detail["reason"] == "no_device"


def test_a_deactivated_reviewer_cannot_sign_in(client):
    user = StaffFactory(is_active=False)

    response = sign_in(client, user)

    assert REFUSED in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_same_code_cannot_be_used_twice(client, reviewer):
    code = StaffFactory.code_for(reviewer)
    post_login(client, reviewer.username, code=code)
    client.post(reverse("identity:logout"))

    response = post_login(client, reviewer.username, code=code)

    text = response.content.decode()
    assert REFUSED not in text
    assert "该动态验证码已使用过" in text
    assert not response.wsgi_request.user.is_authenticated
    assert login_events(result=AuditEvent.Result.FAILURE).get().detail["reason"] == "reused_totp"


def test_a_used_code_with_a_wrong_password_gets_only_the_generic_message(client, reviewer):
    code = StaffFactory.code_for(reviewer)
    post_login(client, reviewer.username, code=code)
    client.post(reverse("identity:logout"))

    response = post_login(client, reviewer.username, password="not-the-password", code=code)

    text = response.content.decode()
    assert REFUSED in text and "已使用过" not in text


def test_a_wrong_code_after_a_sign_in_still_gets_the_generic_message(client, reviewer):
    code = StaffFactory.code_for(reviewer)
    post_login(client, reviewer.username, code=code)
    client.post(reverse("identity:logout"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = post_login(client, reviewer.username, code=wrong)

    text = response.content.decode()
    assert REFUSED in text and "已使用过" not in text


def test_a_reused_code_counts_as_a_failed_attempt_for_the_lockout(client, reviewer):
    code = StaffFactory.code_for(reviewer)
    post_login(client, reviewer.username, code=code)
    client.post(reverse("identity:logout"))

    post_login(client, reviewer.username, code=code)

    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 1


def test_an_empty_form_says_what_is_missing_next_to_each_field(client):
    response = client.post(LOGIN_URL, {"username": "", "password": "", "otp_token": ""})

    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("is-invalid") == 3
    assert "请输入用户名" in text
    assert "请输入密码" in text
    assert "请输入6位动态验证码" in text
    assert not login_events().exists()


def test_a_code_that_is_not_six_digits_is_flagged_at_the_field_and_the_username_kept(client, reviewer):
    response = post_login(client, reviewer.username, code="12ab56")

    text = response.content.decode()
    assert 'data-testid="error-otp_token"' in text
    assert "动态验证码为6位数字" in text
    assert 'value="jiangan-reviewer"' in text


def test_spaces_inside_the_code_are_ignored(client, reviewer):
    code = StaffFactory.code_for(reviewer)

    response = post_login(client, reviewer.username, code=f"{code[:3]} {code[3:]}")

    assert response.status_code == 302


# --------------------------------------------------------------------------- lockout


def test_repeated_failures_lock_sign_in_and_write_audit_rows(client, reviewer, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert post_login(client, reviewer.username, password="Wrong-Password-1").status_code == 200

    response = post_login(client, reviewer.username, password="Wrong-Password-1")

    assert response.status_code == 429
    text = response.content.decode()
    assert "登录已锁定" in text
    assert "系统管理员" in text
    assert 'data-testid="retry-at"' in text
    assert login_events(result=AuditEvent.Result.FAILURE).count() == limit
    lockout = AuditEvent.objects.get(action="auth.staff_lockout")
    assert lockout.result == AuditEvent.Result.DENIED
    assert lockout.object_id == str(reviewer.pk)


def test_a_locked_out_reviewer_is_refused_even_with_the_right_password_and_code(client, reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, reviewer.username, password="Wrong-Password-1")

    response = sign_in(client, reviewer)

    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(HOME_URL).status_code == 302
    assert login_events(result=AuditEvent.Result.DENIED, detail__reason="locked_out").count() == 1


def test_wrong_codes_count_towards_the_lockout(client, reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, reviewer.username, code="000000")

    assert post_login(client, reviewer.username, code="000000").status_code == 429


def test_the_lockout_ends_after_the_cool_off_time(client, reviewer, settings):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, reviewer.username, password="Wrong-Password-1")
        traveller.shift(timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))

        response = sign_in(client, reviewer)

    assert response.status_code == 302


def test_axes_keeps_neither_the_password_nor_the_code(client, reviewer):
    post_login(client, reviewer.username, password="Wrong-Password-1", code="314159")

    attempt = AccessAttempt.objects.get()
    assert "314159" not in attempt.post_data
    assert "Wrong-Password-1" not in attempt.post_data


# --------------------------------------------------------------------------- sessions


def test_a_deactivated_reviewer_is_signed_out_on_the_next_request(client, reviewer):
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN)
    sign_in(client, reviewer)
    assert client.get(HOME_URL).status_code == 200

    set_staff_active(user=reviewer, active=False, actor=admin)

    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert not response.wsgi_request.user.is_authenticated


def test_a_moved_reviewer_sees_the_new_unit_on_the_next_request(client, reviewer):
    sign_in(client, reviewer)

    move_staff(user=reviewer, unit=review_unit("420103"), actor=None)

    text = client.get(HOME_URL).content.decode()
    assert "江汉区" in text
    assert "江岸区" not in text


def test_staff_are_signed_out_after_15_idle_minutes(client, reviewer):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as traveller:
        sign_in(client, reviewer)
        assert client.get(HOME_URL).status_code == 200
        traveller.shift(timedelta(minutes=14))
        assert client.get(HOME_URL).status_code == 200

        traveller.shift(timedelta(minutes=15, seconds=1))
        response = client.get(HOME_URL)

        assert response.status_code == 302
        assert response.url == f"{LOGIN_URL}?timeout=1"
        notice = client.get(response.url).content.decode()
        assert "长时间未操作" in notice
        assert client.get(HOME_URL).status_code == 302


def test_accountants_are_signed_out_after_30_idle_minutes(client):
    accountant = User.objects.create(username="acc-2", kind=UserKind.ACCOUNTANT)
    client.force_login(accountant)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as traveller:
        client.get(reverse("core:home"))
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("core:home")).wsgi_request.user.is_authenticated

        traveller.shift(timedelta(minutes=30, seconds=1))
        response = client.get(reverse("core:home"))

        assert response.status_code == 302
        assert response.url == f"{reverse('identity:login')}?timeout=1"
        assert not client.get(reverse("core:home")).wsgi_request.user.is_authenticated


# --------------------------------------------------------------------------- the workbench


def test_the_workbench_sends_anonymous_visitors_to_the_staff_sign_in(client):
    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_the_workbench_needs_the_totp_step_not_only_a_password_session(client, reviewer):
    client.force_login(reviewer)

    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_an_accountant_gets_404_on_the_workbench(client):
    client.force_login(User.objects.create(username="acc-3", kind=UserKind.ACCOUNTANT))

    assert client.get(HOME_URL).status_code == 404


def test_the_workbench_links_the_admin_for_system_administrators_only(client, reviewer):
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    sign_in(client, admin)
    assert reverse("admin:index") in client.get(HOME_URL).content.decode()

    other = client.__class__()
    sign_in(other, reviewer)
    assert reverse("admin:index") not in other.get(HOME_URL).content.decode()


def test_the_workbench_runs_a_fixed_number_of_queries(client, reviewer, django_assert_num_queries):
    sign_in(client, reviewer)
    client.get(HOME_URL)

    # session, then user + TOTP device + unit in one query (identity.otp_session; 4 → 2, issue #10)
    with django_assert_num_queries(2):
        assert client.get(HOME_URL).status_code == 200
