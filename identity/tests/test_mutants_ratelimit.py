"""SMS rate limits, pinned where mutation testing (make mutation) found the other tests silent:
each counter is per network / per phone and lives exactly as long as its window, the waits
people are told, and the limiter's own cache."""

import datetime

import pytest
import time_machine
from django.core.cache import caches

from identity import ratelimit
from identity.ratelimit import LimiterUnavailable

from .test_ratelimit import refused, send

HOUR, DAY = 3600, 86400


@pytest.fixture
def midnight():
    """00:00:30 in Hubei: a whole local day ahead."""
    start = datetime.datetime(2026, 3, 2, 0, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_a_network_over_its_hourly_cap_waits_for_the_next_hour(clock, settings):
    settings.SMS_IP_HOURLY_LIMIT = 1
    send(phone="13800000001")
    clock.shift(120)
    error = refused(phone="13800000002")
    assert (error.reason, error.retry_after) == ("ip_hourly", HOUR - 120)


def test_a_networks_hourly_count_lasts_to_the_end_of_the_hour(clock, settings):
    settings.SMS_IP_HOURLY_LIMIT = 1
    send(phone="13800000001")
    clock.shift(HOUR - 59)  # 09:59:01
    assert refused(phone="13800000002").reason == "ip_hourly"


def test_a_networks_daily_count_lasts_the_whole_day_and_is_per_network(midnight, settings):
    settings.SMS_IP_DAILY_LIMIT = 1
    send(phone="13800000001", ip="10.0.0.1")
    send(phone="13800000002", ip="10.0.0.2")
    midnight.shift(datetime.timedelta(hours=23, minutes=1))  # 23:01:30, the same day
    assert refused(phone="13800000003", ip="10.0.0.1").reason == "ip_daily"
    midnight.shift(datetime.timedelta(hours=1))  # the next day
    send(phone="13800000003", ip="10.0.0.1")


def test_the_phone_caps_are_per_phone(clock, settings):
    settings.SMS_PHONE_HOURLY_LIMIT = 1
    send(phone="13800000001")
    send(phone="13800000002")
    settings.SMS_PHONE_HOURLY_LIMIT, settings.SMS_PHONE_DAILY_LIMIT = 5, 1
    send(phone="13800000003")
    send(phone="13800000004")


def test_a_phone_over_its_daily_cap_is_told_when_its_oldest_code_ages_out(clock, settings):
    settings.SMS_PHONE_DAILY_LIMIT = 1
    send()
    clock.shift(2 * HOUR)
    error = refused()
    assert (error.reason, error.retry_after) == ("phone_daily", DAY - 2 * HOUR)


def test_a_send_refused_by_the_daily_cap_gives_back_its_hourly_slot(clock, settings):
    settings.SMS_PHONE_HOURLY_LIMIT, settings.SMS_PHONE_DAILY_LIMIT = 2, 1
    send()
    clock.shift(61)
    assert refused().reason == "phone_daily"
    settings.SMS_PHONE_DAILY_LIMIT = 5
    clock.shift(61)
    send()  # the second hourly slot is free again


def test_the_wait_is_never_under_one_second(clock, settings):
    settings.SMS_PHONE_HOURLY_LIMIT = 1
    send()
    clock.shift(HOUR - 0.5)
    error = refused()
    assert (error.reason, error.retry_after) == ("phone_hourly", 1)


def test_slots_that_free_themselves_before_the_wait_is_computed_mean_a_full_window(clock, monkeypatch):
    monkeypatch.setattr(ratelimit, "_take_slot", lambda *args: None)  # all taken, then all gone
    error = refused()
    assert (error.reason, error.retry_after) == ("phone_hourly", HOUR)


def test_the_systems_budget_counts_all_day_and_starts_again_the_next_day(clock, settings):
    settings.SMS_GLOBAL_DAILY_LIMIT = 1
    send(phone="13800000001", ip="10.0.0.1")
    clock.shift(1)
    assert refused(phone="13800000002", ip="10.0.0.2").reason == "global_daily"
    clock.shift(DAY)
    send(phone="13800000002", ip="10.0.0.2")


def test_nothing_the_limiter_stores_outlives_two_days(clock):
    cache = caches["default"]
    send()
    ratelimit.hit_code_check(ip="10.0.0.1")
    keys = list(cache._cache)
    assert keys
    clock.shift(2 * DAY + 1)
    assert [key for key in keys if not cache._has_expired(key)] == []


def test_a_counter_may_start_again_once_but_not_twice(monkeypatch):
    cache = caches["default"]
    real_incr, calls = cache.incr, []

    def incr_that_misses_twice(key, *args, **kwargs):
        calls.append(key)
        if len(calls) <= 2:
            raise ValueError(key)  # the counter expired between add and incr
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(cache, "incr", incr_that_misses_twice)
    with pytest.raises(LimiterUnavailable):
        ratelimit.hit_code_check(ip="10.0.0.1")
    assert len(calls) == 2


def test_the_limiter_keeps_its_counts_in_its_own_cache_when_one_is_named(clock, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sms-test-default"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sms-test-ratelimit"},
    }
    settings.SMS_RATELIMIT_CACHE = "ratelimit"
    try:
        send()
        assert caches["ratelimit"]._cache
        assert not caches["default"]._cache
    finally:
        caches["ratelimit"].clear()
        caches["default"].clear()
