"""Parallel requests for codes: the 60-second cooldown is one atomic cache operation.

Real threads, real commits (transaction=True). On PostgreSQL the 20 requests run truly in
parallel. SQLite's in-memory test database refuses concurrent writers outright ("database table
is locked"), so there the requests' database work takes turns while the limiter test below
still races 20 threads on the cache alone.
"""

import contextlib
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity import ratelimit
from identity.models import SmsCode
from notifications import backends

from .factories import AccountantFactory, login_data, register_data

PARALLEL = 20


def post_in_parallel(url, data) -> list[int]:
    barrier = threading.Barrier(PARALLEL)
    statuses, errors = [], []
    sqlite_turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def worker():
        try:
            client = Client()
            barrier.wait(timeout=30)
            with sqlite_turns:
                statuses.append(client.post(url, data).status_code)
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_sign_in_sends_for_one_phone_send_exactly_one_sms(settings):
    settings.SMS_LOGIN_ANSWER_SECONDS = 0
    accountant = AccountantFactory()
    statuses = post_in_parallel(reverse("identity:send_code"), login_data(accountant))
    assert sorted(statuses) == [200] + [429] * (PARALLEL - 1)
    assert [to for to, _text in backends.outbox] == [accountant.phone]
    assert SmsCode.objects.count() == 1
    assert AuditEvent.objects.filter(action="auth.sms_code_sent").count() == 1
    assert AuditEvent.objects.filter(action="auth.sms_code_refused").count() == PARALLEL - 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_registration_sends_for_one_phone_send_exactly_one_sms():
    statuses = post_in_parallel(reverse("identity:send_code"), register_data())
    assert statuses.count(200) == 1
    assert len(backends.outbox) == 1
    assert SmsCode.objects.count() == 1


def test_twenty_threads_racing_for_one_phone_get_exactly_one_send_past_the_limiter():
    barrier = threading.Barrier(PARALLEL)
    outcomes = []

    def worker(n):
        barrier.wait(timeout=30)
        try:
            ratelimit.reserve_sms_send(phone="13800000000", ip=f"10.0.0.{n}")
            outcomes.append("sent")
        except ratelimit.RateLimited as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["cooldown"] * (PARALLEL - 1) + ["sent"]
