"""What a reviewer sees when a returned 信息采集 / 信息变更 is handed in again: the changes since the
return (fields with their labels, old → new; proofs added and removed), and a first submission's
history without the draft's choice of region."""

import re

import pytest
from django.urls import reverse

from dossier.models import DossierProof
from reviews import services as reviews
from reviews.constants import EventType
from reviews.models import ReviewEvent

from .factories import DocumentFactory, change, collection, reviewer_of

pytestmark = pytest.mark.django_db


def block(page: str) -> str:
    match = re.search(r'data-testid="changes-since-return".*?</section>', page, re.S)
    return match.group(0) if match else ""


def resubmit(payload):
    application = payload.application
    application.refresh_from_db()
    reviews.submit(application=application, actor=application.applicant)
    return application


def replace_a_proof(payload) -> tuple[str, str]:
    proof = DossierProof.objects.filter(dossier=payload.dossier).order_by("pk").first()
    assert proof is not None
    old_document = proof.document_id
    proof.document = DocumentFactory.create(
        owner=payload.dossier.owner,
        slot=proof.slot,
        status=proof.document.status,
        application_id=payload.application_id,
    )
    proof.save()
    return str(old_document), str(proof.document_id)


def test_a_return_keeps_a_snapshot_of_what_was_returned(units):
    payload = collection(state="returned")

    event = ReviewEvent.objects.get(application=payload.application, event_type=EventType.RETURNED)

    assert event.snapshot["data"]["post"]["employer_name"] == payload.dossier.employer_name
    documents = {p["document"] for p in event.snapshot["proofs"]}
    assert documents == {str(p.document_id) for p in payload.dossier.proofs.all()}


def test_a_resubmitted_collection_shows_the_changed_fields_and_the_replaced_proof(client, units, login_staff):
    payload = collection(state="returned")
    old_employer = payload.dossier.employer_name
    payload.dossier.employer_name = "武汉改正后有限公司"
    payload.dossier.save()
    old_document, new_document = replace_a_proof(payload)
    resubmit(payload)

    page = login_staff(client, reviewer_of("420102")).get(reverse("reviews:detail", args=[payload.application_id]))

    shown = block(page.content.decode())
    assert "退回后修改了什么" in shown
    assert "工作单位" in shown and old_employer in shown and "武汉改正后有限公司" in shown
    assert "新增证明材料" in shown and reverse("documents:view", args=[new_document]) in shown
    assert "移除证明材料" in shown
    assert reverse("documents:view", args=[old_document]) not in shown
    assert "照片不清晰" in shown  # the reason of the return


def test_a_resubmission_without_changes_says_so(client, units, login_staff):
    payload = collection(state="returned")
    resubmit(payload)

    page = login_staff(client, reviewer_of("420102")).get(reverse("reviews:detail", args=[payload.application_id]))

    assert 'data-testid="no-changes"' in block(page.content.decode())


def test_a_first_submission_shows_no_changes_block(client, units, login_staff):
    payload = collection(state="pending")

    page = login_staff(client, reviewer_of("420102")).get(reverse("reviews:detail", args=[payload.application_id]))

    assert 'data-testid="changes-since-return"' not in page.content.decode()


def test_a_resubmitted_change_shows_what_was_edited_after_the_return(client, units, login_staff):
    payload = change(state="returned")
    payload.dossier.employer_address = "武汉市江岸区改正路1号"
    payload.dossier.save()
    resubmit(payload)
    application = payload.application

    page = login_staff(client, reviewer_of(application.unit.code)).get(reverse("reviews:detail", args=[application.pk]))

    shown = block(page.content.decode())
    assert "单位地址" in shown
    assert "武汉市江岸区改正路1号" in shown
    assert "武汉新单位有限公司" not in shown  # changed before the return: not a change since it


def test_another_units_reviewer_still_gets_404(client, units, login_staff):
    payload = collection(state="returned")
    resubmit(payload)

    response = login_staff(client, reviewer_of("420103")).get(reverse("reviews:detail", args=[payload.application_id]))

    assert response.status_code == 404


def test_the_first_submission_history_has_no_unit_change(client, units, login_staff):
    # collection() picks 江岸区 on the draft (started at the province's unit) before submitting.
    payload = collection(state="pending")
    application = payload.application

    types = list(ReviewEvent.objects.filter(application=application).values_list("event_type", flat=True))
    page = login_staff(client, reviewer_of("420102")).get(reverse("reviews:detail", args=[application.pk]))

    assert EventType.UNIT_CHANGED not in types
    assert types[-1] == EventType.SUBMITTED
    history = re.search(r'data-testid="review-history".*?</ol>', page.content.decode(), re.S).group(0)
    assert "提交" in history and "→" not in history and "更换审核单位" not in history
