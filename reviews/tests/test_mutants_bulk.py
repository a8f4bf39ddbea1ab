"""A bulk approval's outcomes, rows and log lines, whole, pinned where mutation testing (make
mutation) found the other tests silent."""

import logging
from datetime import UTC, datetime

import pytest
from django.db import OperationalError, connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from core.masking import mask_id_number
from reviews import services
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.services import ReviewError

from .factories import KindRecorder, make_application, pending, reviewer_for, seen

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Wuhan
FAILED = "系统未能处理该申请，未作任何更改，请打开该申请单独审核。"
NOT_FOUND = "未找到该申请"


def outcome_fields(outcome):
    application = outcome.application
    return (
        outcome.application_id,
        application.pk if application is not None else None,
        outcome.approved,
        outcome.code,
        str(outcome.message),
    )


def test_each_approval_has_the_reviewers_event_audit_row_and_decision(
    bulk_kind, jiangan_reviewer, request_from, time_machine
):
    first, second = pending(2)
    time_machine.move_to(NOON, tick=False)

    outcomes = services.approve_many(
        selections=seen(first, second), actor=jiangan_reviewer, request=request_from("192.0.2.30")
    )

    assert [outcome_fields(o) for o in outcomes] == [
        (first.pk, first.pk, True, "approved", ""),
        (second.pk, second.pk, True, "approved", ""),
    ]
    for application, outcome in zip((first, second), outcomes, strict=True):
        stored = Application.objects.get(pk=application.pk)
        assert (stored.status, stored.version, stored.decided_at, stored.decided_by_id) == (
            Status.APPROVED,
            application.version + 1,
            NOON,
            jiangan_reviewer.pk,
        )
        # The reported instance carries the decision as it was stored.
        shown = outcome.application
        assert (shown.status, shown.version, shown.decided_at, shown.decided_by_id) == (
            Status.APPROVED,
            stored.version,
            NOON,
            jiangan_reviewer.pk,
        )
        event = ReviewEvent.objects.get(application=application, event_type=EventType.APPROVED)
        assert (
            event.from_status,
            event.to_status,
            event.version,
            event.reason,
            event.ip,
            event.actor_id,
            event.actor_name,
            event.actor_unit,
            event.actor_is_staff,
        ) == (
            Status.PENDING,
            Status.APPROVED,
            stored.version,
            "",
            "192.0.2.30",
            jiangan_reviewer.pk,
            jiangan_reviewer.display_name,
            jiangan_reviewer.unit.name,
            True,
        )
        row = AuditEvent.objects.get(action="reviews.approve", object_id=str(application.pk))
        assert (row.result, row.actor_id, row.actor_name, row.ip, row.detail) == (
            AuditEvent.Result.SUCCESS,
            jiangan_reviewer.pk,
            jiangan_reviewer.display_name,
            "192.0.2.30",
            {
                "kind": "bulkkind",
                "applicant": mask_id_number(stored.applicant_id_number),
                "status": Status.APPROVED,
                "version": stored.version,
                "from": Status.PENDING,
            },
        )


def test_the_outcomes_carry_unit_and_applicant_without_more_queries(
    bulk_kind, jiangan_reviewer, django_assert_num_queries
):
    outcomes = services.approve_many(selections=seen(*pending(2)), actor=jiangan_reviewer)

    with django_assert_num_queries(0):
        assert [(o.application.unit.code, o.application.applicant.pk > 0) for o in outcomes] == [("420102", True)] * 2


def test_a_refusal_is_reported_with_its_application_and_audited_with_the_request(
    bulk_kind, jiangan_reviewer, request_from
):
    decided, fine = pending(2)
    page = seen(decided, fine)
    services.approve(application=decided, actor=reviewer_for("420102"), expected_version=decided.version)

    outcomes = services.approve_many(selections=page, actor=jiangan_reviewer, request=request_from("192.0.2.31"))

    assert [outcome_fields(o) for o in outcomes] == [
        (decided.pk, decided.pk, False, "already_decided", "该申请已被其他审核人处理"),
        (fine.pk, fine.pk, True, "approved", ""),
    ]
    row = AuditEvent.objects.get(action="reviews.approve", object_id=str(decided.pk), result="failure")
    assert (row.actor_id, row.ip, row.detail["reason"]) == (
        jiangan_reviewer.pk,
        "192.0.2.31",
        "该申请已被其他审核人处理",
    )


def test_an_id_nobody_can_see_is_reported_not_found_and_not_approved(bulk_kind, jiangan_reviewer):
    foreign = pending(1, unit_code="420103")[0]

    outcomes = services.approve_many(selections=seen(foreign), actor=jiangan_reviewer)

    assert [outcome_fields(o) for o in outcomes] == [(foreign.pk, None, False, "not_found", NOT_FOUND)]


def test_a_long_refusal_from_the_kind_is_audited_cut_to_200_characters(bulk_kind, jiangan_reviewer):
    (application,) = pending(1)
    words = "缺少证明材料" * 50  # 300 characters

    def refuse(_application):
        raise ReviewError(words, code="missing_proof")

    bulk_kind.during_apply = refuse
    outcomes = services.approve_many(selections=seen(application), actor=jiangan_reviewer)

    assert [outcome_fields(o) for o in outcomes] == [(application.pk, application.pk, False, "missing_proof", words)]
    row = AuditEvent.objects.get(action="reviews.approve", object_id=str(application.pk))
    assert row.detail["reason"] == words[:200]


def test_an_application_the_kind_refuses_is_reported_as_it_was_before_the_batch(bulk_kind, jiangan_reviewer):
    """A resubmitted application names the reviewer who returned it; the batch's undo restores that."""
    returner = reviewer_for("420102")
    application = make_application(kind="bulkkind", status=Status.RETURNED, reviewer=returner)
    services.submit(application=application, actor=application.applicant)
    stored = Application.objects.get(pk=application.pk)
    before = (stored.status, stored.version, stored.decided_at, stored.decided_by_id)

    def refuse(_application):
        raise ReviewError("学分未核定", code="not_settled")

    bulk_kind.during_apply = refuse
    (outcome,) = services.approve_many(selections=seen(stored), actor=jiangan_reviewer)

    shown = outcome.application
    assert (shown.status, shown.version, shown.decided_at, shown.decided_by_id) == before
    assert shown.decided_by == returner
    assert outcome_fields(outcome) == (application.pk, application.pk, False, "not_settled", "学分未核定")


def test_an_unexpected_fault_in_one_application_is_logged_with_its_traceback(bulk_kind, jiangan_reviewer, caplog):
    first, broken = pending(2)

    def crash_on_broken(application):
        if application.pk == broken.pk:
            raise RuntimeError("disk full")

    bulk_kind.during_apply = crash_on_broken
    with caplog.at_level(logging.ERROR, logger="reviews.services"):
        outcomes = services.approve_many(selections=seen(first, broken), actor=jiangan_reviewer)

    assert [outcome_fields(o) for o in outcomes] == [
        (first.pk, first.pk, True, "approved", ""),
        (broken.pk, broken.pk, False, "error", FAILED),
    ]
    (record,) = [r for r in caplog.records if r.name == "reviews.services"]
    assert record.getMessage() == f"bulk approval of application {broken.pk} failed"
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_a_city_reviewer_who_sees_but_may_not_decide_costs_no_query_per_application(bulk_kind):
    """Every application of the batch is known to be in the reviewer's scope: refusing it as
    "not yours to decide" asks nothing more of the database."""
    city = reviewer_for("420100")
    warm, one, three = pending(1), pending(1), pending(3)
    services.approve_many(selections=seen(*warm), actor=city)  # the scope's units, cached from here on

    with CaptureQueriesContext(connection) as for_one:
        first = services.approve_many(selections=seen(*one), actor=city)
    with CaptureQueriesContext(connection) as for_three:
        second = services.approve_many(selections=seen(*three), actor=city)

    assert {o.code for o in (*first, *second)} == {"not_decider"}
    assert len(for_three.captured_queries) == len(for_one.captured_queries)


# --------------------------------------------------------------------------- when the database fails


@pytest.fixture
def failing_kind():
    """A bulk kind whose apply_many loses the database connection (and notes it in `lost`)."""
    lost: list[bool] = []

    def apply_many(applications):
        lost.append(True)
        raise OperationalError("server closed the connection unexpectedly")

    recorder = KindRecorder(name="failkind", bulk_approve=True, apply_many=apply_many).register()
    recorder.lost = lost
    yield recorder
    recorder.unregister()


def test_after_a_failure_only_the_selection_is_read_back(failing_kind, jiangan_reviewer, caplog):
    selected = [make_application(kind="failkind", status=Status.PENDING) for _ in range(2)]
    others = [make_application(kind="failkind", status=Status.PENDING) for _ in range(3)]
    foreign = make_application(kind="failkind", status=Status.PENDING, unit_code="420103")
    loaded = []

    def note(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(note, sender=Application)
    try:
        with caplog.at_level(logging.ERROR, logger="reviews.services"):
            outcomes = services.approve_many(selections=seen(*selected, foreign), actor=jiangan_reviewer)
    finally:
        post_init.disconnect(note, sender=Application)

    assert [outcome_fields(o) for o in outcomes] == [
        *((a.pk, a.pk, False, "error", FAILED) for a in selected),
        (foreign.pk, None, False, "not_found", NOT_FOUND),
    ]
    assert not {a.pk for a in others} & set(loaded)  # never the reviewer's whole scope
    (record,) = [r for r in caplog.records if r.name == "reviews.services"]
    assert record.getMessage() == "bulk approval of 3 applications failed; nothing was approved"
    assert record.exc_info and record.exc_info[0] is OperationalError
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in selected])} == {Status.PENDING}


def test_when_the_database_stays_away_every_id_is_reported_alike(failing_kind, jiangan_reviewer, caplog):
    selected = [make_application(kind="failkind", status=Status.PENDING) for _ in range(2)]
    foreign = make_application(kind="failkind", status=Status.PENDING, unit_code="420103")

    def database_away(execute, sql, params, many, context):
        if failing_kind.lost:  # the connection lost in the batch does not come back
            raise OperationalError("could not connect to server")
        return execute(sql, params, many, context)

    with caplog.at_level(logging.WARNING, logger="reviews.services"), connection.execute_wrapper(database_away):
        outcomes = services.approve_many(selections=seen(*selected, foreign), actor=jiangan_reviewer)

    # Existence does not leak: a foreign id reads exactly like a selected one.
    assert [outcome_fields(o) for o in outcomes] == [(a.pk, None, False, "error", FAILED) for a in (*selected, foreign)]
    warning = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "reviews.services"]
    assert [r.getMessage() for r in warning] == ["bulk approval: could not read the selection back after the failure"]
    assert warning[0].exc_info and warning[0].exc_info[0] is OperationalError
