"""Helpers for tests that race real transactions on separate connections (threads)."""

import threading
import time

from django.db import OperationalError, connection


def wait_until_someone_waits_for_a_lock(timeout=10.0):
    """Block until another connection waits for a row lock (PostgreSQL); on SQLite just pause."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the row lock")


def retry_while_sqlite_is_locked(job, timeout=20.0):
    """SQLite's shared-cache test database answers "table is locked" at once instead of waiting
    like a file database (busy timeout) or PostgreSQL (row lock) would: wait and retry the whole,
    rolled-back transaction. PostgreSQL runs each job exactly once."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return job()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def run_in_threads(*jobs):
    """Run each job in its own thread (own connection); return what each returned or raised."""
    results = [None] * len(jobs)

    def runner(index, job):
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    return threads, results
