import pytest

from identity.tests.factories import AccountantFactory, review_unit


@pytest.fixture(autouse=True)
def option_lists(request):
    """The option lists of the data migration; loaded again if a transactional test flushed them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from dossier.models import OptionItem
    from dossier.options import load_option_items

    if not OptionItem.objects.exists():
        load_option_items(OptionItem)


@pytest.fixture
def units(db):
    """The units these tests route to (present after the regions data migration, created otherwise)."""
    return {code: review_unit(code) for code in ("420000", "420100", "420102", "420103", "420200", "420202")}


@pytest.fixture
def accountant(units):
    return AccountantFactory(full_name="张三", id_number="420102199001011236", phone="13800000000")


@pytest.fixture
def accountant_client(client, accountant):
    client.force_login(accountant)
    return client
