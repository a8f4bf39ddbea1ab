"""The user admin: TOTP required, masked personal data, staff changes through the services."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from identity.constants import IdType, StaffRole, UserKind
from identity.models import User
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:identity_user_changelist")
ADD_URL = reverse("admin:identity_user_add")


def change_url(user):
    return reverse("admin:identity_user_change", args=[user.pk])


@pytest.fixture
def sysadmin():
    return StaffFactory(username="sysadmin", role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))


@pytest.fixture
def admin_client(client, sysadmin):
    response = client.post(
        reverse("identity:staff_login"),
        {"username": sysadmin.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(sysadmin)},
    )
    assert response.status_code == 302
    return client


def make_accountant(n: int, **extra) -> User:
    values = {
        "username": f"acc-{n}",
        "kind": UserKind.ACCOUNTANT,
        "full_name": f"会计{n}",
        "id_type": IdType.RESIDENT_ID,
        "id_number": f"4201021990010{n:04d}X"[:18],
        "phone": f"1380000{n:04d}",
    }
    values.update(extra)
    return User.objects.create(**values)


def test_the_admin_asks_for_totp_even_from_a_superuser_with_a_password_session(client, sysadmin):
    client.force_login(sysadmin)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    onward = client.get(response.url)
    assert onward.status_code == 302
    assert onward.url.startswith(reverse("identity:staff_login"))


def test_the_admin_sign_in_is_the_staff_sign_in_and_returns_to_the_admin(client, sysadmin):
    response = client.get(reverse("admin:login") + "?next=" + CHANGELIST)
    assert response.url == f"{reverse('identity:staff_login')}?next={CHANGELIST}"

    signed_in = client.post(
        response.url,
        {"username": sysadmin.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(sysadmin)},
    )

    assert signed_in.url == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:login")).url == reverse("admin:index")


def test_a_reviewer_signed_in_with_totp_gets_404_from_the_admin(client):
    reviewer = StaffFactory()
    client.post(
        reverse("identity:staff_login"),
        {"username": reviewer.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(reviewer)},
    )

    response = client.get(CHANGELIST, follow=True)

    assert response.status_code == 404


def test_the_user_list_masks_id_numbers_and_phones(admin_client):
    make_accountant(1, id_number="420102199001011236", phone="13812345678")

    text = admin_client.get(CHANGELIST).content.decode()

    assert "420***********1236" in text
    assert "138****5678" in text
    assert "420102199001011236" not in text
    assert "13812345678" not in text


def test_the_accountant_page_in_the_admin_shows_masked_values_only(admin_client):
    accountant = make_accountant(2, id_number="420102199001011236", phone="13812345678")

    text = admin_client.get(change_url(accountant)).content.decode()

    assert "420***********1236" in text
    assert "420102199001011236" not in text
    assert "13812345678" not in text


def test_the_user_list_runs_the_same_queries_for_few_and_many_users(admin_client, django_assert_max_num_queries):
    make_accountant(1)
    StaffFactory()
    admin_client.get(CHANGELIST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(CHANGELIST).status_code == 200
    for n in range(3, 23):
        make_accountant(n)
    for _ in range(5):
        StaffFactory(unit=review_unit("420202"))

    with django_assert_max_num_queries(len(few)):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_adding_a_staff_member_creates_the_account_its_device_and_an_audit_row(admin_client, sysadmin):
    response = admin_client.post(
        ADD_URL,
        {
            "username": "newreviewer",
            "full_name": "新审核员",
            "email": "",
            "role": StaffRole.REVIEWER,
            "unit": review_unit("420103").pk,
            "password1": STAFF_PASSWORD,
            "password2": STAFF_PASSWORD,
        },
        follow=True,
    )

    user = User.objects.get(username="newreviewer")
    device = TOTPDevice.objects.get(user=user)
    assert (user.kind, user.role, user.unit.code) == (UserKind.STAFF, StaffRole.REVIEWER, "420103")
    assert device.confirmed
    assert reverse("admin:otp_totp_totpdevice_config", args=[device.pk]) in response.content.decode()
    event = AuditEvent.objects.get(action="staff.create")
    assert event.actor == sysadmin


def test_a_bad_new_staff_member_is_refused_next_to_the_fields_and_keeps_what_was_typed(admin_client):
    StaffFactory(username="taken")

    response = admin_client.post(
        ADD_URL,
        {
            "username": "TAKEN",
            "full_name": "重名",
            "role": StaffRole.REVIEWER,
            "unit": review_unit("420103").pk,
            "password1": "short",
            "password2": "short",
        },
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "该用户名已被使用。" in text
    assert "重名" in text
    assert User.objects.filter(username__iexact="taken").count() == 1


def test_two_different_passwords_are_flagged(admin_client):
    response = admin_client.post(
        ADD_URL,
        {
            "username": "someone",
            "full_name": "某人",
            "role": StaffRole.REVIEWER,
            "unit": review_unit("420103").pk,
            "password1": STAFF_PASSWORD,
            "password2": STAFF_PASSWORD + "x",
        },
    )

    assert "两次输入的密码不一致。" in response.content.decode()
    assert not User.objects.filter(username="someone").exists()


def change_form_data(user, **overrides):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "unit": user.unit_id,
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_changing_role_and_unit_in_the_admin_goes_through_the_services(admin_client, sysadmin):
    reviewer = StaffFactory()

    response = admin_client.post(
        change_url(reviewer),
        change_form_data(reviewer, role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420202").pk),
    )

    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert (reviewer.role, reviewer.unit.code, reviewer.is_superuser) == (StaffRole.SYSTEM_ADMIN, "420202", True)
    actions = set(
        AuditEvent.objects.filter(actor=sysadmin, object_id=str(reviewer.pk)).values_list("action", flat=True)
    )
    assert actions == {"staff.role", "staff.move"}


def test_unticking_active_in_the_admin_deactivates_through_the_service(admin_client, sysadmin):
    reviewer = StaffFactory()

    admin_client.post(change_url(reviewer), change_form_data(reviewer, is_active=""))

    reviewer.refresh_from_db()
    assert not reviewer.is_active
    assert AuditEvent.objects.filter(action="staff.deactivate", actor=sysadmin).exists()


def test_the_deactivate_action_deactivates_staff_but_not_oneself(admin_client, sysadmin):
    reviewers = [StaffFactory(), StaffFactory()]

    response = admin_client.post(
        CHANGELIST,
        {"action": "deactivate_staff", "_selected_action": [r.pk for r in reviewers] + [sysadmin.pk]},
        follow=True,
    )

    assert User.objects.filter(pk__in=[r.pk for r in reviewers], is_active=False).count() == 2
    sysadmin.refresh_from_db()
    assert sysadmin.is_active
    assert "不能停用自己的账号。" in response.content.decode()


def test_the_unlock_action_unlocks_accountants_locked_by_sms_failures(admin_client, sysadmin):
    locked = make_accountant(1, sms_failed_count=100, sms_locked_at=timezone.now())
    fine = make_accountant(2)

    admin_client.post(CHANGELIST, {"action": "unlock_accountants", "_selected_action": [locked.pk, fine.pk]})

    locked.refresh_from_db()
    assert locked.sms_locked_at is None
    assert locked.sms_failed_count == 0
    event = AuditEvent.objects.get(object_id=str(locked.pk))
    assert event.actor == sysadmin
    assert locked.id_number not in str(event.detail)


def test_accountant_identity_cannot_be_edited_in_the_admin(admin_client):
    accountant = make_accountant(3)

    admin_client.post(
        change_url(accountant),
        {"username": "hijack", "full_name": "改名", "id_number": "110101199003070011", "phone": "13999999999"},
    )

    accountant.refresh_from_db()
    assert (accountant.username, accountant.full_name, accountant.phone) == ("acc-3", "会计3", "13800000003")
    assert accountant.id_number != "110101199003070011"
