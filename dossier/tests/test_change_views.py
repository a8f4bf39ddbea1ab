"""信息变更 pages (manual §6): entry, sections, proofs, submit, return, withdraw — for the person
themselves only; bad input keeps everything; fixed query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.constants import DocumentStatus
from documents.tests import corpus
from dossier.change_selectors import change_for_display, summarise
from dossier.constants import KIND_CHANGE
from dossier.models import ChangePayload, Dossier, PersonRecord
from identity.tests.factories import AccountantFactory, StaffFactory
from reviews.constants import Status
from reviews.models import Application

from .factories import EducationRecordFactory, approved_person, change, collection, new_proofs_for, reviewer_of
from .test_forms import BACHELOR, education_data, personal_data, post_data

pytestmark = pytest.mark.django_db

CHANGE = reverse("dossier:change")
PROOFS = reverse("dossier:change_proofs")
SUBMIT = reverse("dossier:change_submit")
WITHDRAW = reverse("dossier:change_withdraw")
STATEMENT = reverse("dossier:change_employment_statement")


def section_url(step):
    return reverse("dossier:change_section", args=[step])


def text(response):
    return response.content.decode()


def signed_in(client, person):
    client.force_login(person)
    return client


def jpeg(name="proof.jpg"):
    return SimpleUploadedFile(name, corpus.jpeg(), content_type="image/jpeg")


def approved_post(**overrides):
    """The post section as the factory's approved dossier has it, with `overrides`."""
    return post_data(**{"employer_address": "武汉市江岸区", **overrides})


def row_data(row) -> dict:
    """A stored 学历 row as its form posts it."""
    values = {name: getattr(row, name) for name in BACHELOR}
    return {**{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}, "token": row.token}


def open_change_of(person) -> ChangePayload:
    return ChangePayload.objects.get(application__applicant=person, application__status__in=["draft", "returned"])


# --------------------------------------------------------------------------- who gets in


ACCOUNTANT_URLS = [CHANGE, section_url("personal"), PROOFS, STATEMENT]


@pytest.mark.parametrize("url", ACCOUNTANT_URLS + [SUBMIT, WITHDRAW])
def test_anonymous_visitors_are_sent_to_the_accountant_sign_in(client, url):
    response = client.get(url) if url not in (SUBMIT, WITHDRAW) else client.post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("identity:login"))


@pytest.mark.parametrize("url", ACCOUNTANT_URLS)
def test_staff_get_404_on_the_change_pages(client, login_staff, units, url):
    login_staff(client, StaffFactory())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [SUBMIT, WITHDRAW])
def test_submitting_and_withdrawing_are_post_only(accountant_client, url):
    assert accountant_client.get(url).status_code == 405


def test_an_unknown_or_non_data_section_is_not_found(client, units):
    change(state="started")
    person = Application.objects.get(kind=KIND_CHANGE).applicant
    signed_in(client, person)
    assert client.get(section_url("proofs")).status_code == 404
    assert client.get(section_url("nonsense")).status_code == 404


# --------------------------------------------------------------------------- the entry


def test_someone_not_collected_is_told_why_with_a_link_to_collection(client, units):
    pending = collection(state="pending").application.applicant
    for person, status in ((AccountantFactory(), None), (pending, "待审核")):
        signed_in(client, person)
        page = text(client.get(CHANGE))
        assert 'data-testid="not-collected"' in page
        assert "只有信息审核通过的会计人员才可进行变更" in page
        assert reverse("dossier:collect") in page
        if status:
            assert f'data-testid="current-status">{status}<' in page
        response = client.post(CHANGE, {"section": "post"})
        assert response.status_code == 200
        assert not Application.objects.filter(applicant=person, kind=KIND_CHANGE).exists()


def test_the_entry_shows_the_approved_values_by_section_and_the_version_history(
    client, units, django_assert_num_queries
):
    person = approved_person()
    signed_in(client, person)
    client.get(CHANGE)  # warm the option lists cache as any earlier page would
    # session, user, open change (none), record with dossier/photo/units, 学历 rows, proofs, versions
    # (the idle time-out stamp was written by the page before).
    with django_assert_num_queries(7):
        response = client.get(CHANGE)
    page = text(response)
    for step in ("personal", "education", "qualification", "post"):
        assert f'data-testid="start-{step}"' in page
    assert "武汉某某有限公司" in page and "武汉大学" in page and "江岸区" in page
    assert page.count('data-testid="version"') == 1
    assert "首次信息采集" in page
    assert "姓名和证件信息为注册时填写的信息，此处不可修改" in page
    assert not Application.objects.filter(applicant=person, kind=KIND_CHANGE).exists()  # GET starts nothing


def test_a_section_button_starts_the_change_and_opens_that_section_with_the_approved_values(client, units):
    person = approved_person()
    signed_in(client, person)
    response = client.post(CHANGE, {"section": "post"})
    assert response.url == section_url("post")
    page = text(client.get(section_url("post")))
    assert 'value="武汉某某有限公司"' in page
    assert 'data-testid="save"' in page
    payload = open_change_of(person)
    assert payload.application.status == Status.DRAFT
    # A second click (or another tab) keeps the one change.
    assert client.post(CHANGE, {"section": "education"}).url == CHANGE
    assert Application.objects.filter(applicant=person, kind=KIND_CHANGE).count() == 1


# --------------------------------------------------------------------------- sections


@pytest.mark.parametrize(
    "step,shown",
    [
        ("personal", ["武汉市江岸区沿江大道1号", 'data-testid="identity"', "此处不可修改"]),
        ("education", ['value="武汉大学"', 'data-testid="add-row"']),
        ("qualification", ['value="Z20164200001"']),
        ("post", ['value="武汉某某有限公司"', 'data-testid="unit-picker"']),
    ],
)
def test_each_section_opens_with_the_approved_values(client, units, step, shown):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": step})
    page = text(client.get(section_url(step)))
    for fragment in shown:
        assert fragment in page
    assert 'data-testid="save"' in page and 'data-testid="cancel"' in page
    if step == "personal":
        photo = open_change_of(person).dossier.photo_id
        assert reverse("documents:view", args=[photo]) in page


def test_bad_input_shows_chinese_errors_next_to_the_fields_and_nothing_typed_is_lost(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    data = approved_post(
        employer_name="武汉新单位有限公司", employer_uscc="91110000100006485A", employer_address="新地址1号"
    )
    response = client.post(section_url("post"), {**data, "action": "save"})
    assert response.status_code == 200
    page = text(response)
    assert "is-invalid" in page and "校验" in page
    for typed in ("武汉新单位有限公司", "91110000100006485A", "新地址1号"):
        assert f'value="{typed}"' in page
    payload = open_change_of(person)
    assert payload.dossier.employer_name == "武汉某某有限公司"  # nothing saved
    assert "post" in payload.unsaved_input
    # Coming back later shows what was typed; the change page flags the section; submit names it.
    page = text(client.get(section_url("post")))
    assert 'data-testid="kept-input"' in page and 'value="武汉新单位有限公司"' in page
    assert "有未保存的输入" in text(client.get(CHANGE))
    page = text(client.post(SUBMIT))
    assert 'data-testid="submit-error"' in page and "以下栏目有尚未保存的输入：会计岗位信息" in page
    # Cancel forgets the typing; the saved values stay.
    assert client.post(section_url("post"), {**data, "action": "cancel"}).url == CHANGE
    payload.refresh_from_db()
    assert payload.unsaved_input == {}
    assert 'value="武汉某某有限公司"' in text(client.get(section_url("post")))


def test_saving_a_section_shows_the_change_side_by_side_and_the_proof_it_requires(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    response = client.post(section_url("post"), {**approved_post(employer_name="武汉新单位有限公司"), "action": "save"})
    assert response.url == CHANGE
    page = text(client.get(CHANGE))
    assert 'data-field="employer_name" data-changed="true"' in page
    assert "武汉某某有限公司" in page and "武汉新单位有限公司" in page
    assert page.count('data-changed="true"') == 1
    assert 'data-testid="proof-missing"' in page and "在岗证明" in page
    assert 'data-testid="edit-post"' in page
    proofs = text(client.get(PROOFS))
    assert proofs.count('data-testid="proof-box"') == 1 and 'data-slot="employment"' in proofs
    assert 'data-testid="statement-download"' in proofs and 'data-testid="previous-proof"' in proofs
    # The approved record is untouched.
    assert PersonRecord.objects.get(person=person).current.employer_name == "武汉某某有限公司"


def test_a_new_region_routes_the_change_to_the_new_unit_and_says_so(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    client.post(section_url("post"), {**approved_post(unit_city="420200", unit="420202"), "action": "save"})
    payload = open_change_of(person)
    assert payload.application.unit.code == "420202"
    page = text(client.get(CHANGE))
    assert 'data-testid="unit-change"' in page and "本次变更将由黄石港区审核" in page


def test_education_rows_are_added_and_removed_without_script_and_a_new_row_asks_for_its_diploma(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "education"})
    payload = open_change_of(person)
    row = payload.dossier.educations.get()
    token = row.token
    data = education_data(row_data(row))
    page = text(client.post(section_url("education"), {**data, "action": "add_row"}))
    assert page.count('data-testid="education-row"') == 2
    assert 'value="武汉大学"' in page
    master = {**BACHELOR, "level": "硕士研究生", "degree": "硕士", "school": "华中科技大学", "certificate_no": "M1"}
    master.update(enrolled_on="2013-09-01", graduated_on="2016-06-30")
    data = education_data(row_data(row), master)
    assert client.post(section_url("education"), {**data, "action": "save"}).url == CHANGE
    summary = summarise(change_for_display(payload.pk))
    new_token = next(r.token for r in summary.payload.dossier.educations.all() if r.token != token)
    assert [slot.key for slot in summary.required] == [f"diploma:{new_token}", f"degree:{new_token}"]
    # Removing the new row again: nothing changed any more.
    data = education_data(row_data(row), {**master, "token": new_token})
    page = text(client.post(section_url("education"), {**data, "remove_row": "1"}))
    assert page.count('data-testid="education-row"') == 1
    data = education_data(row_data(row))
    client.post(section_url("education"), {**data, "action": "save"})
    assert summarise(change_for_display(payload.pk)).changes == []


def test_a_new_photo_chosen_without_script_is_stored_with_the_change(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "personal"})
    payload = open_change_of(person)
    data = {**personal_data(payload.dossier, photo="", sex="male", birth_date="1990-01-01"), "action": "save"}
    data.update(
        ethnicity="汉族", political_status="群众", address="武汉市江岸区沿江大道1号", email="kuaiji@example.com"
    )
    data["photo-file"] = SimpleUploadedFile("me.jpg", corpus.portrait(), content_type="image/jpeg")
    assert client.post(section_url("personal"), data).url == CHANGE
    dossier = Dossier.objects.get(pk=payload.dossier_id)
    assert dossier.photo_id != payload.base.dossier.photo_id
    assert dossier.photo.application_id == payload.application_id
    summary = summarise(change_for_display(payload.pk))
    assert [(c.section, c.field) for c in summary.changes] == [("personal", "photo")]


def test_posting_extra_fields_changes_nothing_but_the_section(client, units):
    person = approved_person()
    other = AccountantFactory()
    signed_in(client, person).post(CHANGE, {"section": "personal"})
    payload = open_change_of(person)
    data = {
        **personal_data(payload.dossier, photo=str(payload.dossier.photo_id), sex="male", birth_date="1990-01-01"),
        "address": "武汉市洪山区珞喻路1号",
        "action": "save",
        "status": "approved",
        "owner": str(other.pk),
        "full_name": "李四",
        "id_number": "120103198806018241",
        "unit": "420202",
        "base": "1",
    }
    client.post(section_url("personal"), data)
    dossier = Dossier.objects.get(pk=payload.dossier_id)
    assert (dossier.owner_id, dossier.full_name, dossier.id_number, dossier.unit.code) == (
        person.pk,
        person.full_name,
        person.id_number,
        "420102",
    )
    payload.refresh_from_db()
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT and payload.application.unit.code == "420102"
    assert dossier.address == "武汉市洪山区珞喻路1号"


# --------------------------------------------------------------------------- proofs and submission


def test_the_proofs_page_takes_a_file_without_script_and_returns_to_the_change_when_complete(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    client.post(section_url("post"), {**approved_post(employer_name="武汉新单位有限公司"), "action": "save"})
    response = client.post(PROOFS, {})
    assert response.status_code == 200
    assert 'data-testid="proofs-error"' in text(response) and "请为此项证明材料上传新的文件" in text(response)
    response = client.post(PROOFS, {"proof-employment-file": jpeg("contract.jpg")})
    assert response.url == CHANGE
    payload = open_change_of(person)
    proof = payload.dossier.proofs.get(slot="employment")
    assert proof.document.application_id == payload.application_id
    assert proof.document.status == DocumentStatus.ATTACHED
    assert summarise(change_for_display(payload.pk)).missing == []


def test_a_proof_uploaded_through_its_box_is_taken_and_another_persons_file_is_not(client, units):
    stranger = change(state="complete")
    theirs = stranger.dossier.proofs.get(slot="employment").document
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    client.post(section_url("post"), {**approved_post(employer_name="武汉新单位有限公司"), "action": "save"})
    client.post(PROOFS, {"proof-employment-document": str(theirs.pk)})
    payload = open_change_of(person)
    assert summarise(change_for_display(payload.pk)).missing  # still missing
    upload = client.post(
        reverse("documents:proof_upload"),
        {"slot": "employment", "proof-employment-file": jpeg()},
        HTTP_HX_REQUEST="true",
    )
    assert upload.status_code == 200
    mine = person.documents.get(slot="employment", status=DocumentStatus.TEMPORARY)
    assert client.post(PROOFS, {"proof-employment-document": str(mine.pk)}).url == CHANGE
    theirs.refresh_from_db()
    assert theirs.application_id == stranger.application_id


def test_the_statement_of_accounting_work_carries_the_new_employer(client, units):
    import io
    import zipfile

    person = approved_person()
    signed_in(client, person)
    assert client.get(STATEMENT).status_code == 404  # no change open
    client.post(CHANGE, {"section": "post"})
    client.post(section_url("post"), {**approved_post(employer_name="武汉新单位有限公司"), "action": "save"})
    response = client.get(STATEMENT)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        body = docx.read("word/document.xml").decode()
    assert "武汉新单位有限公司" in body and person.full_name in body


def test_submitting_with_nothing_changed_is_refused_on_the_page(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "post"})
    response = client.post(SUBMIT)
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="submit-error"' in page and "您没有变更任何信息" in page
    assert open_change_of(person).application.status == Status.DRAFT


def test_submitting_with_a_missing_proof_names_it_on_the_page(client, units):
    person = approved_person()
    signed_in(client, person).post(CHANGE, {"section": "qualification"})
    payload = open_change_of(person)
    payload.dossier.abacus_level = "普通一级"
    payload.dossier.save()
    page = text(client.post(SUBMIT))
    assert "请上传变更项对应的证明材料：珠算等级证书：普通一级" in page
    assert open_change_of(person).application.status == Status.DRAFT


def test_a_complete_change_is_submitted_and_then_waits_with_nothing_editable(client, units, django_assert_num_queries):
    payload = change(state="complete")
    person = payload.application.applicant
    signed_in(client, person)
    assert client.post(SUBMIT).url == CHANGE
    payload.application.refresh_from_db()
    assert payload.application.status == Status.PENDING
    client.get(CHANGE)
    # session, user, the change (3), events of the status panel (the session was stamped just before).
    with django_assert_num_queries(6):
        page = text(client.get(CHANGE))
    assert 'data-testid="waiting"' in page and 'data-testid="due-date"' in page
    assert "武汉新单位有限公司" in page
    assert 'data-testid="edit-post"' not in page and 'data-testid="submit"' not in page
    # Sections and proofs are closed while the change is reviewed.
    before = Dossier.objects.get(pk=payload.dossier_id).employer_name
    response = client.post(section_url("post"), {**approved_post(employer_name="又一家公司"), "action": "save"})
    assert response.url == CHANGE
    assert client.get(PROOFS).url == CHANGE
    assert Dossier.objects.get(pk=payload.dossier_id).employer_name == before


def test_returned_the_reason_is_on_top_and_the_change_can_be_fixed_and_resubmitted(client, units):
    payload = change(state="returned", reason="请上传加盖公章的在岗证明")
    person = payload.application.applicant
    signed_in(client, person)
    page = text(client.get(CHANGE))
    assert 'data-testid="return-reason"' in page and "请上传加盖公章的在岗证明" in page
    assert "再次提交" in page
    assert "请上传加盖公章的在岗证明" in text(client.get(section_url("post")))
    assert "请上传加盖公章的在岗证明" in text(client.get(PROOFS))
    assert client.post(PROOFS, {"proof-employment-file": jpeg("sealed.jpg")}).url == CHANGE
    assert client.post(SUBMIT).url == CHANGE
    payload.application.refresh_from_db()
    assert payload.application.status == Status.PENDING
    assert payload.application.events.filter(event_type="resubmitted").exists()


def test_withdrawing_keeps_the_approved_record_and_the_entry_offers_a_new_change(client, units):
    payload = change(state="pending")
    person = payload.application.applicant
    signed_in(client, person)
    assert client.post(WITHDRAW).url == CHANGE
    payload.application.refresh_from_db()
    assert payload.application.status == Status.WITHDRAWN
    assert PersonRecord.objects.get(person=person).version == 1
    page = text(client.get(CHANGE))
    assert 'data-testid="start-post"' in page and "本次变更已撤销" in page


# --------------------------------------------------------------------------- other people


def test_another_accountant_never_reaches_someone_elses_change(client, units):
    payload = change(state="complete")
    new_file = payload.dossier.proofs.get(slot="employment").document
    stranger = approved_person()
    signed_in(client, stranger)
    page = text(client.get(CHANGE))
    assert "武汉新单位有限公司" not in page and 'data-testid="start-post"' in page
    for url in (section_url("post"), PROOFS):
        assert client.get(url).url == CHANGE
    assert client.post(SUBMIT).url == CHANGE
    assert client.get(STATEMENT).status_code == 404
    assert client.get(reverse("documents:view", args=[new_file.pk])).status_code == 404
    assert client.get(reverse("documents:view", args=[payload.dossier.photo_id])).status_code == 404
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


# --------------------------------------------------------------------------- fixed query counts


def test_the_change_page_runs_a_fixed_number_of_queries_whatever_the_rows(client, units, django_assert_num_queries):
    small = change(state="complete")
    large = change(state="complete")
    for position in range(1, 4):
        EducationRecordFactory(dossier=large.dossier, position=position)
    new_proofs_for(change_for_display(large.pk), summarise(change_for_display(large.pk)).required)
    for payload in (small, large):
        signed_in(client, payload.application.applicant)
        client.get(CHANGE)
        # session, user, the change with envelope/base/dossier (1), 学历 rows, proofs with documents.
        with django_assert_num_queries(5):
            page = text(client.get(CHANGE))
        assert 'data-testid="submit"' in page


def test_the_record_page_lists_the_versions_with_what_changed(client, units, django_assert_num_queries):
    payload = change(state="approved")
    person = payload.application.applicant
    signed_in(client, person)
    client.get(reverse("dossier:record"))
    # The page of test_review_cycle's record tests (11) less the session stamp written just before (3).
    with django_assert_num_queries(8):
        page = text(client.get(reverse("dossier:record")))
    assert page.count('data-testid="version"') == 2
    assert "工作单位: 武汉某某有限公司 → 武汉新单位有限公司" in page
    assert reverse("dossier:change") in page
    # The approving reviewer is the one of the unit that managed the person.
    assert reviewer_of("420102").unit.name in page


def test_the_approved_change_shows_on_the_entry_with_its_new_version(client, units):
    payload = change(state="approved")
    signed_in(client, payload.application.applicant)
    page = text(client.get(CHANGE))
    assert "（第2版）" in page
    assert page.count('data-testid="version"') == 2
