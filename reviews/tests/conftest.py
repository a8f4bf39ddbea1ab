import pytest
from django.contrib.auth.models import AnonymousUser

from .factories import KindRecorder, reviewer_for


@pytest.fixture
def test_kind():
    """A registered kind with no payload model whose apply() records its calls."""
    recorder = KindRecorder().register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def bulk_kind():
    """A registered kind that may be approved in bulk."""
    recorder = KindRecorder(name="bulkkind", label="批量测试申请", bulk_approve=True).register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def request_from(rf):
    """A request from an IP address, whose user is anonymous: the actor of a row must come from the
    service, never from the request it happened to be given."""

    def make(ip):
        request = rf.post("/", REMOTE_ADDR=ip)
        request.user = AnonymousUser()
        return request

    return make


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
