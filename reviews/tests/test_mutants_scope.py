"""The reviewer scope for people who are not (or no longer) active reviewers, and proofs outside any
application: pinned where mutation testing (make mutation) found the other tests silent."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from reviews.scope import reviewer_unit_choices, reviewer_unit_ids, staff_may_view_application_document

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
