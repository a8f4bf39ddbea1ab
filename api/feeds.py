"""Change feeds read by the national platform and city systems: keyset pages over append-only tables.

Guarantee: a client that starts from cursor 0 (or any cursor it was given) and follows `next_cursor`
sees every row of the feed exactly once, in id order, even while new rows are written during paging.

Why ids alone are not enough on PostgreSQL: ids come from a sequence when a row is inserted, but the
row becomes visible at commit. A transaction that took id 10 and commits after another one took and
committed id 11 would be skipped by a reader that served 11 and moved its cursor past 10.

What we do (`settled_horizon`): before reading a page we read the table's sequence (`last_value`:
every id handed out so far, committed or not), then ask `pg_locks` whether any other transaction
holds a write lock (RowExclusiveLock) on the table. An INSERT takes that lock before its default
draws the id and keeps it until commit or rollback, so when no other transaction holds it, every id
up to `last_value` is settled: committed (and visible to our next statement, READ COMMITTED) or
rolled back for good. The page then serves only ids ≤ that horizon. If writers are in flight we look
again a few times over about 0.2 s (approval transactions are short); if they are still there we use
the last horizon found settled earlier (kept in the cache; a settled horizon stays settled) or serve
nothing new — never a row past an id that might still appear. SQLite has one writer at a time, so ids
become visible in order and no horizon is needed.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

HORIZON_ATTEMPTS = 10
HORIZON_PAUSE_SECONDS = 0.02


def _settled_once(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - a name PostgreSQL gave
        last_value, is_called = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND relation = %s::regclass "
            "AND mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock') "
            "AND pid IS DISTINCT FROM pg_backend_pid()",
            [table],
        )
        busy = cursor.fetchone()[0]
    if busy:
        return None
    return last_value if is_called else 0


def settled_horizon(model) -> int | None:
    """The highest id of `model` at or below which no new row can appear; None when any id is safe (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    table = model._meta.db_table
    key = f"hbkj:api:horizon:{table}"
    for attempt in range(HORIZON_ATTEMPTS):
        horizon = _settled_once(table)
        if horizon is not None:
            cache.set(key, horizon, 3600)
            return horizon
        if attempt + 1 < HORIZON_ATTEMPTS:
            time.sleep(HORIZON_PAUSE_SECONDS)
    return cache.get(key) or 0


@dataclass
class Page:
    rows: list
    next_cursor: int
    has_more: bool


def keyset_page(queryset, *, model, after: int, limit: int) -> Page:
    """Rows of `queryset` with id > `after` and ≤ the settled horizon, in id order, at most `limit`."""
    horizon = settled_horizon(model)
    rows = queryset.filter(id__gt=after)
    if horizon is not None:
        rows = rows.filter(id__lte=horizon)
    rows = list(rows.order_by("id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if has_more or horizon is None:
        next_cursor = rows[-1].id if rows else after
    else:
        # Every id up to the horizon is settled and was scanned: the next page starts past it.
        next_cursor = max(after, horizon)
    return Page(rows=rows, next_cursor=next_cursor, has_more=has_more)
