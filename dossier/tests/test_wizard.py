"""The step-by-step 信息采集 form as the accountant uses it (manual §4.3–§4.9)."""

import pytest
from django.urls import reverse

from documents.constants import DocumentStatus
from documents.models import Document
from documents.tests import corpus
from dossier.constants import Step
from dossier.models import CollectionPayload, DossierProof
from dossier.proofs import proof_slots
from reviews.constants import Status

from .factories import VALID_USCC, collection, photo_for
from .test_forms import BACHELOR, QUALIFICATION, education_data, personal_data, post_data

pytestmark = pytest.mark.django_db


def step_url(step):
    return reverse("dossier:step", args=[str(step)])


def started(client):
    response = client.post(reverse("dossier:collect"))
    assert response.status_code == 302
    return CollectionPayload.objects.get()


def text(response):
    return response.content.decode()


def test_the_entry_offers_to_start_and_starting_opens_the_first_step(accountant_client):
    response = accountant_client.get(reverse("dossier:collect"))
    assert response.status_code == 200
    assert "开始填写" in text(response)
    response = accountant_client.post(reverse("dossier:collect"))
    assert response.url == step_url(Step.PERSONAL)
    page = text(accountant_client.get(response.url))
    for label in ["个人信息", "学历信息", "专业技术资格", "会计岗位信息", "上传证明材料", "提交前预览", "提交"]:
        assert label in page
    assert "420102199001011236" in page  # 证件号码 shown
    assert 'name="id_number"' not in page  # ... and not editable


def test_next_with_bad_input_shows_errors_next_to_the_fields_and_keeps_everything(accountant_client, accountant):
    started(accountant_client)
    data = personal_data(type("D", (), {"owner": accountant})(), ethnicity="", address="汉口路5号", email="bad")
    response = accountant_client.post(step_url(Step.PERSONAL), {**data, "action": "next"})
    assert response.status_code == 200
    page = text(response)
    assert "is-invalid" in page
    assert "有效的电子邮件" in page or "电子邮件" in page
    assert 'value="汉口路5号"' in page and 'value="bad"' in page
    # Leaving and coming back still shows what was typed.
    page = text(accountant_client.get(step_url(Step.PERSONAL)))
    assert 'value="汉口路5号"' in page


def test_next_saves_the_step_and_moves_on(accountant_client, accountant):
    payload = started(accountant_client)
    response = accountant_client.post(step_url(Step.PERSONAL), {**personal_data(payload.dossier), "action": "next"})
    assert response.url == step_url(Step.EDUCATION)
    payload.refresh_from_db()
    payload.dossier.refresh_from_db()
    assert payload.dossier.ethnicity == "土家族"
    assert payload.dossier.photo.status == DocumentStatus.ATTACHED  # the photo now belongs to the application
    assert payload.dossier.photo.application_id == payload.application_id
    assert payload.current_step == Step.EDUCATION


def test_previous_goes_back_without_losing_what_was_typed_even_if_invalid(accountant_client):
    payload = started(accountant_client)
    accountant_client.post(step_url(Step.PERSONAL), {**personal_data(payload.dossier), "action": "next"})
    half = education_data({"level": "大学本科", "school": "华中科技大学"})
    response = accountant_client.post(step_url(Step.EDUCATION), {**half, "action": "prev"})
    assert response.url == step_url(Step.PERSONAL)
    page = text(accountant_client.get(step_url(Step.EDUCATION)))
    assert 'value="华中科技大学"' in page
    assert "is-invalid" not in page  # kept, not judged: nothing was submitted


def test_a_valid_step_left_with_previous_is_saved(accountant_client):
    payload = started(accountant_client)
    accountant_client.post(step_url(Step.PERSONAL), {**personal_data(payload.dossier), "action": "next"})
    accountant_client.post(step_url(Step.EDUCATION), {**education_data(BACHELOR), "action": "prev"})
    assert [row.school for row in payload.dossier.educations.all()] == ["武汉大学"]


def test_rows_are_added_and_removed_without_script_and_nothing_typed_is_lost(accountant_client):
    payload = started(accountant_client)
    accountant_client.post(step_url(Step.PERSONAL), {**personal_data(payload.dossier), "action": "next"})
    response = accountant_client.post(step_url(Step.EDUCATION), {**education_data(BACHELOR), "action": "add_row"})
    page = text(response)
    assert page.count('data-testid="education-row"') == 2
    assert 'value="武汉大学"' in page
    second = {
        **BACHELOR,
        "level": "硕士研究生",
        "degree": "硕士",
        "school": "厦门大学",
        "enrolled_on": "2012-09-01",
        "graduated_on": "2015-06-30",
    }
    response = accountant_client.post(step_url(Step.EDUCATION), {**education_data(BACHELOR, second), "remove_row": "0"})
    page = text(response)
    assert page.count('data-testid="education-row"') == 1
    assert 'value="厦门大学"' in page and 'value="武汉大学"' not in page


def test_signing_in_again_resumes_at_the_step_where_the_person_was(client, accountant):
    client.force_login(accountant)
    payload = started(client)
    client.post(step_url(Step.PERSONAL), {**personal_data(payload.dossier), "action": "next"})
    client.post(step_url(Step.EDUCATION), {**education_data(BACHELOR), "action": "next"})
    client.logout()
    client.force_login(accountant)
    response = client.get(reverse("dossier:collect"))
    assert response.url == step_url(Step.QUALIFICATION)


def test_steps_not_reached_yet_cannot_be_skipped_to(accountant_client):
    started(accountant_client)
    response = accountant_client.get(step_url(Step.PREVIEW))
    assert response.url == step_url(Step.PERSONAL)


def test_an_unknown_step_is_not_found(accountant_client):
    started(accountant_client)
    assert accountant_client.get("/dossier/collect/step/nonsense/").status_code == 404


def test_the_whole_form_through_the_pages_ends_in_a_submitted_application(accountant_client, accountant):
    payload = started(accountant_client)
    dossier = payload.dossier
    for step, data in [
        (Step.PERSONAL, personal_data(dossier)),
        (Step.EDUCATION, education_data(BACHELOR)),
        (Step.QUALIFICATION, QUALIFICATION),
        (Step.POST, post_data()),
    ]:
        response = accountant_client.post(step_url(step), {**data, "action": "next"})
        assert response.status_code == 302, (step, text(response))
    payload.refresh_from_db()
    dossier.refresh_from_db()
    assert payload.application.unit.code == "420102"  # routed to the unit chosen in 会计岗位信息

    page = text(accountant_client.get(step_url(Step.PROOFS)))
    slots = [slot.key for slot in proof_slots(dossier)]
    for slot in slots:
        assert f'data-slot="{slot}"' in page
    # Without JavaScript the files come with the step's form.
    files = {f"proof-{slot}-file": corpus_file(slot) for slot in slots}
    response = accountant_client.post(step_url(Step.PROOFS), {**files, "action": "next"})
    assert response.url == step_url(Step.PREVIEW)
    assert DossierProof.objects.filter(dossier=dossier).count() == len(slots)

    page = text(accountant_client.get(step_url(Step.PREVIEW)))
    assert "武汉大学" in page and VALID_USCC in page and "江岸区" in page
    assert page.count('data-testid="proof-link"') == len(slots)
    response = accountant_client.post(reverse("dossier:submit"))
    assert response.url == reverse("dossier:status")
    payload.application.refresh_from_db()
    assert payload.application.status == Status.PENDING


def corpus_file(slot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{slot.replace(':', '_')}.jpg", corpus.jpeg(), content_type="image/jpeg")


def test_a_photo_chosen_without_script_is_cut_and_stored(accountant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = started(accountant_client)
    data = {**personal_data(payload.dossier, photo=""), "action": "next"}
    data["photo-file"] = SimpleUploadedFile("me.jpg", corpus.portrait(), content_type="image/jpeg")
    response = accountant_client.post(step_url(Step.PERSONAL), data)
    assert response.status_code == 302, text(response)
    payload.dossier.refresh_from_db()
    assert (payload.dossier.photo.width, payload.dossier.photo.height) == (295, 413)


def test_a_refused_photo_is_named_next_to_the_picker_and_the_rest_is_kept(accountant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = started(accountant_client)
    data = {**personal_data(payload.dossier, photo="", address="汉口路5号"), "action": "next"}
    data["photo-file"] = SimpleUploadedFile(
        "me.jpg", corpus.portrait(background=(40, 180, 40)), content_type="image/jpeg"
    )
    response = accountant_client.post(step_url(Step.PERSONAL), data)
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="photo-error"' in page
    assert "背景" in page
    assert 'value="汉口路5号"' in page


def test_the_proof_boxes_follow_what_was_filled(units):
    payload = collection(state="complete", is_cpa=True, abacus_level="普通三级", high_end_talent="全国领军人才")
    keys = [slot.key for slot in proof_slots(payload.dossier)]
    row = payload.dossier.educations.get()
    assert keys == [
        "id_front",
        "id_back",
        f"diploma:{row.token}",
        f"degree:{row.token}",
        "qualification",
        "cpa",
        "talent",
        "abacus",
        "employment",
    ]


def test_no_education_no_qualification_and_not_in_post_need_only_the_id_document(units):
    payload = collection(state="complete", qualification_type="无", on_duty=False)
    payload.dossier.educations.update(level="无学历", degree="", school="")
    assert [slot.key for slot in proof_slots(payload.dossier)] == ["id_front", "id_back"]


def test_a_degree_of_none_needs_no_degree_certificate(units):
    payload = collection(state="complete")
    payload.dossier.educations.update(degree="无学位")
    keys = [slot.key for slot in proof_slots(payload.dossier)]
    assert not any(key.startswith("degree:") for key in keys)
    assert any(key.startswith("diploma:") for key in keys)


def test_next_on_the_proofs_step_names_the_missing_boxes(client, units):
    payload = collection(state="complete")
    DossierProof.objects.filter(dossier=payload.dossier, slot="employment").delete()
    client.force_login(payload.application.applicant)
    response = client.post(step_url(Step.PROOFS), {"action": "next"})
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="proofs-error"' in page
    assert "请上传此项证明材料" in page


def test_a_proof_uploaded_through_its_box_is_taken_with_the_step(client, units):
    payload = collection(state="complete")
    DossierProof.objects.filter(dossier=payload.dossier, slot="id_back").delete()
    client.force_login(payload.application.applicant)
    upload = client.post(
        reverse("documents:proof_upload"),
        {"slot": "id_back", "proof-id_back-file": corpus_file("id_back")},
        HTTP_HX_REQUEST="true",
    )
    assert upload.status_code == 200
    document = Document.objects.get(
        owner=payload.application.applicant, slot="id_back", status=DocumentStatus.TEMPORARY
    )
    response = client.post(step_url(Step.PROOFS), {"proof-id_back-document": str(document.pk), "action": "next"})
    assert response.url == step_url(Step.PREVIEW)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ATTACHED and document.application_id == payload.application_id


def test_another_persons_document_id_posted_in_a_box_is_ignored(client, units):
    payload = collection(state="complete")
    DossierProof.objects.filter(dossier=payload.dossier, slot="id_back").delete()
    stranger = collection(state="complete")
    theirs = stranger.dossier.proofs.get(slot="id_back").document
    client.force_login(payload.application.applicant)
    response = client.post(step_url(Step.PROOFS), {"proof-id_back-document": str(theirs.pk), "action": "next"})
    assert response.status_code == 200
    assert not DossierProof.objects.filter(dossier=payload.dossier, slot="id_back").exists()
    theirs.refresh_from_db()
    assert theirs.application_id == stranger.application_id


def test_another_persons_photo_id_posted_as_the_photo_is_refused(client, units):
    payload = collection(state="draft")
    stranger_photo = photo_for(collection(state="draft").application.applicant)
    client.force_login(payload.application.applicant)
    response = client.post(
        step_url(Step.PERSONAL), {**personal_data(payload.dossier, photo=str(stranger_photo.pk)), "action": "next"}
    )
    assert response.status_code == 200
    assert "请重新上传个人照片" in text(response)


def test_submitting_with_a_missing_proof_is_refused_and_names_it(client, units):
    payload = collection(state="complete")
    DossierProof.objects.filter(dossier=payload.dossier, slot="qualification").delete()
    client.force_login(payload.application.applicant)
    response = client.post(reverse("dossier:submit"))
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="submit-error"' in page
    assert "专业技术资格证书：会计类 中级" in page
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_submitting_with_unsaved_changes_or_an_incomplete_step_is_refused(client, units):
    payload = collection(state="complete")
    payload.unsaved_input = {"education": {"edu-TOTAL_FORMS": ["1"]}}
    payload.save()
    payload.dossier.ethnicity = ""
    payload.dossier.save()
    client.force_login(payload.application.applicant)
    page = text(client.post(reverse("dossier:submit")))
    assert "学历信息" in page and "尚未保存" in page
    assert "“个人信息”尚未填写完整" in page


def test_after_submitting_the_status_page_says_waiting_with_due_date_and_unit(client, units):
    payload = collection(state="complete")
    client.force_login(payload.application.applicant)
    client.post(reverse("dossier:submit"))
    payload.application.refresh_from_db()
    response = client.get(reverse("dossier:collect"))
    assert response.url == reverse("dossier:status")
    page = text(client.get(reverse("dossier:status")))
    assert "等待审核" in page
    assert payload.application.due_date.strftime("%Y-%m-%d") in page
    assert "江岸区" in page


def test_while_pending_the_steps_cannot_be_changed(client, units):
    payload = collection(state="pending")
    client.force_login(payload.application.applicant)
    assert client.get(step_url(Step.PERSONAL)).url == reverse("dossier:status")
    response = client.post(
        step_url(Step.QUALIFICATION), {**QUALIFICATION, "qualification_type": "无", "action": "next"}
    )
    assert response.url == reverse("dossier:status")
    payload.dossier.refresh_from_db()
    assert payload.dossier.qualification_type == "会计类"


def test_the_statement_of_accounting_work_is_filled_with_name_id_and_employer(client, units):
    from io import BytesIO

    from docx import Document as Docx

    payload = collection(state="complete")
    client.force_login(payload.application.applicant)
    response = client.get(reverse("dossier:employment_statement"))
    assert response.status_code == 200
    assert "filename*=UTF-8''%E4%BB%8E%E4%BA%8B" in response["Content-Disposition"]
    body = "\n".join(p.text for p in Docx(BytesIO(response.content)).paragraphs)
    dossier = payload.dossier
    assert dossier.full_name in body and dossier.id_number in body and "武汉某某有限公司" in body


def test_proofs_no_longer_asked_for_are_dropped_when_submitting(client, units):
    payload = collection(state="complete", is_cpa=True)
    dossier = payload.dossier
    assert dossier.proofs.filter(slot="cpa").exists()
    dossier.is_cpa = False
    dossier.save()
    client.force_login(payload.application.applicant)
    assert client.post(reverse("dossier:submit")).url == reverse("dossier:status")
    assert not dossier.proofs.filter(slot="cpa").exists()
    assert dossier.proofs.count() == len(proof_slots(dossier))
