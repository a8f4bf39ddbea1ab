"""Helpers for tests that race real transactions on separate connections (threads).

`wait_until_someone_waits_for_a_lock()` proves that a race really happened: it returns only once
another connection has run into the lock the test holds, and fails the test otherwise.
- PostgreSQL: another backend of the test database shows wait_event_type = 'Lock' in pg_stat_activity
  (it is blocked on the row or table lock).
- SQLite (the shared-cache in-memory test database): a write transaction that meets another one is
  refused at once ("database table is locked") instead of blocking; `retry_while_sqlite_is_locked`
  notes each refusal of a still-running thread, and the helper waits for one.
"""

import threading
import time
import weakref

from django.db import OperationalError, connection

# Threads whose transaction was refused by SQLite's lock at least once (dead threads drop out).
_refused_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()
_refused = threading.Condition()


def _someone_else_was_refused() -> bool:
    me = threading.current_thread()
    return any(thread is not me and thread.is_alive() for thread in list(_refused_threads))


def wait_until_someone_waits_for_a_lock(timeout=10.0):
    """Block until another connection has run into a lock held by this test's transaction, or fail."""
    deadline = time.monotonic() + timeout
    if connection.vendor == "sqlite":
        with _refused:
            if _refused.wait_for(_someone_else_was_refused, timeout=timeout):
                return
        raise AssertionError("the second transaction never met the first one's lock")
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
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
            with _refused:
                _refused_threads.add(threading.current_thread())
                _refused.notify_all()
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
