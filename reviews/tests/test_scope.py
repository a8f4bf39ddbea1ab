import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import Http404

from documents.access import can_view
from documents.models import Document
from identity.constants import StaffRole
from reviews.constants import Status
from reviews.scope import applications_for_reviewer, get_application_for_reviewer, reviewer_can_decide

from .factories import ApplicantFactory, make_application, review_unit, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(test_kind):
    """One pending application in each of 省直, 武汉市市直, 江岸区, 江汉区, 黄石港区, plus a draft in 江岸区."""
    codes = ["420000", "420100", "420102", "420103", "420202"]
    apps = {code: make_application(unit_code=code, status=Status.PENDING) for code in codes}
    apps["draft"] = make_application(unit_code="420102", status=Status.DRAFT)
    return apps


def visible(user, spread) -> set[str]:
    ids = set(applications_for_reviewer(user).values_list("pk", flat=True))
    return {code for code, app in spread.items() if app.pk in ids}


def test_a_county_reviewer_sees_only_their_county_and_never_drafts(spread):
    assert visible(reviewer_for("420102"), spread) == {"420102"}


def test_a_city_reviewer_sees_the_city_unit_and_its_counties(spread):
    assert visible(reviewer_for("420100"), spread) == {"420100", "420102", "420103"}


def test_the_province_sees_everything_handed_in(spread):
    assert visible(reviewer_for("420000"), spread) == {"420000", "420100", "420102", "420103", "420202"}


def test_accountants_anonymous_and_inactive_staff_see_nothing(spread):
    inactive = reviewer_for("420000", is_active=False)
    applicant = spread["420102"].applicant

    for user in (applicant, AnonymousUser(), inactive, ApplicantFactory()):
        assert visible(user, spread) == set()


def test_a_reviewer_moved_to_another_unit_loses_the_old_one_at_once(spread):
    reviewer = reviewer_for("420102")
    assert visible(reviewer, spread) == {"420102"}

    reviewer.unit = review_unit("420202")
    reviewer.save()

    assert visible(reviewer, spread) == {"420202"}


def test_getting_an_application_outside_the_scope_is_a_404(spread):
    reviewer = reviewer_for("420103")

    assert get_application_for_reviewer(reviewer, spread["420103"].pk) == spread["420103"]
    for code in ("420102", "420202", "draft"):
        with pytest.raises(Http404):
            get_application_for_reviewer(reviewer, spread[code].pk)


def test_only_the_managing_unit_decides(spread):
    county, city, province = reviewer_for("420102"), reviewer_for("420100"), reviewer_for("420000")

    assert reviewer_can_decide(county, spread["420102"])
    assert not reviewer_can_decide(city, spread["420102"])
    assert reviewer_can_decide(city, spread["420100"])
    assert not reviewer_can_decide(province, spread["420100"])
    assert reviewer_can_decide(province, spread["420000"])
    assert not reviewer_can_decide(county, spread["draft"])
    assert not reviewer_can_decide(reviewer_for("420102", role=StaffRole.SYSTEM_ADMIN), spread["420102"])
    assert not reviewer_can_decide(spread["420102"].applicant, spread["420102"])


class VerifiedStaff:
    """A staff user as the OTP middleware leaves it after the TOTP step."""

    def __init__(self, user, verified=True):
        self._user, self._verified = user, verified

    def __getattr__(self, name):
        return getattr(self._user, name)

    def is_verified(self):
        return self._verified


def proof_for(application) -> Document:
    data = b"%PDF-1.4 test"
    return Document.objects.create(
        owner=application.applicant,
        slot="id_front",
        application_id=application.pk,
        file=ContentFile(data, name="proof.pdf"),
        original_name="身份证.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        status="attached",
    )


def test_staff_may_open_the_proofs_of_applications_in_their_scope_only(spread):
    document = proof_for(spread["420102"])

    assert can_view(VerifiedStaff(reviewer_for("420102")), document)
    assert can_view(VerifiedStaff(reviewer_for("420100")), document)
    assert not can_view(VerifiedStaff(reviewer_for("420103")), document)
    assert not can_view(VerifiedStaff(reviewer_for("420202")), document)
    assert not can_view(VerifiedStaff(reviewer_for("420102"), verified=False), document)
    assert not can_view(ApplicantFactory(), document)
    assert can_view(spread["420102"].applicant, document)  # the owner, by the documents rule


def test_no_staff_member_opens_the_proof_of_a_draft(spread):
    document = proof_for(spread["draft"])

    assert not can_view(VerifiedStaff(reviewer_for("420102")), document)
    assert not can_view(VerifiedStaff(reviewer_for("420000")), document)
