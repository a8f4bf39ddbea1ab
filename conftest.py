"""Project-wide test set-up."""

import pytest

from core.translations import compile_all


def pytest_configure(config):
    # Tests assert on Chinese text: make sure the catalogues are compiled.
    compile_all()


@pytest.fixture(autouse=True)
def _clean_state(settings, tmp_path):
    """Each test starts with an empty SMS outbox, an empty cache and its own media folder."""
    from django.core.cache import cache

    from notifications import backends

    backends.outbox.clear()
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    backends.outbox.clear()


@pytest.fixture
def login_staff():
    """`login_staff(client, user)`: a staff member signed in with the TOTP step done."""
    from identity.tests.factories import sign_in_verified_staff

    return sign_in_verified_staff
