"""Migration operations shared by the apps' migrations.

Indexes on the big tables (users, applications, events: a million rows and more) are built
CONCURRENTLY on PostgreSQL, so building one never takes a write lock on the table in production;
SQLite (the embedded default and the tests) has no such thing and builds them plainly. A migration
using these sets `atomic = False` (CREATE INDEX CONCURRENTLY cannot run in a transaction).
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations
from django.db.migrations.operations.base import Operation


class _ConcurrentlyOnPostgres(Operation):
    """On PostgreSQL the concurrent operation (the next class in the bases); elsewhere `plain`."""

    plain: type[Operation]

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, AddIndexConcurrently):
    plain = migrations.AddIndex


class RemoveIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, RemoveIndexConcurrently):
    plain = migrations.RemoveIndex
