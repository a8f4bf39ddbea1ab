"""Negative records (失信记录): entered by staff for people in their scope, audited, revoked but never
deleted; the bar from accounting work derived from the penalty kind (会计法)."""

import datetime

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from audit.models import AuditEvent
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory
from integrity import services
from integrity.constants import BanRule
from integrity.models import NegativeRecord
from integrity.selectors import records_for_person

from .factories import CRIMINAL, REPRIMAND, honour, negative_fields, negative_record, penalty, staff_of

pytestmark = pytest.mark.django_db


def test_a_reviewer_enters_a_record_for_a_person_of_their_county_with_an_audit_row(person, jiangan):
    record = services.create_negative_record(actor=jiangan, person=person, fields=negative_fields())
    assert (record.person, record.unit.code, record.entered_by) == (person, "420102", jiangan)
    assert (record.ban_rule, record.ban_years) == (BanRule.YEARS, 5)
    audit = AuditEvent.objects.get(action="integrity.negative_create")
    assert (audit.actor, audit.object_id, audit.result) == (jiangan, str(record.pk), AuditEvent.Result.SUCCESS)
    assert audit.detail["person"] == "420***********123X"
    assert person.id_number not in str(audit.detail)


@pytest.mark.parametrize("unit_code", ["420100", "420000"])
def test_the_city_and_the_province_may_enter_records_for_people_below_them(person, unit_code):
    record = negative_record(person, actor=staff_of(unit_code))
    assert record.unit.code == "420102"


@pytest.mark.parametrize("unit_code", ["420103", "420200", "420202"])
def test_staff_of_another_county_or_city_are_told_the_person_was_not_found(person, unit_code):
    with pytest.raises(services.IntegrityRecordError) as refused:
        negative_record(person, actor=staff_of(unit_code))
    assert str(refused.value) == "在您的管辖范围内未找到该证件号码的会计人员。"
    assert not NegativeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="integrity.negative_create").exists()


def test_someone_never_collected_is_not_found_either(units, jiangan):
    with pytest.raises(services.IntegrityRecordError):
        negative_record(AccountantFactory(), actor=jiangan)
    assert not NegativeRecord.objects.exists()


def test_system_administrators_do_not_enter_records(person):
    admin = staff_of("420102", role=StaffRole.SYSTEM_ADMIN)
    with pytest.raises(services.IntegrityRecordError) as refused:
        negative_record(person, actor=admin)
    assert "审核人员" in str(refused.value)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"decision_date": timezone.localdate() + datetime.timedelta(days=1)}, "decision_date", "日期不能晚于今天。"),
        ({"period_end": datetime.date(2024, 1, 1)}, "period_end", "期限止日期不能早于起始日期。"),
        ({"period_end": None}, "period_end", "请填写期限止日期，或勾选“永久”。"),
        ({"is_permanent": True}, "period_end", "期限为永久时不填写止日期。"),
        ({"basis": "  "}, "basis", "请填写此项。"),
        ({"authority": ""}, "authority", "请填写此项。"),
        ({"note": "很" * 501}, "note", "最多 500 个字符。"),
    ],
)
def test_bad_input_is_refused_next_to_its_field(person, jiangan, overrides, field, message):
    with pytest.raises(services.IntegrityRecordError) as refused:
        negative_record(person, actor=jiangan, **overrides)
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert not NegativeRecord.objects.exists()


def test_a_penalty_kind_switched_off_is_not_accepted(person, jiangan):
    kind = penalty()
    kind.is_active = False
    kind.save()
    with pytest.raises(services.IntegrityRecordError) as refused:
        negative_record(person, actor=jiangan, penalty_kind=kind)
    assert refused.value.field == "penalty_kind"


# --------------------------------------------------------------------------- the bar from accounting work


def test_an_administrative_penalty_bars_accounting_work_for_five_years_from_the_decision(person, jiangan):
    record = negative_record(person, actor=jiangan, decision_date=datetime.date(2024, 5, 10))
    assert record.barred_until == datetime.date(2029, 5, 10)
    assert not record.barred_for_good


def test_a_bar_from_29_february_ends_on_28_february(person, jiangan):
    record = negative_record(
        person, actor=jiangan, decision_date=datetime.date(2024, 2, 29), period_start=datetime.date(2024, 2, 29)
    )
    assert record.barred_until == datetime.date(2029, 2, 28)


def test_criminal_liability_bars_accounting_work_for_life(person, jiangan):
    record = negative_record(person, actor=jiangan, penalty_kind=penalty(CRIMINAL), is_permanent=True, period_end=None)
    assert record.barred_for_good
    assert record.barred_until is None


def test_a_reprimand_does_not_bar_accounting_work(person, jiangan):
    record = negative_record(person, actor=jiangan, penalty_kind=penalty(REPRIMAND))
    assert (record.barred_for_good, record.barred_until) == (False, None)


def test_the_rule_is_copied_so_editing_the_kind_later_changes_no_record(person, jiangan):
    record = negative_record(person, actor=jiangan)
    kind = penalty()
    kind.ban_years = 3
    kind.save()
    record.refresh_from_db()
    assert record.barred_until == datetime.date(2029, 5, 10)


# --------------------------------------------------------------------------- revoking


def test_revoking_keeps_the_record_marks_it_and_writes_an_audit_row(person, jiangan):
    record = negative_record(person, actor=jiangan)
    services.revoke_negative_record(actor=jiangan, record=record, reason="行政复议撤销原处罚决定")
    record.refresh_from_db()
    assert record.is_revoked
    assert (record.revoked_by, record.revoke_reason) == (jiangan, "行政复议撤销原处罚决定")
    audit = AuditEvent.objects.get(action="integrity.negative_revoke")
    assert audit.object_id == str(record.pk)
    assert audit.detail["reason"] == "行政复议撤销原处罚决定"
    assert NegativeRecord.objects.filter(pk=record.pk).exists()


def test_revoking_needs_a_reason_and_happens_once(person, jiangan):
    record = negative_record(person, actor=jiangan)
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.revoke_negative_record(actor=jiangan, record=record, reason="  ")
    assert refused.value.field == "reason"
    services.revoke_negative_record(actor=jiangan, record=record, reason="录入错误")
    with pytest.raises(services.IntegrityRecordError) as again:
        services.revoke_negative_record(actor=jiangan, record=record, reason="再撤销一次")
    assert str(again.value) == "该记录已被撤销。"
    record.refresh_from_db()
    assert record.revoke_reason == "录入错误"


def test_staff_of_another_county_cannot_revoke(person, jiangan):
    record = negative_record(person, actor=jiangan)
    with pytest.raises(services.IntegrityRecordError):
        services.revoke_negative_record(actor=staff_of("420103"), record=record, reason="越权")
    record.refresh_from_db()
    assert not record.is_revoked


def test_a_record_cannot_be_deleted_while_its_person_exists(person, jiangan):
    negative_record(person, actor=jiangan)
    with pytest.raises(ProtectedError):
        person.delete()


# --------------------------------------------------------------------------- what the person sees


def test_the_persons_record_shows_approved_honours_and_negative_records_in_force(person, jiangan):
    approved = honour(person, state="approved")
    honour(person)  # pending: not part of the record
    honour(person, state="returned")
    today = datetime.date(2026, 6, 1)
    in_force = negative_record(person, actor=jiangan, decision_date=datetime.date(2024, 5, 10))
    # A reprimand whose period has run out bars nothing any more.
    negative_record(
        person,
        actor=jiangan,
        penalty_kind=penalty(REPRIMAND),
        decision_date=datetime.date(2020, 1, 1),
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2021, 1, 1),
    )
    # The period is over but the five-year bar still runs.
    still_barred = negative_record(
        person,
        actor=jiangan,
        decision_date=datetime.date(2022, 3, 1),
        period_start=datetime.date(2022, 3, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    revoked = negative_record(person, actor=jiangan)
    services.revoke_negative_record(actor=jiangan, record=revoked, reason="复议撤销")
    permanent = negative_record(
        person,
        actor=jiangan,
        penalty_kind=penalty(CRIMINAL),
        decision_date=datetime.date(2000, 1, 1),
        period_start=datetime.date(2000, 1, 1),
        is_permanent=True,
        period_end=None,
    )

    records = records_for_person(person, today=today)
    assert [h.application_id for h in records.honours] == [approved.pk]
    assert {r.pk for r in records.negatives} == {in_force.pk, still_barred.pk, permanent.pk}


def test_another_persons_records_are_never_mixed_in(person, jiangan):
    negative_record(person, actor=jiangan)
    honour(person, state="approved")
    from .factories import collected_person

    other = collected_person()
    assert records_for_person(other).is_empty
