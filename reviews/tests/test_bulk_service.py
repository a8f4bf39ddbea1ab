"""`services.approve_many`: several approvals in one transaction, each with its own checks, event,
audit row and SMS, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from notifications import backends
from notifications.models import Notification
from reviews import services
from reviews.constants import BULK_APPROVE_MAX, EventType, Status
from reviews.models import Application, ReviewEvent
from reviews.registry import allows_bulk_approve
from reviews.scope import reviewer_unit_ids
from reviews.services import ReviewError

from .factories import KindRecorder, counters, make_application, pending, recount, reviewer_for, seen

pytestmark = pytest.mark.django_db


def state(application) -> tuple:
    row = Application.objects.get(pk=application.pk)
    return (row.status, row.version, row.unit_id, ReviewEvent.objects.filter(application=row).count())


def by_id(outcomes) -> dict:
    return {outcome.application_id: outcome for outcome in outcomes}


def test_only_kinds_that_opt_in_may_be_approved_in_bulk(bulk_kind, test_kind):
    assert allows_bulk_approve("bulkkind") is True
    assert allows_bulk_approve("testkind") is False  # the default
    assert allows_bulk_approve("no-such-kind") is False


def test_each_selected_application_gets_its_own_event_audit_row_and_sms(
    bulk_kind, jiangan_reviewer, django_capture_on_commit_callbacks
):
    applications = pending(3)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcomes = services.approve_many(selections=seen(*applications), actor=jiangan_reviewer)

    assert [(o.application_id, o.approved, o.code) for o in outcomes] == [
        (a.pk, True, "approved") for a in applications
    ]
    assert len(callbacks) == 1  # one callback after the batch's commit dispatches the three SMS
    assert bulk_kind.applied == [a.pk for a in applications]
    for application in applications:
        row = Application.objects.get(pk=application.pk)
        assert (row.status, row.decided_by) == (Status.APPROVED, jiangan_reviewer)
        approvals = ReviewEvent.objects.filter(application=row, event_type=EventType.APPROVED)
        assert [(e.actor, e.version) for e in approvals] == [(jiangan_reviewer, row.version)]
        audit = AuditEvent.objects.filter(action="reviews.approve", object_id=str(row.pk))
        assert [a.result for a in audit] == ["success"]
        assert Notification.objects.filter(dedupe_key=f"reviews:{row.pk}:v{row.version}:approved").count() == 1
    assert sorted(backends.outbox) == sorted(
        (a.applicant.phone, "【湖北省会计人员管理系统】您的批量测试申请已审核通过。") for a in applications
    )
    assert counters() == recount()


@pytest.mark.django_db(transaction=True)
def test_the_batch_commits_once_and_every_sms_leaves_after_that_commit(bulk_kind, jiangan_reviewer):
    first, second = pending(2)
    sent_during_the_batch = []
    bulk_kind.during_apply = lambda application: sent_during_the_batch.append(list(backends.outbox))

    outcomes = services.approve_many(selections=seen(first, second), actor=jiangan_reviewer)

    assert [o.approved for o in outcomes] == [True, True]
    assert sent_during_the_batch == [[], []]  # nothing leaves before the batch is committed
    assert sorted(backends.outbox) == sorted(
        (a.applicant.phone, "【湖北省会计人员管理系统】您的批量测试申请已审核通过。") for a in (first, second)
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.fixture
def batch_kind():
    """A bulk kind with `apply_many`: refuses the ids in `refuse`, breaks the database on `break_db`."""
    calls: list[list[int]] = []
    refuse: set[int] = set()
    break_db = []

    def apply_many(applications):
        calls.append([a.pk for a in applications])
        assert all(a.status == Status.APPROVED for a in applications)  # the instances carry the decision
        if break_db:
            # A real database error in the middle of the batch: a second counter row for the same key.
            from reviews.models import StatusCount

            row = StatusCount.objects.first()
            StatusCount.objects.create(unit_id=row.unit_id, kind=row.kind, status=row.status, count=1)
        return {a.pk: ReviewError("学分未核定", code="not_settled") for a in applications if a.pk in refuse}

    recorder = KindRecorder(name="batchkind", label="批量核定申请", bulk_approve=True, apply_many=apply_many).register()
    recorder.calls, recorder.refuse, recorder.break_db = calls, refuse, break_db
    yield recorder
    recorder.unregister()


def test_apply_many_gets_the_checked_applications_once_and_its_refusals_are_reported(batch_kind, jiangan_reviewer):
    first, refused, last = pending(3, kind="batchkind")
    decided = pending(1, kind="batchkind")[0]
    page = seen(first, refused, decided, last)
    services.approve(application=decided, actor=reviewer_for("420102"), expected_version=decided.version)
    batch_kind.refuse.add(refused.pk)
    before = state(refused)

    outcomes = by_id(services.approve_many(selections=page, actor=jiangan_reviewer))

    assert batch_kind.calls == [[first.pk, refused.pk, last.pk]]  # the decided one never reaches the kind
    assert batch_kind.applied == [decided.pk]  # only the single approval used `apply`
    assert {pk: o.code for pk, o in outcomes.items()} == {
        first.pk: "approved",
        refused.pk: "not_settled",
        decided.pk: "already_decided",
        last.pk: "approved",
    }
    assert state(refused) == before
    assert str(outcomes[refused.pk].message) == "学分未核定"
    audit = AuditEvent.objects.get(action="reviews.approve", object_id=str(refused.pk))
    assert (audit.result, audit.detail["reason"], audit.detail["status"]) == ("failure", "学分未核定", "pending")
    assert not Notification.objects.filter(dedupe_key__startswith=f"reviews:{refused.pk}:").exists()
    assert counters() == recount()


def test_a_database_error_rolls_the_whole_batch_back_and_each_application_is_reported(
    batch_kind, jiangan_reviewer, caplog
):
    make_application(kind="batchkind", status=Status.APPROVED, reviewer=jiangan_reviewer)  # a counter row
    applications = pending(3, kind="batchkind")
    foreign = pending(1, kind="batchkind", unit_code="420103")[0]
    before = {a.pk: state(a) for a in (*applications, foreign)}
    audit_rows, outbox_rows = AuditEvent.objects.count(), Notification.objects.count()
    batch_kind.break_db.append(True)

    outcomes = services.approve_many(selections=seen(*applications, foreign), actor=jiangan_reviewer)

    assert [(o.application_id, o.code) for o in outcomes] == [
        *((a.pk, "error") for a in applications),
        (foreign.pk, "not_found"),
    ]
    assert "系统未能处理该申请，未作任何更改" in str(outcomes[0].message)
    assert [o.application.applicant_name for o in outcomes[:3]] == [a.applicant_name for a in applications]
    assert {a.pk: state(a) for a in (*applications, foreign)} == before
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (audit_rows, outbox_rows)
    assert counters() == recount()
    assert "bulk approval of 4 applications failed; nothing was approved" in caplog.text


def test_a_refusal_in_the_middle_rolls_back_only_that_application(bulk_kind, jiangan_reviewer):
    first, middle, last = pending(3)

    def refuse_the_middle(application):
        if application.pk == middle.pk:
            raise ReviewError("缺少继续教育证明材料", code="missing_proof")

    bulk_kind.during_apply = refuse_the_middle
    before = state(middle)

    outcomes = by_id(services.approve_many(selections=seen(first, middle, last), actor=jiangan_reviewer))

    assert [outcomes[a.pk].approved for a in (first, middle, last)] == [True, False, True]
    assert (outcomes[middle.pk].code, str(outcomes[middle.pk].message)) == ("missing_proof", "缺少继续教育证明材料")
    assert state(middle) == before
    assert not Notification.objects.filter(dedupe_key__startswith=f"reviews:{middle.pk}:").exists()
    assert AuditEvent.objects.get(action="reviews.approve", object_id=str(middle.pk)).result == "failure"
    assert Application.objects.get(pk=last.pk).status == Status.APPROVED
    assert counters() == recount()


def test_an_unexpected_fault_in_one_application_is_reported_and_the_others_go_on(bulk_kind, jiangan_reviewer, caplog):
    first, broken, last = pending(3)

    def crash_on_broken(application):
        if application.pk == broken.pk:
            raise RuntimeError("disk full")

    bulk_kind.during_apply = crash_on_broken
    before = state(broken)

    outcomes = by_id(services.approve_many(selections=seen(first, broken, last), actor=jiangan_reviewer))

    assert (outcomes[broken.pk].approved, outcomes[broken.pk].code) == (False, "error")
    assert "系统未能处理该申请，未作任何更改" in str(outcomes[broken.pk].message)
    assert state(broken) == before
    assert outcomes[first.pk].approved and outcomes[last.pk].approved
    assert f"bulk approval of application {broken.pk} failed" in caplog.text


def test_decided_withdrawn_and_changed_applications_are_refused_each_with_its_reason(bulk_kind, jiangan_reviewer):
    decided, withdrawn, changed, fine = pending(4)
    colleague = reviewer_for("420102")
    page = seen(decided, withdrawn, changed, fine)  # what the reviewer's inbox showed
    services.approve(application=decided, actor=colleague, expected_version=decided.version)
    services.withdraw(application=withdrawn, actor=withdrawn.applicant)
    services.return_for_changes(application=changed, actor=colleague, expected_version=changed.version, reason="补充")
    services.submit(application=changed, actor=changed.applicant)  # pending again, at a newer version

    outcomes = by_id(services.approve_many(selections=page, actor=jiangan_reviewer))

    assert {pk: (o.code, str(o.message)) for pk, o in outcomes.items() if not o.approved} == {
        decided.pk: ("already_decided", "该申请已被其他审核人处理"),
        withdrawn.pk: ("withdrawn", "申请人已撤回该申请"),
        changed.pk: ("version_moved", "该申请在您打开后已有变化，请重新查看后再审核"),
    }
    assert outcomes[fine.pk].approved
    assert Application.objects.get(pk=changed.pk).status == Status.PENDING
    assert bulk_kind.applied == [decided.pk, fine.pk]  # the colleague's approval, then ours


def test_ids_outside_the_scope_are_reported_exactly_like_missing_ones_and_change_nothing(bulk_kind, jiangan_reviewer):
    own = pending(1)[0]
    foreign = pending(1, unit_code="420103")[0]  # 江汉区
    draft = make_application(kind="bulkkind", status=Status.DRAFT)  # never visible to a reviewer
    before = {a.pk: state(a) for a in (foreign, draft)}
    audit_rows = AuditEvent.objects.count()

    outcomes = services.approve_many(
        selections=[(foreign.pk, foreign.version), (999999, 1), (draft.pk, draft.version), (own.pk, own.version)],
        actor=jiangan_reviewer,
    )

    refused = [(o.application, o.code, str(o.message)) for o in outcomes[:3]]
    assert refused == [(None, "not_found", "未找到该申请")] * 3
    assert {a.pk: state(a) for a in (foreign, draft)} == before
    assert outcomes[3].approved
    # Only the approval of our own application left audit rows; nothing names the foreign ids.
    assert set(AuditEvent.objects.all()[audit_rows:].values_list("object_id", flat=True)) == {str(own.pk)}


def test_a_city_reviewer_may_not_approve_a_county_application_in_bulk(bulk_kind):
    county = pending(1)[0]
    before = state(county)

    outcomes = services.approve_many(selections=seen(county), actor=reviewer_for("420100"))

    assert (outcomes[0].approved, outcomes[0].code) == (False, "not_decider")
    assert str(outcomes[0].message) == "该申请由江岸区审核，您只能查看，不能审核"
    assert state(county) == before


def test_a_kind_without_the_flag_is_refused_and_the_refusal_audited(bulk_kind, test_kind, jiangan_reviewer):
    one_by_one = pending(1, kind="testkind")[0]
    bulk = pending(1)[0]
    before = state(one_by_one)

    outcomes = by_id(services.approve_many(selections=seen(one_by_one, bulk), actor=jiangan_reviewer))

    assert (outcomes[one_by_one.pk].approved, outcomes[one_by_one.pk].code) == (False, "not_bulk")
    assert str(outcomes[one_by_one.pk].message) == "此类申请须逐件审核，不能批量通过，请打开该申请审核"
    assert state(one_by_one) == before
    assert test_kind.applied == []
    audit = AuditEvent.objects.get(action="reviews.approve", object_id=str(one_by_one.pk))
    assert (audit.result, audit.detail["reason"]) == ("failure", "此类申请须逐件审核，不能批量通过，请打开该申请审核")
    assert outcomes[bulk.pk].approved


def test_a_repeated_id_is_approved_once(bulk_kind, jiangan_reviewer):
    application = pending(1)[0]

    outcomes = services.approve_many(selections=[(application.pk, application.version)] * 3, actor=jiangan_reviewer)

    assert [(o.application_id, o.approved) for o in outcomes] == [(application.pk, True)]
    assert bulk_kind.applied == [application.pk]


def test_more_than_the_cap_is_refused_whole(bulk_kind, jiangan_reviewer):
    application = pending(1)[0]
    selections = [(application.pk, application.version)] + [(10_000_000 + n, 1) for n in range(BULK_APPROVE_MAX)]

    with pytest.raises(ReviewError) as refused:
        services.approve_many(selections=selections, actor=jiangan_reviewer)

    assert str(refused.value) == f"一次最多批量通过 {BULK_APPROVE_MAX} 项申请。"
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_an_empty_selection_does_nothing(jiangan_reviewer):
    with CaptureQueriesContext(connection) as queries:
        assert services.approve_many(selections=[], actor=jiangan_reviewer) == []
    assert queries.captured_queries == []


# The batch's savepoint and its release, the lock (the selection in scope), two counters, the
# envelopes' UPDATE, the events' INSERT, the audit rows' INSERT, the outbox (keys already queued, INSERT).
BATCH_QUERIES = 10


@pytest.mark.parametrize("count", [10, 20])
def test_a_kind_with_apply_many_costs_a_constant_number_of_queries(
    batch_kind, jiangan_reviewer, django_assert_num_queries, count
):
    make_application(kind="batchkind", status=Status.APPROVED, reviewer=jiangan_reviewer)  # counter rows exist
    batch = pending(count, kind="batchkind")
    reviewer_unit_ids(jiangan_reviewer)  # the scope is cached for the reviewer at work

    with django_assert_num_queries(BATCH_QUERIES):
        outcomes = services.approve_many(selections=seen(*batch), actor=jiangan_reviewer)

    assert [o.code for o in outcomes] == ["approved"] * count
    assert ReviewEvent.objects.filter(application__in=batch, event_type=EventType.APPROVED).count() == count
    assert (
        AuditEvent.objects.filter(action="reviews.approve", object_id__in=[str(a.pk) for a in batch]).count() == count
    )
    assert (
        Notification.objects.filter(dedupe_key__in=[f"reviews:{a.pk}:v{a.version + 1}:approved" for a in batch]).count()
        == count
    )
    assert counters() == recount()


@pytest.mark.parametrize("count", [10, 20])
def test_a_kind_without_apply_many_adds_only_a_savepoint_per_application(
    bulk_kind, jiangan_reviewer, django_assert_num_queries, count
):
    make_application(kind="bulkkind", status=Status.APPROVED, reviewer=jiangan_reviewer)  # counter rows exist
    batch = pending(count)
    reviewer_unit_ids(jiangan_reviewer)
    bulk_kind.applied.clear()

    # apply() of each application in its own savepoint (SAVEPOINT, RELEASE; this kind's apply reads nothing).
    with django_assert_num_queries(BATCH_QUERIES + 2 * count):
        outcomes = services.approve_many(selections=seen(*batch), actor=jiangan_reviewer)

    assert [o.code for o in outcomes] == ["approved"] * count
    assert bulk_kind.applied == [a.pk for a in batch]


# What may happen to each selected application between the page and the click.
FATES = st.sampled_from(["fine", "apply_refuses", "already_approved", "returned", "foreign", "missing", "not_bulk"])


@settings(max_examples=25, deadline=None)
@given(fates=st.lists(FATES, min_size=1, max_size=8))
def test_exactly_the_untouched_applications_are_approved_and_the_counters_stay_exact(
    bulk_kind, test_kind, jiangan_reviewer, fates
):
    from django.db import transaction

    bulk_kind.during_apply = None  # left over from the previous example
    with transaction.atomic():
        colleague = reviewer_for("420102")
        selections, expected = [], {}
        refusing = set()
        for fate in fates:
            if fate == "missing":
                pk = 50_000_000 + len(selections)
                selections.append((pk, 1))
                expected[pk] = "not_found"
                continue
            application = make_application(
                kind="testkind" if fate == "not_bulk" else "bulkkind",
                unit_code="420103" if fate == "foreign" else "420102",
                status=Status.PENDING,
            )
            selections.append((application.pk, application.version))
            if fate == "already_approved":
                services.approve(application=application, actor=colleague, expected_version=application.version)
            elif fate == "returned":
                services.return_for_changes(
                    application=application, actor=colleague, expected_version=application.version, reason="r"
                )
            elif fate == "apply_refuses":
                refusing.add(application.pk)
            expected[application.pk] = {
                "fine": "approved",
                "apply_refuses": "refused",
                "already_approved": "already_decided",
                "returned": "already_decided",
                "foreign": "not_found",
                "not_bulk": "not_bulk",
            }[fate]

        def apply(application):
            if application.pk in refusing:
                raise ReviewError("不符合要求")

        bulk_kind.during_apply = apply

        outcomes = services.approve_many(selections=selections, actor=jiangan_reviewer)

        assert {o.application_id: o.code for o in outcomes} == expected
        approved_now = {pk for pk, code in expected.items() if code == "approved"}
        assert {o.application_id for o in outcomes if o.approved} == approved_now
        assert (
            set(
                Application.objects.filter(pk__in=approved_now, decided_by=jiangan_reviewer).values_list(
                    "pk", flat=True
                )
            )
            == approved_now
        )
        assert counters() == recount()
        transaction.set_rollback(True)
