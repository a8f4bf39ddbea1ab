"""Separation of duties (等保 level 3): administrators do not decide applications, an auditor
reads but changes nothing (404/403 or the admin's sign-in on every changing page)."""

import pytest
from django.test import Client
from django.urls import reverse

from identity.constants import StaffRole
from identity.models import User
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from reviews.constants import DECIDING_ROLES, Status
from reviews.scope import reviewer_can_decide
from reviews.tests.factories import KindRecorder, make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def kind():
    recorder = KindRecorder(name="separationkind").register()
    yield recorder
    recorder.unregister()


def test_only_reviewers_and_unit_administrators_decide():
    # unit_admin keeps deciding: a county bureau often has one person who both reviews and manages
    # its reviewers (reviews/tests/test_transitions.py relies on it); the system administrator,
    # the security administrator and the auditor never decide.
    assert set(DECIDING_ROLES) == {StaffRole.REVIEWER, StaffRole.UNIT_ADMIN}


@pytest.mark.parametrize("role", [StaffRole.AUDITOR, StaffRole.SECURITY_ADMIN, StaffRole.SYSTEM_ADMIN])
def test_an_auditor_or_administrator_cannot_decide_an_application_of_their_unit(login_staff, kind, role):
    application = make_application(kind="separationkind", unit_code="420102")
    actor = StaffFactory(role=role, unit=review_unit("420102"))
    client = login_staff(Client(), actor)

    assert not reviewer_can_decide(actor, application)
    client.post(reverse("reviews:approve", args=[application.pk]), {"version": application.version})
    client.post(
        reverse("reviews:return", args=[application.pk]),
        {"version": application.version, "standard_reason": "", "detail": "照片不清晰"},
    )
    client.post(reverse("reviews:bulk_approve"), {"selected": [f"{application.pk}:{application.version}"]})

    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert kind.applied == []


def test_an_auditor_changes_nothing(login_staff):
    auditor = StaffFactory(username="auditor", role=StaffRole.AUDITOR, unit=review_unit("420000"))
    reviewer = StaffFactory(username="victim", unit=review_unit("420102"))
    person = AccountantFactory()
    client = login_staff(Client(), auditor)

    # staff management
    assert client.get(reverse("identity:staff_manage")).status_code == 404
    assert client.post(reverse("identity:staff_manage_active", args=[reviewer.pk]), {"active": "0"}).status_code == 404
    # integrity negative records
    assert client.get(reverse("integrity:negative_new", args=[person.pk])).status_code == 404
    assert client.post(reverse("integrity:negative_new", args=[person.pk]), {"action": "confirm"}).status_code == 404
    # the Django admin: not a staff user of the admin (is_staff is for system administrators only)
    assert not auditor.is_staff and not auditor.is_superuser
    change_url = reverse("admin:identity_user_change", args=[reviewer.pk])
    assert client.get(reverse("admin:index")).status_code in (302, 403, 404)
    response = client.post(change_url, {"is_active": ""})
    assert response.status_code in (302, 403, 404)
    assert "/login/" in response.get("Location", "/login/")
    reviewer.refresh_from_db()
    assert reviewer.is_active
    assert User.objects.filter(role=StaffRole.AUDITOR).get() == auditor
