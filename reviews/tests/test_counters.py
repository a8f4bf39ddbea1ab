"""The summary rows stay equal to a recount whatever sequence of transitions happens."""

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews import services
from reviews.constants import Status
from reviews.services import ReviewError

from .factories import ApplicantFactory, counters, recount, review_unit, reviewer_for

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["start", "submit", "approve", "return", "withdraw", "move"]),
        st.integers(min_value=0, max_value=3),  # which applicant
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None)
@given(actions=ACTIONS)
def test_summary_rows_always_equal_a_recount(test_kind, actions):
    with transaction.atomic():
        units = [review_unit("420102"), review_unit("420103")]
        reviewers = {unit.pk: reviewer_for(unit.code) for unit in units}
        applicants = [ApplicantFactory() for _ in range(4)]
        current = {}
        for action, who in actions:
            applicant = applicants[who]
            application = current.get(who)
            try:
                if action == "start" or application is None:
                    current[who] = services.start_application(kind="testkind", applicant=applicant, unit=units[who % 2])
                elif action == "submit":
                    services.submit(application=application, actor=applicant)
                elif action in ("approve", "return"):
                    reviewer = reviewers[application.unit_id]
                    if action == "approve":
                        services.approve(application=application, actor=reviewer, expected_version=application.version)
                    else:
                        services.return_for_changes(
                            application=application, actor=reviewer, expected_version=application.version, reason="r"
                        )
                elif action == "withdraw":
                    services.withdraw(application=application, actor=applicant)
                elif action == "move":
                    other = units[1] if application.unit_id == units[0].pk else units[0]
                    services.set_unit(application=application, unit=other, actor=applicant)
            except ReviewError:
                pass  # an illegal step in this sequence: refused, nothing changed
            if application is not None and application.status in (Status.APPROVED, Status.WITHDRAWN):
                current.pop(who, None)
            assert counters() == recount()
        transaction.set_rollback(True)
