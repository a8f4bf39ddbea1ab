"""The bench's seed keeps up with the models (PostgreSQL only: the seed is PostgreSQL SQL).

The bulk load writes its tables with explicit column lists (bench.seed.BULK_SQL): a model change that
adds a NOT NULL column without a database default would stop `make bench` with "null value … violates
not-null constraint" — this test says so first, at a tiny size, inside the test's transaction.
"""

import pytest
from django.db import connection

from bench import seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the bench's seed is PostgreSQL SQL (generate_series, session_replication_role)")


def test_a_tiny_seed_loads_every_bulk_table_and_is_consistent():
    n = 200
    seed.bulk_load(n, log=lambda _message: None)
    showcase = seed.make_showcase()
    seed.recount_statuses()
    seed.refresh_statistics()

    rows = seed.table_rows()
    assert rows["identity_user"] >= n
    assert rows["reviews_application"] >= n
    assert rows["dossier_dossier"] >= n
    assert rows["audit_auditevent"] >= n
    assert rows["reviews_statuscount"] > 0
    assert seed.check_consistency() == dict.fromkeys(seed.check_consistency(), 0)
    assert {"county", "county_empty", "city", "province", "auditor"} <= set(showcase.reviewers)
