"""Rate limits on SMS codes (identity.ratelimit): cooldown, per-phone, per-IP and global caps."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from identity import ratelimit
from identity.ratelimit import LimiterUnavailable, RateLimited


def send(phone="13800000000", ip="10.0.0.1"):
    ratelimit.reserve_sms_send(phone=phone, ip=ip)


def refused(phone="13800000000", ip="10.0.0.1") -> RateLimited:
    with pytest.raises(RateLimited) as info:
        send(phone, ip)
    return info.value


def test_a_second_send_within_60_seconds_is_refused_with_the_seconds_left(clock):
    send()
    clock.shift(15)
    error = refused()
    assert error.reason == "cooldown"
    assert error.retry_after == 45
    assert "45" in str(error.message)


def test_a_send_after_60_seconds_is_allowed(clock):
    send()
    clock.shift(61)
    send()


def test_the_cooldown_is_per_phone(clock):
    send("13800000000")
    send("13900000000")


def test_a_phone_gets_at_most_five_codes_an_hour(clock):
    for _ in range(5):
        send()
        clock.shift(61)
    error = refused()
    assert error.reason == "phone_hourly"
    assert "1小时" in str(error.message)


def test_the_hourly_window_slides_so_the_sixth_code_waits_for_the_first_to_age(clock):
    for _ in range(5):
        send()
        clock.shift(61)
    assert refused().retry_after == 3600 - 5 * 61
    clock.shift(3600 - 5 * 61 + 1)
    send()


def test_a_phone_gets_at_most_ten_codes_a_day(clock):
    for _ in range(10):
        send()
        clock.shift(datetime.timedelta(minutes=13))
    error = refused()
    assert error.reason == "phone_daily"
    assert "24小时" in str(error.message)
    clock.shift(datetime.timedelta(hours=24))
    send()


def test_one_network_gets_at_most_the_hourly_ip_cap(clock, settings):
    settings.SMS_IP_HOURLY_LIMIT = 3
    for n in range(3):
        send(phone=f"1380000000{n}")
    error = refused(phone="13800000009")
    assert error.reason == "ip_hourly"
    assert "网络" in str(error.message)
    send(phone="13800000009", ip="10.0.0.2")


def test_one_network_gets_at_most_the_daily_ip_cap(clock, settings):
    settings.SMS_IP_DAILY_LIMIT = 4
    for n in range(4):
        send(phone=f"1380000000{n}")
        clock.shift(datetime.timedelta(minutes=70))
    assert refused(phone="13800000009").reason == "ip_daily"


def test_the_global_daily_budget_stops_every_send(clock, settings):
    settings.SMS_GLOBAL_DAILY_LIMIT = 2
    send(phone="13800000001", ip="10.0.0.1")
    send(phone="13800000002", ip="10.0.0.2")
    error = refused(phone="13800000003", ip="10.0.0.3")
    assert error.reason == "global_daily"
    assert "今日" in str(error.message)


def test_a_send_refused_by_the_global_budget_does_not_use_up_the_phones_own_allowance(clock, settings):
    settings.SMS_GLOBAL_DAILY_LIMIT = 0
    for _ in range(6):
        assert refused().reason == "global_daily"
        clock.shift(61)
    settings.SMS_GLOBAL_DAILY_LIMIT = 100
    send()


def test_cache_keys_hold_neither_the_phone_nor_the_ip(clock):
    send(phone="13812345678", ip="192.0.2.77")
    keys = list(caches["default"]._cache.keys())
    assert keys
    assert not any("13812345678" in key or "192.0.2.77" in key for key in keys)


@pytest.mark.parametrize("method", ["add", "get", "get_many", "incr"])
def test_a_broken_cache_refuses_sending(method):
    with mock.patch.object(caches["default"], method, side_effect=ConnectionError("redis is down")):
        with pytest.raises(LimiterUnavailable):
            # A second send reaches `get` (cooldown) only after a first one went through.
            send()
            send()


def test_a_broken_cache_refuses_checking_codes():
    with mock.patch.object(caches["default"], "incr", side_effect=TimeoutError), pytest.raises(LimiterUnavailable):
        ratelimit.hit_code_check(ip="10.0.0.1")


def test_code_checks_per_network_are_capped(settings):
    settings.SMS_CHECK_IP_HOURLY_LIMIT = 3
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            ratelimit.hit_code_check(ip="10.0.0.1")
        with pytest.raises(RateLimited):
            ratelimit.hit_code_check(ip="10.0.0.1")
        ratelimit.hit_code_check(ip="10.0.0.2")
