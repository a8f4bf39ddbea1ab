"""Every figure of the dashboard equals a recount from the raw tables, for a county, a city and the
province; the refresh is incremental and idempotent."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from continuing_education.models import YearlyCredits
from continuing_education.tests.factories import record as ce_record
from reports import statistics_refresh
from reports.dashboard_figures import build_dashboard, kind_choices, median_from_histogram
from reports.models import CeCompliance, DecisionCount, OpenCount, PeopleCount, SubmissionCount
from reports.statistics_refresh import refresh_statistics
from reports.tests import helpers
from reports.tests.helpers import CITY, COUNTY, EDUCATIONS, OTHER_CITY_COUNTY, PROVINCE, put_on_record
from reviews.constants import Status
from reviews.tests.factories import make_application, reviewer_for

pytestmark = pytest.mark.django_db

SCOPES = (COUNTY, CITY, PROVINCE)
STATUSES = (Status.DRAFT, Status.PENDING, Status.RETURNED, Status.APPROVED, Status.WITHDRAWN)

applications = st.lists(
    st.tuples(
        st.sampled_from(helpers.UNITS),
        st.sampled_from(STATUSES),
        st.integers(min_value=0, max_value=40),  # days ago
    ),
    max_size=8,
)
people = st.lists(
    st.tuples(
        st.sampled_from(helpers.UNITS),
        st.sampled_from(("初级", "中级", "高级", "")),
        st.sampled_from(("male", "female")),
        st.lists(st.sampled_from(EDUCATIONS), max_size=2),
        st.sampled_from(("出纳", "会计主管", "")),
    ),
    max_size=5,
)


def _rows(board, key):
    return {row[0]: row[1:] for row in board.table(key).rows}


def _staff(code):
    return reviewer_for(code)


def _check_progress(user, code):
    board = build_dashboard(user, unit_code=code)
    expected = helpers.recount_progress(code)
    _selected, groups, _group_of = helpers.scope_groups(code)
    rows = board.table("progress_units").rows
    assert [row[1:] for row in rows] == [expected[group.pk] for group in groups]


def _check_trend(user, code, kinds):
    board = build_dashboard(user, unit_code=code)
    expected = helpers.recount_weekly_submissions(code, [name for name, _label in kinds])
    table = board.table("trend_weeks")
    for row in table.rows:
        assert row[1 : 1 + len(kinds)] == [expected.get((row[0], name), 0) for name, _label in kinds]
    first_week = table.rows[0][0]
    assert sum(row[-1] for row in table.rows) == sum(n for (week, _k), n in expected.items() if week >= first_week)


def _check_people(user, code):
    board = build_dashboard(user, unit_code=code)
    per_group, values = helpers.recount_people(code)
    _selected, groups, _group_of = helpers.scope_groups(code)
    assert [row[1] for row in board.table("people_units").rows] == [per_group[group.pk] for group in groups]
    for dimension in ("qualification_level", "post", "unit_nature"):
        shown = {row[0]: row[1] for row in board.table(f"people_{dimension}").rows}
        assert shown == {value or "未填写": n for value, n in values[dimension].items()}
    education = {row[0]: row[1] for row in board.table("people_education").rows}
    assert education == {value or "未填写": n for value, n in values["education"].items()}
    sexes = {row[0]: row[1] for row in board.table("people_sex").rows}
    assert sexes == {{"male": "男", "female": "女"}[value]: n for value, n in values["sex"].items()}
    assert sum(row[1] for row in board.table("people_age").rows) == sum(per_group.values())


def _check_ce(user, code, year):
    board = build_dashboard(user, unit_code=code, year=year)
    expected = helpers.recount_ce(code, year)
    _selected, groups, _group_of = helpers.scope_groups(code)
    rows = board.table("ce_compliance").rows
    assert [(row[2], row[3]) for row in rows] == [tuple(expected[group.pk]) for group in groups]


def _check_workload(user, code):
    board = build_dashboard(user, unit_code=code)
    since = datetime.date.fromisoformat(board.table("workload_weeks").rows[0][0])
    expected = helpers.recount_decisions(code, since)
    total = board.table("workload_reviewers").total
    assert total[1] == sum(figures[0] for figures in expected.values())
    assert total[4] == sum(figures[1] for figures in expected.values())
    days = {}
    for figures in expected.values():
        for value in figures[2]:
            days[value] = days.get(value, 0) + 1
    assert total[3] == median_from_histogram(days)
    assert len(board.table("workload_reviewers").rows) == len(expected)


@settings(max_examples=6, phases=[Phase.explicit, Phase.generate])  # examples hit the database: no slow shrinking
@given(applications=applications, people=people)
def test_every_figure_equals_a_recount_for_each_scope(applications, people, testkind):
    now = timezone.now()
    for unit_code, status, days_ago in applications:
        with time_machine.travel(now - datetime.timedelta(days=days_ago), tick=True):
            make_application(unit_code=unit_code, status=status)
    for unit_code, level, sex, educations, post in people:
        put_on_record(unit_code, qualification_level=level, sex=sex, educations=educations, accounting_post=post)
    refresh_statistics()
    kinds = kind_choices()
    for code in SCOPES:
        user = _staff(code)
        _check_progress(user, code)
        _check_trend(user, code, kinds)
        _check_people(user, code)
        _check_workload(user, code)


def test_continuing_education_compliance_equals_a_recount(testkind):
    year = timezone.localdate().year
    compliant = put_on_record(COUNTY)
    ce_record(compliant, 1, status=Status.APPROVED)  # item 1: 90 专业科目 credits
    short = put_on_record(COUNTY)
    ce_record(short, 14, status=Status.APPROVED, settle=30)
    elsewhere = put_on_record(OTHER_CITY_COUNTY)
    ce_record(elsewhere, 1, status=Status.APPROVED)
    pending = put_on_record(CITY)
    ce_record(pending, 1, status=Status.PENDING)
    assert YearlyCredits.objects.count() == 3
    refresh_statistics()
    for code in SCOPES:
        _check_ce(_staff(code), code, year)
    county = build_dashboard(_staff(COUNTY), year=year).table("ce_compliance")
    assert county.rows[0][1:4] == [2, 2, 1]
    assert county.rows[0][5] == 50.0


def test_an_unchanged_unit_is_not_recomputed_and_a_second_run_changes_nothing(monkeypatch, testkind):
    monkeypatch.setattr(statistics_refresh, "OVERLAP", 0)
    put_on_record(COUNTY)
    put_on_record(OTHER_CITY_COUNTY)
    make_application(unit_code=COUNTY, status=Status.APPROVED)
    first = refresh_statistics()
    county, other = helpers.scope_groups(COUNTY)[0], helpers.scope_groups(OTHER_CITY_COUNTY)[0]
    assert {county.pk, other.pk} <= first.people_units

    snapshot = _aggregates()
    again = refresh_statistics()
    assert again.people_units == set() and again.periods == set() and again.decision_keys == set()
    assert _aggregates() == snapshot

    mover = put_on_record(CITY)
    helpers.move_record(mover, COUNTY)
    third = refresh_statistics()
    city = helpers.scope_groups(CITY)[0]
    assert third.people_units == {city.pk, county.pk}  # the old unit and the new one, not 黄石港区
    assert other.pk not in third.people_units
    per_group, _values = helpers.recount_people(PROVINCE)
    assert sum(per_group.values()) == 3
    _check_people(_staff(PROVINCE), PROVINCE)


def test_the_overlap_reads_recent_events_again_without_changing_a_figure(testkind):
    make_application(unit_code=COUNTY, status=Status.PENDING)
    put_on_record(COUNTY)
    refresh_statistics()
    snapshot = _aggregates()
    assert refresh_statistics().periods  # re-read (OVERLAP) ...
    assert _aggregates() == snapshot  # ... and recomputed to the same rows
    full = refresh_statistics(full=True)
    assert full.people_units and _aggregates() == snapshot


def test_overdue_and_drafts_follow_the_days_without_an_event(testkind):
    application = make_application(unit_code=COUNTY, status=Status.PENDING)
    make_application(unit_code=COUNTY, status=Status.DRAFT)
    refresh_statistics()
    assert list(OpenCount.objects.values_list("drafts", "overdue")) == [(1, 0)]
    later = datetime.datetime.combine(application.due_date + datetime.timedelta(days=3), datetime.time(12))
    with time_machine.travel(timezone.make_aware(later)):
        refresh_statistics()
        assert list(OpenCount.objects.values_list("drafts", "overdue")) == [(1, 1)]
        _check_progress(_staff(CITY), CITY)


def test_decisions_after_the_due_date_are_counted_late(testkind):
    reviewer = reviewer_for(COUNTY)
    on_time = make_application(unit_code=COUNTY, status=Status.PENDING)
    late = make_application(unit_code=COUNTY, status=Status.PENDING)
    from reviews import services

    services.approve(application=on_time, actor=reviewer, expected_version=on_time.version)
    decided = datetime.datetime.combine(late.due_date + datetime.timedelta(days=2), datetime.time(10))
    with time_machine.travel(timezone.make_aware(decided)):
        services.approve(application=late, actor=reviewer, expected_version=late.version)
        refresh_statistics()
        for code in SCOPES:
            _check_workload(_staff(code), code)
        rows = {row[0]: row for row in build_dashboard(_staff(COUNTY)).table("workload_reviewers").rows}
        assert rows[reviewer.display_name][1] == 2 and rows[reviewer.display_name][4] == 1


def test_median_from_histogram():
    assert median_from_histogram({}) is None
    assert median_from_histogram({3: 1}) == 3
    assert median_from_histogram({1: 1, 5: 1}) == 3
    assert median_from_histogram({0: 2, 4: 1}) == 0
    assert median_from_histogram({1: 1, 2: 2, 9: 1}) == 2


def _aggregates():
    return (
        sorted(SubmissionCount.objects.values_list("unit_id", "kind", "period", "start", "count")),
        sorted(OpenCount.objects.values_list("unit_id", "kind", "drafts", "overdue")),
        sorted(PeopleCount.objects.values_list("unit_id", "dimension", "value", "count")),
        sorted(CeCompliance.objects.values_list("unit_id", "year", "with_credits", "compliant", "credits")),
        sorted(DecisionCount.objects.values_list("reviewer_id", "unit_id", "week", "working_days", "late", "count")),
    )
