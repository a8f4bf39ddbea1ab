"""The inbox's "批量通过": checkboxes, the bulk view, its report, its guards and its cost."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from notifications import backends
from notifications.models import Notification
from reviews import services
from reviews.constants import BULK_APPROVE_MAX, Status
from reviews.models import Application, ReviewEvent

from .factories import ApplicantFactory, make_application, pending, review_unit, reviewer_for

pytestmark = pytest.mark.django_db

BULK_URL = reverse("reviews:bulk_approve")


def picks(*applications) -> list[str]:
    return [f"{a.pk}:{a.version}" for a in applications]


def state(application) -> tuple:
    row = Application.objects.get(pk=application.pk)
    return (
        row.status,
        row.version,
        row.unit_id,
        row.decided_by_id,
        ReviewEvent.objects.filter(application=row).count(),
    )


def outcome_rows(response) -> list[tuple[str, str]]:
    """(code, row text) of each row of the report, in order."""
    text = response.content.decode()
    rows = re.findall(r'<tr data-testid="bulk-outcome" data-code="(\w+)">(.*?)</tr>', text, flags=re.S)
    return [(code, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for code, body in rows]


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------- the inbox


def test_the_pending_tab_has_a_checkbox_for_each_bulk_application_and_a_confirmed_button(
    jiangan_client, bulk_kind, test_kind
):
    bulk = pending(2)
    one_by_one = pending(1, kind="testkind")[0]

    text = jiangan_client.get(reverse("reviews:inbox")).content.decode()

    assert sorted(re.findall(r'name="selected" value="([\d:]+)"', text)) == sorted(picks(*bulk))
    assert f'value="{one_by_one.pk}:' not in text
    form = re.search(rf'<form method="post" action="{re.escape(BULK_URL)}"[^>]*>', text)
    assert form is not None and "data-confirm=" in form.group(0)
    assert 'data-testid="bulk-approve"' in text and "批量通过" in text
    assert 'data-testid="select-all"' in text
    assert "<script>" not in text and 'style="' not in text


def test_the_htmx_results_block_carries_the_bulk_form_with_its_csrf_token(jiangan_client, bulk_kind):
    application = pending(1)[0]

    text = jiangan_client.get(
        reverse("reviews:inbox"), {"status": "pending"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert text.lstrip().startswith('<div id="inbox"')
    assert 'name="csrfmiddlewaretoken"' in text
    assert f'name="selected" value="{application.pk}:{application.version}"' in text


def test_no_checkboxes_on_other_tabs_nor_when_no_row_may_be_approved_in_bulk(jiangan_client, bulk_kind, test_kind):
    make_application(kind="bulkkind", status=Status.RETURNED)
    pending(1, kind="testkind")

    for params in ({"status": "pending"}, {"status": "returned"}, {"status": "approved"}):
        text = jiangan_client.get(reverse("reviews:inbox"), params).content.decode()
        assert 'name="selected"' not in text
        assert 'data-testid="bulk-approve"' not in text


def test_a_city_reviewer_sees_county_applications_without_checkboxes(bulk_kind, login_staff):
    pending(2)  # 江岸区: the county decides
    own = pending(1, unit_code="420100")[0]  # 武汉市市直: the city decides
    city = login_staff(Client(), reviewer_for("420100"))

    text = city.get(reverse("reviews:inbox")).content.decode()

    assert len(re.findall(r'data-testid="inbox-row"', text)) == 3
    assert re.findall(r'name="selected" value="([\d:]+)"', text) == picks(own)


def test_the_form_remembers_the_filters_to_return_to(jiangan_client, bulk_kind):
    pending(1, applicant=ApplicantFactory(full_name="张三"))

    text = jiangan_client.get(reverse("reviews:inbox"), {"kind": "bulkkind", "name": " 张三 "}).content.decode()

    back = re.search(r'name="back" value="([^"]*)"', text).group(1).replace("&amp;", "&")
    assert back == "?kind=bulkkind&name=+%E5%BC%A0%E4%B8%89+&status=pending"


# --------------------------------------------------------------------------- approving


def test_several_selected_applications_are_approved_and_each_is_reported(jiangan_client, bulk_kind, jiangan_reviewer):
    applications = [
        pending(1, applicant=ApplicantFactory(full_name=name, id_number=number))[0]
        for name, number in (("张三", "42010219900101123X"), ("李四", "420102199001011236"))
    ]

    response = jiangan_client.post(BULK_URL, {"selected": picks(*applications)})

    assert response.status_code == 200
    assert outcome_rows(response) == [
        ("approved", "张三 420***********123X 批量测试申请 审核通过"),
        ("approved", "李四 420***********1236 批量测试申请 审核通过"),
    ]
    text = response.content.decode()
    assert "已通过 2 项。" in text and "未通过" not in text
    assert "42010219900101123X" not in text  # masked
    for application in applications:
        assert Application.objects.get(pk=application.pk).status == Status.APPROVED
        assert AuditEvent.objects.filter(action="reviews.approve", object_id=str(application.pk)).count() == 1
        assert Notification.objects.filter(dedupe_key__startswith=f"reviews:{application.pk}:").count() == 1
    assert bulk_kind.applied == [a.pk for a in applications]


def test_a_refused_application_in_the_middle_is_reported_with_its_reason_and_the_others_are_approved(
    jiangan_client, bulk_kind, test_kind, login_staff
):
    first, decided, last = pending(3)
    one_by_one = pending(1, kind="testkind")[0]
    login_staff(Client(), colleague := reviewer_for("420102"))
    services.approve(application=decided, actor=colleague, expected_version=decided.version)
    page = picks(first, decided, one_by_one, last)  # the page was loaded before the colleague's approval

    response = jiangan_client.post(BULK_URL, {"selected": page})

    rows = outcome_rows(response)
    assert [code for code, _ in rows] == ["approved", "already_decided", "not_bulk", "approved"]
    assert "未通过 该申请已被其他审核人处理" in rows[1][1]
    assert "此类申请须逐件审核" in rows[2][1]
    assert "已通过 2 项。 未通过 2 项（原因见下表）。" in " ".join(response.content.decode().split())
    assert state(one_by_one)[0] == Status.PENDING
    assert Application.objects.get(pk=last.pk).status == Status.APPROVED


def test_ids_of_another_county_change_nothing_and_read_like_missing_ones(jiangan_client, bulk_kind):
    foreign = pending(1, unit_code="420103")[0]
    before = state(foreign)

    response = jiangan_client.post(BULK_URL, {"selected": [f"{foreign.pk}:{foreign.version}", "987654:1"]})

    assert response.status_code == 200
    assert outcome_rows(response) == [
        ("not_found", f"#{foreign.pk} — — 未通过 未找到该申请"),
        ("not_found", "#987654 — — 未通过 未找到该申请"),
    ]
    assert foreign.applicant_name not in response.content.decode()
    assert state(foreign) == before
    assert not AuditEvent.objects.filter(object_id=str(foreign.pk), action="reviews.approve").exists()


def test_extra_posted_fields_are_ignored(jiangan_client, bulk_kind, jiangan_reviewer):
    application = pending(1)[0]
    elsewhere = review_unit("420202")
    extra = {
        "status": Status.RETURNED,
        "unit": elsewhere.pk,
        "unit_id": elsewhere.pk,
        "decided_by": 1,
        "kind": "testkind",
        "version": 99,
        "reason": "x",
    }

    jiangan_client.post(BULK_URL, {"selected": picks(application), **extra})

    row = Application.objects.get(pk=application.pk)
    assert (row.status, row.unit.code, row.kind, row.decided_by) == (
        Status.APPROVED,
        "420102",
        "bulkkind",
        jiangan_reviewer,
    )
    assert row.return_reason == ""


@pytest.mark.django_db(transaction=True)
def test_the_batch_commits_on_its_own_even_with_atomic_requests(bulk_kind, login_staff, monkeypatch):
    first, second = pending(2)
    client = login_staff(Client(), reviewer_for("420102"))
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    during_apply = []
    bulk_kind.during_apply = lambda application: during_apply.append(
        (len(backends.outbox), len(connection.atomic_blocks))
    )

    response = client.post(BULK_URL, {"selected": picks(first, second)})

    assert [code for code, _ in outcome_rows(response)] == ["approved", "approved"]
    # Inside the batch's transaction and the apply's savepoint only (no request-wide transaction
    # around them), nothing sent yet; both SMS left once the batch committed.
    assert during_apply == [(0, 2), (0, 2)]
    assert len(backends.outbox) == 2


def test_a_repeated_pick_is_approved_once(jiangan_client, bulk_kind):
    application = pending(1)[0]

    response = jiangan_client.post(BULK_URL, {"selected": picks(application) * 2})

    assert [code for code, _ in outcome_rows(response)] == ["approved"]
    assert bulk_kind.applied == [application.pk]


# --------------------------------------------------------------------------- bad input


def test_approving_nothing_goes_back_to_the_same_list_with_a_message(jiangan_client, bulk_kind):
    response = jiangan_client.post(BULK_URL, {"back": "?kind=bulkkind&status=pending"})

    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:inbox") + "?kind=bulkkind&status=pending"
    assert flash(response) == ["请至少勾选一项要审核通过的申请。"]


@pytest.mark.parametrize("selected", [["abc"], ["12"], ["1:2:3"], ["-1:1"], ["1:x"]])
def test_a_mangled_selection_changes_nothing(jiangan_client, bulk_kind, selected):
    application = pending(1)[0]
    before = state(application)

    response = jiangan_client.post(BULK_URL, {"selected": [*picks(application), *selected]})

    assert response.status_code == 302
    assert flash(response) == ["页面已过期，请刷新待审核事项后重新勾选。"]
    assert state(application) == before


def test_more_than_the_cap_is_refused_whole_with_a_message(jiangan_client, bulk_kind):
    application = pending(1)[0]
    before = state(application)
    selected = picks(application) + [f"{10_000_000 + n}:1" for n in range(BULK_APPROVE_MAX)]

    response = jiangan_client.post(BULK_URL, {"selected": selected})

    assert flash(response) == [f"一次最多批量通过 {BULK_APPROVE_MAX} 项申请。"]
    assert state(application) == before


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example", "?a=<b>", "/admin/", "?x=1\nSet-Cookie:"])
def test_the_way_back_stays_on_the_inbox(jiangan_client, bulk_kind, back):
    response = jiangan_client.post(BULK_URL, {"back": back})

    assert response["Location"] == reverse("reviews:inbox")


# --------------------------------------------------------------------------- who may post


def test_anonymous_visitors_are_sent_to_the_staff_sign_in_and_nothing_changes(client, bulk_kind):
    application = pending(1)[0]

    response = client.post(BULK_URL, {"selected": picks(application)})

    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:staff_login"))
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_an_accountant_gets_404_even_for_their_own_application(client, bulk_kind):
    application = pending(1)[0]
    client.force_login(application.applicant)

    assert client.post(BULK_URL, {"selected": picks(application)}).status_code == 404
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_bulk_approval_is_post_only(jiangan_client, bulk_kind):
    application = pending(1)[0]

    assert jiangan_client.get(BULK_URL, {"selected": picks(application)}).status_code == 405
    assert Application.objects.get(pk=application.pk).status == Status.PENDING


def test_a_city_reviewer_posting_county_ids_is_refused_for_each(bulk_kind, login_staff):
    application = pending(1)[0]
    before = state(application)
    city = login_staff(Client(), reviewer_for("420100"))

    response = city.post(BULK_URL, {"selected": picks(application)})

    assert outcome_rows(response)[0][0] == "not_decider"
    assert "该申请由江岸区审核，您只能查看，不能审核" in response.content.decode()
    assert state(application) == before


# --------------------------------------------------------------------------- cost


# session, user + TOTP device + the reviewer's unit (one query, identity.otp_session: 5 → 3, issue #10),
# the application in scope (the reviewer is at work: the session's idle stamp is fresh, the scope
# cached). The bulk view finds its selection in scope with the batch's lock: one query less.
VIEW_OVERHEAD = 3
BULK_VIEW_OVERHEAD = 2
# approve(): its savepoint, the lock, the update, two counters, the event, the audit row, the
# applicant's phone, the SMS outbox row (get, savepoint, insert, release), the release.
APPROVE_QUERIES = 13
# approve_many(): its savepoint and release, the lock (with the scope, units and applicants), two
# counters, the envelopes' UPDATE, one INSERT each for events and audit rows, the outbox (keys, INSERT).
BATCH_QUERIES = 10
# This kind has no apply_many: apply() of each application runs in its own savepoint (2 queries).
PER_ITEM = 2


@pytest.mark.parametrize("count", [1, 4, 12])
def test_the_bulk_view_costs_a_constant_plus_a_savepoint_per_item(
    jiangan_client, bulk_kind, jiangan_reviewer, django_assert_num_queries, count
):
    make_application(kind="bulkkind", status=Status.APPROVED, reviewer=jiangan_reviewer)  # counter rows exist
    direct, single, *batch = pending(2 + count)
    jiangan_client.get(reverse("reviews:inbox"))  # a reviewer at work: session stamped, scope cached
    with CaptureQueriesContext(connection) as one_approval:
        services.approve(application=direct, actor=jiangan_reviewer, expected_version=direct.version)
    assert len(one_approval.captured_queries) == APPROVE_QUERIES

    with django_assert_num_queries(VIEW_OVERHEAD + APPROVE_QUERIES):
        response = jiangan_client.post(reverse("reviews:approve", args=[single.pk]), {"version": single.version})
    assert response.status_code == 302

    with django_assert_num_queries(BULK_VIEW_OVERHEAD + BATCH_QUERIES + count * PER_ITEM):
        response = jiangan_client.post(BULK_URL, {"selected": picks(*batch)})
    assert [code for code, _ in outcome_rows(response)] == ["approved"] * count
