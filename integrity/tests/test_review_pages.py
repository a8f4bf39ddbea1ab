"""Honour records seen by reviewers: every field and proof on the application page, scope (another
county answers 404, proofs included), and the proof access rule for approved honours."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.access import can_view
from identity.constants import StaffRole
from reviews.constants import Status

from .factories import collected_person, honour, proof_document, staff_of

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_reviewer_sees_every_field_and_every_proof(jiangan_client, person):
    application = honour(
        person,
        name_choice="其他表彰奖励",
        other_name="武汉市三八红旗手",
        level="地市级",
        proofs={"honour:1": proof_document(person), "honour:3": proof_document(person, slot="honour:3", pdf=True)},
    )
    page = text(jiangan_client.get(reverse("reviews:detail", args=[application.pk])))
    for value in ("武汉市三八红旗手", "其他表彰奖励", "地市级", "2023-05-10", "湖北省财政厅", "鄂财会发〔2023〕5号"):
        assert value in page
    assert "证明材料1" in page and "证明材料3" in page
    for proof in application.honour.proofs.all():
        assert reverse("documents:view", args=[proof.document_id]) in page
    assert "诚信录入 / 表彰奖励" in page


def test_the_reviewer_can_open_the_proofs_of_an_honour_in_scope(jiangan_client, person):
    application = honour(person)
    document = application.honour.proofs.get().document
    assert jiangan_client.get(reverse("documents:view", args=[document.pk])).status_code == 200


def test_the_inbox_lists_honours_under_their_kind(jiangan_client, person):
    honour(person)
    page = text(jiangan_client.get(reverse("reviews:inbox"), {"kind": "honour"}))
    assert person.full_name in page


@pytest.mark.parametrize("unit_code", ["420103", "420202"])
def test_a_reviewer_of_another_county_gets_404_on_the_record_and_its_proofs(client, login_staff, person, unit_code):
    application = honour(person)
    document = application.honour.proofs.get().document
    login_staff(client, staff_of(unit_code))
    assert client.get(reverse("reviews:detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("documents:view", args=[document.pk])).status_code == 404
    version = application.version
    response = client.post(reverse("reviews:approve", args=[application.pk]), {"version": version})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PENDING


def test_staff_of_the_persons_new_unit_may_open_the_proofs_of_an_approved_honour(person):
    from dossier.models import PersonRecord
    from identity.tests.factories import review_unit

    application = honour(person, state="approved")
    document = application.honour.proofs.get().document
    jianghan = staff_of("420103")
    jianghan.is_verified = lambda: True
    assert not can_view(jianghan, document)
    PersonRecord.objects.filter(person=person).update(unit=review_unit("420103"))
    assert can_view(jianghan, document)


def test_the_access_rule_lets_nobody_else_in(person):
    application = honour(person, state="approved")
    document = application.honour.proofs.get().document
    other_person = collected_person()
    unverified = staff_of("420102")
    unverified.is_verified = lambda: False
    assert not can_view(other_person, document)
    assert not can_view(unverified, document)
    pending = honour(person)
    pending_document = pending.honour.proofs.get().document
    admin = staff_of("420103", role=StaffRole.UNIT_ADMIN)
    admin.is_verified = lambda: True
    assert not can_view(admin, pending_document)


def test_the_honour_part_of_the_application_page_costs_the_same_queries_whatever_the_proofs(jiangan_client, person):
    """The page itself belongs to reviews (its own count is pinned there): the honour's template and
    proof list add a fixed number of queries, not one per proof."""

    def queries_for(slots):
        application = honour(person, proofs={slot: proof_document(person, slot=slot) for slot in slots})
        url = reverse("reviews:detail", args=[application.pk])
        jiangan_client.get(url)  # warm whatever the page caches
        with CaptureQueriesContext(connection) as captured:
            assert jiangan_client.get(url).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    one = queries_for(["honour:1"])
    three = queries_for(["honour:1", "honour:2", "honour:3"])
    assert len(one) == len(three)
    assert sum("integrity_honourproof" in sql for sql in three) == 2  # the proofs section and the template
