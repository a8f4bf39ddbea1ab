"""The person's file: in scope only (404 elsewhere), audited, masked, a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent

from .factories import collected_person, pending_person, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(units):
    return collected_person("420102", full_name="张三", phone="13800000000")


def page_of(person):
    return reverse("reports:people:person", args=[person.pk])


def test_the_file_shows_record_applications_and_is_audited(client, login_staff, zhang):
    login_staff(client, staff_of("420102"))
    response = client.get(page_of(zhang))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="person-record"' in page and 'data-testid="versions"' in page
    assert page.count('data-testid="person-application"') == 1
    assert 'data-testid="application-link"' in page
    assert zhang.id_number not in page and "138****0000" in page
    audit = AuditEvent.objects.get(action="people.view_person")
    assert audit.object_id == str(zhang.pk)
    assert zhang.id_number not in str(audit.detail)


@pytest.mark.parametrize("unit_code", ["420103", "420202"])
def test_another_countys_reviewer_gets_404(client, login_staff, zhang, unit_code):
    login_staff(client, staff_of(unit_code))
    assert client.get(page_of(zhang)).status_code == 404
    assert not AuditEvent.objects.filter(action="people.view_person").exists()


def test_the_city_above_sees_the_file(client, login_staff, zhang):
    login_staff(client, staff_of("420100"))
    assert client.get(page_of(zhang)).status_code == 200


def test_an_accountant_gets_404_and_anonymous_goes_to_staff_sign_in(client, zhang):
    response = client.get(page_of(zhang))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:staff_login"))
    client.force_login(zhang)
    assert client.get(page_of(zhang)).status_code == 404


def test_a_pending_first_collection_is_visible_to_its_unit_only(client, login_staff, units):
    waiting = pending_person("420102", full_name="李待审")
    login_staff(client, staff_of("420102"))
    page = client.get(page_of(waiting)).content.decode()
    assert 'data-testid="no-record"' in page
    assert page.count('data-testid="person-application"') == 1
    client.logout()
    login_staff(client, staff_of("420103"))
    assert client.get(page_of(waiting)).status_code == 404


def _queries(client, person) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_of(person)).status_code == 200
    return len(queries)


def test_query_count_is_pinned_and_does_not_grow_with_applications_and_credits(client, login_staff, units):
    from continuing_education.tests.factories import record

    one = collected_person("420102", full_name="王五")
    many = collected_person("420102", full_name="赵六")
    record(one, 1)
    for _ in range(3):
        record(many, 1)
    login_staff(client, staff_of("420102"))
    _queries(client, one)  # warm caches
    few = _queries(client, one)
    assert few == _queries(client, many)
    # 17 since the signed-in staff's user, TOTP device and unit load in one query and the record's
    # versions in one (identity.otp_session, dossier selectors).
    assert few == 17, few
