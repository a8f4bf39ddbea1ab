import pytest
from django.template.loader import render_to_string

from reviews import services
from reviews.constants import Status
from reviews.selectors import applications_of, has_approved_application, latest_application, open_application

from .factories import ApplicantFactory, make_application

pytestmark = pytest.mark.django_db


def test_open_and_latest_application_follow_the_life_of_an_application(test_kind, jiangan_reviewer):
    applicant = ApplicantFactory()
    assert open_application(applicant, "testkind") is None
    assert latest_application(applicant, "testkind") is None

    application = make_application(applicant=applicant, status=Status.PENDING)
    assert open_application(applicant, "testkind") == application
    services.approve(application=application, actor=jiangan_reviewer, expected_version=application.version)

    assert open_application(applicant, "testkind") is None
    assert latest_application(applicant, "testkind") == application
    assert has_approved_application(applicant, "testkind")
    assert not has_approved_application(ApplicantFactory(), "testkind")
    assert list(applications_of(applicant)) == [application]


def test_another_persons_applications_never_show(test_kind):
    mine = make_application(status=Status.PENDING)
    make_application(status=Status.PENDING)

    assert list(applications_of(mine.applicant, "testkind")) == [mine]


def render_panel(application):
    return render_to_string("reviews/_status_panel.html", {"application": application})


def test_the_status_panel_shows_the_return_reason_first_and_hides_the_reviewers_name(test_kind, jiangan_reviewer):
    application = make_application(status=Status.PENDING)
    services.return_for_changes(
        application=application,
        actor=jiangan_reviewer,
        expected_version=application.version,
        reason="请上传清晰的学历证书",
    )

    html = render_panel(latest_application(application.applicant, "testkind"))

    assert html.index('data-testid="return-reason"') < html.index('data-testid="review-status-label"')
    assert "请上传清晰的学历证书" in html
    assert "已退回" in html
    assert "江岸区" in html
    assert jiangan_reviewer.full_name not in html


def test_the_status_panel_of_a_pending_application_shows_the_due_date_and_unit(test_kind):
    application = make_application(status=Status.PENDING)

    html = render_panel(open_application(application.applicant, "testkind"))

    assert "待审核" in html
    assert f'data-testid="due-date">{application.due_date:%Y-%m-%d}<' in html
    assert "江岸区" in html
    assert 'data-testid="return-reason"' not in html
