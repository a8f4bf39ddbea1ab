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
