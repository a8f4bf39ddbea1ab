"""人员查询: each search kind finds exactly the people in scope; bad input says why in Chinese and
keeps what was typed; every search is audited with masked values; the query count does not grow
with the number of people found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from dossier.tests.factories import VALID_USCC

from .factories import collected_person, draft_person, pending_person, staff_of

pytestmark = pytest.mark.django_db

SEARCH = "/reports/people/"
ID_ZHANG = "420102198505051237"
OTHER_USCC = "91420100MA4K00000Q"


def text(response) -> str:
    return response.content.decode()


def found_ids(response) -> set[int]:
    people = response.context["result"].people if response.context["result"] else []
    return {p.pk for p in people}


@pytest.fixture
def zhang(units):
    """张三, managed by 江岸区."""
    return collected_person("420102", full_name="张三", id_number=ID_ZHANG, phone="13800000000")


@pytest.fixture
def zhang_jianghan(units):
    """张三丰, same name prefix, managed by 江汉区 (another county of the same city)."""
    return collected_person("420103", full_name="张三丰", phone="13800000001", employer_uscc=OTHER_USCC)


@pytest.fixture
def jiangan_client(client, login_staff, units):
    return login_staff(client, staff_of("420102", username="jiangan"))


def search(client, by, q):
    return client.post(reverse("reports:people:search"), {"by": by, "q": q})


def test_the_url_and_the_menu_entry(jiangan_client):
    assert reverse("reports:people:search") == SEARCH
    page = text(jiangan_client.get(SEARCH))
    assert "人员查询" in page
    assert f'href="{SEARCH}"' in page


def test_by_id_number_normalised_finds_the_person_in_scope_only(jiangan_client, zhang, zhang_jianghan):
    response = search(jiangan_client, "id_number", " ４２０１０２ １９８５０５０５ １２３7 ")
    assert found_ids(response) == {zhang.pk}
    page = text(response)
    assert "420***********1237" in page and ID_ZHANG not in page
    assert reverse("reports:people:person", args=[zhang.pk]) in page
    audit = AuditEvent.objects.get(action="people.search")
    assert audit.detail == {"by": "id_number", "query": "420***********1237", "found": 1}


def test_by_name_prefix_another_countys_person_is_not_shown(jiangan_client, zhang, zhang_jianghan, client, login_staff):
    response = search(jiangan_client, "name", "张三")
    assert found_ids(response) == {zhang.pk}
    assert "张三丰" not in text(response)
    # The city oversees both counties.
    city = login_staff(client, staff_of("420100"))
    assert found_ids(search(city, "name", "张三")) == {zhang.pk, zhang_jianghan.pk}
    assert found_ids(search(city, "name", "张三丰")) == {zhang_jianghan.pk}
    assert found_ids(search(city, "name", "三丰")) == set()  # a prefix, not a substring


def test_by_phone_exact(jiangan_client, zhang, zhang_jianghan):
    assert found_ids(search(jiangan_client, "phone", "+86 138-0000-0000")) == {zhang.pk}
    assert found_ids(search(jiangan_client, "phone", "13800000001")) == set()  # 江汉区's
    audit = AuditEvent.objects.filter(action="people.search").first()
    assert audit.detail["query"] == "138****0001"


def test_by_employer_uscc_exact(jiangan_client, zhang, zhang_jianghan, client, login_staff):
    assert found_ids(search(jiangan_client, "uscc", VALID_USCC.lower())) == {zhang.pk}
    assert found_ids(search(jiangan_client, "uscc", OTHER_USCC)) == set()
    city = login_staff(client, staff_of("420100"))
    assert found_ids(search(city, "uscc", OTHER_USCC)) == {zhang_jianghan.pk}


def test_a_pending_first_collection_is_found_by_its_unit_and_above_a_draft_by_nobody(
    jiangan_client, units, client, login_staff
):
    waiting = pending_person("420102", full_name="李待审")
    drafted = draft_person("420102", full_name="李草稿")
    response = search(jiangan_client, "name", "李待")
    assert found_ids(response) == {waiting.pk}
    assert "信息采集" in text(response)  # where the first collection waits
    assert found_ids(search(jiangan_client, "id_number", drafted.id_number)) == set()
    assert found_ids(search(jiangan_client, "uscc", VALID_USCC)) == {waiting.pk}
    jianghan = login_staff(client, staff_of("420103"))
    assert found_ids(search(jianghan, "name", "李待")) == set()
    assert found_ids(search(jiangan_client, "name", "李草")) == set()


@pytest.mark.parametrize(
    ("by", "q", "message"),
    [
        ("id_number", "42010219900101123", "18"),  # 17 characters
        ("id_number", "420102199001011235", "校验位"),  # wrong check digit
        ("id_number", "4201-0219-9001", "字母和数字"),
        ("phone", "1380000", "11位"),
        ("uscc", "91110000100006485X", "校验"),
        ("id_number", "", "请输入证件号码"),
        ("name", "   ", "请输入姓名"),
        ("name", "张", "前两个字"),
    ],
)
def test_bad_input_says_why_and_keeps_what_was_typed(jiangan_client, zhang, by, q, message):
    response = search(jiangan_client, by, q)
    page = text(response)
    assert 'data-testid="error-q"' in page
    assert message in page
    assert response.context["result"] is None
    assert f'<option value="{by}" selected>' in page
    if q.strip():
        assert f'value="{q}"' in page
    assert not AuditEvent.objects.filter(action="people.search").exists()


def test_the_value_is_posted_never_taken_from_the_url(jiangan_client, zhang):
    response = jiangan_client.get(SEARCH, {"by": "id_number", "q": ID_ZHANG})
    assert response.context["result"] is None
    assert 'method="post"' in text(response)


def test_an_accountant_gets_404_and_anonymous_is_sent_to_staff_sign_in(client, zhang):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:staff_login"))
    client.force_login(zhang)
    assert client.get(SEARCH).status_code == 404
    assert client.post(SEARCH, {"by": "id_number", "q": ID_ZHANG}).status_code == 404


def _search_queries(client, prefix: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = search(client, "name", prefix)
    assert response.status_code == 200
    return len(queries), len(response.context["result"].people)


def test_query_count_is_pinned_and_the_same_for_3_and_30_people(jiangan_client, units):
    for n in range(3):
        collected_person("420102", full_name=f"王五{n}")
    for n in range(30):
        collected_person("420102", full_name=f"赵六{n}")
    pending_person("420102", full_name="赵六待审")
    search(jiangan_client, "name", "王五")  # warm the session, the scope cache and the options
    few, found_few = _search_queries(jiangan_client, "王五")
    many, found_many = _search_queries(jiangan_client, "赵六")
    assert (found_few, found_many) == (3, 31)
    assert few == many
    # session, user + OTP device + unit (one query, identity.otp_session), managed people, applying
    # people, their applications, the audit row (savepoint, insert, release); the scope ids are cached
    assert few == 8, few


def test_a_name_search_lists_the_first_people_in_name_then_id_number_order(jiangan_client, units, monkeypatch):
    """More matches than the limit: the first ones in the order of identity_user_name_order (name in
    character code order, then ID number), from both the managed and the waiting people."""
    from dossier import people as dossier_people

    monkeypatch.setattr(dossier_people, "NAME_RESULTS_LIMIT", 4)
    # Code points: 丁 U+4E01 < 乙 U+4E59 < 甲 U+7532.
    collected_person("420102", full_name="周七甲")
    collected_person("420102", full_name="周七甲乙")
    fourth = collected_person("420102", full_name="周七乙")
    third = pending_person("420102", full_name="周七丁")  # waiting for its first collection's decision
    second = collected_person("420102", full_name="周七", id_number="420102198505051270")
    first = collected_person("420102", full_name="周七", id_number="420102198505051253")
    response = search(jiangan_client, "name", "周七")
    assert [p.pk for p in response.context["result"].people] == [first.pk, second.pk, third.pk, fourth.pk]
    assert response.context["result"].truncated
    assert 'data-testid="people-truncated"' in text(response)
