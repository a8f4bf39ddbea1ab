"""The accountant's pages of 诚信录入 (manual §8): 录入页, 管理页, correcting and deleting; what
someone not yet collected is told; another person's records answer 404."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.constants import DocumentStatus
from documents.models import Document
from documents.tests import corpus
from identity.tests.factories import AccountantFactory
from integrity.constants import KIND_HONOUR
from integrity.models import HonourPayload
from reviews.constants import Status
from reviews.models import Application

from .factories import HONOUR_POST, REPRIMAND, collected_person, honour, negative_record, penalty, proof_document

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def jpeg_upload(name="荣誉证书.jpg"):
    return SimpleUploadedFile(name, corpus.jpeg(size=(400, 300)), content_type="image/jpeg")


def honours():
    return Application.objects.filter(kind=KIND_HONOUR)


# --------------------------------------------------------------------------- who may enter


@pytest.mark.parametrize("name", ["integrity:index", "integrity:new"])
def test_someone_not_collected_is_told_why_with_a_link_to_collection(client, units, name):
    client.force_login(AccountantFactory())
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "只有信息采集审核通过的会计人员才能使用诚信录入" in text(response)
    assert reverse("dossier:collect") in text(response)


def test_someone_not_collected_cannot_post_a_record_either(client, units):
    stranger = AccountantFactory()
    client.force_login(stranger)
    response = client.post(reverse("integrity:new"), {**HONOUR_POST, "proof-honour:1-file": jpeg_upload()})
    assert response.status_code == 200
    assert not honours().exists()


def test_the_home_page_links_the_integrity_entry(client, units):
    response = client.get(reverse("core:home"))
    assert reverse("integrity:index") in text(response)


# --------------------------------------------------------------------------- 录入页


def test_the_form_offers_the_honour_list_the_levels_and_three_proof_boxes(person_client):
    response = person_client.get(reverse("integrity:new"))
    page = text(response)
    for item in ("全国先进会计工作者", "湖北省会计领军人才", "其他表彰奖励", "国家级", "省部级", "地市级", "县区级"):
        assert item in page
    assert page.count('data-testid="proof-box"') == 3
    assert "integrity/integrity.js" in page
    assert "<script>" not in page and 'style="' not in page


def test_saving_with_a_file_submits_the_record_for_review(person_client, person):
    response = person_client.post(
        reverse("integrity:new"), {**HONOUR_POST, "proof-honour:1-file": jpeg_upload()}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("integrity:index")
    assert "已保存并提交审核" in text(response)
    application = honours().get()
    assert (application.applicant, application.status, application.unit.code) == (person, Status.PENDING, "420102")
    document = application.honour.proofs.get().document
    assert (document.owner, document.status, document.application_id) == (
        person,
        DocumentStatus.ATTACHED,
        application.pk,
    )


def test_saving_with_a_file_uploaded_beforehand_by_the_box_uses_that_file(person_client, person):
    uploaded = proof_document(person, slot="honour:2")
    person_client.post(reverse("integrity:new"), {**HONOUR_POST, "proof-honour:2-document": str(uploaded.pk)})
    application = honours().get()
    assert list(application.honour.proofs.values_list("slot", "document")) == [("honour:2", uploaded.pk)]


def test_another_persons_upload_is_never_taken(person_client, units):
    foreign = proof_document(AccountantFactory())
    response = person_client.post(reverse("integrity:new"), {**HONOUR_POST, "proof-honour:1-document": str(foreign.pk)})
    assert "请至少上传一份证明材料" in text(response)
    assert not honours().exists()
    foreign.refresh_from_db()
    assert foreign.application_id is None


def test_a_future_date_is_refused_next_to_the_field_and_nothing_typed_or_uploaded_is_lost(person_client, person):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = person_client.post(
        reverse("integrity:new"),
        {
            **HONOUR_POST,
            "awarded_on": tomorrow,
            "awarding_body": "湖北省财政厅会计处",
            "proof-honour:1-file": jpeg_upload(),
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert re.search(r'data-testid="error-awarded_on">日期不能晚于今天。', page)
    assert 'value="湖北省财政厅会计处"' in page
    assert f'value="{tomorrow}"' in page
    assert not honours().exists()
    # The file chosen with the form was kept: its box now carries it, ready for the next try.
    kept = Document.objects.get(owner=person, slot="honour:1")
    assert f'value="{kept.pk}"' in page
    assert 'data-testid="proof-current"' in page


def test_a_missing_proof_is_refused_with_a_clear_message_and_the_fields_kept(person_client):
    response = person_client.post(reverse("integrity:new"), {**HONOUR_POST, "document_number": "鄂财会发〔2023〕9号"})
    page = text(response)
    assert "请至少上传一份证明材料（荣誉证书或表彰文件）" in page
    assert 'value="鄂财会发〔2023〕9号"' in page
    assert not honours().exists()


def test_other_honour_without_a_name_is_refused_next_to_the_name(person_client):
    response = person_client.post(
        reverse("integrity:new"), {**HONOUR_POST, "name_choice": "其他表彰奖励", "proof-honour:1-file": jpeg_upload()}
    )
    page = text(response)
    assert 'data-testid="error-other_name">请填写奖励名称。' in page
    assert not honours().exists()


def test_other_honour_with_its_name_is_saved_under_that_name(person_client):
    person_client.post(
        reverse("integrity:new"),
        {
            **HONOUR_POST,
            "name_choice": "其他表彰奖励",
            "other_name": "武汉市三八红旗手",
            "proof-honour:1-file": jpeg_upload(),
        },
    )
    payload = HonourPayload.objects.get()
    assert (payload.name_choice, payload.name) == ("其他表彰奖励", "武汉市三八红旗手")


def test_a_file_that_is_not_an_image_or_pdf_is_refused_in_its_box(person_client):
    bad = SimpleUploadedFile("证书.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = person_client.post(reverse("integrity:new"), {**HONOUR_POST, "proof-honour:1-file": bad})
    assert 'data-testid="proof-error"' in text(response)
    assert not honours().exists()


def test_posting_the_same_form_twice_creates_one_record(person_client, person):
    key = "6f1c1f0e-7d2a-4b53-9a3e-0c4f2b9d6a11"
    uploaded = proof_document(person)
    data = {**HONOUR_POST, "submission_key": key, "proof-honour:1-document": str(uploaded.pk)}
    person_client.post(reverse("integrity:new"), data)
    person_client.post(reverse("integrity:new"), data)
    assert honours().count() == 1


def test_posted_status_or_unit_fields_change_nothing(person_client):
    person_client.post(
        reverse("integrity:new"),
        {**HONOUR_POST, "status": "approved", "unit": "420000", "proof-honour:1-file": jpeg_upload()},
    )
    application = honours().get()
    assert (application.status, application.unit.code) == (Status.PENDING, "420102")


# --------------------------------------------------------------------------- 管理页


def test_the_management_page_shows_records_by_status_with_their_proofs(person_client, person):
    pending = honour(person)
    returned = honour(person, state="returned", reason="文号与证书不一致", name_choice="全国会计领军人才")
    approved = honour(person, state="approved", name_choice="全国先进会计工作者", level="国家级")
    honour(person, state="withdrawn", name_choice="国际化高端会计人才")

    page = text(person_client.get(reverse("integrity:index")))
    assert re.search(r'data-testid="count-pending">1<', page)
    assert re.search(r'data-testid="count-returned">1<', page)
    assert re.search(r'data-testid="count-approved">1<', page)
    assert "国际化高端会计人才" not in page  # deleted records are gone from the list
    assert "文号与证书不一致" in page
    assert reverse("integrity:edit", args=[returned.pk]) in page
    assert reverse("integrity:delete", args=[pending.pk]) in page
    assert reverse("integrity:delete", args=[returned.pk]) in page
    assert reverse("integrity:delete", args=[approved.pk]) not in page
    assert "审核通过的记录不可删除" in page
    for application in (pending, returned, approved):
        document = application.honour.proofs.get().document
        assert reverse("documents:view", args=[document.pk]) in page
    # The approved honour also shows in the person's integrity record on top of the page.
    assert 'data-testid="integrity-honour"' in page


def test_the_management_page_shows_the_persons_negative_records_with_the_bar(person_client, person):
    negative_record(person, decision_date=datetime.date(2024, 5, 10))
    page = text(person_client.get(reverse("integrity:index")))
    assert "行政处罚（违反《会计法》）" in page
    assert "禁止从事会计工作至 2029-05-10" in page


def test_the_management_page_runs_a_fixed_number_of_queries(person_client, person, django_assert_num_queries):
    honour(person)
    honour(person, state="approved")
    negative_record(person)
    # session, user, is collected?, the records with envelope and unit, their proofs, their histories,
    # negative records, approved honours and their proofs (the idle-timeout stamp was written before)
    person_client.get(reverse("integrity:index"))
    with django_assert_num_queries(9):
        person_client.get(reverse("integrity:index"))
    for state in ("pending", "returned", "approved", "approved"):
        honour(person, state=state)
    negative_record(person, penalty_kind=penalty(REPRIMAND))
    with django_assert_num_queries(9):
        response = person_client.get(reverse("integrity:index"))
    assert text(response).count('data-testid="honour"') == 6


# --------------------------------------------------------------------------- correcting and deleting


def test_a_returned_record_is_corrected_and_resubmitted(person_client, person):
    application = honour(person, state="returned", reason="文号有误")
    page = text(person_client.get(reverse("integrity:edit", args=[application.pk])))
    assert "文号有误" in page
    assert 'value="鄂财会发〔2023〕5号"' in page
    current = application.honour.proofs.get().document
    assert f'value="{current.pk}"' in page

    response = person_client.post(
        reverse("integrity:edit", args=[application.pk]),
        {**HONOUR_POST, "document_number": "鄂财会发〔2023〕6号", "proof-honour:1-document": str(current.pk)},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert application.honour.document_number == "鄂财会发〔2023〕6号"


def test_a_correction_with_bad_input_keeps_the_record_returned_and_the_input(person_client, person):
    application = honour(person, state="returned")
    current = application.honour.proofs.get().document
    response = person_client.post(
        reverse("integrity:edit", args=[application.pk]),
        {
            **HONOUR_POST,
            "awarded_on": "2099-01-01",
            "awarding_body": "新单位",
            "proof-honour:1-document": str(current.pk),
        },
    )
    assert "日期不能晚于今天" in text(response)
    assert 'value="新单位"' in text(response)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.honour.awarding_body == "湖北省财政厅"


def test_removing_every_proof_of_a_correction_is_refused(person_client, person):
    application = honour(person, state="returned")
    current = application.honour.proofs.get().document
    response = person_client.post(
        reverse("integrity:edit", args=[application.pk]),
        {**HONOUR_POST, "proof-honour:1-document": str(current.pk), "proof-honour:1-remove": "1"},
    )
    assert "请至少上传一份证明材料" in text(response)
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.honour.proofs.count() == 1


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_only_returned_records_open_for_correction(person_client, person, state):
    application = honour(person, state=state)
    response = person_client.get(reverse("integrity:edit", args=[application.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("integrity:index")
    assert "只有被退回的记录可以修改" in text(response)


@pytest.mark.parametrize("state", ["pending", "returned"])
def test_deleting_withdraws_a_pending_or_returned_record(person_client, person, state):
    application = honour(person, state=state)
    response = person_client.post(reverse("integrity:delete", args=[application.pk]), follow=True)
    assert "已删除" in text(response)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_deleting_an_approved_record_is_refused_and_changes_nothing(person_client, person):
    application = honour(person, state="approved")
    version = application.version
    response = person_client.post(reverse("integrity:delete", args=[application.pk]), follow=True)
    assert "审核通过的诚信记录不能删除" in text(response)
    application.refresh_from_db()
    assert (application.status, application.version) == (Status.APPROVED, version)


def test_deleting_needs_a_post(person_client, person):
    application = honour(person)
    assert person_client.get(reverse("integrity:delete", args=[application.pk])).status_code == 405
    application.refresh_from_db()
    assert application.status == Status.PENDING


@pytest.mark.parametrize("state", ["pending", "returned", "approved"])
def test_another_persons_record_answers_404_and_is_untouched(client, person, state):
    application = honour(person, state=state)
    other = collected_person()
    client.force_login(other)
    assert client.get(reverse("integrity:edit", args=[application.pk])).status_code == 404
    assert client.post(reverse("integrity:edit", args=[application.pk]), HONOUR_POST).status_code == 404
    assert client.post(reverse("integrity:delete", args=[application.pk])).status_code == 404
    assert str(application.honour.proofs.get().document_id) not in text(client.get(reverse("integrity:index")))
    application.refresh_from_db()
    assert application.status == state


def test_a_withdrawn_record_answers_404(person_client, person):
    application = honour(person, state="withdrawn")
    assert person_client.get(reverse("integrity:edit", args=[application.pk])).status_code == 404
    assert person_client.post(reverse("integrity:delete", args=[application.pk])).status_code == 404


def test_removing_the_old_file_and_choosing_a_new_one_in_the_same_box_replaces_it(person_client, person):
    application = honour(person, state="returned")
    old = application.honour.proofs.get().document
    person_client.post(
        reverse("integrity:edit", args=[application.pk]),
        {
            **HONOUR_POST,
            "proof-honour:1-document": str(old.pk),
            "proof-honour:1-remove": "1",
            "proof-honour:1-file": jpeg_upload("新证书.jpg"),
        },
    )
    application.refresh_from_db()
    assert application.status == Status.PENDING
    new = application.honour.proofs.get().document
    assert new.pk != old.pk and new.original_name == "新证书.jpg"
