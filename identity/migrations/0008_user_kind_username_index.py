"""identity_user_kind_username (kind, username): the user admin's order (kind, then username) read
off an index, with or without its kind filter, instead of sorting a million rows for each page.
Built CONCURRENTLY on PostgreSQL (core.migration_operations)."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("identity", "0007_name_search_order_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="user",
            index=models.Index(fields=["kind", "username"], name="identity_user_kind_username"),
        ),
    ]
