"""The trail each transition leaves — its review event and its audit row, whole — and what a refusal
says and leaves, pinned where mutation testing (make mutation) found the other tests silent.

The request of every call here carries an anonymous user: the actor of a row must come from the
service, never from the request it happened to be given."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection
from django.utils import translation
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from core.masking import mask_id_number
from notifications.models import Notification
from reviews import services
from reviews.constants import EventType, Status
from reviews.models import Application, ReviewEvent, StatusCount
from reviews.services import ReviewError

from .factories import ApplicantFactory, KindRecorder, make_application, review_unit, reviewer_for

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Wuhan


def last_event(application) -> ReviewEvent:
    return ReviewEvent.objects.filter(application_id=application.pk).latest("id")


def audit_row(action, application) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, object_id=str(application.pk)).latest("id")


def assert_trail(application, *, action, event_type, from_status, to_status, actor, ip, reason="", **audit_extra):
    """The application's last review event and its `action` audit row are exactly these, whole (the
    audit row keeps the reason too, when there is one)."""
    event = last_event(application)
    assert {
        "event_type": event.event_type,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "version": event.version,
        "reason": event.reason,
        "ip": event.ip,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_unit": event.actor_unit,
        "actor_is_staff": event.actor_is_staff,
    } == {
        "event_type": event_type,
        "from_status": from_status,
        "to_status": to_status,
        "version": application.version,
        "reason": reason,
        "ip": ip,
        "actor_id": actor.pk,
        "actor_name": actor.display_name,
        "actor_unit": actor.unit.name if actor.unit_id else "",
        "actor_is_staff": actor.is_staff_member,
    }
    row = audit_row(action, application)
    stored = Application.objects.get(pk=application.pk)
    assert (row.result, row.actor_id, row.ip, row.detail) == (
        AuditEvent.Result.SUCCESS,
        actor.pk,
        ip,
        {
            "kind": stored.kind,
            "applicant": mask_id_number(stored.applicant_id_number),
            "status": stored.status,
            "version": stored.version,
            **audit_extra,
            **({"reason": reason} if reason else {}),
        },
    )
    return event


# --------------------------------------------------------------------------- what each transition leaves


def test_starting_an_application_leaves_its_creation_and_an_audit_row(test_kind, request_from):
    applicant = ApplicantFactory()

    application = services.start_application(
        kind="testkind", applicant=applicant, unit=review_unit("420102"), request=request_from("192.0.2.10")
    )

    assert_trail(
        application,
        action="reviews.start",
        event_type=EventType.CREATED,
        from_status="",
        to_status=Status.DRAFT,
        actor=applicant,
        ip="192.0.2.10",
    )


@pytest.mark.parametrize(
    ("start", "event_type"), [(Status.DRAFT, EventType.SUBMITTED), (Status.RETURNED, EventType.RESUBMITTED)]
)
def test_a_submission_is_the_applicants_event_and_audit_row(test_kind, request_from, start, event_type):
    application = make_application(status=start)

    services.submit(application=application, actor=application.applicant, request=request_from("192.0.2.11"))

    assert_trail(
        application,
        action="reviews.submit",
        event_type=event_type,
        from_status=start,
        to_status=Status.PENDING,
        actor=application.applicant,
        ip="192.0.2.11",
        **{"from": start},
    )


def test_a_withdrawal_is_the_applicants_event_and_audit_row(test_kind, request_from):
    application = make_application(status=Status.PENDING)

    services.withdraw(application=application, actor=application.applicant, request=request_from("192.0.2.12"))

    assert_trail(
        application,
        action="reviews.withdraw",
        event_type=EventType.WITHDRAWN,
        from_status=Status.PENDING,
        to_status=Status.WITHDRAWN,
        actor=application.applicant,
        ip="192.0.2.12",
        **{"from": Status.PENDING},
    )


def test_an_approval_is_the_reviewers_event_and_audit_row_with_the_time_of_the_decision(
    test_kind, jiangan_reviewer, request_from, time_machine
):
    application = make_application(status=Status.PENDING)
    time_machine.move_to(NOON, tick=False)

    services.approve(
        application=application,
        actor=jiangan_reviewer,
        expected_version=application.version,
        request=request_from("192.0.2.13"),
    )

    assert_trail(
        application,
        action="reviews.approve",
        event_type=EventType.APPROVED,
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
        actor=jiangan_reviewer,
        ip="192.0.2.13",
        **{"from": Status.PENDING},
    )
    stored = Application.objects.get(pk=application.pk)
    assert (stored.decided_at, stored.decided_by_id) == (NOON, jiangan_reviewer.pk)


@pytest.fixture
def snapshot_kind():
    """A kind whose snapshot reads the application, as the real kinds' do."""
    recorder = KindRecorder(
        name="snapkind", snapshot=lambda application: {"姓名": application.applicant_name, "版本": application.version}
    ).register()
    yield recorder
    recorder.unregister()


def test_a_return_is_the_reviewers_event_with_reason_and_snapshot_and_its_audit_row(
    snapshot_kind, jiangan_reviewer, request_from, time_machine
):
    application = make_application(kind="snapkind", status=Status.PENDING)
    time_machine.move_to(NOON, tick=False)

    services.return_for_changes(
        application=application,
        actor=jiangan_reviewer,
        expected_version=application.version,
        reason="  照片 不清晰 ",
        request=request_from("192.0.2.14"),
    )

    event = assert_trail(
        application,
        action="reviews.return",
        event_type=EventType.RETURNED,
        from_status=Status.PENDING,
        to_status=Status.RETURNED,
        actor=jiangan_reviewer,
        ip="192.0.2.14",
        reason="照片 不清晰",
        **{"from": Status.PENDING},
    )
    # What was returned, as the reviewer saw it (taken before the return's own version).
    seen = {"姓名": application.applicant_name, "版本": application.version - 1}
    assert event.snapshot == {"data": seen, "proofs": []}
    stored = Application.objects.get(pk=application.pk)
    assert (stored.returned_at, stored.decided_at, stored.decided_by_id) == (NOON, NOON, jiangan_reviewer.pk)


def test_moving_a_returned_application_to_another_unit_is_the_applicants_event(test_kind, request_from):
    application = make_application(status=Status.RETURNED, unit_code="420102")
    moved = f"{review_unit('420102').name} → {review_unit('420103').name}"

    services.set_unit(application=application, unit=review_unit("420103"), request=request_from("192.0.2.15"))

    assert_trail(
        application,
        action="reviews.set_unit",
        event_type=EventType.UNIT_CHANGED,
        from_status=Status.RETURNED,
        to_status=Status.RETURNED,
        actor=application.applicant,
        ip="192.0.2.15",
        reason=moved,
        **{"from": Status.RETURNED},
    )


def test_a_staff_member_without_a_name_is_named_by_username_cut_to_the_column(test_kind, request_from):
    application = make_application(status=Status.PENDING)
    reviewer = reviewer_for("420102", full_name="", username="r" * 120)

    services.approve(application=application, actor=reviewer, expected_version=application.version)

    assert last_event(application).actor_name == "r" * 100


# --------------------------------------------------------------------------- what a refusal says and leaves


def refusal(action, application, actor, ip, request_from, call):
    """Run `call(request)`, which must be refused; return (code, message, audit fields of the refusal)."""
    with pytest.raises(ReviewError) as caught:
        call(request_from(ip))
    row = audit_row(action, application)
    assert (row.result, row.actor_id, row.ip) == (AuditEvent.Result.FAILURE, actor.pk if actor else None, ip)
    assert row.detail["reason"] == str(caught.value)
    assert caught.value.args == (caught.value.message,)
    return caught.value.code, str(caught.value)


def submit_and_withdraw_refusals(application, actor, request_from):
    """What refusing `actor` a submission, then a withdrawal, of `application` said."""
    return tuple(
        refusal(
            f"reviews.{action.__name__}",
            application,
            actor,
            ip,
            request_from,
            lambda request, action=action: action(application=application, actor=actor, request=request),
        )
        for action, ip in ((services.submit, "192.0.2.20"), (services.withdraw, "192.0.2.21"))
    )


def test_only_the_applicant_may_submit_or_withdraw(test_kind, request_from):
    application = make_application(status=Status.DRAFT)

    submitted, withdrawn = submit_and_withdraw_refusals(application, ApplicantFactory(), request_from)

    assert submitted == withdrawn == ("not_applicant", "只有申请人本人可以进行此操作")
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_a_decided_application_can_be_neither_submitted_nor_withdrawn(test_kind, request_from):
    application = make_application(status=Status.APPROVED)

    submitted, withdrawn = submit_and_withdraw_refusals(application, application.applicant, request_from)

    assert submitted == ("cannot_submit", "状态为“审核通过”的申请不能提交")
    assert withdrawn == ("cannot_withdraw", "状态为“审核通过”的申请不能撤回")


def test_a_draft_whose_unit_closed_meanwhile_cannot_be_submitted(test_kind, request_from):
    application = make_application(status=Status.DRAFT, unit_code="420103")
    unit = review_unit("420103")
    unit.is_active = False
    unit.save(update_fields=["is_active"])
    applicant = application.applicant

    assert refusal(
        "reviews.submit",
        application,
        applicant,
        "192.0.2.24",
        request_from,
        lambda request: services.submit(application=application, actor=applicant, request=request),
    ) == ("unit_inactive", "该审核单位已不再受理申请，请选择其他审核单位")
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_a_closed_unit_takes_no_new_application(test_kind):
    unit = review_unit("420103")
    unit.is_active = False
    unit.save(update_fields=["is_active"])

    with pytest.raises(ReviewError) as caught:
        services.start_application(kind="testkind", applicant=ApplicantFactory(), unit=unit)

    assert (caught.value.code, str(caught.value)) == ("unit_inactive", "该审核单位已不再受理申请，请选择其他审核单位")
    assert not Application.objects.exists()


@pytest.mark.parametrize("action", ["approve", "return"])
def test_a_reviewer_of_another_county_may_not_decide(test_kind, request_from, action):
    application = make_application(status=Status.PENDING, unit_code="420102")
    outsider = reviewer_for("420103")
    audit_action = {"approve": "reviews.approve", "return": "reviews.return"}[action]

    def decide(request):
        if action == "approve":
            return services.approve(
                application=application, actor=outsider, expected_version=application.version, request=request
            )
        return services.return_for_changes(
            application=application,
            actor=outsider,
            expected_version=application.version,
            reason="照片不清晰",
            request=request,
        )

    assert refusal(audit_action, application, outsider, "192.0.2.25", request_from, decide) == (
        "not_allowed",
        "您无权审核该申请",
    )
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_a_long_refusal_from_a_kind_is_audited_cut_to_200_characters(request_from):
    words = "缺少证明材料" * 50  # 300 characters
    refusing = KindRecorder(name="refusing", before_submit=lambda application: _refuse(words)).register()
    try:
        draft = make_application(kind="refusing", status=Status.DRAFT)
        with pytest.raises(ReviewError):
            services.submit(application=draft, actor=draft.applicant, request=request_from("192.0.2.26"))
    finally:
        refusing.unregister()

    assert audit_row("reviews.submit", draft).detail["reason"] == words[:200]


def _refuse(message):
    raise ReviewError(message, code="missing_proof")


def test_the_kinds_check_before_submission_sees_the_application(request_from):
    seen = []
    checking = KindRecorder(name="checking", before_submit=lambda application: seen.append(application.pk)).register()
    try:
        draft = make_application(kind="checking", status=Status.DRAFT)
        services.submit(application=draft, actor=draft.applicant)
    finally:
        checking.unregister()

    assert seen == [draft.pk]


# --------------------------------------------------------------------------- starting, and the caller's instance


def test_an_application_can_be_started_with_the_kind_itself(test_kind):
    application = services.start_application(
        kind=test_kind.kind, applicant=ApplicantFactory(), unit=review_unit("420102")
    )
    assert (application.kind, application.status) == ("testkind", Status.DRAFT)


@pytest.fixture
def other_kind():
    recorder = KindRecorder(name="otherkind", label="另一种申请").register()
    yield recorder
    recorder.unregister()


def test_an_open_application_of_another_kind_is_not_taken_for_this_one(test_kind, other_kind):
    applicant = ApplicantFactory()
    other = services.start_application(kind="otherkind", applicant=applicant, unit=review_unit("420102"))

    mine = services.start_application(kind="testkind", applicant=applicant, unit=review_unit("420102"))

    assert mine.pk != other.pk and mine.kind == "testkind"


def test_starting_again_returns_the_open_application_with_its_unit_in_one_query(test_kind, django_assert_num_queries):
    application = make_application(status=Status.RETURNED)

    with django_assert_num_queries(1):
        again = services.start_application(kind="testkind", applicant=application.applicant, unit=application.unit)
        assert (again.pk, again.unit.code) == (application.pk, "420102")


def test_a_database_refusal_of_a_new_draft_is_not_hidden(request_from):
    """A kind that allows many drafts: an insert the database refuses is raised, not answered with
    another open draft of the applicant."""
    many = KindRecorder(name="manykind", exclusive=False).register()
    try:
        first = make_application(kind="manykind", status=Status.DRAFT)

        def refuse_the_insert(execute, sql, params, many_, context):
            if sql.startswith('INSERT INTO "reviews_application"'):
                raise IntegrityError("refused by the database")
            return execute(sql, params, many_, context)

        with connection.execute_wrapper(refuse_the_insert), pytest.raises(IntegrityError):
            services.start_application(kind="manykind", applicant=first.applicant, unit=review_unit("420102"))
    finally:
        many.unregister()


def test_the_callers_instance_keeps_what_it_had_loaded(test_kind, jiangan_reviewer, django_assert_num_queries):
    application = make_application(status=Status.PENDING)
    assert application.unit.code == "420102"  # loaded by the caller

    services.approve(application=application, actor=jiangan_reviewer, expected_version=application.version)

    with django_assert_num_queries(0):
        assert application.unit.code == "420102"


def test_the_callers_stale_instance_shows_the_unit_moved_to_through_another(test_kind):
    application = make_application(status=Status.RETURNED, unit_code="420102")
    assert application.unit.code == "420102"  # loaded, then moved through another instance
    other = Application.objects.get(pk=application.pk)
    services.set_unit(application=other, unit=review_unit("420103"), actor=application.applicant)

    services.withdraw(application=application, actor=application.applicant)

    assert (application.unit_id, application.unit.code) == (review_unit("420103").pk, "420103")


def test_a_counter_row_created_meanwhile_by_another_transaction_is_added_to(test_kind):
    """The first submission of a unit and kind finds no counter row; another transaction creates it
    between this one's UPDATE and its INSERT (the INSERT then fails on the unique constraint)."""
    application = make_application(status=Status.DRAFT, unit_code="420103")
    key = {"unit_id": application.unit_id, "kind": "testkind", "status": Status.PENDING}
    created = []

    def another_transaction_creates_the_row(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not created and sql.startswith('UPDATE "reviews_statuscount"') and context["cursor"].rowcount == 0:
            created.append(True)
            StatusCount.objects.create(**key, count=5)  # 5 counted by the other transaction
        return result

    with connection.execute_wrapper(another_transaction_creates_the_row):
        services.submit(application=application, actor=application.applicant)

    assert created and StatusCount.objects.get(**key).count == 6


# --------------------------------------------------------------------------- the decision's SMS


def test_the_sms_names_the_kind_in_chinese_whatever_the_reviewers_language(jiangan_reviewer):
    labelled = KindRecorder(name="labelled", label=gettext_lazy("Pending review")).register()
    try:
        application = make_application(kind="labelled", status=Status.PENDING)
        with translation.override("en"):
            services.approve(application=application, actor=jiangan_reviewer, expected_version=application.version)
    finally:
        labelled.unregister()

    sms = Notification.objects.get(dedupe_key=f"reviews:{application.pk}:v{application.version}:approved")
    assert sms.params == {"label": "待审核"}


def test_a_long_return_reason_is_kept_whole_in_the_history_and_cut_to_200_in_the_audit_row(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)
    reason = "照片不清晰" * 60  # 300 characters: the most a reason may have

    services.return_for_changes(
        application=application, actor=jiangan_reviewer, expected_version=application.version, reason=reason
    )

    assert last_event(application).reason == reason
    assert audit_row("reviews.return", application).detail["reason"] == reason[:200]


@pytest.mark.parametrize(("given", "approved"), [("text", True), (None, False), ("abc", False), ("next", False)])
def test_the_version_seen_may_come_as_text_and_anything_else_is_not_it(test_kind, jiangan_reviewer, given, approved):
    application = make_application(status=Status.PENDING)
    expected = {"text": str(application.version), "next": str(application.version + 1)}.get(given, given)

    if approved:
        services.approve(application=application, actor=jiangan_reviewer, expected_version=expected)
    else:
        with pytest.raises(ReviewError) as caught:
            services.approve(application=application, actor=jiangan_reviewer, expected_version=expected)
        assert (caught.value.code, str(caught.value)) == (
            "version_moved",
            "该申请在您打开后已有变化，请重新查看后再审核",
        )

    assert Application.objects.get(pk=application.pk).status == (Status.APPROVED if approved else Status.PENDING)


def test_a_changed_name_and_id_number_are_copied_onto_every_application(test_kind):
    first = make_application(status=Status.APPROVED)
    applicant = first.applicant
    second = make_application(status=Status.DRAFT, applicant=ApplicantFactory(full_name="别人"))
    applicant.full_name, applicant.id_number = "新名字", "429004198512314563"
    applicant.save(update_fields=["full_name", "id_number"])

    assert services.sync_applicant_snapshot(applicant=applicant) == 1

    assert Application.objects.filter(pk=first.pk).values_list("applicant_name", "applicant_id_number").get() == (
        "新名字",
        "429004198512314563",
    )
    assert Application.objects.get(pk=second.pk).applicant_name == "别人"
