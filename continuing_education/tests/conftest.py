import datetime
import zoneinfo

import pytest
import time_machine

from identity.tests.factories import review_unit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A plain working day in the middle of the year: this year is open, last year is closed.
TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def ce_items(request):
    """The items and the requirement of the data migration; loaded again if a transactional test flushed them."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from continuing_education.items import load_credit_items, load_national_requirement
    from continuing_education.models import AnnualRequirement, CreditItem

    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def units(db):
    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420103")}
