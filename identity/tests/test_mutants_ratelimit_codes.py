"""SMS limits and code storage, pinned where mutation testing (make mutation) found the other tests
silent: how long the daily caps tell people to wait, the counter that expires mid-count, and the
HMAC that stores a code."""

import hashlib
import hmac

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from identity import codes, ratelimit
from identity.models import SmsCode, SmsCodePurpose

from .test_ratelimit import refused


def test_a_network_over_its_daily_cap_is_told_to_come_back_in_a_day(clock, settings):
    settings.SMS_IP_DAILY_LIMIT = 1
    ratelimit.reserve_sms_send(phone="13800000001", ip="10.0.0.9")
    clock.shift(120)
    error = refused("13800000002", "10.0.0.9")
    assert (error.reason, error.retry_after) == ("ip_daily", 86400)
    assert "明天" in str(error.message)  # try again tomorrow


def test_the_whole_systems_daily_budget_tells_people_to_come_back_in_a_day(clock, settings):
    settings.SMS_GLOBAL_DAILY_LIMIT = 1
    ratelimit.reserve_sms_send(phone="13800000001", ip="10.0.0.1")
    error = refused("13800000002", "10.0.0.2")
    assert (error.reason, error.retry_after) == ("global_daily", 86400)
    # Nothing was sent: the refused phone may ask again at once when the budget allows it.
    settings.SMS_GLOBAL_DAILY_LIMIT = 10
    ratelimit.reserve_sms_send(phone="13800000002", ip="10.0.0.2")


def test_a_counter_that_expires_between_add_and_incr_is_started_again(monkeypatch):
    cache = caches["default"]
    real_incr, calls = cache.incr, []

    def incr_after_expiry(key, *args, **kwargs):
        calls.append(key)
        if len(calls) == 1:
            cache.delete(key)  # the counter died right after add()
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(cache, "incr", incr_after_expiry)
    assert ratelimit._count("hbkj:sms:test:counter", 60) == 1
    assert len(calls) == 2


def test_a_counter_that_keeps_vanishing_fails_closed(monkeypatch):
    cache = caches["default"]
    monkeypatch.setattr(cache, "incr", lambda key, *a, **k: (_ for _ in ()).throw(ValueError(key)))
    with pytest.raises(ratelimit.LimiterUnavailable):
        ratelimit.hit_code_check(ip="10.0.0.1")


@pytest.mark.django_db
def test_a_code_is_stored_as_an_hmac_sha256_never_sha1():
    challenge = "browser-a"
    code = codes.issue_code(
        purpose=SmsCodePurpose.LOGIN,
        id_type="resident_id",
        id_number="420102199001011236",
        phone="13800000000",
        challenge=challenge,
    )
    row = SmsCode.objects.get()
    assert len(row.binding) == len(row.code_hash) == 64  # SHA-256 in hex; SHA-1 would give 40

    # Django's salted HMAC: key = SHA-256(salt + secret), HMAC-SHA-256 of the value.
    secret = django_settings.SMS_CODE_KEY or django_settings.SECRET_KEY

    def salted(salt, value):
        key = hashlib.sha256((f"identity.codes.{salt}" + secret).encode()).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    binding = salted("binding", "\x1f".join(["login", "resident_id", "420102199001011236", "13800000000"]))
    assert row.binding == binding
    assert row.code_hash == salted("code", "\x1f".join([binding, challenge, code]))
