"""Staff pages of 诚信: find a person by exact ID number in scope, see their integrity records, enter
a negative record through a confirmation, revoke one. Outside the scope: not found / 404."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory
from integrity.models import NegativeRecord

from .factories import CRIMINAL, honour, negative_post, negative_record, penalty, staff_of

pytestmark = pytest.mark.django_db

ID = "42010219900101123X"
MASKED = "420***********123X"


def text(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- search


def test_a_person_in_scope_is_found_by_exact_id_number_and_shown_masked(jiangan_client, person):
    response = jiangan_client.post(reverse("integrity:staff_search"), {"id_number": " 42010219900101123x "})
    page = text(response)
    assert 'data-testid="result"' in page
    assert MASKED in page and ID not in page
    assert reverse("integrity:staff_person", args=[person.pk]) in page
    audit = AuditEvent.objects.get(action="integrity.search")
    assert audit.detail == {"id_number": MASKED, "found": 1}


@pytest.mark.parametrize("unit_code", ["420103", "420202"])
def test_a_person_outside_the_scope_is_not_found(client, login_staff, person, unit_code):
    login_staff(client, staff_of(unit_code))
    page = text(client.post(reverse("integrity:staff_search"), {"id_number": ID}))
    assert "在您的管辖范围内未找到该证件号码的会计人员" in page
    assert person.full_name not in page


def test_an_unknown_or_partial_number_is_not_found_and_an_empty_one_is_asked_for(jiangan_client, person):
    assert "未找到" in text(jiangan_client.post(reverse("integrity:staff_search"), {"id_number": ID[:-2]}))
    page = text(jiangan_client.post(reverse("integrity:staff_search"), {"id_number": ""}))
    assert "请输入证件号码" in page


def test_someone_registered_but_not_collected_is_not_found(jiangan_client, units):
    AccountantFactory(id_number="420102199001011236")
    assert "未找到" in text(jiangan_client.post(reverse("integrity:staff_search"), {"id_number": "420102199001011236"}))


def test_the_search_page_takes_the_number_by_post_only(jiangan_client, person):
    page = text(jiangan_client.get(reverse("integrity:staff_search"), {"id_number": ID}))
    assert 'data-testid="result"' not in page
    assert 'method="post"' in page


# --------------------------------------------------------------------------- the person's page


def test_the_person_page_shows_approved_honours_and_every_negative_record(jiangan_client, jiangan, person):
    approved = honour(person, state="approved")
    honour(person)  # pending: not shown to staff here
    active = negative_record(person, actor=jiangan)
    revoked = negative_record(person, actor=jiangan, penalty_kind=penalty(CRIMINAL), is_permanent=True, period_end=None)
    from integrity import services

    services.revoke_negative_record(actor=jiangan, record=revoked, reason="刑事判决被撤销")

    response = jiangan_client.get(reverse("integrity:staff_person", args=[person.pk]))
    page = text(response)
    assert page.count('data-testid="staff-honour"') == 1
    assert reverse("documents:view", args=[approved.honour.proofs.get().document_id]) in page
    assert page.count('data-testid="negative"') == 2
    assert "禁止从事会计工作至 2029-05-10" in page
    assert "终身不得从事会计工作" in page
    assert "刑事判决被撤销" in page
    assert reverse("integrity:negative_revoke", args=[active.pk]) in page
    assert reverse("integrity:negative_revoke", args=[revoked.pk]) not in page
    assert MASKED in page and ID not in page
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="integrity.view_person", object_id=str(person.pk)).count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_the_person_page_runs_a_fixed_number_of_queries(
    jiangan_client, jiangan, person, django_assert_num_queries, count
):
    for _ in range(count):
        honour(person, state="approved", reviewer=jiangan)
        negative_record(person, actor=jiangan)
    # session, user + TOTP device + unit (one query, identity.otp_session), the ids of the units in
    # scope (cached: none on a warm cache, this test starts cold), the person with their unit (an
    # EXISTS against that list), the audit row (savepoint, insert, release), the negative records,
    # approved honours and their proofs, and the idle-timeout stamp (savepoint, update, release)
    with django_assert_num_queries(13):
        jiangan_client.get(reverse("integrity:staff_person", args=[person.pk]))


@pytest.mark.parametrize("unit_code", ["420103", "420202"])
def test_staff_of_another_county_get_404_on_every_page_of_the_person(client, login_staff, jiangan, person, unit_code):
    record = negative_record(person, actor=jiangan)
    login_staff(client, staff_of(unit_code))
    assert client.get(reverse("integrity:staff_person", args=[person.pk])).status_code == 404
    assert client.get(reverse("integrity:negative_new", args=[person.pk])).status_code == 404
    confirm = {**negative_post(), "action": "confirm"}
    assert client.post(reverse("integrity:negative_new", args=[person.pk]), confirm).status_code == 404
    revoke = client.post(reverse("integrity:negative_revoke", args=[record.pk]), {"reason": "越权撤销"})
    assert revoke.status_code == 404
    assert NegativeRecord.objects.count() == 1
    record.refresh_from_db()
    assert not record.is_revoked


def test_a_system_administrator_sees_the_records_but_gets_404_on_entering_or_revoking(client, login_staff, person):
    admin = staff_of("420102", role=StaffRole.SYSTEM_ADMIN)
    login_staff(client, admin)
    record = negative_record(person)
    page = text(client.get(reverse("integrity:staff_person", args=[person.pk])))
    assert reverse("integrity:negative_new", args=[person.pk]) not in page
    assert client.get(reverse("integrity:negative_new", args=[person.pk])).status_code == 404
    assert client.post(reverse("integrity:negative_revoke", args=[record.pk]), {"reason": "x"}).status_code == 404


def test_an_accountant_gets_404_on_staff_pages(person_client, person):
    assert person_client.get(reverse("integrity:staff_search")).status_code == 404
    assert person_client.get(reverse("integrity:staff_person", args=[person.pk])).status_code == 404


# --------------------------------------------------------------------------- entering a record


def test_entering_a_record_goes_through_a_confirmation(jiangan_client, jiangan, person):
    url = reverse("integrity:negative_new", args=[person.pk])
    assert 'data-testid="negative-form"' in text(jiangan_client.get(url))

    preview = jiangan_client.post(url, {**negative_post(), "action": "preview"})
    page = text(preview)
    assert 'data-testid="negative-summary"' in page
    assert "禁止从事会计工作至 2029-05-10" in page
    assert not NegativeRecord.objects.exists()

    back = text(jiangan_client.post(url, {**negative_post(), "action": "edit"}))
    assert 'data-testid="negative-form"' in back
    assert 'value="武汉市江岸区财政局"' in back
    assert not NegativeRecord.objects.exists()

    response = jiangan_client.post(url, {**negative_post(), "action": "confirm"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("integrity:staff_person", args=[person.pk])
    assert "失信记录已录入" in text(response)
    record = NegativeRecord.objects.get()
    assert (record.person, record.entered_by, record.authority) == (person, jiangan, "武汉市江岸区财政局")
    assert AuditEvent.objects.filter(action="integrity.negative_create").count() == 1


def test_the_confirmation_carries_the_permanent_choice(jiangan_client, person):
    url = reverse("integrity:negative_new", args=[person.pk])
    data = {**negative_post(penalty_kind=str(penalty(CRIMINAL).pk), period_end=""), "is_permanent": "on"}
    page = text(jiangan_client.post(url, {**data, "action": "preview"}))
    assert "终身不得从事会计工作" in page
    hidden = re.search(r'name="is_permanent" value="([^"]*)"', page).group(1)
    jiangan_client.post(url, {**data, "is_permanent": hidden, "action": "confirm"})
    record = NegativeRecord.objects.get()
    assert record.is_permanent and record.period_end is None and record.barred_for_good


def test_bad_input_is_shown_next_to_the_field_and_everything_typed_is_kept(jiangan_client, person):
    url = reverse("integrity:negative_new", args=[person.pk])
    data = {**negative_post(period_end="2020-01-01", note="延期提交会计报表"), "action": "confirm"}
    page = text(jiangan_client.post(url, data))
    assert 'data-testid="error-period_end">期限止日期不能早于起始日期。' in page
    assert 'value="武汉市江岸区财政局"' in page
    assert "延期提交会计报表" in page
    assert not NegativeRecord.objects.exists()


def test_a_future_decision_date_is_refused(jiangan_client, person):
    url = reverse("integrity:negative_new", args=[person.pk])
    page = text(jiangan_client.post(url, {**negative_post(decision_date="2999-01-01"), "action": "preview"}))
    assert 'data-testid="error-decision_date">日期不能晚于今天。' in page
    assert 'data-testid="negative-summary"' not in page


# --------------------------------------------------------------------------- revoking


def test_revoking_from_the_person_page(jiangan_client, jiangan, person):
    record = negative_record(person, actor=jiangan)
    response = jiangan_client.post(
        reverse("integrity:negative_revoke", args=[record.pk]), {"reason": "录入错误"}, follow=True
    )
    assert "失信记录已撤销" in text(response)
    record.refresh_from_db()
    assert record.is_revoked and record.revoke_reason == "录入错误"
    assert 'data-revoked="1"' in text(response)


def test_revoking_without_a_reason_shows_the_error_at_the_record(jiangan_client, jiangan, person):
    record = negative_record(person, actor=jiangan)
    response = jiangan_client.post(reverse("integrity:negative_revoke", args=[record.pk]), {"reason": ""})
    assert "请填写撤销原因" in text(response)
    record.refresh_from_db()
    assert not record.is_revoked


def test_revoking_needs_a_post(jiangan_client, jiangan, person):
    record = negative_record(person, actor=jiangan)
    assert jiangan_client.get(reverse("integrity:negative_revoke", args=[record.pk])).status_code == 405


def test_a_person_who_moved_away_is_out_of_the_old_units_scope(jiangan_client, jiangan, person):
    from dossier.models import PersonRecord
    from identity.tests.factories import review_unit

    negative_record(person, actor=jiangan)
    PersonRecord.objects.filter(person=person).update(unit=review_unit("420202"))
    assert jiangan_client.get(reverse("integrity:staff_person", args=[person.pk])).status_code == 404
    assert "未找到" in text(jiangan_client.post(reverse("integrity:staff_search"), {"id_number": ID}))


def test_the_search_runs_a_fixed_number_of_queries(jiangan_client, person, django_assert_num_queries):
    # session, user + TOTP device + unit (one query, identity.otp_session), the ids of the units in
    # scope (cached: none on a warm cache, this test starts cold), the people found with their unit
    # (an EXISTS against that list), the audit row (savepoint, insert, release), the idle-timeout
    # stamp (savepoint, update, release)
    with django_assert_num_queries(10):
        response = jiangan_client.post(reverse("integrity:staff_search"), {"id_number": ID})
    assert 'data-testid="result"' in text(response)
