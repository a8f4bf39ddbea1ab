"""Review of a 信息采集 (manual §4.10): approve → the record and its version; return → the reason,
the steps editable again, resubmission; and 信息查询 (§5)."""

import pytest
from django.urls import reverse

from dossier.models import PersonRecord, RecordVersion
from dossier.services import DossierError, start_collection
from dossier.snapshot import diff_snapshots, dossier_snapshot
from notifications.backends import outbox
from reviews import services as reviews
from reviews.constants import Status
from reviews.registry import get_kind

from .factories import collection, reviewer_of

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def decide(payload, action, **kwargs):
    application = payload.application
    application.refresh_from_db()
    reviewer = reviewer_of(application.unit.code)
    getattr(reviews, action)(application=application, actor=reviewer, expected_version=application.version, **kwargs)
    application.refresh_from_db()
    return application


def test_the_kind_is_registered_with_its_label_template_and_texts():
    kind = get_kind("collection")
    assert str(kind.label) == "信息采集"
    assert kind.reviewer_template == "dossier/review.html"


def test_approval_makes_the_dossier_the_persons_record_and_keeps_a_version(units, django_capture_on_commit_callbacks):
    payload = collection(state="pending")
    with django_capture_on_commit_callbacks(execute=True):
        decide(payload, "approve")
    record = PersonRecord.objects.get(person=payload.application.applicant)
    assert record.current == payload.dossier
    assert record.unit.code == "420102"
    assert record.version == 1
    version = RecordVersion.objects.get(record=record)
    assert version.application == payload.application
    assert version.snapshot == dossier_snapshot(payload.dossier)
    assert version.snapshot["post"]["unit"] == {"code": "420102", "name": "江岸区"}
    assert outbox[-1][1] == "【湖北省会计人员管理系统】您的信息采集已审核通过。"


def test_a_later_approved_version_is_added_and_the_earlier_one_kept(units):
    payload = collection(state="approved")
    record = PersonRecord.objects.get(person=payload.application.applicant)
    from dossier.services import copy_dossier, record_approved_dossier

    changed = copy_dossier(dossier=payload.dossier)
    changed.employer_name = "武汉另一家公司"
    changed.save()
    record_approved_dossier(dossier=changed, application=payload.application)
    record.refresh_from_db()
    assert record.version == 2 and record.current == changed
    first, second = RecordVersion.objects.filter(record=record).order_by("number")
    assert first.snapshot["post"]["employer_name"] == "武汉某某有限公司"
    changes = diff_snapshots(first.snapshot, second.snapshot)
    assert [(c.section, c.field, c.old, c.new) for c in changes] == [
        ("post", "employer_name", "武汉某某有限公司", "武汉另一家公司")
    ]


def test_a_copied_dossier_keeps_rows_tokens_and_proofs(units):
    from dossier.services import copy_dossier

    payload = collection(state="approved")
    copy = copy_dossier(dossier=payload.dossier)
    assert copy.pk != payload.dossier.pk
    assert diff_snapshots(dossier_snapshot(payload.dossier), dossier_snapshot(copy)) == []


def test_approved_the_entry_says_already_collected(client, units):
    payload = collection(state="approved")
    client.force_login(payload.application.applicant)
    page = text(client.get(reverse("dossier:collect")))
    assert "您已采集过信息，无需重复采集" in page
    assert client.get(reverse("dossier:status")).url == reverse("dossier:collect")
    with pytest.raises(DossierError):
        start_collection(person=payload.application.applicant)


def test_returned_the_reason_is_shown_and_the_steps_are_editable_again(
    client, units, django_capture_on_commit_callbacks
):
    payload = collection(state="pending")
    with django_capture_on_commit_callbacks(execute=True):
        decide(payload, "return_for_changes", reason="学历证书照片模糊，请重新上传")
    assert (
        outbox[-1][1]
        == "【湖北省会计人员管理系统】您的信息采集已退回，原因：学历证书照片模糊，请重新上传。请登录系统修改后重新提交。"
    )
    client.force_login(payload.application.applicant)
    assert client.get(reverse("dossier:collect")).url == reverse("dossier:status")
    page = text(client.get(reverse("dossier:status")))
    assert "学历证书照片模糊，请重新上传" in page
    page = text(client.get(reverse("dossier:step", args=["education"])))
    assert "学历证书照片模糊，请重新上传" in page  # the reason stays at the top while editing
    assert 'data-testid="next"' in page


def test_returned_then_fixed_and_resubmitted_then_approved(client, units):
    payload = collection(state="returned")
    client.force_login(payload.application.applicant)
    from .test_forms import QUALIFICATION

    response = client.post(
        reverse("dossier:step", args=["qualification"]), {**QUALIFICATION, "abacus_level": "普通一级", "action": "next"}
    )
    assert response.status_code == 302
    # The new abacus certificate is now required before resubmitting.
    page = text(client.post(reverse("dossier:submit")))
    assert "珠算等级证书：普通一级" in page
    from .factories import give_every_proof

    payload.dossier.refresh_from_db()
    payload.dossier.proofs.all().delete()
    give_every_proof(payload.dossier, payload.application_id)
    response = client.post(reverse("dossier:submit"))
    assert response.url == reverse("dossier:status")
    application = decide(payload, "approve")
    assert application.status == Status.APPROVED
    record = PersonRecord.objects.get(person=application.applicant)
    assert record.current.abacus_level == "普通一级"


def test_the_record_shows_the_approved_information_photo_and_proofs(client, units, django_assert_num_queries):
    payload = collection(state="approved")
    client.force_login(payload.application.applicant)
    # session, user, record with dossier/photo/units, 学历 rows, proofs with documents, the version
    # history, the integrity section (2); the idle time-out middleware then saves the session.
    with django_assert_num_queries(11):
        response = client.get(reverse("dossier:record"))
    page = text(response)
    dossier = payload.dossier
    assert dossier.full_name in page and "武汉大学" in page and "会计师" in page and "江岸区" in page
    assert reverse("documents:view", args=[dossier.photo_id]) in page
    assert page.count('data-testid="proof-link"') == dossier.proofs.count()
    assert response["Cache-Control"] == "no-store"


def test_the_record_page_costs_the_same_queries_with_more_rows(client, units, django_assert_num_queries):
    from .factories import EducationRecordFactory, give_every_proof

    payload = collection(state="approved")
    for position in range(1, 4):
        EducationRecordFactory(dossier=payload.dossier, position=position)
    payload.dossier.proofs.all().delete()
    give_every_proof(payload.dossier, payload.application_id)
    client.force_login(payload.application.applicant)
    # session, user, record with dossier/photo/units, 学历 rows, proofs with documents, the version
    # history, the integrity section (2); the idle time-out middleware then saves the session.
    with django_assert_num_queries(11):
        page = text(client.get(reverse("dossier:record")))
    assert page.count('data-testid="proof-link"') == 2 + 4 * 2 + 2


@pytest.mark.parametrize("state,label", [("draft", "草稿"), ("pending", "待审核"), ("returned", "已退回")])
def test_the_record_of_someone_not_approved_says_so_with_the_status(client, units, state, label):
    payload = collection(state=state)
    client.force_login(payload.application.applicant)
    page = text(client.get(reverse("dossier:record")))
    assert "尚未审核通过" in page
    assert f'data-testid="current-status">{label}<' in page


def test_the_record_of_someone_who_never_started_says_so(accountant_client):
    page = text(accountant_client.get(reverse("dossier:record")))
    assert "尚未审核通过" in page and "您尚未提交信息采集" in page


def test_the_reviewer_page_shows_every_field_the_photo_and_the_proofs(client, units, login_staff):
    payload = collection(state="pending")
    reviewer = reviewer_of("420102")
    page = text(login_staff(client, reviewer).get(reverse("reviews:detail", args=[payload.application_id])))
    dossier = payload.dossier
    for value in [
        "土家族" if dossier.ethnicity == "土家族" else dossier.ethnicity,
        "武汉大学",
        "会计学",
        "会计师",
        "出纳",
        dossier.employer_uscc,
    ]:
        assert value in page
    assert reverse("documents:view", args=[dossier.photo_id]) in page
    for proof in dossier.proofs.all():
        assert reverse("documents:view", args=[proof.document_id]) in page
    assert "专业技术资格证书：会计类 中级" in page


def test_the_reviewer_page_costs_the_same_queries_whatever_the_number_of_rows(client, units, login_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import EducationRecordFactory, give_every_proof

    small = collection(state="pending")
    large = collection(state="pending")
    for position in range(1, 4):
        EducationRecordFactory(dossier=large.dossier, position=position)
    large.dossier.proofs.all().delete()
    give_every_proof(large.dossier, large.application_id)
    login_staff(client, reviewer_of("420102"))
    client.get(reverse("reviews:inbox"))  # a reviewer at work: session stamped, scope cached
    counts = []
    for payload in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:detail", args=[payload.application_id])).status_code == 200
        counts.append(len(queries))
    # session, user + TOTP device + unit (one query, identity.otp_session), the application, the audit row; the payload
    # with its dossier, photo and unit, its 学历 rows, its proofs with their documents (loaded once
    # for the payload block, the proofs and the photo); the history, the version history and the
    # standard reasons. 14 → 12 (issue #10): the version history is one query (the record in scope
    # and an open application in scope became EXISTS conditions of it).
    assert counts == [10, 10]  # 12 → 10 (issue #10): user, device and unit in one query


def test_the_payload_is_loaded_once_for_the_block_the_proofs_and_the_photo(units, django_assert_num_queries):
    from reviews.models import Application

    payload = collection(state="pending")
    application = Application.objects.get(pk=payload.application_id)
    kind = get_kind("collection")
    proofs, educations = payload.dossier.proofs.count(), payload.dossier.educations.count()
    # the payload with its dossier, photo and unit; the 学历 rows; the proofs with their documents
    with django_assert_num_queries(3):
        loaded = kind.get_payload(application)
        assert kind.get_payload(application) is loaded
        assert len(kind.proofs(application)) == proofs
        assert kind.photo(application) == payload.dossier.photo
        assert loaded.dossier.unit.code == "420102"
        assert len(loaded.dossier.educations.all()) == educations


def test_the_record_shows_the_label_an_administrator_corrected(client, units):
    from dossier.models import OptionItem

    payload = collection(state="approved")
    item = OptionItem.objects.get(list_key="political_status", value=payload.dossier.political_status)
    item.label = "群众（无党派人士）"
    item.save()
    client.force_login(payload.application.applicant)
    assert "群众（无党派人士）" in text(client.get(reverse("dossier:record")))
