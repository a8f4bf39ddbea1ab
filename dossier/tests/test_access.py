"""Who reaches what: the accountant only their own application and documents; reviewers only in scope."""

import pytest
from django.urls import reverse

from dossier.constants import Step
from dossier.models import Dossier
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit
from reviews.constants import Status

from .factories import collection, reviewer_of
from .test_forms import personal_data

pytestmark = pytest.mark.django_db

ACCOUNTANT_URLS = [
    reverse("dossier:collect"),
    reverse("dossier:step", args=["personal"]),
    reverse("dossier:status"),
    reverse("dossier:record"),
    reverse("dossier:employment_statement"),
]


@pytest.mark.parametrize("url", ACCOUNTANT_URLS)
def test_anonymous_visitors_are_sent_to_the_accountant_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("url", ACCOUNTANT_URLS)
def test_staff_get_404_on_accountant_pages(client, login_staff, units, url):
    login_staff(client, StaffFactory())
    assert client.get(url).status_code == 404


def test_submitting_is_post_only(accountant_client):
    assert accountant_client.get(reverse("dossier:submit")).status_code == 405


def test_an_accountant_without_an_application_never_reaches_anyone_elses(client, units):
    payload = collection(state="complete")
    stranger = AccountantFactory()
    client.force_login(stranger)
    for step in Step:
        response = client.get(reverse("dossier:step", args=[str(step)]))
        assert response.url == reverse("dossier:collect")
    response = client.post(reverse("dossier:submit"))
    assert response.url == reverse("dossier:collect")
    assert client.get(reverse("dossier:employment_statement")).status_code == 404
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_another_accountants_photo_and_proofs_answer_404(client, units):
    payload = collection(state="pending")
    client.force_login(AccountantFactory())
    assert client.get(reverse("documents:view", args=[payload.dossier.photo_id])).status_code == 404
    for proof in payload.dossier.proofs.all():
        assert client.get(reverse("documents:view", args=[proof.document_id])).status_code == 404


def test_posting_extra_fields_changes_nothing_but_the_step(client, units):
    payload = collection(state="draft")
    other = AccountantFactory()
    client.force_login(payload.application.applicant)
    data = {
        **personal_data(payload.dossier),
        "action": "next",
        "status": "approved",
        "owner": str(other.pk),
        "id_number": "120103198806018241",
        "full_name": "李四",
        "unit": "420202",
    }
    client.post(reverse("dossier:step", args=["personal"]), data)
    dossier = Dossier.objects.get(pk=payload.dossier_id)
    assert (dossier.owner_id, dossier.full_name, dossier.id_number) == (
        payload.application.applicant_id,
        payload.application.applicant.full_name,
        payload.application.applicant.id_number,
    )
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_a_reviewer_of_another_county_gets_404_on_the_application_and_its_files(client, login_staff, units):
    payload = collection(state="pending")
    huangshi = StaffFactory(unit=review_unit("420202"))
    login_staff(client, huangshi)
    assert client.get(reverse("reviews:detail", args=[payload.application_id])).status_code == 404
    assert client.get(reverse("documents:view", args=[payload.dossier.photo_id])).status_code == 404
    for proof in payload.dossier.proofs.all():
        assert client.get(reverse("documents:view", args=[proof.document_id])).status_code == 404


def test_the_reviewer_of_the_unit_sees_the_application_and_its_files(client, login_staff, units):
    payload = collection(state="pending")
    login_staff(client, reviewer_of("420102"))
    assert client.get(reverse("reviews:detail", args=[payload.application_id])).status_code == 200
    assert client.get(reverse("documents:view", args=[payload.dossier.photo_id])).status_code == 200
