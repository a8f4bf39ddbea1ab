"""GET /api/v1/records/changes: approved record versions (collection, then approved changes),
each once, oldest first, across pages; a unit-limited client sees its own region only."""

import pytest

from api.constants import Scope
from dossier.models import RecordVersion
from dossier.tests.factories import approved_person, change
from identity.tests.factories import review_unit

from .conftest import Signed, make_client

pytestmark = pytest.mark.django_db


def read_feed(signed, *, limit):
    items, cursor, pages = [], "0", 0
    while True:
        page = signed.get("/api/v1/records/changes", {"cursor": cursor, "limit": limit}).json()
        pages += 1
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor, pages


def test_the_feed_serves_each_approved_version_once_in_order_across_pages(client):
    first = approved_person()
    second = approved_person()
    change(first, state="approved", employer_name="武汉新单位有限公司")
    api_client, secret = make_client([Scope.RECORDS_READ])
    signed = Signed(client, api_client.client_id, secret)

    items, cursor, pages = read_feed(signed, limit=1)

    expected = list(RecordVersion.objects.order_by("pk").values_list("pk", flat=True))
    assert [item["id"] for item in items] == expected and len(expected) == 3
    assert pages >= 3
    by_person = [(item["person"]["id_number"], item["version"], item["kind"]) for item in items]
    assert by_person == [
        (first.id_number, 1, "collection"),
        (second.id_number, 1, "collection"),
        (first.id_number, 2, "change"),
    ]
    latest = items[-1]
    from dossier.constants import Step

    assert latest["record"][str(Step.POST)]["employer_name"] == "武汉新单位有限公司"
    assert items[0]["record"][str(Step.POST)]["employer_name"] != "武汉新单位有限公司"
    assert latest["unit"]["code"] == "420102" and latest["person"]["name"] == first.full_name
    # Polling again from the last cursor finds nothing new, then exactly what was approved since.
    assert signed.get("/api/v1/records/changes", {"cursor": cursor}).json()["items"] == []
    third = approved_person()
    newer = signed.get("/api/v1/records/changes", {"cursor": cursor}).json()["items"]
    assert [(item["person"]["id_number"], item["kind"]) for item in newer] == [(third.id_number, "collection")]


def test_a_client_limited_to_another_city_sees_no_record_of_jiangan(client):
    approved_person()  # 江岸区, in 武汉市
    elsewhere, secret = make_client([Scope.RECORDS_READ], unit=review_unit("420500"))  # 宜昌市
    assert Signed(client, elsewhere.client_id, secret).get("/api/v1/records/changes").json()["items"] == []

    wuhan, secret = make_client([Scope.RECORDS_READ], unit=review_unit("420100"))
    assert len(Signed(client, wuhan.client_id, secret).get("/api/v1/records/changes").json()["items"]) == 1


def test_a_bad_cursor_is_refused_with_a_clear_error(client):
    api_client, secret = make_client([Scope.RECORDS_READ])
    response = Signed(client, api_client.client_id, secret).get("/api/v1/records/changes", {"cursor": "abc"})
    assert response.status_code in (400, 422)
    assert response.json()["message"]
