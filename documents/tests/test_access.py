"""Downloads: owner 200, everybody else 404, rules registered by other apps, headers, audit."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from documents.access import can_view, register_access_rule, unregister_access_rule
from documents.constants import DocumentStatus
from documents.views import content_disposition
from identity.tests.factories import StaffFactory, sign_in_verified_staff

from .factories import DocumentFactory, OwnerFactory

pytestmark = pytest.mark.django_db

# The application a test reviewer may see: stands in for the review engine's scope rule.
REVIEWABLE_APPLICATION = 4242


def reviewer_of_application_4242(user, document) -> bool:
    return user.is_staff_member and document.application_id == REVIEWABLE_APPLICATION


@pytest.fixture
def review_rule():
    register_access_rule(reviewer_of_application_4242)
    yield
    unregister_access_rule(reviewer_of_application_4242)


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    sign_in_verified_staff(client, staff)
    client.staff = staff
    return client


def view_url(document, **query) -> str:
    url = reverse("documents:view", args=[document.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_owner_gets_the_file_with_safe_headers(client, django_assert_num_queries):
    document = DocumentFactory(original_name="身份证 正面.jpg")
    client.force_login(document.owner)

    # session, user, document; then the idle-timeout stamp saves the session (savepoint, update, release)
    with django_assert_num_queries(6):
        response = client.get(view_url(document))

    assert response.status_code == 200
    with document.file.open("rb") as handle:
        assert response.content == handle.read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == (
        "inline; filename=\"document.jpg\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%20%E6%AD%A3%E9%9D%A2.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert not AuditEvent.objects.exists()  # one's own file is not a staff view of personal data


def test_a_pdf_is_served_inline_in_a_sandbox(client):
    document = DocumentFactory(pdf=True, original_name="劳动合同.pdf")
    client.force_login(document.owner)

    response = client.get(view_url(document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=\"document.pdf\"; filename*=UTF-8''")
    assert (
        response["Content-Security-Policy"] == "sandbox; default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    )


def test_download_1_asks_the_browser_to_save_the_file(client):
    document = DocumentFactory()
    client.force_login(document.owner)

    response = client.get(view_url(document, download=1))

    assert response["Content-Disposition"].startswith("attachment;")


def test_another_accountant_gets_404(client):
    document = DocumentFactory()
    client.force_login(OwnerFactory())

    assert client.get(view_url(document)).status_code == 404


def test_anonymous_is_sent_to_sign_in_and_gets_no_bytes(client):
    document = DocumentFactory()

    response = client.get(view_url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_an_unknown_id_gets_404(client):
    client.force_login(OwnerFactory())

    assert client.get(reverse("documents:view", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_a_rejected_document_is_shown_to_nobody_not_even_its_owner(client):
    document = DocumentFactory(rejected=True)
    client.force_login(document.owner)

    assert client.get(view_url(document)).status_code == 404


def test_a_post_is_not_allowed(client):
    document = DocumentFactory()
    client.force_login(document.owner)

    assert client.post(view_url(document)).status_code == 405


def test_a_missing_file_in_storage_answers_404(client):
    document = DocumentFactory()
    document.file.storage.delete(document.file.name)
    client.force_login(document.owner)

    assert client.get(view_url(document)).status_code == 404


def test_staff_without_a_rule_get_404(staff_client):
    document = DocumentFactory(attached=True)

    assert staff_client.get(view_url(document)).status_code == 404
    assert not AuditEvent.objects.exists()


def test_staff_admitted_by_a_rule_get_the_file_and_it_is_audited(staff_client, review_rule):
    document = DocumentFactory(attached=True, application_id=REVIEWABLE_APPLICATION)
    other = DocumentFactory(attached=True, application_id=REVIEWABLE_APPLICATION + 1)

    response = staff_client.get(view_url(document))

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert event.action == "document.view"
    assert event.actor == staff_client.staff
    assert event.object_id == str(document.pk)
    assert event.detail == {"slot": "id_front", "owner_id": document.owner_id, "application_id": REVIEWABLE_APPLICATION}
    assert staff_client.get(view_url(other)).status_code == 404
    assert AuditEvent.objects.count() == 1


def test_staff_who_have_not_passed_their_second_factor_are_sent_to_staff_sign_in(client, review_rule):
    document = DocumentFactory(attached=True, application_id=REVIEWABLE_APPLICATION)
    client.force_login(StaffFactory())

    response = client.get(view_url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:staff_login"))


def test_a_failing_audit_write_serves_nothing(staff_client, review_rule, monkeypatch):
    document = DocumentFactory(attached=True, application_id=REVIEWABLE_APPLICATION)

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("documents.views.record_event", broken)

    with pytest.raises(RuntimeError):
        staff_client.get(view_url(document))


def test_can_view_says_no_to_inactive_and_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    document = DocumentFactory()
    assert can_view(document.owner, document)
    assert not can_view(AnonymousUser(), document)
    document.owner.is_active = False
    assert not can_view(document.owner, document)


def test_registering_a_rule_twice_keeps_one(review_rule):
    from documents import access

    register_access_rule(reviewer_of_application_4242)

    assert access._rules.count(reviewer_of_application_4242) == 1


def test_a_plain_ascii_name_keeps_its_fallback():
    assert (
        content_disposition("inline", "scan 1.pdf") == "inline; filename=\"scan_1.pdf\"; filename*=UTF-8''scan%201.pdf"
    )
    assert content_disposition("inline", '"; x=y.pdf').endswith("filename*=UTF-8''" + quote('"; x=y.pdf', safe=""))


def test_status_constants_used_by_the_view_are_the_models():
    assert DocumentStatus.REJECTED == "rejected"
