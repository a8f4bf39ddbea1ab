"""Replace identity_user_name_prefix (full_name) by identity_user_name_order (full_name, id_number,
id): the same name-prefix lookups, and the order of a name search's results, so PostgreSQL reads the
first page off the index instead of every match. On PostgreSQL the index is built and dropped
CONCURRENTLY (no write lock on identity_user while it builds); elsewhere plainly."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("identity", "0006_staff_role_institution"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="user",
            index=models.Index(
                fields=["full_name", "id_number", "id"],
                name="identity_user_name_order",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="user",
            name="identity_user_name_prefix",
        ),
    ]
