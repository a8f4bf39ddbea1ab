"""Read replica routing: heavy reads (dashboards, exports, the audit viewer) may go to a replica.

When DATABASE_REPLICA_URL is set, settings add a second alias "replica" (a streaming-replication
standby run by the operator; the application only reads from it). Nothing goes there by default:
only reads made inside `use_replica()` do, and writes never do, wherever they are made.

    from core.db_router import use_replica

    with use_replica():
        rows = list(Application.objects.filter(...))   # read on the replica

    @use_replica()
    def export_task(...):                               # works as a decorator too
        ...

Without a replica configured (development, tests, a one-server install) `use_replica()` is a
no-op and every read stays on "default". The flag is a context variable, so it is per thread and
per asyncio task and is reset when the block ends, even on an exception. A replica lags the
primary by a moment: never read inside `use_replica()` what the same request has just written.
Migrations never run on the replica (`allow_migrate`): it receives the schema by replication.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def use_replica():
    """Send the ORM reads made inside this block (or decorated function) to the replica, if any."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings


def reading_from_replica() -> bool:
    """Whether reads made now go to the replica (inside `use_replica()` with a replica configured)."""
    return _reading_from_replica.get() and replica_configured()


class ReplicaRouter:
    """Reads inside `use_replica()` → "replica"; every write and every other read → "default"."""

    def db_for_read(self, model, **hints):
        return REPLICA_DB_ALIAS if reading_from_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (the replica is a copy of the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA_DB_ALIAS
