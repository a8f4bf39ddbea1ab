from datetime import date
from unittest import mock

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from core.masking import mask_id_number
from identity.constants import StaffRole
from notifications import backends
from notifications.models import Notification
from reviews import services
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent, StatusCount
from reviews.services import ReviewError

from .factories import ApplicantFactory, KindRecorder, counters, make_application, recount, review_unit, reviewer_for

pytestmark = pytest.mark.django_db


def approve(application, reviewer, **kwargs):
    return services.approve(application=application, actor=reviewer, expected_version=application.version, **kwargs)


def return_(application, reviewer, reason="照片不清晰"):
    return services.return_for_changes(
        application=application, actor=reviewer, expected_version=application.version, reason=reason
    )


def unchanged(application) -> dict:
    row = Application.objects.get(pk=application.pk)
    return {
        "status": row.status,
        "version": row.version,
        "events": ReviewEvent.objects.filter(application=application).count(),
        "notifications": Notification.objects.count(),
        "counters": counters(),
    }


# --------------------------------------------------------------------------- start


def test_starting_twice_returns_the_same_open_application(test_kind):
    applicant = ApplicantFactory()
    first = services.start_application(kind="testkind", applicant=applicant, unit=review_unit("420102"))
    second = services.start_application(kind="testkind", applicant=applicant, unit=review_unit("420103"))

    assert first.pk == second.pk
    assert first.status == Status.DRAFT
    assert Application.objects.count() == 1
    assert first.applicant_name == applicant.full_name
    assert first.applicant_id_number == applicant.id_number


def test_a_start_that_loses_a_race_returns_the_winners_application(test_kind):
    applicant = ApplicantFactory()
    winner = services.start_application(kind="testkind", applicant=applicant, unit=review_unit("420102"))
    real_lookup = services._open_application
    calls = []

    def blind_first_lookup(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_lookup(*args)

    with mock.patch.object(services, "_open_application", blind_first_lookup):
        loser = services.start_application(kind="testkind", applicant=applicant, unit=review_unit("420102"))

    assert loser.pk == winner.pk
    assert Application.objects.count() == 1


def test_the_database_itself_refuses_a_second_open_application_of_a_kind(test_kind):
    application = make_application(status=Status.PENDING)

    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(kind="testkind", applicant=application.applicant, unit=application.unit)


def test_a_new_application_may_start_once_the_previous_one_is_final(test_kind):
    approved = make_application(status=Status.APPROVED)
    withdrawn = make_application(applicant=approved.applicant, status=Status.WITHDRAWN)

    fresh = services.start_application(kind="testkind", applicant=approved.applicant, unit=approved.unit)

    assert len({approved.pk, withdrawn.pk, fresh.pk}) == 3
    assert fresh.status == Status.DRAFT


def test_a_non_exclusive_kind_allows_several_open_applications():
    recorder = KindRecorder(name="records", exclusive=False).register()
    try:
        applicant = ApplicantFactory()
        first = services.start_application(kind="records", applicant=applicant, unit=review_unit("420102"))
        second = services.start_application(kind="records", applicant=applicant, unit=review_unit("420102"))
        services.submit(application=first, actor=applicant)
        services.submit(application=second, actor=applicant)
    finally:
        recorder.unregister()

    assert first.pk != second.pk
    assert Application.objects.filter(applicant=applicant, status=Status.PENDING).count() == 2


def test_an_inactive_review_unit_accepts_no_new_application(test_kind):
    unit = review_unit("420103")
    unit.is_active = False
    unit.save()

    with pytest.raises(ReviewError) as refused:
        services.start_application(kind="testkind", applicant=ApplicantFactory(), unit=unit)

    assert "不再受理" in str(refused.value)
    assert not Application.objects.exists()


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(LookupError):
        services.start_application(kind="nope", applicant=ApplicantFactory(), unit=review_unit("420102"))


# --------------------------------------------------------------------------- submit


@time_machine.travel("2026-09-28 10:00 +0800", tick=False)
def test_submitting_puts_the_application_in_the_queue_with_a_working_day_due_date(test_kind):
    application = make_application(status=Status.DRAFT)

    services.submit(application=application, actor=application.applicant)

    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert application.version == 2
    assert application.submitted_at == application.last_submitted_at == timezone.now()
    # 5 working days after Monday 2026-09-28 is Saturday 2026-10-10 (国庆 and 调休).
    assert application.due_date == date(2026, 10, 10)
    event = application.events.last()
    assert (event.event_type, event.from_status, event.to_status) == (EventType.SUBMITTED, Status.DRAFT, Status.PENDING)
    assert (
        AuditEvent.objects.filter(action="reviews.submit", object_id=str(application.pk), result="success").count() == 1
    )


def test_submitting_twice_changes_nothing_the_second_time(test_kind):
    application = make_application(status=Status.DRAFT)
    services.submit(application=application, actor=application.applicant)
    before = unchanged(application)

    services.submit(application=application, actor=application.applicant)

    assert unchanged(application) == before
    assert Application.objects.count() == 1


def test_only_the_applicant_may_submit(test_kind):
    application = make_application(status=Status.DRAFT)
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        services.submit(application=application, actor=ApplicantFactory())

    assert str(refused.value) == "只有申请人本人可以进行此操作"
    assert unchanged(application) == before
    assert AuditEvent.objects.filter(action="reviews.submit", result="failure").count() == 1


@pytest.mark.parametrize("status", [Status.APPROVED, Status.WITHDRAWN])
def test_a_final_application_cannot_be_submitted(test_kind, status):
    application = make_application(status=status)
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        services.submit(application=application, actor=application.applicant)

    assert "不能提交" in str(refused.value)
    assert unchanged(application) == before


def test_a_kind_can_refuse_a_submission_before_it_happens():
    def missing_proof(application):
        raise ReviewError("请上传身份证正面")

    recorder = KindRecorder(name="checked", before_submit=missing_proof).register()
    try:
        application = make_application(kind="checked", status=Status.DRAFT)
        with pytest.raises(ReviewError, match="请上传身份证正面"):
            services.submit(application=application, actor=application.applicant)
    finally:
        recorder.unregister()

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.submitted_at is None


def test_resubmitting_extends_the_due_date_by_the_working_days_spent_returned(test_kind, jiangan_reviewer):
    with time_machine.travel("2026-09-07 09:00 +0800", tick=False):  # Monday
        application = make_application(status=Status.PENDING)
        assert application.due_date == date(2026, 9, 14)
    with time_machine.travel("2026-09-09 15:00 +0800", tick=False):  # Wednesday
        return_(application, jiangan_reviewer)
    with time_machine.travel("2026-09-14 08:30 +0800", tick=False):  # the next Monday
        services.submit(application=application, actor=application.applicant)

    application.refresh_from_db()
    # Returned after Wednesday: Thursday, Friday and Monday were the applicant's, not the reviewer's.
    assert application.due_date == date(2026, 9, 17)
    assert application.events.last().event_type == EventType.RESUBMITTED
    assert application.submitted_at.date() == date(2026, 9, 7)
    assert timezone.localtime(application.last_submitted_at).date() == date(2026, 9, 14)


def test_resubmitting_the_same_day_keeps_the_due_date(test_kind, jiangan_reviewer):
    #    December 2026         submitted Wednesday the 9th; 5 working days: Thu 10, Fri 11,
    # Mo Tu We Th Fr Sa Su     Mon 14, Tue 15, Wed 16 (no holiday in between)
    #  7  8  9 10 11 12 13
    # 14 15 16 17 18 19 20
    with time_machine.travel("2026-12-09 10:00 +0800", tick=False):
        application = make_application(status=Status.PENDING)
        return_(application, jiangan_reviewer)

        services.submit(application=application, actor=application.applicant)

    assert application.due_date == date(2026, 12, 16)


def test_submitting_refreshes_the_applicants_name_and_id_for_the_inbox(test_kind):
    application = make_application(status=Status.DRAFT)
    applicant = application.applicant
    applicant.full_name = "改名后"
    applicant.save()

    services.submit(application=application, actor=applicant)

    application.refresh_from_db()
    assert application.applicant_name == "改名后"


def test_syncing_the_applicant_snapshot_updates_every_application(test_kind):
    application = make_application(status=Status.APPROVED)
    applicant = application.applicant
    applicant.full_name = "新名字"
    applicant.save()

    assert services.sync_applicant_snapshot(applicant=applicant) == 1

    application.refresh_from_db()
    assert application.applicant_name == "新名字"


# --------------------------------------------------------------------------- approve


def test_approving_applies_the_payload_records_everything_and_sends_one_sms_after_commit(
    test_kind, jiangan_reviewer, django_capture_on_commit_callbacks
):
    application = make_application(status=Status.PENDING)
    version = application.version

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve(application, jiangan_reviewer)
        assert backends.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.version == version + 1
    assert application.decided_by == jiangan_reviewer
    assert application.decided_at is not None
    assert test_kind.applied == [application.pk]
    event = application.events.last()
    assert (event.event_type, event.actor, event.actor_unit) == (EventType.APPROVED, jiangan_reviewer, "江岸区")
    audit = AuditEvent.objects.get(action="reviews.approve")
    assert audit.result == "success" and audit.object_id == str(application.pk)
    assert audit.detail["applicant"] == mask_id_number(application.applicant.id_number)
    assert application.applicant.id_number not in str(audit.detail)
    assert backends.outbox == [(application.applicant.phone, "【湖北省会计人员管理系统】您的测试申请已审核通过。")]
    assert Notification.objects.get().status == Notification.Status.SENT


def test_approving_a_stale_version_of_a_pending_application_is_refused_as_changed(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)
    stale = application.version - 1
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        services.approve(application=application, actor=jiangan_reviewer, expected_version=stale)

    assert str(refused.value) == "该申请在您打开后已有变化，请重新查看后再审核"
    assert refused.value.code == "version_moved"
    assert unchanged(application) == before
    assert test_kind.applied == []
    assert AuditEvent.objects.filter(action="reviews.approve", result="failure").count() == 1


def test_a_second_decision_on_the_same_page_is_told_it_was_already_decided(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)
    seen_by_both = Application.objects.get(pk=application.pk)
    other = reviewer_for("420102")
    approve(application, jiangan_reviewer)

    with pytest.raises(ReviewError, match="该申请已被其他审核人处理"):
        services.return_for_changes(
            application=seen_by_both, actor=other, expected_version=seen_by_both.version, reason="x"
        )

    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    assert test_kind.applied == [application.pk]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.DRAFT, "您无权审核该申请"),  # a draft is nobody's to see yet
        (Status.WITHDRAWN, "申请人已撤回该申请"),
        (Status.RETURNED, "该申请已被其他审核人处理"),
        (Status.APPROVED, "该申请已被其他审核人处理"),
    ],
)
def test_only_a_pending_application_can_be_decided(test_kind, jiangan_reviewer, status, message):
    application = make_application(status=status, reviewer=jiangan_reviewer)
    before = unchanged(application)

    for decide in (lambda: approve(application, jiangan_reviewer), lambda: return_(application, jiangan_reviewer)):
        with pytest.raises(ReviewError) as refused:
            decide()
        assert str(refused.value) == message
    assert unchanged(application) == before


def test_a_reviewer_of_another_county_cannot_decide(test_kind):
    application = make_application(status=Status.PENDING, unit_code="420102")
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        approve(application, reviewer_for("420103"))

    assert str(refused.value) == "您无权审核该申请"
    assert unchanged(application) == before


def test_a_city_reviewer_oversees_a_county_application_but_the_county_decides(test_kind):
    application = make_application(status=Status.PENDING, unit_code="420102")
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        approve(application, reviewer_for("420100"))

    assert str(refused.value) == "该申请由江岸区审核，您只能查看，不能审核"
    assert unchanged(application) == before


def test_a_system_administrator_does_not_review(test_kind):
    application = make_application(status=Status.PENDING, unit_code="420000")

    with pytest.raises(ReviewError):
        approve(application, reviewer_for("420000", role=StaffRole.SYSTEM_ADMIN))

    approve(application, reviewer_for("420000", role=StaffRole.UNIT_ADMIN))
    assert application.status == Status.APPROVED


def test_an_accountant_cannot_decide_even_their_own_application(test_kind):
    application = make_application(status=Status.PENDING)

    with pytest.raises(ReviewError):
        approve(application, application.applicant)

    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_apply_raising_rolls_back_status_event_audit_and_notification(
    test_kind, jiangan_reviewer, django_capture_on_commit_callbacks
):
    application = make_application(status=Status.PENDING)
    before = unchanged(application)
    audit_rows = AuditEvent.objects.count()
    test_kind.fail_with = RuntimeError("disk full")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        approve(application, jiangan_reviewer)

    assert callbacks == []
    assert unchanged(application) == before
    assert AuditEvent.objects.count() == audit_rows
    assert backends.outbox == []
    assert application.status == Status.PENDING  # the caller's instance is left as it was


def test_apply_refusing_with_a_review_error_shows_its_message_and_changes_nothing(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)
    before = unchanged(application)
    test_kind.fail_with = ReviewError("该人员已有审核通过的记录")

    with pytest.raises(ReviewError, match="该人员已有审核通过的记录"):
        approve(application, jiangan_reviewer)

    assert unchanged(application) == before
    assert not AuditEvent.objects.filter(action="reviews.approve", result="success").exists()
    assert AuditEvent.objects.filter(action="reviews.approve", result="failure").count() == 1


def test_an_applicant_without_a_phone_gets_no_sms_but_the_decision_stands(test_kind, jiangan_reviewer):
    applicant = ApplicantFactory(phone="")
    application = make_application(applicant=applicant, status=Status.PENDING)

    approve(application, jiangan_reviewer)

    assert application.status == Status.APPROVED
    assert not Notification.objects.exists()


# --------------------------------------------------------------------------- return


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_returning_needs_a_reason(test_kind, jiangan_reviewer, reason):
    application = make_application(status=Status.PENDING)
    before = unchanged(application)

    with pytest.raises(ReviewError) as refused:
        return_(application, jiangan_reviewer, reason=reason)

    assert str(refused.value) == "请填写退回原因"
    assert unchanged(application) == before


def test_a_return_reason_has_a_length_limit(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)

    with pytest.raises(ReviewError, match="300"):
        return_(application, jiangan_reviewer, reason="长" * 301)

    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_returning_stops_the_clock_keeps_the_reason_and_tells_the_applicant(
    test_kind, jiangan_reviewer, django_capture_on_commit_callbacks
):
    application = make_application(status=Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        return_(application, jiangan_reviewer, reason="  学历证书  不清晰 ")

    application.refresh_from_db()
    assert application.status == Status.RETURNED
    assert application.return_reason == "学历证书 不清晰"
    assert application.returned_at is not None
    event = application.events.last()
    assert (event.event_type, event.reason) == (EventType.RETURNED, "学历证书 不清晰")
    assert backends.outbox == [
        (
            application.applicant.phone,
            "【湖北省会计人员管理系统】您的测试申请已退回，原因：学历证书 不清晰。请登录系统修改后重新提交。",
        )
    ]
    assert test_kind.applied == []


def test_each_decision_is_notified_once_even_after_a_resubmission(
    test_kind, jiangan_reviewer, django_capture_on_commit_callbacks
):
    application = make_application(status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        return_(application, jiangan_reviewer, reason="请补充材料")
        services.submit(application=application, actor=application.applicant)
        return_(application, jiangan_reviewer, reason="请补充材料")
        services.submit(application=application, actor=application.applicant)
        approve(application, jiangan_reviewer)

    assert [text for _, text in backends.outbox] == [
        "【湖北省会计人员管理系统】您的测试申请已退回，原因：请补充材料。请登录系统修改后重新提交。",
        "【湖北省会计人员管理系统】您的测试申请已退回，原因：请补充材料。请登录系统修改后重新提交。",
        "【湖北省会计人员管理系统】您的测试申请已审核通过。",
    ]
    assert Notification.objects.count() == 3


# --------------------------------------------------------------------------- withdraw and unit


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PENDING, Status.RETURNED])
def test_the_applicant_may_withdraw_an_open_application(test_kind, status):
    application = make_application(status=status)

    services.withdraw(application=application, actor=application.applicant)

    assert application.status == Status.WITHDRAWN
    assert application.events.last().event_type == EventType.WITHDRAWN


def test_an_approved_application_cannot_be_withdrawn(test_kind):
    application = make_application(status=Status.APPROVED)

    with pytest.raises(ReviewError, match="不能撤回"):
        services.withdraw(application=application, actor=application.applicant)

    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_nobody_else_may_withdraw_an_application(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)

    for actor in (ApplicantFactory(), jiangan_reviewer):
        with pytest.raises(ReviewError):
            services.withdraw(application=application, actor=actor)

    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_a_returned_application_can_move_to_another_unit(test_kind, jiangan_reviewer):
    application = make_application(status=Status.RETURNED, reviewer=jiangan_reviewer)
    jianghan = review_unit("420103")

    services.set_unit(application=application, unit=jianghan, actor=application.applicant)

    application.refresh_from_db()
    assert application.unit == jianghan
    assert application.events.last().event_type == EventType.UNIT_CHANGED
    assert counters() == recount()


def test_a_pending_application_keeps_its_unit(test_kind):
    application = make_application(status=Status.PENDING)

    with pytest.raises(ReviewError, match="草稿或已退回"):
        services.set_unit(application=application, unit=review_unit("420103"))

    assert Application.objects.get(pk=application.pk).unit.code == "420102"


# --------------------------------------------------------------------------- summary counters


def test_summary_counts_follow_every_transition(test_kind, jiangan_reviewer):
    jiangan = review_unit("420102")
    application = make_application(status=Status.DRAFT)

    def count(status):
        row = StatusCount.objects.filter(unit=jiangan, kind="testkind", status=status).first()
        return row.count if row else 0

    assert (count(Status.DRAFT), count(Status.PENDING)) == (0, 0)  # drafts are nobody's work yet
    services.submit(application=application, actor=application.applicant)
    assert count(Status.PENDING) == 1
    return_(application, jiangan_reviewer)
    assert (count(Status.PENDING), count(Status.RETURNED)) == (0, 1)
    services.submit(application=application, actor=application.applicant)
    assert (count(Status.PENDING), count(Status.RETURNED)) == (1, 0)
    approve(application, jiangan_reviewer)
    assert (count(Status.PENDING), count(Status.APPROVED)) == (0, 1)
    other = make_application(status=Status.PENDING)
    services.withdraw(application=other, actor=other.applicant)
    assert (count(Status.PENDING), count(Status.WITHDRAWN)) == (0, 1)
    assert counters() == recount()


def test_a_withdrawn_draft_is_not_counted(test_kind):
    application = make_application(status=Status.DRAFT)

    services.withdraw(application=application, actor=application.applicant)

    assert counters() == recount() == {}
