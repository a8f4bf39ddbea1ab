"""SMS codes, pinned where mutation testing (make mutation) found the other tests silent: the exact
outcome of every check, the expiry instant, the separate code key, the resend that loses a race,
the purge's clock and the minutes in the SMS."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore

from identity import codes
from identity.codes import CheckResult
from identity.models import SmsCode, SmsCodePurpose

from .factories import AccountantFactory

pytestmark = pytest.mark.django_db

ID = {"id_type": "resident_id", "id_number": "420102199001011236", "phone": "13800000000"}
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def issue(challenge="challenge-1"):
    return codes.issue_code(purpose=SmsCodePurpose.LOGIN, challenge=challenge, **ID)


def check(code, challenge="challenge-1", user=None):
    return codes.check_code(purpose=SmsCodePurpose.LOGIN, challenge=challenge, code=code, user=user, **ID)


def wrong_for(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_each_outcome_of_a_check_is_exactly_what_the_callers_are_told():
    assert check("123456") == CheckResult(ok=False, reason="missing", locked_now=False)
    code = issue()
    assert check(wrong_for(code)) == CheckResult(ok=False, reason="wrong", locked_now=False)
    assert check(code) == CheckResult(ok=True, reason="ok", locked_now=False)


def test_a_code_is_expired_at_the_very_second_its_lifetime_ends(settings):
    with time_machine.travel(START, tick=False) as clock:
        code = issue()
        clock.shift(datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS))
        assert check(code) == CheckResult(ok=False, reason="expired", locked_now=False)
    assert not SmsCode.objects.exists()


def test_a_success_resets_the_failures_on_the_callers_user_object_too():
    user = AccountantFactory(**ID)
    code = issue()
    check(wrong_for(code), user=user)
    check(wrong_for(code), user=user)
    assert user.sms_failed_count == 2
    assert check(code, user=user).ok
    assert user.sms_failed_count == 0


def test_codes_issued_under_one_code_key_are_unknown_under_another(settings):
    settings.SMS_CODE_KEY = "first-sms-code-key"
    code = issue()
    settings.SMS_CODE_KEY = "second-sms-code-key"
    assert check(code).reason == "missing"
    settings.SMS_CODE_KEY = "first-sms-code-key"
    assert check(code).ok


def test_issuing_without_a_challenge_says_why():
    with pytest.raises(ValueError, match=r"^a code must be bound to a session challenge$"):
        issue(challenge="")


def test_a_resend_that_loses_the_race_to_a_concurrent_resend_replaces_that_code(monkeypatch):
    """Two resends at once: the other request inserts its row between our update (no row yet) and
    our insert. Ours must still win, or the code in the SMS we are about to send is useless."""
    issue(challenge="the-other-browser-tab")
    real_filter, bound = SmsCode.objects.filter, []

    def filter_before_the_other_insert(*args, **kwargs):
        if "binding" in kwargs:
            bound.append(kwargs["binding"])
            if len(bound) == 1:  # our first update ran before the other row existed
                return real_filter(*args, **kwargs).none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(SmsCode.objects, "filter", filter_before_the_other_insert)
    code = issue()
    monkeypatch.undo()
    assert len(bound) == 2  # the insert collided and the row was replaced
    assert SmsCode.objects.count() == 1
    assert check(code).ok


def test_the_purge_uses_the_given_time_or_now():
    with time_machine.travel(START, tick=False) as clock:
        issue()
        assert codes.purge_expired_codes(now=START + datetime.timedelta(minutes=4)) == 0
        assert codes.purge_expired_codes(now=START + datetime.timedelta(minutes=6)) == 1
        issue()
        assert codes.purge_expired_codes() == 0
        clock.shift(datetime.timedelta(minutes=6))
        assert codes.purge_expired_codes() == 1


@pytest.mark.parametrize(("ttl", "minutes"), [(30, 1), (90, 1), (120, 2), (300, 5)])
def test_the_sms_gives_the_lifetime_in_whole_minutes_and_at_least_one(settings, ttl, minutes):
    settings.SMS_CODE_TTL_SECONDS = ttl
    assert codes.sms_params("012345") == {"code": "012345", "minutes": minutes}


def test_forgetting_a_challenge_that_was_never_made_is_harmless():
    session = SessionStore()
    codes.forget_challenge(session, SmsCodePurpose.LOGIN)
    assert codes.current_challenge(session, SmsCodePurpose.LOGIN) == ""
