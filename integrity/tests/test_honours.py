"""Honour records (诚信录入 / 表彰奖励, manual §8) on the review engine: saving submits, the states a
record goes through, the delete rule, and bad input refused with the field it belongs to."""

import datetime
import uuid

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from documents.constants import DocumentStatus
from identity.tests.factories import AccountantFactory, review_unit
from integrity import services
from integrity.constants import KIND_HONOUR
from integrity.models import HonourPayload, HonourProof, IntegrityOption
from integrity.selectors import honour_proofs
from notifications.backends import outbox
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application, ReviewEvent
from reviews.registry import get_kind
from reviews.services import ReviewError

from .factories import HONOUR_FIELDS, collected_person, honour, proof_document, staff_of

pytestmark = pytest.mark.django_db


def test_the_kind_is_registered_non_exclusive_with_its_label_template_and_texts():
    kind = get_kind(KIND_HONOUR)
    assert str(kind.label) == "诚信录入 / 表彰奖励"
    assert kind.exclusive is False
    assert kind.payload_model is HonourPayload
    assert kind.reviewer_template == "integrity/review_honour.html"
    assert kind.sla_working_days == 10


def test_saving_an_honour_submits_it_to_the_persons_managing_unit(person):
    document = proof_document(person)
    application = services.apply_for_honour(person=person, fields=HONOUR_FIELDS, proofs={"honour:1": document})

    application.refresh_from_db()
    assert application.kind == KIND_HONOUR
    assert application.status == Status.PENDING
    assert application.unit.code == "420102"
    assert application.due_date is not None
    payload = application.honour
    assert (payload.name, payload.level, payload.awarded_on) == (
        "湖北省会计领军人才",
        "省部级",
        datetime.date(2023, 5, 10),
    )
    assert (payload.awarding_body, payload.document_number) == ("湖北省财政厅", "鄂财会发〔2023〕5号")
    document.refresh_from_db()
    assert (document.application_id, document.status) == (application.pk, DocumentStatus.ATTACHED)
    assert [event.event_type for event in ReviewEvent.objects.filter(application=application)] == [
        "created",
        "submitted",
    ]
    assert AuditEvent.objects.filter(action="integrity.honour_save", object_id=str(application.pk)).count() == 1


def test_a_person_may_have_several_honours_under_review_at_once(person):
    first = honour(person)
    second = honour(person, name_choice="全国会计领军人才", level="国家级")
    assert first.pk != second.pk
    assert Application.objects.filter(applicant=person, kind=KIND_HONOUR, status=Status.PENDING).count() == 2


def test_a_double_click_on_save_creates_one_record(person):
    key = uuid.uuid4()
    document = proof_document(person)
    first = services.apply_for_honour(
        person=person, fields=HONOUR_FIELDS, proofs={"honour:1": document}, submission_key=key
    )
    second = services.apply_for_honour(
        person=person, fields=HONOUR_FIELDS, proofs={"honour:1": document}, submission_key=key
    )
    assert first.pk == second.pk
    assert HonourPayload.objects.count() == 1


def test_someone_not_collected_cannot_apply_and_nothing_is_stored(units):
    stranger = AccountantFactory()
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.apply_for_honour(person=stranger, fields=HONOUR_FIELDS, proofs={"honour:1": proof_document(stranger)})
    assert "信息采集" in str(refused.value)
    assert not Application.objects.filter(kind=KIND_HONOUR).exists()


# --------------------------------------------------------------------------- transitions


def _decide(application, action, reviewer=None, **kwargs):
    application.refresh_from_db()
    reviewer = reviewer or staff_of(application.unit.code)
    return getattr(reviews, action)(
        application=application, actor=reviewer, expected_version=application.version, **kwargs
    )


def test_return_correct_resubmit_and_approve_is_the_whole_cycle(person, django_capture_on_commit_callbacks):
    application = honour(person)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(application, "return_for_changes", reason="文号有误")
    assert outbox[-1] == (
        person.phone,
        "【湖北省会计人员管理系统】您的诚信录入 / 表彰奖励已退回，原因：文号有误。请登录系统修改后重新提交。",
    )

    services.resubmit_honour(
        person=person,
        application=application,
        fields={**HONOUR_FIELDS, "document_number": "鄂财会发〔2023〕6号"},
        proofs={"honour:1": application.honour.proofs.get().document},
    )
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert application.honour.document_number == "鄂财会发〔2023〕6号"
    with django_capture_on_commit_callbacks(execute=True):
        _decide(application, "approve")
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert outbox[-1] == (person.phone, "【湖北省会计人员管理系统】您的诚信录入 / 表彰奖励已审核通过。")
    events = list(ReviewEvent.objects.filter(application=application).values_list("event_type", flat=True))
    assert events == ["created", "submitted", "returned", "resubmitted", "approved"]


@pytest.mark.parametrize("state", ["pending", "returned"])
def test_pending_and_returned_records_can_be_deleted(person, state):
    application = honour(person, state=state)
    services.delete_honour(person=person, application=application)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert HonourPayload.objects.filter(application=application).exists()  # withdrawn, never erased


def test_an_approved_record_cannot_be_deleted_and_the_refusal_is_audited(person):
    application = honour(person, state="approved")
    version = application.version
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.delete_honour(person=person, application=application)
    assert str(refused.value) == "审核通过的诚信记录不能删除。"
    application.refresh_from_db()
    assert (application.status, application.version) == (Status.APPROVED, version)
    failure = AuditEvent.objects.get(action="integrity.honour_delete")
    assert failure.result == AuditEvent.Result.FAILURE


def test_a_withdrawn_record_can_neither_be_deleted_again_nor_resubmitted(person):
    application = honour(person, state="withdrawn")
    with pytest.raises(services.IntegrityRecordError):
        services.delete_honour(person=person, application=application)
    with pytest.raises(services.IntegrityRecordError):
        services.resubmit_honour(
            person=person,
            application=application,
            fields=HONOUR_FIELDS,
            proofs={"honour:1": application.honour.proofs.get().document},
        )
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_only_a_returned_record_can_be_corrected(person, state):
    application = honour(person, state=state)
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.resubmit_honour(
            person=person,
            application=application,
            fields={**HONOUR_FIELDS, "awarding_body": "改过的单位"},
            proofs={"honour:1": application.honour.proofs.get().document},
        )
    assert "退回" in str(refused.value)
    assert HonourPayload.objects.get(application=application).awarding_body == "湖北省财政厅"


def test_an_approved_or_returned_record_cannot_be_decided_again(person):
    approved = honour(person, state="approved")
    with pytest.raises(ReviewError):
        _decide(approved, "approve")
    returned = honour(person, state="returned")
    with pytest.raises(ReviewError):
        _decide(returned, "return_for_changes", reason="再退一次")


def test_only_the_owner_can_delete_or_correct_a_record(person):
    application = honour(person, state="returned")
    other = collected_person()
    with pytest.raises(services.IntegrityRecordError):
        services.delete_honour(person=other, application=application)
    with pytest.raises(services.IntegrityRecordError):
        services.resubmit_honour(
            person=other, application=application, fields=HONOUR_FIELDS, proofs={"honour:1": proof_document(other)}
        )
    application.refresh_from_db()
    assert application.status == Status.RETURNED


def test_a_reviewer_of_another_county_cannot_decide(person):
    application = honour(person)
    with pytest.raises(ReviewError):
        _decide(application, "approve", reviewer=staff_of("420103"))
    application.refresh_from_db()
    assert application.status == Status.PENDING


def test_a_resubmission_goes_to_the_new_managing_unit_after_a_move(person):
    from dossier.models import PersonRecord

    application = honour(person, state="returned")
    PersonRecord.objects.filter(person=person).update(unit=review_unit("420103"))
    services.resubmit_honour(
        person=person,
        application=application,
        fields=HONOUR_FIELDS,
        proofs={"honour:1": application.honour.proofs.get().document},
    )
    application.refresh_from_db()
    assert (application.status, application.unit.code) == (Status.PENDING, "420103")


# --------------------------------------------------------------------------- proofs


def test_at_least_one_proof_is_required_and_nothing_is_stored_without(person):
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.apply_for_honour(person=person, fields=HONOUR_FIELDS, proofs={})
    assert refused.value.field == "proofs"
    assert "至少上传一份证明材料" in str(refused.value)
    assert not Application.objects.filter(kind=KIND_HONOUR).exists()


def test_a_corrected_record_can_replace_and_remove_proofs_but_keeps_at_least_one(person):
    application = honour(
        person,
        state="returned",
        proofs={"honour:1": proof_document(person), "honour:2": proof_document(person, slot="honour:2")},
    )
    replacement = proof_document(person, slot="honour:1")
    services.resubmit_honour(
        person=person, application=application, fields=HONOUR_FIELDS, proofs={"honour:1": replacement}
    )
    assert list(HonourProof.objects.filter(payload__application=application).values_list("slot", "document")) == [
        ("honour:1", replacement.pk)
    ]
    assert [label for label, _document in honour_proofs(application)] == ["证明材料1"]

    _decide(application, "return_for_changes", reason="请补充材料")
    with pytest.raises(services.IntegrityRecordError):
        services.resubmit_honour(person=person, application=application, fields=HONOUR_FIELDS, proofs={})
    assert HonourProof.objects.filter(payload__application=application).count() == 1


def test_a_proof_of_another_record_cannot_be_reused(person):
    first = honour(person)
    used = first.honour.proofs.get().document
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.apply_for_honour(person=person, fields=HONOUR_FIELDS, proofs={"honour:1": used})
    assert refused.value.field == "honour:1"
    assert Application.objects.filter(kind=KIND_HONOUR).count() == 1


def test_the_engine_refuses_a_submission_without_proof_too(person):
    application = honour(person, state="returned")
    HonourProof.objects.filter(payload__application=application).delete()
    with pytest.raises(ReviewError):
        reviews.submit(application=application, actor=person)


# --------------------------------------------------------------------------- field rules


def test_a_future_date_is_refused_next_to_the_date():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.clean_honour_fields(**{**HONOUR_FIELDS, "awarded_on": tomorrow})
    assert (refused.value.field, str(refused.value)) == ("awarded_on", "日期不能晚于今天。")


def test_other_honour_needs_its_name_typed():
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.clean_honour_fields(**{**HONOUR_FIELDS, "name_choice": "其他表彰奖励", "other_name": "  "})
    assert (refused.value.field, str(refused.value)) == ("other_name", "请填写奖励名称。")
    cleaned = services.clean_honour_fields(
        **{**HONOUR_FIELDS, "name_choice": "其他表彰奖励", "other_name": " 武汉市 三八红旗手 "}
    )
    assert (cleaned["name_choice"], cleaned["name"]) == ("其他表彰奖励", "武汉市 三八红旗手")


def test_a_listed_honour_is_its_own_name_whatever_was_typed_beside_it():
    cleaned = services.clean_honour_fields(**{**HONOUR_FIELDS, "other_name": "别的名字"})
    assert cleaned["name"] == "湖北省会计领军人才"


@pytest.mark.parametrize(
    ("field", "value"),
    [("name_choice", "自封的奖项"), ("level", "宇宙级"), ("awarding_body", ""), ("document_number", "   ")],
)
def test_values_outside_the_lists_and_empty_fields_are_refused(field, value):
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.clean_honour_fields(**{**HONOUR_FIELDS, field: value})
    assert refused.value.field == field


def test_an_item_switched_off_by_an_administrator_is_no_longer_accepted():
    item = IntegrityOption.objects.get(list_key="honour_level", value="省部级")
    item.is_active = False
    item.save()
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.clean_honour_fields(**HONOUR_FIELDS)
    assert refused.value.field == "level"


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(min_value=-30000, max_value=30000))
def test_a_date_is_accepted_exactly_when_it_is_neither_future_nor_before_1949(offset):
    today = datetime.date(2026, 6, 1)
    day = today + datetime.timedelta(days=offset)
    fields = {**HONOUR_FIELDS, "awarded_on": day}
    if datetime.date(1949, 10, 1) <= day <= today:
        assert services.clean_honour_fields(**fields, today=today)["awarded_on"] == day
    else:
        with pytest.raises(services.IntegrityRecordError) as refused:
            services.clean_honour_fields(**fields, today=today)
        assert refused.value.field == "awarded_on"


def test_a_form_key_already_used_by_someone_else_is_refused(person):
    key = uuid.uuid4()
    honour(person)
    HonourPayload.objects.update(submission_key=key)
    other = collected_person()
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.apply_for_honour(
            person=other, fields=HONOUR_FIELDS, proofs={"honour:1": proof_document(other)}, submission_key=key
        )
    assert "已经提交过" in str(refused.value)
    assert not Application.objects.filter(applicant=other, kind=KIND_HONOUR).exists()


def test_a_document_of_someone_else_is_never_taken_as_a_proof(person):
    stranger_document = proof_document(AccountantFactory())
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.apply_for_honour(person=person, fields=HONOUR_FIELDS, proofs={"honour:1": stranger_document})
    assert refused.value.field == "honour:1"
    stranger_document.refresh_from_db()
    assert stranger_document.application_id is None
