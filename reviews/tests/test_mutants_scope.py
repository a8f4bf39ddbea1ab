"""The reviewer scope for people who are not (or no longer) active reviewers, and proofs outside any
application: pinned where mutation testing (make mutation) found the other tests silent."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from regions.models import ReviewUnit
from regions.tests.factories import ReviewUnitFactory, unit
from reviews.scope import (
    get_application_for_reviewer,
    reviewer_unit_choices,
    reviewer_unit_ids,
    staff_may_view_application_document,
    units_for_reviewer,
)

from .factories import ApplicantFactory, make_application, review_unit, reviewer_for

pytestmark = pytest.mark.django_db


def test_an_active_reviewer_has_their_unit_and_those_below():
    city = review_unit("420100")
    ids = reviewer_unit_ids(reviewer_for("420100"))
    assert city.pk in ids and review_unit("420102").pk in ids
    assert review_unit("420202").pk not in ids


def test_a_deactivated_reviewer_has_no_unit_at_all():
    reviewer = reviewer_for("420100")
    reviewer.is_active = False
    reviewer.save()

    assert reviewer_unit_ids(reviewer) == []
    assert reviewer_unit_choices(reviewer) == []


def test_an_accountant_or_a_visitor_has_no_reviewer_unit():
    assert reviewer_unit_ids(ApplicantFactory()) == []
    assert reviewer_unit_ids(AnonymousUser()) == []
    assert reviewer_unit_ids(None) == []


def verified(user):
    user.is_verified = lambda: True  # the TOTP step done (django-otp sets this per request)
    return user


def test_a_proof_outside_any_application_is_refused_without_asking_the_database(django_assert_num_queries):
    reviewer = verified(reviewer_for("420102"))
    with django_assert_num_queries(0):
        assert staff_may_view_application_document(reviewer, SimpleNamespace(application_id=None)) is False


def test_a_deactivated_reviewer_may_not_open_a_proof_of_their_former_unit(test_kind, django_assert_num_queries):
    application = make_application(unit_code="420102")
    reviewer = verified(reviewer_for("420102"))
    proof = SimpleNamespace(application_id=application.pk)
    assert staff_may_view_application_document(reviewer, proof) is True

    reviewer.is_active = False
    with django_assert_num_queries(0):
        assert staff_may_view_application_document(reviewer, proof) is False


def test_the_inbox_unit_filter_offers_the_reviewers_units_in_path_order():
    city = review_unit("420100")
    expected = [(u.pk, u.name) for u in ReviewUnit.objects.filter(path__startswith=city.path).order_by("path")]
    assert len(expected) > 2
    assert reviewer_unit_choices(reviewer_for("420100")) == expected
    county = review_unit("420102")
    assert reviewer_unit_choices(reviewer_for("420102")) == [(county.pk, county.name)]
    assert [unit.pk for unit in units_for_reviewer(reviewer_for("420100")).order_by("path")] == [
        pk for pk, _name in expected
    ]
    assert not units_for_reviewer(ApplicantFactory()).exists()


def test_the_unit_filter_is_cached_for_an_hour(django_assert_num_queries):
    reviewer = reviewer_for("420100")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        choices = reviewer_unit_choices(reviewer)
        clock.shift(timedelta(minutes=59))
        with django_assert_num_queries(0):
            assert reviewer_unit_choices(reviewer) == choices
        clock.shift(timedelta(minutes=2))
        with django_assert_num_queries(1):
            assert reviewer_unit_choices(reviewer) == choices


def test_the_unit_filter_shows_a_new_unit_once_its_creation_commits(django_capture_on_commit_callbacks):
    reviewer = reviewer_for("420100")
    before = reviewer_unit_choices(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        zone = ReviewUnitFactory(name="东湖高新区", parent=unit("420100"))
    after = reviewer_unit_choices(reviewer)
    assert (zone.pk, "东湖高新区") in after
    assert len(after) == len(before) + 1


def test_a_user_like_object_without_the_staff_flag_is_not_staff():
    """A wrapped user passes for the user it wraps; an object that does not say it is staff never does."""
    county = review_unit("420102")
    stranger = SimpleNamespace(is_authenticated=True, is_active=True, unit_id=county.pk, unit=county)
    assert reviewer_unit_ids(stranger) == []
    assert staff_may_view_application_document(stranger, SimpleNamespace(application_id=1)) is False


def test_a_proof_without_an_application_or_a_reviewer_without_the_totp_step_is_refused(test_kind):
    application = make_application(unit_code="420102")
    reviewer = reviewer_for("420102")  # no `is_verified`: not through the OTP middleware
    assert staff_may_view_application_document(reviewer, SimpleNamespace(application_id=application.pk)) is False
    assert staff_may_view_application_document(verified(reviewer), SimpleNamespace()) is False


def test_an_application_opened_by_a_reviewer_comes_with_its_unit(test_kind, django_assert_num_queries):
    application = make_application(unit_code="420102")
    reviewer = reviewer_for("420102")
    reviewer_unit_ids(reviewer)  # the scope's ids, cached
    with django_assert_num_queries(1):
        opened = get_application_for_reviewer(reviewer, application.pk)
        assert opened.unit.code == "420102"
