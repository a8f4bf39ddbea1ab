import datetime
import zoneinfo

import pytest
import time_machine

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A plain working day in the middle of the year (the 继续教育 tests' day): 2026 is open for entries.
TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The verification rate limit counts in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def reference_data(request):
    """继续教育 items and requirement, option lists, the institutions' per-hour rule (data migrations),
    loaded again if a transactional test flushed them."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from continuing_education.items import load_credit_items, load_national_requirement
    from continuing_education.models import AnnualRequirement, CreditItem
    from dossier.models import OptionItem
    from dossier.options import load_option_items
    from institutions.models import CourseCreditRule

    load_credit_items(CreditItem)
    load_national_requirement(AnnualRequirement)
    if not OptionItem.objects.exists():
        load_option_items(OptionItem)
    CourseCreditRule.objects.get_or_create(
        from_year=2018, mode="", defaults={"rule": "per_hour", "params": {"credits_per_hour": 3}}
    )
