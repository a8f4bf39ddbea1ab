import pytest

from identity.tests.factories import review_unit


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The integrity and 继续教育 lists of the data migrations, again if a transactional test flushed them."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from continuing_education.items import load_credit_items, load_national_requirement
    from continuing_education.models import AnnualRequirement, CreditItem
    from integrity.models import IntegrityOption, PenaltyKind
    from integrity.options import invalidate_options, load_integrity_data

    if not IntegrityOption.objects.exists() or not PenaltyKind.objects.exists():
        load_integrity_data(IntegrityOption, PenaltyKind)
    invalidate_options()
    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)


@pytest.fixture
def units(db):
    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420103", "420200", "420202")}
