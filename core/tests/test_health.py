"""/healthz and /readyz: no sign-in, plain HTTP, 503 when a dependency is down, details only for
system administrators."""

import json
import threading
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connections
from django.test import Client, override_settings

from core import health
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

# Nothing listens here (this helper's port range): a Redis that is down.
CLOSED_REDIS = "redis://127.0.0.1:18399/0"


@pytest.fixture
def database_down(monkeypatch):
    """Every new database connection is refused, as when PostgreSQL is down.

    The readiness check opens its own connection in a worker thread; the test's connection is
    already open and keeps working.
    """
    wrapper = type(connections["default"])

    def refuse(self, conn_params):
        raise self.Database.OperationalError("connection refused")

    monkeypatch.setattr(wrapper, "get_new_connection", refuse)


@pytest.fixture
def cache_down():
    # The production cache set-up (django-redis, errors ignored for pages) at a closed port.
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": CLOSED_REDIS,
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
            }
        }
    ):
        yield


@pytest.fixture
def system_admin_client(login_staff):
    client = Client()
    login_staff(client, StaffFactory(role=StaffRole.SYSTEM_ADMIN))
    return client


def test_healthz_answers_anonymously_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_ok_anonymously_when_everything_is_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_readyz_is_unavailable_when_the_database_is_down(client, database_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_readyz_is_unavailable_when_the_cache_is_unreachable(client, cache_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_healthz_stays_up_when_dependencies_are_down(client, database_down, cache_down):
    assert client.get("/healthz").status_code == 200


def test_anonymous_callers_never_see_which_check_failed(client, cache_down):
    body = client.get("/readyz", HTTP_ACCEPT="application/json").content.decode()
    assert body == "unavailable\n"
    for word in ("cache", "Cache", "redis", "18399", "database"):
        assert word not in body


def test_system_administrators_see_each_check_and_its_time(system_admin_client, cache_down):
    response = system_admin_client.get("/readyz")
    assert response.status_code == 503
    report = json.loads(response.content)
    assert report["status"] == "unavailable"
    assert set(report["checks"]) == {"database", "cache", "broker", "storage"}
    assert report["checks"]["cache"]["ok"] is False
    assert report["checks"]["cache"]["error"]
    assert report["checks"]["database"] == {
        "ok": True,
        "error": None,
        "seconds": report["checks"]["database"]["seconds"],
    }
    assert all(check["seconds"] >= 0 for check in report["checks"].values())


def test_system_administrators_see_the_failing_database(system_admin_client, database_down):
    report = json.loads(system_admin_client.get("/readyz").content)
    assert report["checks"]["database"]["ok"] is False
    assert report["checks"]["cache"]["ok"] is True


def test_other_staff_get_the_anonymous_answer(login_staff, cache_down):
    client = Client()
    login_staff(client, StaffFactory(role=StaffRole.REVIEWER))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_the_system_admin_role_name_matches_identity():
    assert health.SYSTEM_ADMIN_ROLE == StaffRole.SYSTEM_ADMIN


class HangingStorage(FileSystemStorage):
    """A storage whose writes hang until released (an object store that stopped answering)."""

    release = threading.Event()

    def _save(self, name, content):
        self.release.wait(timeout=30)
        return super()._save(name, content)


def test_a_hanging_storage_does_not_hang_readyz(client, monkeypatch, settings):
    monkeypatch.setattr(health.Storage, "timeout", health.datetime.timedelta(seconds=0.2))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.HangingStorage"},
    }
    HangingStorage.release.clear()
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    finally:
        HangingStorage.release.set()
    assert response.status_code == 503
    # Deadline 0.2 s + django-health-check's 1 s grace; far below the 30 s the storage would take.
    assert elapsed < 10


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_are_not_redirected_to_https(path):
    with override_settings(SECURE_SSL_REDIRECT=True):
        client = Client()  # middleware is built with the overridden setting
        assert client.get("/").status_code == 301  # pages are redirected...
        response = client.get(path)
    assert response.status_code == 200  # ...the probes answer over plain HTTP


def test_broker_check_fails_when_the_broker_is_unreachable(settings):
    from celery import current_app

    check = health.Broker()
    old_eager, old_url = current_app.conf.task_always_eager, current_app.conf.broker_url
    current_app.conf.task_always_eager = False
    current_app.conf.broker_url = CLOSED_REDIS
    try:
        with pytest.raises(health.ServiceUnavailable):
            check.run()
    finally:
        current_app.conf.task_always_eager, current_app.conf.broker_url = old_eager, old_url


def test_broker_check_passes_with_a_reachable_broker():
    from celery import current_app

    old_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False  # the test broker is memory://
    try:
        health.Broker().run()
    finally:
        current_app.conf.task_always_eager = old_eager
