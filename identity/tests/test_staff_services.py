"""Staff accounts: creation rules, roles, units, activation — and their audit rows."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from identity.constants import StaffRole, UserKind
from identity.models import User
from identity.staff_services import (
    StaffAccountError,
    create_staff,
    move_staff,
    set_staff_active,
    set_staff_role,
)
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit

pytestmark = pytest.mark.django_db


def new_staff(**overrides):
    values = {
        "username": "lisi",
        "full_name": "李四",
        "password": STAFF_PASSWORD,
        "role": StaffRole.REVIEWER,
        "unit": review_unit("420102"),
    }
    values.update(overrides)
    return create_staff(**values)


def errors_of(call) -> dict:
    with pytest.raises(StaffAccountError) as info:
        call()
    return info.value.message_dict


def test_create_staff_makes_a_staff_user_with_a_confirmed_totp_device():
    user, device = new_staff()

    assert user.kind == UserKind.STAFF
    assert user.role == StaffRole.REVIEWER
    assert user.unit.code == "420102"
    assert user.check_password(STAFF_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    assert device.user == user and device.confirmed
    assert len(device.key) == 40


def test_each_staff_member_gets_a_different_secret():
    _, first = new_staff(username="a1")
    _, second = new_staff(username="a2")

    assert first.key != second.key


def test_a_system_administrator_gets_the_django_admin_flags():
    user, _ = new_staff(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))

    assert user.is_staff and user.is_superuser


def test_create_staff_is_audited_without_the_password_or_the_secret():
    user, device = new_staff()

    event = AuditEvent.objects.get(action="staff.create")
    assert event.object_id == str(user.pk)
    assert event.detail == {"username": "lisi", "role": "reviewer", "unit": "420102"}
    assert device.key not in str(event.detail)


def test_create_staff_reports_every_bad_field_in_chinese():
    errors = errors_of(lambda: new_staff(username="a b", full_name=" ", password="123", role="boss", unit=None))

    assert set(errors) == {"username", "full_name", "password", "role", "unit"}
    assert "字母" in errors["username"][0]
    assert errors["full_name"] == ["请输入工作人员姓名。"]
    assert errors["role"] == ["请选择角色。"]
    assert errors["unit"] == ["请选择一个启用中的会计管理部门。"]
    assert not User.objects.filter(kind=UserKind.STAFF).exists()


def test_a_username_taken_in_another_case_is_refused():
    new_staff(username="Wangwu")

    assert errors_of(lambda: new_staff(username="wangwu")) == {"username": ["该用户名已被使用。"]}


def test_an_inactive_unit_is_refused():
    unit = review_unit("420103")
    unit.is_active = False
    unit.save()

    assert "unit" in errors_of(lambda: new_staff(unit=unit))


def test_a_password_like_the_username_is_refused():
    assert "password" in errors_of(lambda: new_staff(username="zhaoliu2026", password="zhaoliu2026"))


def test_a_fixed_totp_secret_must_be_20_bytes_of_hex():
    assert "totp_key" in errors_of(lambda: new_staff(totp_key="not-hex"))
    _, device = new_staff(totp_key="AB" * 20)
    assert device.key == "ab" * 20


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_usernames_outside_the_rule_never_create_an_account(username):
    from identity.staff_services import USERNAME_RE

    if USERNAME_RE.fullmatch(username.strip()):
        return
    with pytest.raises(StaffAccountError):
        new_staff(username=username)
    assert not TOTPDevice.objects.exists()


def test_deactivating_and_reactivating_staff_is_audited():
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN)
    user = StaffFactory()

    set_staff_active(user=user, active=False, actor=admin)
    user.refresh_from_db()
    assert not user.is_active
    set_staff_active(user=user, active=True, actor=admin)
    user.refresh_from_db()
    assert user.is_active

    actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).order_by("id").values_list("action", "actor"))
    assert actions == [("staff.deactivate", admin.pk), ("staff.activate", admin.pk)]


def test_deactivating_an_already_inactive_account_writes_nothing():
    user = StaffFactory(is_active=False)

    set_staff_active(user=user, active=False, actor=None)

    assert not AuditEvent.objects.exists()


def test_nobody_can_deactivate_themselves():
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN)

    assert "is_active" in errors_of(lambda: set_staff_active(user=admin, active=False, actor=admin))
    admin.refresh_from_db()
    assert admin.is_active


def test_staff_services_refuse_accountants():
    accountant = User.objects.create(username="acc-9", kind=UserKind.ACCOUNTANT)

    assert "username" in errors_of(lambda: set_staff_active(user=accountant, active=False, actor=None))
    assert "username" in errors_of(lambda: move_staff(user=accountant, unit=review_unit("420102"), actor=None))
    assert "username" in errors_of(lambda: set_staff_role(user=accountant, role=StaffRole.REVIEWER, actor=None))


def test_moving_a_reviewer_changes_the_unit_and_records_both_units():
    user = StaffFactory()

    move_staff(user=user, unit=review_unit("420202"), actor=None)

    user.refresh_from_db()
    assert user.unit.code == "420202"
    event = AuditEvent.objects.get(action="staff.move")
    assert event.detail == {"from": "420102", "to": "420202"}


def test_a_reviewer_cannot_be_moved_to_an_inactive_unit():
    unit = review_unit("420103")
    unit.is_active = False
    unit.save()
    user = StaffFactory()

    assert "unit" in errors_of(lambda: move_staff(user=user, unit=unit, actor=None))
    user.refresh_from_db()
    assert user.unit.code == "420102"


def test_a_role_change_follows_the_admin_flags_both_ways():
    user = StaffFactory()

    set_staff_role(user=user, role=StaffRole.SYSTEM_ADMIN, actor=None)
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (StaffRole.SYSTEM_ADMIN, True, True)

    set_staff_role(user=user, role=StaffRole.UNIT_ADMIN, actor=None)
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (StaffRole.UNIT_ADMIN, False, False)
    assert AuditEvent.objects.filter(action="staff.role").count() == 2


def test_an_unknown_role_is_refused():
    user = StaffFactory()

    assert errors_of(lambda: set_staff_role(user=user, role="king", actor=None)) == {"role": ["请选择角色。"]}
