import pytest

from .factories import KindRecorder, reviewer_for


@pytest.fixture
def test_kind():
    """A registered kind with no payload model whose apply() records its calls."""
    recorder = KindRecorder().register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def jiangan_reviewer():
    return reviewer_for("420102")


@pytest.fixture
def jiangan_client(client, login_staff, jiangan_reviewer):
    return login_staff(client, jiangan_reviewer)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff factories hash a password per user; these tests are not about passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
