"""One-time SMS codes: storage, binding, expiry, single use, tries, lockout (identity.codes)."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from identity import codes
from identity.models import SmsCode, SmsCodePurpose, User
from notifications.messages import VERIFICATION_CODE, render

from .factories import AccountantFactory

pytestmark = pytest.mark.django_db

ID = {"id_type": "resident_id", "id_number": "420102199001011236", "phone": "13800000000"}


def issue(purpose=SmsCodePurpose.LOGIN, challenge="challenge-1", **overrides):
    return codes.issue_code(purpose=purpose, challenge=challenge, **{**ID, **overrides})


def check(code, purpose=SmsCodePurpose.LOGIN, challenge="challenge-1", user=None, **overrides):
    return codes.check_code(purpose=purpose, challenge=challenge, code=code, user=user, **{**ID, **overrides})


def wrong_for(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_has_six_digits_and_the_table_holds_neither_the_code_nor_the_id_nor_the_phone():
    code = issue()
    assert len(code) == 6 and code.isdigit()
    row = SmsCode.objects.get()
    stored = " ".join(str(v) for v in row.__dict__.values())
    assert code not in stored
    assert ID["id_number"] not in stored
    assert ID["phone"] not in stored


def test_codes_come_from_the_secrets_module_and_keep_their_leading_zeros(monkeypatch):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda upper: 42 if upper == 10**6 else 0)
    assert codes.generate_code() == "000042"


def test_the_right_code_is_accepted_once():
    code = issue()
    assert check(code).ok
    second = check(code)
    assert not second.ok
    assert second.reason == "missing"
    assert not SmsCode.objects.exists()


def test_a_code_expires_after_five_minutes():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        code = issue()
        clock.shift(datetime.timedelta(minutes=4, seconds=59))
        assert SmsCode.objects.get().expires_at > timezone.now()
        clock.shift(datetime.timedelta(seconds=2))
        result = check(code)
    assert not result.ok
    assert result.reason == "expired"


def test_a_code_checked_just_before_expiry_still_works():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        code = issue()
        clock.shift(datetime.timedelta(minutes=4, seconds=59))
        assert check(code).ok


def test_five_wrong_tries_kill_the_code_so_the_sixth_try_fails_even_when_right():
    code = issue()
    wrong = wrong_for(code)
    reasons = [check(wrong).reason for _ in range(5)]
    assert reasons == ["wrong", "wrong", "wrong", "wrong", "exhausted"]
    sixth = check(code)
    assert not sixth.ok
    assert sixth.reason == "missing"


def test_a_resend_replaces_the_old_code():
    first = issue()
    second = issue()
    assert SmsCode.objects.count() == 1
    if first != second:
        assert not check(first).ok
        second = issue()
    assert check(second).ok


def test_a_resend_starts_the_tries_afresh():
    code = issue()
    wrong = wrong_for(code)
    for _ in range(4):
        check(wrong)
    code = issue()
    assert SmsCode.objects.get().attempts == 0
    assert check(code).ok


def test_a_code_is_bound_to_the_session_challenge():
    code = issue(challenge="browser-a")
    result = check(code, challenge="browser-b")
    assert not result.ok
    assert result.reason == "wrong"


def test_a_code_without_a_challenge_is_never_accepted():
    code = issue()
    assert not check(code, challenge="").ok


@pytest.mark.parametrize(
    "other",
    [
        {"purpose": SmsCodePurpose.REGISTER},
        {"phone": "13900000000"},
        {"id_number": "360426199101010071"},
        {"id_type": "passport"},
    ],
)
def test_a_code_is_bound_to_purpose_id_and_phone(other):
    other = dict(other)  # the parameter is shared by every run of this test in the process
    code = issue()
    purpose = other.pop("purpose", SmsCodePurpose.LOGIN)
    assert not check(code, purpose=purpose, **other).ok
    assert check(code).ok


def test_issuing_needs_a_challenge():
    with pytest.raises(ValueError):
        issue(challenge="")


def test_expired_codes_are_purged_when_new_ones_are_issued():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        issue(phone="13811111111")
        clock.shift(datetime.timedelta(minutes=6))
        issue(phone="13822222222")
    assert SmsCode.objects.count() == 1


def test_the_challenge_lives_in_the_session_per_purpose():
    session = SessionStore()
    login_challenge = codes.new_challenge(session, SmsCodePurpose.LOGIN)
    assert codes.current_challenge(session, SmsCodePurpose.LOGIN) == login_challenge
    assert codes.current_challenge(session, SmsCodePurpose.REGISTER) == ""
    assert codes.new_challenge(session, SmsCodePurpose.LOGIN) != login_challenge
    codes.forget_challenge(session, SmsCodePurpose.LOGIN)
    assert codes.current_challenge(session, SmsCodePurpose.LOGIN) == ""


def test_the_code_sms_is_the_chinese_template_with_the_code_and_the_signature():
    assert (
        render(VERIFICATION_CODE.key, codes.sms_params("123456"))
        == "【湖北省会计人员管理系统】您的验证码为123456，5分钟内有效。如非本人操作，请忽略。"
    )


# --------------------------------------------------------------------------- account lockout


def test_one_hundred_consecutive_wrong_codes_lock_the_account():
    user = AccountantFactory(**ID)
    for _ in range(99):
        assert not check(wrong_for(issue()), user=user).locked_now
    user.refresh_from_db()
    assert user.sms_failed_count == 99
    assert user.sms_locked_at is None
    result = check(wrong_for(issue()), user=user)
    assert result.locked_now
    user.refresh_from_db()
    assert user.is_sms_locked


def test_a_success_resets_the_consecutive_failures():
    user = AccountantFactory(**ID)
    code = issue()
    check(wrong_for(code), user=user)
    assert User.objects.get(pk=user.pk).sms_failed_count == 1
    assert check(code, user=user).ok
    assert User.objects.get(pk=user.pk).sms_failed_count == 0


def test_a_guess_without_a_live_code_does_not_count_towards_the_lockout():
    user = AccountantFactory(**ID)
    assert check("123456", user=user).reason == "missing"
    assert User.objects.get(pk=user.pk).sms_failed_count == 0
