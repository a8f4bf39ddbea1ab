"""Admin change lists over big tables (issue #10): no exact COUNT(*) of a whole table.

`EstimatedCountPaginator` answers the count of an unfiltered list on PostgreSQL with the planner's
row estimate (`pg_class.reltuples`, kept by autovacuum's ANALYZE) when the table is large; filtered
lists and small tables are counted exactly. Use with `show_full_result_count = False`.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows (by estimate) an exact count is cheap and shown.
EXACT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] > EXACT_BELOW:
                    return int(row[0])
        return super().count
