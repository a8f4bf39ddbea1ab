"""Filing, correcting, deleting and settling records through the services, and the kind's hooks."""

import datetime
import zoneinfo

import pytest

from audit.models import AuditEvent
from continuing_education import services
from continuing_education.constants import KIND_CE
from continuing_education.exceptions import CreditError
from continuing_education.models import CreditProof, CreditRecord, YearlyCredits
from continuing_education.selectors import allowed_years
from documents.constants import DocumentStatus
from documents.models import Document
from identity.tests.factories import AccountantFactory
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.services import ReviewError

from .factories import collected_accountant, entry, proof_for, record, reviewer_of

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def on(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def person(units):
    return collected_accountant()


def file(person, no=1, *, proofs=None, token=None, **fields):
    return services.file_record(
        person=person,
        entry=entry(no, **fields),
        proofs=proofs if proofs is not None else {1: proof_for(person)},
        token=token or services.new_token(),
    )


# --------------------------------------------------------------------------- filing


def test_saving_files_the_record_and_submits_it_to_the_managing_unit_at_once(person):
    proof = proof_for(person)
    filed = file(
        person, 6, days=2, start_date=datetime.date(2026, 5, 10), end_date=datetime.date(2026, 5, 11), proofs={1: proof}
    )

    application = Application.objects.get(pk=filed.application_id)
    assert application.kind == KIND_CE
    assert application.status == Status.PENDING
    assert application.unit.code == "420102"
    assert application.exclusive is False
    assert filed.credits == 20
    assert (filed.item_no, filed.rule, filed.subject, filed.days) == (6, "per_day", "professional", 2)
    proof.refresh_from_db()
    assert (proof.status, proof.application_id) == (DocumentStatus.ATTACHED, application.pk)
    assert AuditEvent.objects.filter(action="continuing_education.file", object_id=str(application.pk)).exists()


def test_a_person_files_many_records_at_once(person):
    for no in (1, 6, 9):
        file(person, no)
    assert Application.objects.filter(applicant=person, kind=KIND_CE, status=Status.PENDING).count() == 3


def test_posting_the_same_form_twice_files_one_record(person):
    first = file(person, 1, token="same-token")
    second = file(person, 1, token="same-token", proofs={1: proof_for(person)})
    assert first.pk == second.pk
    assert CreditRecord.objects.filter(person=person).count() == 1
    assert Application.objects.filter(applicant=person, kind=KIND_CE).count() == 1


def test_fields_the_item_does_not_use_are_not_kept(person):
    filed = file(person, 1, days=3, role="主持人", proposed_credits=50)
    assert (filed.days, filed.role, filed.proposed_credits, filed.credits) == (None, "", None, 90)


def test_item_fourteen_keeps_the_proposal_and_waits_for_the_reviewer(person):
    filed = file(person, 14, proposed_credits=40)
    assert (filed.proposed_credits, filed.credits, filed.claimed_credits) == (40, None, 40)


def test_a_person_who_is_not_collected_cannot_file(units):
    stranger = AccountantFactory()
    with pytest.raises(CreditError, match="只有信息采集审核通过的会计人员"):
        file(stranger)
    assert not Application.objects.filter(applicant=stranger).exists()


def test_a_record_without_proof_is_refused_and_nothing_is_filed(person):
    with pytest.raises(CreditError) as caught:
        file(person, proofs={})
    assert (caught.value.field, str(caught.value)) == ("proof_1", "请至少上传一份证明材料。")
    assert not Application.objects.filter(applicant=person).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"no": 6, "days": 0}, "days", "天数须为1至30之间的整数。"),
        ({"no": 11, "role": "主持人"}, "role", "所选角色不适用于该项目，请在以下角色中选择：第一作者、其他作者。"),
        ({"no": 14, "proposed_credits": 120}, "proposed_credits", "申报学分须为1至90之间的整数。"),
        (
            {"year": 2025, "start_date": datetime.date(2025, 12, 1)},
            "year",
            "只能录入2026年度的学分：上一年度的学分可补录至3月31日。",
        ),
        (
            {"year": 2027, "start_date": datetime.date(2026, 1, 1)},
            "year",
            "只能录入2026年度的学分：上一年度的学分可补录至3月31日。",
        ),
        ({"start_date": datetime.date(2025, 12, 31)}, "start_date", "日期须在2026年度内。"),
        ({"start_date": datetime.date(2026, 6, 20)}, "start_date", "日期不能晚于今天。"),
        (
            {"start_date": datetime.date(2026, 5, 2), "end_date": datetime.date(2026, 5, 1)},
            "end_date",
            "结束日期不能早于开始日期。",
        ),
        (
            {"no": 6, "days": 3, "start_date": datetime.date(2026, 5, 1), "end_date": datetime.date(2026, 5, 2)},
            "days",
            "开始日期至结束日期只有2天，参会天数不能超过此数。",
        ),
        ({"title": "  "}, "title", "请填写名称。"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_message_and_nothing_is_filed(person, fields, field, message):
    fields = dict(fields)  # the parameter is shared by every run of this test in the process
    no = fields.pop("no", 1)
    with pytest.raises(CreditError) as caught:
        file(person, no, **fields)
    assert (caught.value.field, str(caught.value)) == (field, message)
    assert not Application.objects.filter(applicant=person).exists()
    assert not CreditRecord.objects.exists()


def test_an_item_no_longer_offered_cannot_be_filed(person):
    chosen = entry(2)
    chosen.item.is_active = False
    chosen.item.save()
    with pytest.raises(CreditError, match="该项目已停用"):
        services.file_record(person=person, entry=chosen, proofs={1: proof_for(person)}, token="t")


def test_last_years_items_may_be_filed_until_the_thirty_first_of_march():
    assert allowed_years(datetime.date(2026, 3, 31)) == [2026, 2025]
    assert allowed_years(datetime.date(2026, 4, 1)) == [2026]
    assert allowed_years(datetime.date(2026, 1, 1)) == [2026, 2025]


def test_late_entry_can_be_switched_off_or_moved_in_the_settings(settings):
    settings.CE_LATE_ENTRY_UNTIL = None
    assert allowed_years(datetime.date(2026, 1, 5)) == [2026]
    settings.CE_LATE_ENTRY_UNTIL = (2, 28)
    assert allowed_years(datetime.date(2026, 2, 28)) == [2026, 2025]
    assert allowed_years(datetime.date(2026, 3, 1)) == [2026]


def test_a_record_of_last_year_is_accepted_on_the_thirty_first_of_march(person, _today):
    _today.move_to(on(datetime.date(2026, 3, 31)))
    filed = file(person, 1, year=2025, start_date=datetime.date(2025, 11, 3))
    assert filed.year == 2025


def test_a_proof_of_another_application_is_not_taken(person):
    other = file(person, 1)
    taken = Document.objects.get(application_id=other.application_id)
    documents, errors = services.take_proofs(
        owner=person, data={"proof-ce:1-document": str(taken.pk)}, files={}, application_id=None
    )
    assert (documents, errors) == ({}, {})


def test_a_proof_of_another_person_is_not_taken(person):
    stranger_proof = proof_for(collected_accountant())
    documents, _errors = services.take_proofs(
        owner=person, data={"proof-ce:1-document": str(stranger_proof.pk)}, files={}
    )
    assert documents == {}


# --------------------------------------------------------------------------- deleting


@pytest.mark.parametrize("status", [Status.PENDING, Status.RETURNED])
def test_a_pending_or_returned_record_is_deleted_by_withdrawing_it(person, status):
    kept = record(person, 1, status=status)
    services.delete_record(record=kept, actor=person)
    kept.application.refresh_from_db()
    assert kept.application.status == Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="continuing_education.delete", result="success").exists()


def test_an_approved_record_cannot_be_deleted_even_by_calling_the_service(person):
    approved = record(person, 1, status=Status.APPROVED)
    with pytest.raises(CreditError, match="审核通过的记录不可删除"):
        services.delete_record(record=approved, actor=person)
    approved.application.refresh_from_db()
    assert approved.application.status == Status.APPROVED
    assert AuditEvent.objects.filter(action="continuing_education.delete", result="failure").exists()


def test_a_deleted_record_cannot_be_deleted_again(person):
    gone = record(person, 1, status=Status.WITHDRAWN)
    with pytest.raises(CreditError, match="该记录已删除"):
        services.delete_record(record=gone, actor=person)


def test_nobody_else_can_delete_a_record(person):
    kept = record(person, 1)
    with pytest.raises(CreditError, match="只有录入该记录的本人"):
        services.delete_record(record=kept, actor=collected_accountant())
    kept.application.refresh_from_db()
    assert kept.application.status == Status.PENDING


# --------------------------------------------------------------------------- correcting


def test_a_returned_record_is_corrected_and_submitted_again(person):
    returned = record(person, 6, status=Status.RETURNED, days=1)
    new_proof = proof_for(person, 2)
    old_proof = returned.proofs.get().document
    corrected = services.correct_record(
        record=returned,
        actor=person,
        entry=entry(
            6, days=2, start_date=datetime.date(2026, 5, 6), end_date=datetime.date(2026, 5, 7), title="全省会计年会"
        ),
        proofs={1: old_proof, 2: new_proof},
    )
    assert corrected.application.status == Status.PENDING
    assert (corrected.days, corrected.credits, corrected.title) == (2, 20, "全省会计年会")
    assert list(corrected.proofs.values_list("position", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(action="continuing_education.correct").exists()


def test_only_a_returned_record_can_be_corrected(person):
    pending = record(person, 1)
    with pytest.raises(CreditError, match="只有被退回的记录"):
        services.correct_record(record=pending, actor=person, entry=entry(1), proofs={1: proof_for(person)})


def test_a_correction_keeps_its_year_open_after_the_late_entry_deadline(person, _today):
    _today.move_to(on(datetime.date(2026, 3, 20)))
    returned = record(person, 1, status=Status.RETURNED, year=2025, start_date=datetime.date(2025, 10, 9))
    _today.move_to(on(datetime.date(2026, 4, 10)))
    corrected = services.correct_record(
        record=returned,
        actor=person,
        entry=entry(1, year=2025, start_date=datetime.date(2025, 10, 9), title="改正后的名称"),
        proofs={1: returned.proofs.get().document},
    )
    assert (corrected.year, corrected.application.status) == (2025, Status.PENDING)


def test_correcting_an_item_fourteen_record_needs_settling_again(person):
    reviewer = reviewer_of()
    returned = record(person, 14, status=Status.RETURNED, reviewer=reviewer)
    returned.refresh_from_db()
    corrected = services.correct_record(
        record=returned, actor=person, entry=entry(14, proposed_credits=50), proofs={1: returned.proofs.get().document}
    )
    assert (corrected.credits, corrected.settled_by, corrected.proposed_credits) == (None, None, 50)


# --------------------------------------------------------------------------- item 14: settle, then approve


def test_the_reviewer_settles_item_fourteen_and_then_approves_it(person):
    reviewer = reviewer_of()
    pending = record(person, 14, proposed_credits=60)
    application = pending.application

    with pytest.raises(ReviewError, match="须先核定学分"):
        reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    application.refresh_from_db()
    assert application.status == Status.PENDING

    settled = services.settle_credits(record=pending, credits=45, actor=reviewer)
    assert (settled.credits, settled.settled_by) == (45, reviewer)
    assert AuditEvent.objects.filter(action="continuing_education.settle", object_id=str(application.pk)).exists()
    reviews.approve(application=application, actor=reviewer, expected_version=application.version)
    assert YearlyCredits.objects.get(person=person, year=2026).approved_credits == 45


@pytest.mark.parametrize("credits", [0, 91, -3])
def test_settled_credits_outside_the_items_range_are_refused(person, credits):
    pending = record(person, 14)
    with pytest.raises(CreditError) as caught:
        services.settle_credits(record=pending, credits=credits, actor=reviewer_of())
    assert caught.value.field == "credits"
    pending.refresh_from_db()
    assert pending.credits is None


def test_credits_of_a_rule_based_item_are_not_settled_by_hand(person):
    pending = record(person, 1)
    with pytest.raises(CreditError, match="按规则计算"):
        services.settle_credits(record=pending, credits=10, actor=reviewer_of())
    pending.refresh_from_db()
    assert pending.credits == 90


def test_only_the_deciding_unit_settles_credits(person):
    pending = record(person, 14)
    for outsider in (reviewer_of("420100"), reviewer_of("420103")):  # the city above, a neighbouring county
        with pytest.raises(CreditError, match="只有负责审核该记录的单位"):
            services.settle_credits(record=pending, credits=30, actor=outsider)
    pending.refresh_from_db()
    assert pending.credits is None


def test_credits_are_settled_only_while_the_record_waits(person):
    returned = record(person, 14, status=Status.RETURNED)
    with pytest.raises(CreditError, match="只有待审核的记录"):
        services.settle_credits(record=returned, credits=30, actor=reviewer_of())


def test_submitting_without_a_proof_is_refused_by_the_kind(person):
    filed = file(person, 1)
    CreditProof.objects.filter(record=filed).delete()
    with pytest.raises(ReviewError, match="请至少上传一份证明材料"):
        services.check_record_before_submit(filed.application)


# --------------------------------------------------------------------------- the yearly rows


def test_approvals_add_up_in_the_yearly_row_of_their_own_year(person, _today):
    reviewer = reviewer_of()
    record(person, 1, status=Status.APPROVED, reviewer=reviewer)
    record(person, 11, status=Status.APPROVED, reviewer=reviewer, role="其他作者")
    record(person, 6, status=Status.PENDING, days=1)
    record(person, 9, status=Status.RETURNED, reviewer=reviewer)
    _today.move_to(on(datetime.date(2026, 3, 1)))
    record(person, 10, status=Status.APPROVED, reviewer=reviewer, year=2025, start_date=datetime.date(2025, 7, 1))

    this_year = YearlyCredits.objects.get(person=person, year=2026)
    assert (this_year.approved_credits, this_year.professional_credits, this_year.approved_records) == (100, 100, 2)
    last_year = YearlyCredits.objects.get(person=person, year=2025)
    assert (last_year.approved_credits, last_year.approved_records) == (30, 1)


def test_a_failed_approval_leaves_the_yearly_row_untouched(person):
    pending = record(person, 14)
    application = pending.application
    with pytest.raises(ReviewError):
        reviews.approve(application=application, actor=reviewer_of(), expected_version=application.version)
    assert not YearlyCredits.objects.exists()


def test_a_correction_goes_to_the_unit_that_manages_the_person_now(person):
    from dossier.models import PersonRecord
    from identity.tests.factories import review_unit

    returned = record(person, 1, status=Status.RETURNED)
    PersonRecord.objects.filter(person=person).update(unit=review_unit("420103"))  # moved to 江汉区
    corrected = services.correct_record(
        record=returned, actor=person, entry=entry(1), proofs={1: returned.proofs.get().document}
    )
    assert (corrected.application.unit.code, corrected.application.status) == ("420103", Status.PENDING)
