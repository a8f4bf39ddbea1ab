"""The accountant's pages: management (§7.3), entry (§7.2), a record, correction and deletion."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from continuing_education.models import CreditRecord
from documents.models import Document
from documents.tests import corpus
from identity.tests.factories import AccountantFactory
from reviews.constants import Status
from reviews.models import Application

from .factories import collected_accountant, item, proof_for, record, reviewer_of

pytestmark = pytest.mark.django_db

INDEX = reverse("continuing_education:index")
NEW = reverse("continuing_education:new")
FIELDS = reverse("continuing_education:item_fields")


@pytest.fixture
def person(units):
    return collected_accountant(full_name="张三")


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


def form_data(person, no=1, /, **overrides):
    data = {
        "action": "save",
        "item": str(item(no).pk),
        "year": "2026",
        "start_date": "2026-05-10",
        "end_date": "",
        "title": "2026年度全省会计工作会议",
        "organiser": "湖北省财政厅",
        "note": "",
        "days": "",
        "role": "",
        "proposed_credits": "",
        "token": "form-token-1",
        "proof-ce:1-document": str(proof_for(person).pk),
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- who may use it


def test_a_person_who_is_not_collected_is_told_why_with_a_link_to_collection(client, units):
    client.force_login(AccountantFactory())
    for url in (INDEX, NEW):
        response = client.get(url)
        assertContains(response, "只有信息采集审核通过的会计人员才能录入继续教育学分")
        assertContains(response, reverse("dossier:collect"))
    response = client.post(NEW, {"item": "1"})
    assertContains(response, "只有信息采集审核通过的会计人员才能录入继续教育学分")
    assert not CreditRecord.objects.exists()


def test_the_home_page_links_to_continuing_education(client):
    assertContains(client.get(reverse("core:home")), INDEX)


# --------------------------------------------------------------------------- management page


def test_the_management_page_shows_the_years_records_credits_and_proofs(person_client, person):
    reviewer = reviewer_of()
    approved = record(person, 1, status=Status.APPROVED, reviewer=reviewer, title="中级会计实务")
    returned = record(person, 9, status=Status.RETURNED, reviewer=reviewer, title="课题甲")
    record(person, 6, days=2, start_date=datetime.date(2026, 5, 5), end_date=datetime.date(2026, 5, 6), title="年会")

    response = person_client.get(INDEX)
    assertContains(response, "2026年度学分")
    assertContains(response, "中级会计实务")
    assertContains(response, "课题甲")
    assertContains(response, "证明材料不清晰")  # the return reason
    assertContains(response, 'data-testid="approved-credits">90 / 90<', html=False)
    assertContains(response, "待审核：1条记录，共20学分（审核通过后计入）")
    assertContains(response, reverse("documents:view", args=[approved.proofs.get().document_id]))
    assertContains(response, reverse("continuing_education:edit", args=[returned.pk]))
    assertContains(response, "已达标")
    assertContains(response, 'class="progress-bar ce-w-100 bg-success"', html=False)
    assertNotContains(response, "style=")
    # Approved records have no delete button; pending and returned ones do.
    assert response.content.decode().count('data-testid="delete"') == 2


def test_the_management_page_filters_by_status(person_client, person):
    record(person, 1, status=Status.APPROVED, title="已通过的记录")
    record(person, 2, title="待审核的记录")
    response = person_client.get(INDEX, {"year": "2026", "status": "pending"})
    assertContains(response, "待审核的记录")
    assertNotContains(response, "已通过的记录")
    assertContains(response, "已达标")  # the summary is the year's, whatever the filter


def test_the_management_page_shows_another_year_with_its_own_credits(person_client, person, _today):
    _today.move_to(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC))
    record(person, 1, status=Status.APPROVED, year=2025, start_date=datetime.date(2025, 9, 1), title="去年的考试")
    _today.move_to(datetime.datetime(2026, 6, 15, 4, tzinfo=datetime.UTC))

    this_year = person_client.get(INDEX)
    assertContains(this_year, 'data-testid="approved-credits">0 / 90<', html=False)
    assertNotContains(this_year, "去年的考试")
    assertContains(this_year, "?year=2025")
    last_year = person_client.get(INDEX, {"year": "2025"})
    assertContains(last_year, "去年的考试")
    assertContains(last_year, 'data-testid="approved-credits">90 / 90<', html=False)


def test_a_withdrawn_record_is_not_listed(person_client, person):
    record(person, 1, status=Status.WITHDRAWN, title="删掉的记录")
    assertNotContains(person_client.get(INDEX), "删掉的记录")


def test_the_management_page_runs_a_fixed_number_of_queries(person_client, person, django_assert_num_queries):
    reviewer = reviewer_of()

    def page():
        # session, user, collected?, years, records, proofs, requirement (the session was stamped before),
        # and one per outside credit source (institutions: 机构登记).
        with django_assert_num_queries(8):
            assert person_client.get(INDEX).status_code == 200

    record(person, 1, status=Status.APPROVED, reviewer=reviewer)
    person_client.get(INDEX)  # a person at work: the idle time-out stamp is written at most once a minute
    page()
    for no in (6, 9, 11, 13, 14):
        record(person, no)
    record(person, 2, status=Status.RETURNED, reviewer=reviewer)
    page()


# --------------------------------------------------------------------------- entry page


def test_the_entry_page_offers_the_fourteen_items_and_the_open_year(person_client):
    response = person_client.get(NEW)
    assertContains(response, "1. 会计专业技术资格考试")
    assertContains(response, "14. 继续教育管理部门认可的其他形式")
    assertContains(response, '<option value="2026" selected>2026</option>', html=True)
    assertNotContains(response, '<option value="2025"')
    assertContains(response, 'name="token"')


def test_saving_files_the_record_for_review_and_shows_it_on_the_management_page(person_client, person):
    data = form_data(person, 6, days="2", start_date="2026-05-10", end_date="2026-05-11")
    response = person_client.post(NEW, data)
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?year=2026"
    filed = CreditRecord.objects.get(person=person)
    assert (filed.credits, filed.application.status, filed.application.unit.code) == (20, Status.PENDING, "420102")
    page = person_client.get(response["Location"])
    assertContains(page, "已保存并提交审核：2026年度全省会计工作会议。")
    assertContains(page, "待审核")


def test_a_double_submit_files_one_record(person_client, person):
    data = form_data(person, 1)
    assert person_client.post(NEW, data).status_code == 302
    assert person_client.post(NEW, data).status_code == 302
    assert CreditRecord.objects.filter(person=person).count() == 1
    assert Application.objects.filter(applicant=person).count() == 1


def assert_kept(response, data):
    """Everything typed is back in the form."""
    form = response.context["form"]
    for name in ("title", "organiser", "start_date", "end_date", "days", "role", "proposed_credits"):
        assert str(form[name].value() or "") == data[name], name


def test_a_missing_proof_is_explained_next_to_the_first_box_and_nothing_is_lost(person_client, person):
    data = form_data(person, 1)
    del data["proof-ce:1-document"]
    response = person_client.post(NEW, data)
    assert response.status_code == 200
    assertContains(response, "请至少上传一份证明材料。")
    assertContains(response, "请修改下方标出的内容，您已填写的信息均已保留。")
    assert_kept(response, data)
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("no", "changes", "message"),
    [
        (6, {"days": "0"}, "天数须为1至30之间的整数。"),
        (6, {"days": ""}, "请填写天数。"),
        (6, {"days": "两天"}, "天数须为整数。"),
        (11, {"role": "主持人"}, "所选角色不适用于该项目，请在以下角色中选择：第一作者、其他作者。"),
        (14, {"proposed_credits": "100"}, "申报学分须为1至90之间的整数。"),
        (1, {"year": "2025", "start_date": "2025-12-01"}, "只能录入2026年度的学分：上一年度的学分可补录至3月31日。"),
        (1, {"start_date": "2026-13-01"}, "请填写有效的日期。"),
        (1, {"start_date": "2026-07-01"}, "日期不能晚于今天。"),
        (1, {"title": ""}, "请填写名称。"),
        (1, {"item": "99999"}, "该项目已停用，请选择其他项目。"),
    ],
)
def test_bad_input_gets_a_clear_chinese_message_and_keeps_what_was_typed(person_client, person, no, changes, message):
    data = form_data(person, no, **changes)
    response = person_client.post(NEW, data)
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, "is-invalid")
    assert_kept(response, data)
    # The proof already uploaded stays in its box.
    assertContains(response, f'value="{data["proof-ce:1-document"]}"')
    assert not CreditRecord.objects.exists()


def test_a_file_sent_without_javascript_is_kept_when_the_form_has_errors(person_client, person):
    data = form_data(person, 1, title="")
    del data["proof-ce:1-document"]
    data["proof-ce:1-file"] = SimpleUploadedFile("成绩单.jpg", corpus.jpeg(), content_type="image/jpeg")
    response = person_client.post(NEW, data)
    assertContains(response, "请填写名称。")
    stored = Document.objects.get(owner=person, slot="ce:1", original_name="成绩单.jpg")
    assertContains(response, f'value="{stored.pk}"')
    assertContains(response, "成绩单.jpg")

    data = form_data(person, 1, **{"proof-ce:1-document": str(stored.pk)})
    assert person_client.post(NEW, data).status_code == 302
    assert CreditRecord.objects.get(person=person).proofs.get().document == stored


def test_a_refused_file_is_explained_in_its_box(person_client, person):
    data = form_data(person, 1)
    del data["proof-ce:1-document"]
    data["proof-ce:1-file"] = SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = person_client.post(NEW, data)
    assert response.status_code == 200
    assertContains(response, 'data-testid="proof-error"')
    assert not CreditRecord.objects.exists()


def test_without_javascript_compute_shows_the_items_own_field_and_its_credits_and_saves_nothing(person_client, person):
    response = person_client.post(NEW, form_data(person, 9, action="compute"))
    assertContains(response, 'name="role"')
    assertContains(response, '<option value="主持人">主持人</option>', html=True)
    assertContains(response, "请选择您的角色。")  # the hint where the credits will show
    assertNotContains(response, "is-invalid")

    response = person_client.post(NEW, form_data(person, 9, action="compute", role="其他参与人"))
    assertContains(response, 'data-testid="credits-value">60<', html=False)
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("no", "params", "shown"),
    [
        (1, {}, 'data-testid="credits-value">90<'),
        (6, {"days": "3"}, 'data-testid="credits-value">30<'),
        (6, {}, "请填写天数。"),
        (11, {"role": "第一作者"}, 'data-testid="credits-value">30<'),
        (14, {"proposed_credits": "20"}, "最终学分由审核人员核定"),
    ],
)
def test_htmx_refreshes_the_items_fields_and_credits(person_client, no, params, shown):
    response = person_client.get(FIELDS, {"item": item(no).pk, **params}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assertContains(response, 'id="ce-item-fields"')
    assertContains(response, shown)
    assertNotContains(response, "<html")


def test_the_item_fields_of_a_meeting_ask_for_days_and_show_the_proof_hint(person_client):
    response = person_client.get(FIELDS, {"item": item(6).pk})
    assertContains(response, 'name="days"')
    assertContains(response, "需上传的证明材料：会议通知及参会记录")


def test_a_meeting_asks_the_number_of_days_once_and_other_items_keep_their_end_date(person_client):
    meeting = person_client.get(FIELDS, {"item": item(6).pk, "start_date": "2026-05-10"})
    assertContains(meeting, 'name="days"', count=1)
    assertContains(meeting, 'name="start_date"', count=1)
    assertContains(meeting, 'value="2026-05-10"')  # kept when the item changes
    assertNotContains(meeting, 'name="end_date"')
    exam = person_client.get(FIELDS, {"item": item(1).pk})
    assertContains(exam, 'name="end_date"', count=1)
    assertNotContains(exam, 'name="days"')
    page = person_client.get(NEW)
    assertContains(page, 'name="start_date"', count=1)


def test_a_meetings_last_day_follows_from_its_first_day_and_the_days(person_client, person):
    data = form_data(person, 6, days="3", start_date="2026-05-10")
    del data["end_date"]
    assert person_client.post(NEW, data).status_code == 302
    filed = CreditRecord.objects.get(person=person)
    assert (filed.days, filed.end_date, filed.credits) == (3, datetime.date(2026, 5, 12), 30)


# --------------------------------------------------------------------------- a record, correction, deletion


def test_a_person_sees_their_own_record_with_its_status_and_proofs(person_client, person):
    returned = record(person, 11, status=Status.RETURNED, role="第一作者", title="论文甲")
    response = person_client.get(reverse("continuing_education:detail", args=[returned.pk]))
    assertContains(response, "论文甲")
    assertContains(response, "第一作者")
    assertContains(response, "证明材料不清晰")
    assertContains(response, reverse("documents:view", args=[returned.proofs.get().document_id]))


def test_another_persons_record_is_a_404_everywhere(client, person):
    theirs = record(person, 1)
    returned = record(person, 2, status=Status.RETURNED)
    client.force_login(collected_accountant())
    assert client.get(reverse("continuing_education:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("continuing_education:edit", args=[returned.pk])).status_code == 404
    assert client.post(reverse("continuing_education:edit", args=[returned.pk]), {}).status_code == 404
    assert client.post(reverse("continuing_education:delete", args=[theirs.pk])).status_code == 404
    theirs.application.refresh_from_db()
    assert theirs.application.status == Status.PENDING


def test_a_returned_record_is_corrected_in_its_form_and_submitted_again(person_client, person):
    returned = record(person, 11, status=Status.RETURNED, role="其他作者", title="论文乙")
    url = reverse("continuing_education:edit", args=[returned.pk])
    page = person_client.get(url)
    assertContains(page, "证明材料不清晰")
    assertContains(page, 'value="论文乙"')
    assertContains(page, '<option value="其他作者" selected>其他作者</option>', html=True)
    proof = returned.proofs.get().document
    assertContains(page, f'value="{proof.pk}"')

    data = form_data(
        person,
        11,
        role="第一作者",
        title="论文乙（修改）",
        start_date=returned.start_date.isoformat(),
        **{"proof-ce:1-document": str(proof.pk)},
    )
    response = person_client.post(url, data)
    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.title, returned.role, returned.credits) == ("论文乙（修改）", "第一作者", 30)
    assert returned.application.status == Status.PENDING


def test_a_correction_with_bad_input_keeps_what_was_typed(person_client, person):
    returned = record(person, 6, status=Status.RETURNED)
    url = reverse("continuing_education:edit", args=[returned.pk])
    data = form_data(person, 6, days="0", **{"proof-ce:1-document": str(returned.proofs.get().document_id)})
    response = person_client.post(url, data)
    assertContains(response, "天数须为1至30之间的整数。")
    assert_kept(response, data)
    returned.application.refresh_from_db()
    assert returned.application.status == Status.RETURNED


def test_only_returned_records_open_the_correction_form(person_client, person):
    pending = record(person, 1)
    response = person_client.get(reverse("continuing_education:edit", args=[pending.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("continuing_education:detail", args=[pending.pk])


@pytest.mark.parametrize("status", [Status.PENDING, Status.RETURNED])
def test_deleting_a_pending_or_returned_record_withdraws_it(person_client, person, status):
    kept = record(person, 1, status=status, title="要删除的记录")
    response = person_client.post(reverse("continuing_education:delete", args=[kept.pk]), follow=True)
    assertContains(response, "已删除：要删除的记录。")
    kept.application.refresh_from_db()
    assert kept.application.status == Status.WITHDRAWN


def test_deleting_an_approved_record_is_refused_and_changes_nothing(person_client, person):
    approved = record(person, 1, status=Status.APPROVED)
    response = person_client.post(reverse("continuing_education:delete", args=[approved.pk]), follow=True)
    assertContains(response, "审核通过的记录不可删除。")
    approved.application.refresh_from_db()
    assert approved.application.status == Status.APPROVED


def test_deleting_needs_a_post(person_client, person):
    kept = record(person, 1)
    assert person_client.get(reverse("continuing_education:delete", args=[kept.pk])).status_code == 405
    kept.application.refresh_from_db()
    assert kept.application.status == Status.PENDING


def test_posting_extra_fields_changes_nothing_they_name(person_client, person):
    data = form_data(person, 1, status="approved", credits="999", unit="1", person=str(person.pk + 1))
    assert person_client.post(NEW, data).status_code == 302
    filed = CreditRecord.objects.get(person=person)
    assert (filed.credits, filed.application.status, filed.application.unit.code) == (90, Status.PENDING, "420102")
