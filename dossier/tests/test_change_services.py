"""信息变更 services: starting from the approved record, the record untouched while pending, approval
applying exactly the change and keeping the earlier version, refusals, return and resubmission."""

import pytest
from django.db import IntegrityError, transaction

from dossier import change_services
from dossier.change_selectors import change_for_display, summarise
from dossier.constants import KIND_CHANGE
from dossier.models import ChangePayload, Dossier, DossierProof, PersonRecord, RecordVersion
from dossier.services import DossierError, copy_dossier, record_approved_dossier
from dossier.snapshot import dossier_snapshot
from identity.tests.factories import AccountantFactory, review_unit
from notifications.backends import outbox
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.registry import get_kind
from reviews.scope import applications_for_reviewer
from reviews.services import ReviewError

from .factories import DocumentFactory, approved_person, change, collection, new_proofs_for, reviewer_of

pytestmark = pytest.mark.django_db


def decide(payload, action, **kwargs):
    application = payload.application
    application.refresh_from_db()
    reviewer = reviewer_of(application.unit.code)
    getattr(reviews, action)(application=application, actor=reviewer, expected_version=application.version, **kwargs)
    application.refresh_from_db()
    return application


def test_the_kind_is_registered_exclusive_with_its_label_and_template():
    kind = get_kind(KIND_CHANGE)
    assert str(kind.label) == "信息变更"
    assert kind.reviewer_template == "dossier/change/review.html"
    assert kind.payload_model is ChangePayload
    assert kind.exclusive is True


def test_someone_not_collected_cannot_start_a_change_and_nothing_is_created(units):
    pending = collection(state="pending").application.applicant
    for person in (AccountantFactory(), pending):
        with pytest.raises(DossierError) as error:
            change_services.start_change(person=person)
        assert "只有信息审核通过的会计人员才可进行变更" in str(error.value)
        assert not Application.objects.filter(applicant=person, kind=KIND_CHANGE).exists()


def test_a_change_starts_from_a_copy_of_the_approved_record_filed_with_its_unit(units):
    person = approved_person()
    record = PersonRecord.objects.get(person=person)
    payload = change_services.start_change(person=person)
    assert payload.dossier_id != record.current_id
    assert payload.base == RecordVersion.objects.get(record=record, number=1)
    assert dossier_snapshot(payload.dossier) | {"proofs": {}} == payload.base.snapshot | {"proofs": {}}
    assert payload.application.status == Status.DRAFT
    assert payload.application.unit == record.unit
    # A draft is invisible to every reviewer.
    assert not applications_for_reviewer(reviewer_of("420102")).filter(pk=payload.application_id).exists()


def test_starting_twice_gives_the_same_change(units):
    person = approved_person()
    first = change_services.start_change(person=person)
    second = change_services.start_change(person=person)
    assert first.pk == second.pk
    assert Application.objects.filter(applicant=person, kind=KIND_CHANGE).count() == 1
    assert ChangePayload.objects.filter(application__applicant=person).count() == 1


def test_the_database_refuses_a_second_open_change_of_the_same_person(units):
    payload = change(state="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            kind=KIND_CHANGE, applicant=payload.application.applicant, unit=review_unit("420102")
        )


def test_the_approved_record_stays_as_it_is_while_the_change_is_pending(units):
    person = approved_person()
    record = PersonRecord.objects.get(person=person)
    before = dossier_snapshot(record.current)
    payload = change(person, state="pending", employer_name="武汉新单位有限公司")
    record.refresh_from_db()
    assert record.version == 1 and record.current_id == payload.base.dossier_id
    assert dossier_snapshot(record.current) == before
    assert RecordVersion.objects.filter(record=record).count() == 1


def test_approval_applies_exactly_the_changed_fields_and_keeps_the_previous_version(
    units, django_capture_on_commit_callbacks
):
    person = approved_person()
    record = PersonRecord.objects.get(person=person)
    old_dossier = record.current
    old_snapshot = dossier_snapshot(old_dossier)
    payload = change(person, state="pending", employer_name="武汉新单位有限公司", abacus_level="普通一级")
    with django_capture_on_commit_callbacks(execute=True):
        decide(payload, "approve")

    record.refresh_from_db()
    assert record.version == 2 and record.current_id == payload.dossier_id
    first, second = RecordVersion.objects.filter(record=record).order_by("number")
    assert first.snapshot == old_snapshot and first.dossier_id == old_dossier.pk
    assert dossier_snapshot(Dossier.objects.get(pk=old_dossier.pk)) == old_snapshot  # never edited
    assert second.application == payload.application and second.unit.code == "420102"
    assert second.snapshot == dossier_snapshot(payload.dossier)
    # Exactly the two items differ, and only the proofs they required were replaced.
    changed = {(key, name) for key in ("personal", "qualification", "post") for name in old_snapshot[key]}
    differing = {(key, name) for key, name in changed if old_snapshot[key][name] != second.snapshot[key][name]}
    assert differing == {("post", "employer_name"), ("qualification", "abacus_level")}
    assert second.snapshot["education"] == old_snapshot["education"]
    replaced = {slot for slot, doc in second.snapshot["proofs"].items() if old_snapshot["proofs"].get(slot) != doc}
    assert replaced == {"employment", "abacus"}
    assert outbox[-1] == (person.phone, "【湖北省会计人员管理系统】您的信息变更已审核通过。")


def test_submitting_with_nothing_changed_is_refused_and_says_so(units):
    payload = change(state="started")
    with pytest.raises(ReviewError) as error:
        change_services.submit_change(payload=payload, actor=payload.application.applicant)
    assert "您没有变更任何信息" in str(error.value)
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_submitting_without_a_required_proof_is_refused_and_names_it(units):
    payload = change(state="started")
    payload.dossier.employer_name = "武汉新单位有限公司"
    payload.dossier.save()
    with pytest.raises(ReviewError) as error:
        change_services.submit_change(payload=payload, actor=payload.application.applicant)
    assert "请上传变更项对应的证明材料：在岗证明" in str(error.value)
    payload.application.refresh_from_db()
    assert payload.application.status == Status.DRAFT


def test_the_approved_file_posted_again_does_not_count_as_the_new_proof(units):
    payload = change(state="started")
    payload.dossier.employer_name = "武汉新单位有限公司"
    payload.dossier.save()
    old = payload.dossier.proofs.get(slot="employment").document
    errors = change_services.save_change_proofs(
        payload=change_for_display(payload.pk), data={"proof-employment-document": str(old.pk)}, files={}
    )
    assert errors == {}
    summary = summarise(change_for_display(payload.pk))
    assert [slot.key for slot in summary.missing] == ["employment"]
    old.refresh_from_db()
    assert old.application_id != payload.application_id  # still the collection's file


def test_only_the_required_boxes_are_taken(units):
    payload = change(state="started")
    payload.dossier.employer_name = "武汉新单位有限公司"
    payload.dossier.save()
    person = payload.dossier.owner
    employment = DocumentFactory(owner=person, slot="employment")
    id_front = DocumentFactory(owner=person, slot="id_front")
    change_services.save_change_proofs(
        payload=change_for_display(payload.pk),
        data={"proof-employment-document": str(employment.pk), "proof-id_front-document": str(id_front.pk)},
        files={},
    )
    proofs = {p.slot: p.document_id for p in payload.dossier.proofs.all()}
    assert proofs["employment"] == employment.pk
    assert proofs["id_front"] != id_front.pk
    employment.refresh_from_db()
    assert employment.application_id == payload.application_id


def test_a_proof_no_longer_required_gets_the_approved_file_back_when_submitting(units):
    payload = change(state="started")
    dossier = payload.dossier
    approved_file = dossier.proofs.get(slot="employment").document_id
    dossier.employer_name = "武汉新单位有限公司"
    dossier.save()
    new_proofs_for(change_for_display(payload.pk), summarise(change_for_display(payload.pk)).required)
    # The person changes their mind about the employer and changes the address instead.
    dossier.employer_name = payload.base.snapshot["post"]["employer_name"]
    dossier.address = "武汉市洪山区珞喻路1号"
    dossier.save()
    change_services.submit_change(payload=payload, actor=dossier.owner)
    assert DossierProof.objects.get(dossier=dossier, slot="employment").document_id == approved_file


def test_returned_then_edited_and_resubmitted_then_approved(units, django_capture_on_commit_callbacks):
    payload = change(state="pending")
    with django_capture_on_commit_callbacks(execute=True):
        decide(payload, "return_for_changes", reason="请上传加盖公章的在岗证明")
    person = payload.application.applicant
    assert outbox[-1] == (
        person.phone,
        "【湖北省会计人员管理系统】您的信息变更已退回，原因：请上传加盖公章的在岗证明。请登录系统修改后重新提交。",
    )
    assert PersonRecord.objects.get(person=person).version == 1
    new_proofs_for(change_for_display(payload.pk), summarise(change_for_display(payload.pk)).required)
    application = change_services.submit_change(payload=change_for_display(payload.pk), actor=person)
    assert application.status == Status.PENDING
    assert decide(payload, "approve").status == Status.APPROVED
    record = PersonRecord.objects.get(person=person)
    assert record.version == 2 and record.current.employer_name == "武汉新单位有限公司"


def test_a_withdrawn_change_leaves_the_record_and_a_new_change_can_start(units):
    payload = change(state="pending")
    person = payload.application.applicant
    change_services.withdraw_change(payload=payload, actor=person)
    record = PersonRecord.objects.get(person=person)
    assert record.version == 1 and record.current_id == payload.base.dossier_id
    again = change_services.start_change(person=person)
    assert again.pk != payload.pk and again.application.status == Status.DRAFT


def test_a_change_of_a_record_that_moved_on_is_refused_at_approval(units):
    payload = change(state="pending")
    person = payload.application.applicant
    record = PersonRecord.objects.get(person=person)
    # The record gets a new version by another way (e.g. an administrator's correction).
    record_approved_dossier(dossier=copy_dossier(dossier=record.current), application=payload.application)
    application = payload.application
    application.refresh_from_db()
    with pytest.raises(ReviewError) as error:
        reviews.approve(application=application, actor=reviewer_of("420102"), expected_version=application.version)
    assert "已审核通过的信息已发生变化" in str(error.value)
    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert PersonRecord.objects.get(person=person).version == 2


def test_a_change_of_someone_whose_unit_is_closed_waits_at_the_root_until_a_new_unit_is_chosen(units):
    person = approved_person()
    unit = review_unit("420102")
    unit.is_active = False
    unit.save()
    payload = change_services.start_change(person=person)
    assert payload.application.unit.code == "420000"
    with pytest.raises(ReviewError) as error:
        change_services.submit_change(payload=change_for_display(payload.pk), actor=person)
    assert "请修改：会计岗位信息" in str(error.value)
    # Choosing a unit in use routes the change there.
    from dossier.sections import SECTIONS

    from .test_forms import post_data

    payload = change_for_display(payload.pk)
    form = SECTIONS["post"].form(payload.dossier, data=post_data(unit="420103", unit_city="420100"))
    assert form.is_valid(), form.errors
    change_services.save_section(payload=payload, step="post", form=form)
    payload.application.refresh_from_db()
    assert payload.application.unit.code == "420103"
