"""The read-replica router (core.db_router): reads inside use_replica() go to the replica, the rest
and every write to the primary; migrations never on the replica.

The last test runs against a real second PostgreSQL database (skipped on SQLite): a row written on
the primary is absent when read inside use_replica(), present outside it.
"""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend

from core.db_router import REPLICA_DB_ALIAS, ReplicaRouter, reading_from_replica, use_replica
from regions.models import Division


@pytest.fixture
def replica_alias_configured():
    """Pretend DATABASE_REPLICA_URL was set (the alias only: no query goes there in these tests)."""
    added = REPLICA_DB_ALIAS not in connections.settings
    if added:
        connections.settings[REPLICA_DB_ALIAS] = dict(connections.settings[DEFAULT_DB_ALIAS])
    yield
    if added:
        del connections.settings[REPLICA_DB_ALIAS]


def test_without_a_replica_every_read_stays_on_the_primary():
    assert REPLICA_DB_ALIAS not in connections.settings  # tests run without DATABASE_REPLICA_URL
    router = ReplicaRouter()
    with use_replica():
        assert not reading_from_replica()
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS


def test_reads_inside_use_replica_go_to_the_replica_and_writes_never(replica_alias_configured):
    router = ReplicaRouter()
    assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
    with use_replica():
        assert router.db_for_read(Division) == REPLICA_DB_ALIAS
        assert router.db_for_write(Division) == DEFAULT_DB_ALIAS
        with use_replica():  # nested: still the replica, and the outer block keeps it after
            assert router.db_for_read(Division) == REPLICA_DB_ALIAS
        assert router.db_for_read(Division) == REPLICA_DB_ALIAS
    assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Division) == DEFAULT_DB_ALIAS


def test_the_flag_is_reset_after_an_exception_and_works_as_a_decorator(replica_alias_configured):
    with pytest.raises(RuntimeError), use_replica():
        raise RuntimeError("boom")
    assert not reading_from_replica()

    @use_replica()
    def export():
        return reading_from_replica()

    assert export() is True
    assert export() is True  # a decorator is reusable
    assert not reading_from_replica()


def test_the_flag_belongs_to_its_thread(replica_alias_configured):
    seen = {}

    def other_thread():
        seen["other"] = reading_from_replica()

    with use_replica():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert reading_from_replica()
    assert seen["other"] is False


def test_migrations_never_run_on_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA_DB_ALIAS, "audit") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "audit") is True


def test_the_settings_mirror_the_primary_in_tests_and_route_through_the_router(monkeypatch):
    import importlib

    import config.settings as project_settings

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.example:5432/hbkj")
    try:
        reloaded = importlib.reload(project_settings)
        replica = reloaded.DATABASES["replica"]
        assert replica["HOST"] == "replica.example"
        assert replica["TEST"] == {"MIRROR": "default"}
        assert reloaded.DATABASE_ROUTERS == ["core.db_router.ReplicaRouter"]
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        importlib.reload(project_settings)


# --------------------------------------------------------------------------- a real second database


@pytest.fixture
def real_replica(db):
    """A separate PostgreSQL database named "<test database>_replica" under the alias "replica",
    holding an (empty) copy of one table; removed afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    name = f"{connection.settings_dict['NAME']}_replica"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    config = {**connection.settings_dict, "NAME": name}
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA_DB_ALIAS)
    # Connected before the alias is registered: the test case refuses new connections to an alias
    # it does not know, and this one must stay outside the test's transaction (it is "another server").
    wrapper.ensure_connection()
    connections.settings[REPLICA_DB_ALIAS] = config
    connections[REPLICA_DB_ALIAS] = wrapper
    try:
        with wrapper.schema_editor() as editor:
            editor.create_model(Division)
        yield wrapper
    finally:
        wrapper.close()
        del connections[REPLICA_DB_ALIAS]
        del connections.settings[REPLICA_DB_ALIAS]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _exists(code: str) -> bool:
    return Division.objects.filter(code=code).exists()


def test_a_real_replica_database_serves_the_reads_inside_use_replica_only(real_replica):
    Division.objects.create(code="990001", name="written on the primary", level=Division.Level.COUNTY)
    Division.objects.using(REPLICA_DB_ALIAS).create(code="990002", name="only on the replica", level="county")

    assert _exists("990001") and not _exists("990002")  # outside: the primary
    with use_replica():
        assert not _exists("990001") and _exists("990002")  # inside: the replica
        assert list(Division.objects.filter(code__startswith="9900").values_list("code", flat=True)) == ["990002"]
    assert _exists("990001") and not _exists("990002")


def test_writes_inside_use_replica_still_go_to_the_primary(real_replica):
    with use_replica():
        Division.objects.create(code="990003", name="written inside use_replica", level=Division.Level.COUNTY)
        assert not _exists("990003")  # the read inside the block asks the replica, which lacks it
    assert _exists("990003")
    assert not Division.objects.using(REPLICA_DB_ALIAS).filter(code="990003").exists()
