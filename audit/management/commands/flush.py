"""Django's `flush`, able to empty the audit table on SQLite too.

On PostgreSQL flush is TRUNCATE, which row triggers do not see. On SQLite it is `DELETE FROM`,
which the append-only trigger refuses; this override opens the SQLite retention gate in "flush"
mode for the command's duration so that flush (used by Django's TransactionTestCase between
tests) still empties every table. It changes nothing on PostgreSQL.
"""

from django.core.management.commands import flush
from django.db import connections

from audit.retention import FLUSH, sqlite_gate


class Command(flush.Command):
    def handle(self, **options):
        wrapper = connections[options["database"]]
        if wrapper.vendor != "sqlite":
            return super().handle(**options)
        with sqlite_gate(wrapper, FLUSH):
            return super().handle(**options)
