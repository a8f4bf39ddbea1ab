"""The reviewer's side: the record on the review page, settling item-14 credits, approving, scope."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from continuing_education.models import YearlyCredits
from continuing_education.services import settle_credits
from reviews.constants import Status

from .factories import collected_accountant, record, reviewer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(units):
    return collected_accountant(full_name="李四")


@pytest.fixture
def jiangan(client, login_staff, units):
    reviewer = reviewer_of("420102")
    client.reviewer = reviewer
    return login_staff(client, reviewer)


def detail_url(filed):
    return reverse("reviews:detail", args=[filed.application_id])


def settle_url(filed):
    return reverse("continuing_education:settle", args=[filed.application_id])


def test_the_review_page_shows_the_item_year_fields_credits_and_proofs(jiangan, person):
    filed = record(person, 13, role="第一作者", title="《政府会计实务》", organiser="中国财政经济出版社")
    response = jiangan.get(detail_url(filed))
    assertContains(response, "13. 与他人合作公开出版会计类书籍")
    assertContains(response, '<dd class="col-sm-8" data-testid="field-year">2026</dd>', html=True)
    assertContains(response, "《政府会计实务》")
    assertContains(response, "中国财政经济出版社")
    assertContains(response, "第一作者")
    assertContains(response, "<strong>90</strong>", html=True)
    assertContains(response, "需上传的证明材料：书籍封面、版权页")
    proof = filed.proofs.get().document
    assertContains(response, f'<img src="{reverse("documents:view", args=[proof.pk])}"', html=False)
    assertContains(response, "证明材料1")
    assertNotContains(response, 'data-testid="settle-form"')  # only item 14 is settled by hand


def test_the_reviewer_may_open_the_proof(jiangan, person):
    filed = record(person, 1)
    proof = filed.proofs.get().document
    assert jiangan.get(reverse("documents:view", args=[proof.pk])).status_code == 200


def test_item_fourteen_is_settled_on_the_review_page_then_approved(jiangan, person):
    filed = record(person, 14, proposed_credits=60)
    page = jiangan.get(detail_url(filed))
    assertContains(page, 'data-testid="settle-form"')
    assertContains(page, "尚未核定")

    # Approving first is refused, with the reason in the decision box; nothing changes.
    response = jiangan.post(
        reverse("reviews:approve", args=[filed.application_id]), {"version": filed.application.version}
    )
    assertContains(response, "该记录（第14项）须先核定学分，才能审核通过。")
    filed.application.refresh_from_db()
    assert filed.application.status == Status.PENDING

    response = jiangan.post(settle_url(filed), {"credits": "45"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(filed)
    page = jiangan.get(detail_url(filed))
    assertContains(page, "已核定学分：45。")
    assertContains(page, "<strong>45</strong>", html=True)
    assertContains(page, "核定。")  # settled by … at …
    assert AuditEvent.objects.filter(action="continuing_education.settle", result="success").count() == 1

    filed.application.refresh_from_db()
    response = jiangan.post(
        reverse("reviews:approve", args=[filed.application_id]), {"version": filed.application.version}
    )
    assert response.status_code == 302
    filed.application.refresh_from_db()
    assert filed.application.status == Status.APPROVED
    assert YearlyCredits.objects.get(person=person, year=2026).approved_credits == 45


@pytest.mark.parametrize(
    ("typed", "message"),
    [("120", "核定学分须为1至90之间的整数。"), ("很多", "学分须为整数。"), ("", "请填写核定学分。")],
)
def test_bad_settled_credits_are_explained_next_to_the_field_with_what_was_typed(jiangan, person, typed, message):
    filed = record(person, 14)
    jiangan.post(settle_url(filed), {"credits": typed})
    page = jiangan.get(detail_url(filed))
    assertContains(page, message)
    assertContains(page, 'class="form-control is-invalid"', html=False)
    if typed:
        assertContains(page, f'value="{typed}"')
    filed.refresh_from_db()
    assert filed.credits is None
    # The kept error is shown once.
    assertNotContains(jiangan.get(detail_url(filed)), message)


def test_a_reviewer_of_another_county_gets_404_for_the_record_and_the_settle_action(client, login_staff, person):
    filed = record(person, 14)
    login_staff(client, reviewer_of("420103"))
    assert client.get(detail_url(filed)).status_code == 404
    assert client.post(settle_url(filed), {"credits": "30"}).status_code == 404
    filed.refresh_from_db()
    assert filed.credits is None


def test_the_city_sees_the_record_but_only_the_county_settles_it(client, login_staff, person):
    filed = record(person, 14)
    login_staff(client, reviewer_of("420100"))
    page = client.get(detail_url(filed))
    assert page.status_code == 200
    assertNotContains(page, 'data-testid="settle-form"')
    client.post(settle_url(filed), {"credits": "30"})
    filed.refresh_from_db()
    assert filed.credits is None
    assert AuditEvent.objects.filter(action="continuing_education.settle", result="failure").exists()


def test_an_accountant_cannot_settle_credits(client, person):
    filed = record(person, 14)
    client.force_login(person)
    assert client.post(settle_url(filed), {"credits": "90"}).status_code == 404
    filed.refresh_from_db()
    assert filed.credits is None


def test_settling_needs_a_post(jiangan, person):
    filed = record(person, 14)
    assert jiangan.get(settle_url(filed)).status_code == 405


def test_the_settle_action_only_knows_continuing_education_records(jiangan, person):
    from reviews.tests.factories import KindRecorder, make_application

    recorder = KindRecorder(name="otherkind").register()
    try:
        other = make_application(kind="otherkind", applicant=person)
        assert (
            jiangan.post(reverse("continuing_education:settle", args=[other.pk]), {"credits": "30"}).status_code == 404
        )
    finally:
        recorder.unregister()


def test_the_applicant_is_told_by_sms_when_a_record_is_approved(person, django_capture_on_commit_callbacks):
    from notifications import backends

    with django_capture_on_commit_callbacks(execute=True):
        filed = record(person, 1, status=Status.APPROVED)
    assert filed.application.status == Status.APPROVED
    assert (person.phone, "【湖北省会计人员管理系统】您的继续教育已审核通过。") in backends.outbox


def test_the_review_page_runs_a_fixed_number_of_queries(jiangan, person, django_assert_num_queries):
    plain = record(person, 11, role="第一作者")
    settled = record(person, 14)
    settle_credits(record=settled, credits=30, actor=jiangan.reviewer)
    # The engine's page (session, staff, device, envelope, audit, history, proofs…) plus the record and its
    # item; a settled item-14 record adds who settled it. Never one query per proof or field.
    jiangan.get(reverse("reviews:inbox"))  # a reviewer at work: session stamped, scope cached
    # 13 → 11 and 12 → 10 (issue #10): staff, device and unit in one query (identity.otp_session).
    with django_assert_num_queries(9):
        assert jiangan.get(detail_url(plain)).status_code == 200
    with django_assert_num_queries(10):
        assert jiangan.get(detail_url(settled)).status_code == 200
