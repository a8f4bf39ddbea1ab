"""Project-wide test set-up."""

import os

import pytest
from hypothesis import HealthCheck, settings

from core.translations import compile_all

# One hypothesis profile for every run, so that a fresh clone on a busy 2-core machine behaves like
# a developer's warm one: examples derived from each test (no random seed, no example database to
# warm up), no deadline and no "too slow" health check (slowness is the machine's, not the test's).
# Function-scoped fixtures (the database, `settings`) are shared across examples on purpose.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# `HYPOTHESIS_PROFILE=explore make test` searches with fresh random examples on a developer's machine.
settings.register_profile("explore", parent=settings.get_profile("ci"), derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    # Tests assert on Chinese text: make sure the catalogues are compiled.
    compile_all()


@pytest.fixture(autouse=True)
def _clean_state(settings, tmp_path):
    """Each test starts with an empty SMS outbox, an empty cache and its own media folder."""
    from django.core.cache import cache

    from notifications import backends

    backends.outbox.clear()
    backends.sent_messages.clear()
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    backends.outbox.clear()
    backends.sent_messages.clear()


@pytest.fixture
def login_staff():
    """`login_staff(client, user)`: a staff member signed in with the TOTP step done."""
    from identity.tests.factories import sign_in_verified_staff

    return sign_in_verified_staff
