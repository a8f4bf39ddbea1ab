"""What a reviewer and an applicant see after a return, a resubmission and a bulk approval, pinned
where mutation testing (make mutation) found the other tests silent."""

from datetime import date

import pytest
import time_machine

from audit.models import AuditEvent
from reviews import services
from reviews.constants import BULK_APPROVE_MAX, EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.services import ReviewError

from .factories import make_application, review_unit, reviewer_for

pytestmark = pytest.mark.django_db

#    December 2026
# Mo Tu We Th Fr Sa Su
#     1  2  3  4  5  6
#  7  8  9 10 11 12 13
# 14 15 16 17 18 19 20
# 21 22 23 24 25 26 27      (no holiday in December 2026)


def return_(application, reviewer):
    return services.return_for_changes(
        application=application, actor=reviewer, expected_version=application.version, reason="照片不清晰"
    )


def test_a_returned_application_names_the_reviewer_who_returned_it(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)

    returned = return_(application, jiangan_reviewer)

    assert returned.decided_by == jiangan_reviewer
    stored = Application.objects.get(pk=application.pk)
    assert stored.decided_by == jiangan_reviewer
    event = ReviewEvent.objects.get(application=application, event_type=EventType.RETURNED)
    assert event.actor == jiangan_reviewer
    assert event.actor_name == jiangan_reviewer.display_name
    assert event.actor_is_staff is True


def test_an_approved_application_names_the_reviewer_who_approved_it(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)

    approved = services.approve(application=application, actor=jiangan_reviewer, expected_version=application.version)

    assert approved.decided_by == jiangan_reviewer
    assert Application.objects.get(pk=application.pk).decided_by == jiangan_reviewer
    assert ReviewEvent.objects.get(application=application, event_type=EventType.APPROVED).actor == jiangan_reviewer


@pytest.mark.parametrize(
    ("resubmitted", "due"),
    [
        # Returned Wednesday the 9th; due Monday the 14th. Each working day the applicant kept it moves the due date.
        ("2026-12-09 17:00", date(2026, 12, 14)),  # the same day: nothing spent
        ("2026-12-10 09:00", date(2026, 12, 15)),  # Thursday: 1 working day (Thu) -> Tuesday the 15th
        ("2026-12-11 09:00", date(2026, 12, 16)),  # Friday: 2 (Thu, Fri) -> Wednesday the 16th
        ("2026-12-12 09:00", date(2026, 12, 16)),  # Saturday: still 2, the weekend is nobody's
        ("2026-12-14 09:00", date(2026, 12, 17)),  # Monday: 3 (Thu, Fri, Mon) -> Thursday the 17th
    ],
)
def test_resubmitting_moves_the_due_date_by_each_working_day_spent_returned(
    test_kind, jiangan_reviewer, resubmitted, due
):
    with time_machine.travel("2026-12-07 09:00 +0800", tick=False):  # Monday: due 5 working days later
        application = make_application(status=Status.PENDING)
        assert application.due_date == date(2026, 12, 14)
    with time_machine.travel("2026-12-09 10:00 +0800", tick=False):
        return_(application, jiangan_reviewer)
    with time_machine.travel(f"{resubmitted} +0800", tick=False):
        services.submit(application=application, actor=application.applicant)

    assert Application.objects.get(pk=application.pk).due_date == due


def test_exactly_the_most_a_bulk_approval_takes_is_accepted(bulk_kind, jiangan_reviewer):
    application = make_application(kind="bulkkind", status=Status.PENDING)
    # The one real application plus ids that do not exist: BULK_APPROVE_MAX distinct ids in all.
    selections = [(application.pk, application.version)] + [(application.pk + n, 1) for n in range(1, BULK_APPROVE_MAX)]

    outcomes = services.approve_many(selections=selections, actor=jiangan_reviewer)

    assert len(outcomes) == BULK_APPROVE_MAX
    assert outcomes[0].approved and Application.objects.get(pk=application.pk).status == Status.APPROVED
    assert {outcome.code for outcome in outcomes[1:]} == {"not_found"}


def test_one_more_than_the_most_is_refused_whole(bulk_kind, jiangan_reviewer):
    application = make_application(kind="bulkkind", status=Status.PENDING)
    selections = [(application.pk, application.version)] + [
        (application.pk + n, 1) for n in range(1, BULK_APPROVE_MAX + 1)
    ]

    with pytest.raises(ReviewError) as refused:
        services.approve_many(selections=selections, actor=jiangan_reviewer)

    assert refused.value.code == "too_many"
    assert str(BULK_APPROVE_MAX) in str(refused.value)
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


@pytest.mark.parametrize(
    ("reason", "code", "message"),
    [
        ("", "reason_required", "请填写退回原因"),
        ("   ", "reason_required", "请填写退回原因"),
        (
            "照片\x00不清晰",
            "reason_invalid_character",
            "“退回原因说明”含有不可见的控制字符（第3个字符处），请删除后重新输入。",
        ),
        ("一" * 301, "reason_too_long", "退回原因最多300个字"),
    ],
)
def test_a_refused_return_reason_says_why_in_chinese(reason, code, message):
    with pytest.raises(ReviewError) as caught:
        services.clean_return_reason(reason)
    assert (caught.value.code, str(caught.value)) == (code, message)


def test_a_return_reason_of_exactly_the_maximum_length_is_kept():
    assert services.clean_return_reason(" " + "一" * 300 + " ") == "一" * 300


def test_a_staff_member_opening_an_application_leaves_an_audit_row(test_kind, rf):
    application = make_application(unit_code="420102")
    reviewer = reviewer_for("420102")
    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    request.user = reviewer
    services.record_staff_view(application=application, request=request)
    row = AuditEvent.objects.get(action="reviews.view")
    assert (row.actor_id, row.object_id, row.ip, row.result) == (
        reviewer.pk,
        str(application.pk),
        "192.0.2.44",
        AuditEvent.Result.SUCCESS,
    )
    assert row.detail["kind"] == application.kind


def test_choosing_a_drafts_unit_is_audited_with_the_old_and_new_unit(test_kind, rf):
    application = make_application(status=Status.DRAFT, unit_code="420102")
    request = rf.get("/", REMOTE_ADDR="192.0.2.45")
    version = application.version
    moved = services.set_unit(application=application, unit=review_unit("420103"), request=request)
    assert (moved.unit.code, moved.version) == ("420103", version + 1)
    assert Application.objects.get(pk=application.pk).version == version + 1
    row = AuditEvent.objects.get(action="reviews.set_unit")
    assert (row.actor_id, row.ip, row.result) == (application.applicant_id, "192.0.2.45", AuditEvent.Result.SUCCESS)
    assert row.detail["reason"] == f"{review_unit('420102').name} → {review_unit('420103').name}"
    # Part of filling the draft in: audited, but no move between units in the history.
    assert not ReviewEvent.objects.filter(application=application, event_type=EventType.UNIT_CHANGED).exists()


@pytest.mark.parametrize(
    ("status", "active", "code", "message"),
    [
        (Status.PENDING, True, "not_editable", "只有草稿或已退回的申请可以更换审核单位"),
        (Status.DRAFT, False, "unit_inactive", "该审核单位已不再受理申请，请选择其他审核单位"),
    ],
)
def test_a_refused_unit_change_says_why_and_is_audited(test_kind, rf, status, active, code, message):
    application = make_application(status=status, unit_code="420102")
    target = review_unit("420103")
    target.is_active = active
    target.save(update_fields=["is_active"])
    request = rf.get("/", REMOTE_ADDR="192.0.2.46")
    with pytest.raises(ReviewError) as caught:
        services.set_unit(application=application, unit=target, actor=application.applicant, request=request)
    assert (caught.value.code, str(caught.value)) == (code, message)
    row = AuditEvent.objects.get(action="reviews.set_unit")
    assert (row.actor_id, row.ip, row.result) == (application.applicant_id, "192.0.2.46", AuditEvent.Result.FAILURE)
