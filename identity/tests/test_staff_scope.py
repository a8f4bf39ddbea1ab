"""Staff account changes reach the review engine on the very next request (SECURITY.md 8.3.2, 7.4.2)."""

import pytest
from django.urls import reverse

from identity.constants import StaffRole
from identity.staff_services import move_staff, set_staff_active
from identity.tests.factories import STAFF_PASSWORD, StaffFactory, review_unit
from reviews.tests.factories import KindRecorder, make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind():
    recorder = KindRecorder(name="staffscopekind").register()
    yield recorder
    recorder.unregister()


@pytest.fixture
def signed_in_reviewer(client):
    reviewer = StaffFactory(unit=review_unit("420102"))
    response = client.post(
        reverse("identity:staff_login"),
        {"username": reviewer.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(reviewer)},
    )
    assert response.status_code == 302
    return reviewer


def test_a_reviewer_moved_to_another_unit_loses_the_old_units_applications_at_once(client, kind, signed_in_reviewer):
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    jiangan = make_application(kind=kind.kind.name, unit_code="420102")
    huangshi = make_application(kind=kind.kind.name, unit_code="420202")
    assert client.get(reverse("reviews:detail", args=[jiangan.pk])).status_code == 200
    assert client.get(reverse("reviews:detail", args=[huangshi.pk])).status_code == 404

    move_staff(user=signed_in_reviewer, unit=review_unit("420202"), actor=admin)

    assert client.get(reverse("reviews:detail", args=[jiangan.pk])).status_code == 404
    assert client.get(reverse("reviews:detail", args=[huangshi.pk])).status_code == 200


def test_a_deactivated_reviewer_cannot_open_an_application_they_had_open(client, kind, signed_in_reviewer):
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    application = make_application(kind=kind.kind.name, unit_code="420102")
    url = reverse("reviews:detail", args=[application.pk])
    assert client.get(url).status_code == 200

    set_staff_active(user=signed_in_reviewer, active=False, actor=admin)

    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:staff_login"))
