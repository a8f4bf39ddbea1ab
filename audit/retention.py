"""Audit retention: rows older than settings.AUDIT_RETENTION_DAYS (at least 184 days) are deleted.

Design (the database keeps the log append-only; exactly one path may delete, and only old rows):

- UPDATE of an audit row is always refused: by the model and queryset (PermissionError) and by a
  database trigger (PostgreSQL and SQLite, migrations 0003 and 0004).
- DELETE is refused by the same trigger unless the deleting transaction declared a cut-off
  through the retention gate (PostgreSQL: the transaction-local setting `audit.retention_before`,
  set with `set_config(..., true)`; SQLite: `audit_retention_gate()`, a function registered on
  each connection that reads a value this module sets for the duration of one batch). Even then
  the trigger deletes a row only if it is older than that cut-off AND older than 184 days by the
  database's own clock: a wrong cut-off (a bug, a wrong setting, a clock in the future) cannot
  remove a row the law still requires; the statement fails instead.
- `purge_expired_audit_events` computes the cut-off from AUDIT_RETENTION_DAYS and refuses a
  cut-off newer than that horizon before reaching the database.
- Rows go in batches of `BATCH_SIZE` (oldest first, by the created_at index), each batch in its
  own short transaction, so a large table is never locked for long and the job can be stopped
  and re-run at any point.

Not covered by the row triggers: TRUNCATE and DROP (the database owner's operations, e.g.
`manage.py flush`); in production the application's database role should not own the table.
"""

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

logger = logging.getLogger(__name__)

# SECURITY.md "Audit" (等保 8.1.4.3): at least six months. The triggers use the same number.
MIN_RETENTION_DAYS = 184
BATCH_SIZE = 10_000
# What audit.management.commands.flush puts through the SQLite gate: empty the whole table, as
# TRUNCATE does on PostgreSQL (tests and development databases only).
FLUSH = "flush"


def retention_days() -> int:
    """settings.AUDIT_RETENTION_DAYS, refused below the legal minimum."""
    days = settings.AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least {MIN_RETENTION_DAYS}, not {days}.")
    return days


def retention_horizon(now: datetime | None = None) -> datetime:
    """Audit rows created before this moment may be deleted."""
    return (now or timezone.now()) - timedelta(days=retention_days())


def purge_expired_audit_events(*, batch_size: int = BATCH_SIZE) -> int:
    """Delete audit rows older than AUDIT_RETENTION_DAYS. Returns how many went."""
    horizon = retention_horizon()
    deleted = delete_audit_events_before(horizon, batch_size=batch_size)
    logger.info("audit retention: deleted %d event(s) created before %s", deleted, horizon.isoformat())
    return deleted


def delete_audit_events_before(before: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete audit rows created before `before`, in batches; refuses a cut-off inside the horizon."""
    if before > retention_horizon():
        raise ValueError("refusing to delete audit events newer than the retention horizon")
    deleted = 0
    while True:
        batch = _delete_batch(before, batch_size)
        deleted += batch
        if batch < batch_size:
            return deleted


def _delete_batch(before: datetime, batch_size: int) -> int:
    """One transaction: open the gate with `before`, delete the oldest `batch_size` rows before it.

    No Python check here on purpose: the database is the last line (see the module docstring).
    The statement also bounds itself by the legal minimum on the database's clock, as the trigger
    does, so that an application clock a little ahead of the database's (with AUDIT_RETENTION_DAYS
    at exactly 184) selects no row the trigger would refuse, which would fail the batch every night.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    floor_param: int | str
    if connection.vendor == "postgresql":
        floor, floor_param = "now() - make_interval(days => %s)", MIN_RETENTION_DAYS
    else:
        floor, floor_param = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', %s)", f"-{MIN_RETENTION_DAYS} days"
    sql = (
        f"DELETE FROM {table} WHERE id IN "  # noqa: S608 (table name from the model, values are parameters)
        f"(SELECT id FROM {table} WHERE created_at < %s AND created_at < {floor} ORDER BY created_at, id LIMIT %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor, _retention_gate(cursor, before):
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(before), floor_param, batch_size])
        return cursor.rowcount


@contextmanager
def _retention_gate(cursor, before: datetime):
    """Declare the cut-off to the trigger for this transaction only."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT set_config('audit.retention_before', %s, true)", [before.isoformat()])
        yield
        # Closed again at once: a caller's outer transaction must not keep the gate open.
        cursor.execute("SELECT set_config('audit.retention_before', '', true)")
    else:
        with sqlite_gate(connection, connection.ops.adapt_datetimefield_value(before)):
            yield


@contextmanager
def sqlite_gate(wrapper, value: str | None):
    """Set what `audit_retention_gate()` answers on this SQLite connection, for a `with` block."""
    previous = getattr(wrapper, "audit_retention_gate", None)
    wrapper.audit_retention_gate = value
    try:
        yield
    finally:
        wrapper.audit_retention_gate = previous


def register_sqlite_gate(sender, connection, **kwargs):
    """connection_created receiver: give each SQLite connection the function the trigger calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "audit_retention_gate", 0, lambda: getattr(connection, "audit_retention_gate", None)
        )
