import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import KindRecorder, reviewer_for


@pytest.fixture
def test_kind():
    """A registered kind with no payload model whose apply() records its calls."""
    recorder = KindRecorder().register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def login_staff():
    """Sign a staff member in with the TOTP step done (what the staff sign-in view does)."""

    def login(client, user):
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
        return client

    return login


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
