"""Redis down (SECURITY.md "Faults to survive"): pages keep working; SMS sending refuses."""

import pytest
from django.urls import reverse

from identity.tests.factories import AccountantFactory, login_data
from notifications import backends

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
OPTIONS = {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}


@pytest.fixture
def redis_down(settings):
    """The production cache layout of config/settings.py, pointed at a Redis that is not there."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {**OPTIONS, "IGNORE_EXCEPTIONS": True},
        },
        "ratelimit": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": DEAD_REDIS, "OPTIONS": OPTIONS},
    }
    settings.SMS_RATELIMIT_CACHE = "ratelimit"
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_public_and_signed_in_pages_keep_working_without_redis(redis_down, client):
    assert client.get(reverse("core:home")).status_code == 200

    accountant = AccountantFactory()
    client.force_login(accountant)
    response = client.get(reverse("core:notice"))
    assert response.status_code == 200
    assert response.wsgi_request.user == accountant


def test_sms_codes_are_refused_not_sent_unthrottled_without_redis(redis_down, client):
    accountant = AccountantFactory()

    response = client.post(reverse("identity:send_code"), login_data(accountant))

    assert response.status_code == 503
    assert backends.outbox == []
