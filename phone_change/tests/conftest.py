import pytest

from identity.tests.factories import AccountantFactory, review_unit

from .factories import ID_NUMBER, NAME, OLD_PHONE, collected_person, staff_of


@pytest.fixture(autouse=True)
def _fast(settings):
    # These tests are not about passwords nor about the answer's minimum time (one test is).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PHONE_CHANGE_ANSWER_SECONDS = 0


@pytest.fixture
def units(db):
    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420103", "420200", "420202")}


@pytest.fixture
def person(units):
    """张三, collected (approved 信息采集), managed by 江岸区, with the old phone on record."""
    return collected_person("420102", full_name=NAME, id_number=ID_NUMBER, phone=OLD_PHONE)


@pytest.fixture
def registered(units):
    """张三, registered but never collected (no approved record)."""
    return AccountantFactory(full_name=NAME, id_number=ID_NUMBER, phone=OLD_PHONE)


@pytest.fixture
def jiangan(units):
    return staff_of("420102", username="jiangan")


@pytest.fixture
def jianghan(units):
    return staff_of("420103", username="jianghan")
