"""Audit retention: the database lets exactly one path delete audit rows (audit.retention).

PostgreSQL: the append-only trigger function is replaced. UPDATE is always refused. DELETE is
allowed only for a row that is older than the cut-off the retention job declared for its own
transaction (`SELECT set_config('audit.retention_before', <timestamptz>, true)`) AND older than
184 days by the database's clock, whatever cut-off was declared.

SQLite (development, tests) had no trigger: two are added with the same rule. SQLite has no
transaction-local settings; the cut-off is read through a function the application registers on
each connection (`audit_retention_gate()`, see audit.apps); without it every DELETE fails.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
DECLARE
    gate timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        gate := NULLIF(current_setting('audit.retention_before', true), '')::timestamptz;
        IF gate IS NOT NULL
           AND OLD.created_at < gate
           AND OLD.created_at < now() - interval '184 days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""

POSTGRESQL_BACKWARD = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete
    BEFORE DELETE ON audit_auditevent
    WHEN NOT (
        coalesce(audit_retention_gate(), '') = 'flush'
        OR (
            coalesce(audit_retention_gate(), '') <> ''
            AND OLD.created_at < audit_retention_gate()
            AND OLD.created_at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-184 days')
        )
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only');
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]

    operations = [migrations.RunPython(forward, backward)]
