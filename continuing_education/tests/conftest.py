import datetime
import zoneinfo

import pytest
import time_machine
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

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
