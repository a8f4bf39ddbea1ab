import pytest

from identity.tests.factories import review_unit

from .factories import collected_person, staff_of


@pytest.fixture(autouse=True)
def integrity_data(request):
    """The lists of the data migration; loaded again if a transactional test flushed them."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from integrity.models import IntegrityOption, PenaltyKind
    from integrity.options import invalidate_options, load_integrity_data

    if not IntegrityOption.objects.exists() or not PenaltyKind.objects.exists():
        load_integrity_data(IntegrityOption, PenaltyKind)
    invalidate_options()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff factories hash a password per user; these tests are not about passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def units(db):
    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420103", "420200", "420202")}


@pytest.fixture
def person(units):
    """张三, collected (approved 信息采集) and managed by 江岸区."""
    return collected_person(full_name="张三", id_number="42010219900101123X", phone="13800000000")


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def jiangan(units):
    return staff_of("420102", username="jiangan")


@pytest.fixture
def jiangan_client(client, login_staff, jiangan):
    return login_staff(client, jiangan)
