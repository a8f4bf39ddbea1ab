import pytest
from django.urls import reverse

from core.masking import mask_id_number
from identity.constants import StaffRole
from reviews.constants import Status
from reviews.models import Application

from .factories import make_application, reviewer_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, login_staff):
    return login_staff(client, reviewer_for("420000", role=StaffRole.SYSTEM_ADMIN))


def test_administrators_edit_the_standard_return_reasons(admin_client):
    response = admin_client.get(reverse("admin:reviews_standardreturnreason_changelist"))

    assert response.status_code == 200
    assert "证明材料不清晰或不完整，请重新上传" in response.content.decode()


def test_applications_are_read_only_in_the_admin_and_show_masked_id_numbers(admin_client, test_kind):
    application = make_application(status=Status.PENDING)

    listing = admin_client.get(reverse("admin:reviews_application_changelist")).content.decode()
    page = admin_client.get(reverse("admin:reviews_application_change", args=[application.pk]))
    posted = admin_client.post(
        reverse("admin:reviews_application_change", args=[application.pk]), {"status": Status.APPROVED}
    )

    assert application.applicant_id_number not in listing
    assert mask_id_number(application.applicant_id_number) in listing
    assert page.status_code == 200
    assert application.applicant_id_number not in page.content.decode()
    assert posted.status_code == 403
    assert Application.objects.get(pk=application.pk).status == Status.PENDING
    assert admin_client.get(reverse("admin:reviews_application_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    ["admin:reviews_application_changelist", "admin:reviews_reviewevent_changelist", "admin:identity_user_changelist"],
)
def test_big_admin_lists_never_count_a_whole_table_nor_distinct_over_it(admin_client, test_kind, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_application(status=Status.PENDING)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any("DISTINCT" in s for s in sql)
    # Only the (filtered or estimated) count of the page's list: never a second, full count.
    assert sum("COUNT(*)" in s for s in sql) <= 1


def test_the_user_admin_searches_exact_usernames_and_name_prefixes(admin_client, test_kind):
    application = make_application(status=Status.PENDING)
    applicant = application.applicant
    url = reverse("admin:identity_user_changelist")

    def found(query):
        return {user.pk for user in admin_client.get(url, {"q": query}).context["cl"].result_list}

    assert applicant.pk in found(applicant.full_name[:1])
    assert applicant.pk in found(applicant.username)
    assert applicant.pk not in found(applicant.full_name[1:])  # no LIKE '%…%' scan
    assert applicant.pk not in found(applicant.username[:-1])  # usernames: exact only


def test_the_estimated_paginator_counts_filtered_lists_exactly(test_kind):
    from core.admin_paging import EstimatedCountPaginator

    make_application(status=Status.PENDING)
    make_application(status=Status.APPROVED)
    assert EstimatedCountPaginator(Application.objects.filter(status=Status.PENDING).order_by("pk"), 10).count == 1
    assert EstimatedCountPaginator(Application.objects.order_by("pk"), 10).count == 2  # small table: exact


def test_the_review_event_list_shows_the_newest_first_in_primary_key_order(admin_client, test_kind):
    from reviews.models import ReviewEvent

    make_application(status=Status.PENDING)
    make_application(status=Status.PENDING)
    response = admin_client.get(reverse("admin:reviews_reviewevent_changelist"))
    shown = [event.pk for event in response.context["cl"].result_list]
    assert len(shown) >= 2 and shown == sorted(ReviewEvent.objects.values_list("pk", flat=True), reverse=True)
