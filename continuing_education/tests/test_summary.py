"""The yearly summary: approved credits of the year only, the 专业科目 share, the 90 and 2/3 boundaries."""

import datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from continuing_education.constants import Subject
from continuing_education.models import AnnualRequirement, CreditRecord
from continuing_education.selectors import Requirement, requirement_for, summarize, year_summary, yearly_credits
from reviews.constants import Status
from reviews.models import Application

from .factories import collected_accountant, public_item, record, reviewer_of

NATIONAL = Requirement(90, Fraction(2, 3))
STATUSES = [Status.PENDING, Status.RETURNED, Status.APPROVED, Status.WITHDRAWN]


def fake(year, status, credits, subject=Subject.PROFESSIONAL, proposed=None):
    """An unsaved record with its envelope, as summarize() reads it."""
    row = CreditRecord(year=year, credits=credits, subject=subject, proposed_credits=proposed)
    row.application = Application(status=status)
    return row


fake_records = st.lists(
    st.builds(
        fake,
        year=st.sampled_from([2024, 2025, 2026]),
        status=st.sampled_from(STATUSES),
        credits=st.integers(min_value=1, max_value=300),
        subject=st.sampled_from(list(Subject)),
    ),
    max_size=25,
)


# --------------------------------------------------------------------------- the pure rule


@given(records=fake_records, year=st.sampled_from([2024, 2025, 2026]))
def test_total_and_share_are_never_wrong_for_any_set_of_records(records, year):
    summary = summarize(records, year=year, requirement=NATIONAL)
    approved = [r for r in records if r.year == year and r.application.status == Status.APPROVED]
    total = sum(r.credits for r in approved)
    professional = sum(r.credits for r in approved if r.subject == Subject.PROFESSIONAL)
    pending = [r for r in records if r.year == year and r.application.status == Status.PENDING]

    assert summary.approved_credits == total
    assert summary.professional_credits == professional
    assert summary.public_credits == total - professional
    assert summary.pending_credits == sum(r.credits for r in pending)
    assert summary.pending_records == len(pending)
    if total:
        assert summary.professional_share == Fraction(professional, total)
        assert summary.meets_share == (3 * professional >= 2 * total)
    else:
        assert summary.professional_share is None and not summary.meets_share
    assert summary.meets_total == (total >= 90)
    assert summary.meets == (total >= 90 and 3 * professional >= 2 * total)
    assert 0 <= summary.total_percent <= 100 and 0 <= summary.share_percent <= 100
    # The missing figures bring the year to the requirement, never past what is needed.
    assert summary.missing_credits == max(0, 90 - total)
    after = professional + summary.missing_professional
    assert 3 * after >= 2 * max(total, 90)
    assert summary.missing_professional == 0 or 3 * (after - 1) < 2 * max(total, 90)


@given(records=fake_records)
def test_records_of_other_years_never_count(records):
    this_year = [r for r in records if r.year == 2026]
    assert summarize(records, year=2026, requirement=NATIONAL) == summarize(this_year, year=2026, requirement=NATIONAL)


@pytest.mark.parametrize(("credits", "meets"), [(89, False), (90, True), (91, True)])
def test_the_ninety_credit_boundary(credits, meets):
    summary = summarize([fake(2026, Status.APPROVED, credits)], year=2026, requirement=NATIONAL)
    assert summary.meets_total is meets
    assert summary.meets is meets


@pytest.mark.parametrize(
    ("professional", "public", "meets"),
    [(60, 30, True), (59, 31, False), (61, 29, True), (120, 60, True), (119, 61, False), (200, 101, False)],
)
def test_the_two_thirds_boundary_of_professional_subjects(professional, public, meets):
    records = [fake(2026, Status.APPROVED, professional), fake(2026, Status.APPROVED, public, Subject.PUBLIC)]
    summary = summarize(records, year=2026, requirement=NATIONAL)
    assert summary.meets_total
    assert summary.meets_share is meets
    assert summary.meets is meets


def test_pending_item_fourteen_records_count_their_proposal_as_pending():
    summary = summarize([fake(2026, Status.PENDING, None, proposed=40)], year=2026, requirement=NATIONAL)
    assert (summary.approved_credits, summary.pending_credits, summary.pending_records) == (0, 40, 1)


# --------------------------------------------------------------------------- the requirement as data


@pytest.mark.django_db
def test_the_requirement_is_data_that_administrators_change_from_a_year_on():
    assert requirement_for(2026) == Requirement(90, Fraction(2, 3))
    AnnualRequirement.objects.create(from_year=2027, min_credits=72, share_numerator=3, share_denominator=5)
    assert requirement_for(2026) == Requirement(90, Fraction(2, 3))
    assert requirement_for(2030) == Requirement(72, Fraction(3, 5))


@pytest.mark.django_db
def test_without_any_requirement_row_the_national_rule_applies():
    AnnualRequirement.objects.all().delete()
    assert requirement_for(2026) == Requirement(90, Fraction(2, 3))


# --------------------------------------------------------------------------- from the database


@pytest.mark.django_db
def test_the_database_boundaries_89_90_and_just_under_and_over_two_thirds(units):
    reviewer = reviewer_of()

    def year_of(*settled):
        person = collected_accountant()
        for credits, chosen in settled:
            record(person, chosen, status=Status.APPROVED, reviewer=reviewer, settle=credits, proposed_credits=credits)
        return year_summary(person, 2026)

    public = public_item()
    assert not year_of((89, 14)).meets
    assert year_of((90, 14)).meets
    assert year_of((60, 14), (30, public)).meets
    assert not year_of((59, 14), (31, public)).meets
    assert year_of((61, 14), (29, public)).meets


@pytest.mark.django_db
def test_pending_returned_and_withdrawn_records_are_ignored_in_approved_totals(units, settings):
    settings.CE_LATE_ENTRY_UNTIL = (12, 31)  # last year open too, to file a record of 2025
    person = collected_accountant()
    reviewer = reviewer_of()
    record(person, 1, status=Status.APPROVED, reviewer=reviewer)
    record(person, 10, status=Status.PENDING)
    record(person, 2, status=Status.RETURNED, reviewer=reviewer)
    record(person, 3, status=Status.WITHDRAWN)

    record(person, 4, status=Status.APPROVED, reviewer=reviewer, year=2025, start_date=datetime.date(2025, 8, 8))

    summary = year_summary(person, 2026)
    assert (summary.approved_credits, summary.pending_credits, summary.pending_records) == (90, 30, 1)
    assert year_summary(person, 2025).approved_credits == 90
    assert year_summary(person, 2024).approved_credits == 0


ITEM_CHOICES = st.sampled_from([1, 6, 10, 11, 14, "public"])


@pytest.mark.django_db
@settings(max_examples=12, deadline=None)
@given(
    rows=st.lists(
        st.tuples(ITEM_CHOICES, st.sampled_from(STATUSES), st.sampled_from([2025, 2026]), st.integers(1, 90)),
        min_size=1,
        max_size=5,
    )
)
def test_the_summary_from_the_database_matches_the_records_and_the_yearly_rows(units, settings, rows):
    settings.CE_LATE_ENTRY_UNTIL = (12, 31)

    person = collected_accountant()
    reviewer = reviewer_of()
    expected = {2025: [0, 0], 2026: [0, 0]}
    for chosen, status, year, credits in rows:
        chosen = public_item() if chosen == "public" else chosen
        extra = {"days": 2, "start_date": datetime.date(year, 5, 1), "end_date": datetime.date(year, 5, 2)}
        filed = record(
            person,
            chosen,
            status=status,
            reviewer=reviewer,
            year=year,
            settle=credits,
            proposed_credits=credits,
            **extra,
        )
        if status == Status.APPROVED:
            expected[year][0] += filed.credits
            if filed.subject == Subject.PROFESSIONAL:
                expected[year][1] += filed.credits
    for year, (total, professional) in expected.items():
        summary = year_summary(person, year)
        assert (summary.approved_credits, summary.professional_credits) == (total, professional)
        row = yearly_credits(person, year)
        kept = (row.approved_credits, row.professional_credits) if row else (0, 0)
        assert kept == (total, professional)
