import pytest
from django.urls import reverse

from continuing_education.models import YearlyCredits
from continuing_education.tests.factories import collected_accountant
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from institutions import services
from institutions.constants import BatchStatus
from institutions.models import Attendance, Institution, UploadBatch

from .conftest import institution_user, make_course, make_institution, nth_id, row, sign_in, valid_uscc, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    a, b = make_institution(1), make_institution(2)
    user_a, user_b = institution_user(a), institution_user(b)
    course_a, course_b = make_course(a, user_a), make_course(b, user_b)
    return a, b, user_a, user_b, course_a, course_b


def test_institution_staff_land_on_their_pages_and_get_404_on_reviewer_pages(client, setup):
    a, _b, user_a, *_ = setup
    response = sign_in(client, user_a)
    assert response["Location"] == reverse("institutions:home")
    page = client.get(reverse("institutions:home"))
    assert page.status_code == 200 and a.name in page.content.decode()
    for name in ("reviews:inbox", "identity:staff_home", "continuing_education:index"):
        assert client.get(reverse(name)).status_code == 404, name


def test_institution_a_cannot_see_or_change_institution_b(client, setup):
    _a, _b, user_a, user_b, course_a, course_b = setup
    services.register_attendees(course=course_b, rows=[row(1)], actor=user_b)
    attendance_b = Attendance.objects.get(course=course_b)
    batch_b = services.start_upload(course=course_b, actor=user_b, file_name="b.xlsx", content=xlsx([row(2)]))
    sign_in(client, user_a)
    for url in (
        reverse("institutions:course", args=[course_b.pk]),
        reverse("institutions:template", args=[course_b.pk]),
        reverse("institutions:attendee", args=[attendance_b.pk]),
        reverse("institutions:upload_detail", args=[batch_b.pk]),
        reverse("institutions:upload_errors", args=[batch_b.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("institutions:upload_commit", args=[batch_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("institutions:attendee", args=[attendance_b.pk]), {"action": "revoke", "reason": "x"}
        ).status_code
        == 404
    )
    data = {"id_type": "resident_id", "id_number": nth_id(5), "name": "学员5", "date": "2026-05-02"}
    assert client.post(reverse("institutions:attendee_add", args=[course_b.pk]), data).status_code == 404
    assert Attendance.objects.filter(course=course_b).count() == 1
    # Its own course lists only its own attendees.
    services.register_attendees(course=course_a, rows=[row(3)], actor=user_a)
    page = client.get(reverse("institutions:course", args=[course_a.pk])).content.decode()
    assert "学员3" in page and "学员1" not in page


def test_accountants_and_reviewers_get_404_on_institution_pages(client, setup):
    *_, course_a, _course_b = setup
    person = collected_accountant()
    client.force_login(person)
    for url in (
        reverse("institutions:home"),
        reverse("institutions:course", args=[course_a.pk]),
        reverse("institutions:admin_list"),
    ):
        assert client.get(url).status_code == 404, url
    client.logout()
    sign_in(client, StaffFactory())
    assert client.get(reverse("institutions:home")).status_code == 404
    assert client.get(reverse("institutions:admin_list")).status_code == 404  # a county reviewer


def test_a_city_admin_creates_an_institution_in_their_region_only(client):
    admin = StaffFactory(role=StaffRole.UNIT_ADMIN, unit=review_unit("420100"))
    sign_in(client, admin)
    data = {
        "name": "武汉会计培训中心",
        "uscc": valid_uscc(40),
        "region": review_unit("420102").pk,
        "contact_name": "李四",
        "contact_phone": "13900000001",
    }
    bad = client.post(reverse("institutions:admin_new"), {**data, "uscc": valid_uscc(40)[:-1] + "0"})
    assert bad.status_code == 200 and "统一社会信用代码" in bad.content.decode()
    outside = client.post(reverse("institutions:admin_new"), {**data, "region": review_unit("420202").pk})
    assert outside.status_code == 200 and not Institution.objects.exists()
    response = client.post(reverse("institutions:admin_new"), data)
    institution = Institution.objects.get()
    assert response["Location"] == reverse("institutions:admin_detail", args=[institution.pk])
    created = client.post(
        reverse("institutions:admin_detail", args=[institution.pk]), {"username": "wh-train", "full_name": "王老师"}
    )
    assert "wh-train" in created.content.decode()
    assert institution.memberships.get().user.role == StaffRole.INSTITUTION


def test_a_county_unit_admin_cannot_manage_institutions(client):
    sign_in(client, StaffFactory(role=StaffRole.UNIT_ADMIN, unit=review_unit("420102")))
    assert client.get(reverse("institutions:admin_list")).status_code == 404


def test_upload_page_flow_progress_preview_error_report_and_commit(client, setup, django_capture_on_commit_callbacks):
    _a, _b, user_a, _ub, course_a, _cb = setup
    sign_in(client, user_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = xlsx([row(1), row(2, id_type="驾驶证")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("institutions:upload", args=[course_a.pk]), {"file": SimpleUploadedFile("a.xlsx", content)}
        )
    batch = UploadBatch.objects.get(course=course_a)
    assert response["Location"] == reverse("institutions:upload_detail", args=[batch.pk])
    assert batch.status == BatchStatus.READY and batch.error_rows == 1
    page = client.get(response["Location"]).content.decode()
    assert "驾驶证" in page and "下载错误报告" in page
    progress = client.get(reverse("institutions:upload_progress", args=[batch.pk]))
    assert progress["HX-Refresh"] == "true"
    report = client.get(reverse("institutions:upload_errors", args=[batch.pk]))
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    refused = client.post(reverse("institutions:upload_commit", args=[batch.pk]), follow=True)
    assert "未登记任何人员" in refused.content.decode()
    assert not Attendance.objects.filter(course=course_a).exists()


def test_the_accountant_sees_registered_credits_marked_and_their_history(client, setup):
    _a, _b, user_a, _ub, course_a, _cb = setup
    person = collected_accountant()
    services.register_attendees(
        course=course_a,
        rows=[{"id_type": "居民身份证", "id_number": person.id_number, "name": person.full_name, "date": "2026-05-02"}],
        actor=user_a,
    )
    attendance = Attendance.objects.get(course=course_a)
    assert attendance.person == person
    client.force_login(person)
    page = client.get(reverse("continuing_education:index") + "?year=2026").content.decode()
    assert "机构登记" in page and course_a.name in page and "24" in page
    services.correct_attendance(attendance=attendance, actor=user_a, credits=12, reason="只参加了一半")
    yearly = YearlyCredits.objects.get(person=person, year=2026)
    assert yearly.approved_credits == 12
    page = client.get(reverse("continuing_education:index") + "?year=2026").content.decode()
    assert "只参加了一半" in page and "24 → 12" in page
    services.revoke_attendance(attendance=attendance, actor=user_a, reason="误登记")
    assert YearlyCredits.objects.get(person=person, year=2026).approved_credits == 0
    page = client.get(reverse("continuing_education:index") + "?year=2026").content.decode()
    assert course_a.name not in page
    from audit.models import AuditEvent

    assert set(AuditEvent.objects.filter(action__startswith="institutions.").values_list("action", flat=True)) >= {
        "institutions.register",
        "institutions.correct",
        "institutions.revoke",
    }


def test_the_summary_counts_institution_credits(setup):
    from continuing_education.selectors import year_summary

    _a, _b, user_a, _ub, course_a, _cb = setup
    person = collected_accountant()
    services.register_attendees(
        course=course_a,
        rows=[{"id_type": "居民身份证", "id_number": person.id_number, "name": person.full_name, "date": "2026-05-02"}],
        actor=user_a,
    )
    summary = year_summary(person, 2026)
    assert summary.approved_credits == 24 and summary.professional_credits == 24


def test_a_suspended_institution_cannot_register(setup):
    a, _b, user_a, _ub, course_a, _cb = setup
    admin = StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))
    services.set_institution_status(actor=admin, institution=a, status="suspended")
    course_a.institution.refresh_from_db()
    with pytest.raises(services.InstitutionError, match="暂停|suspended"):
        services.register_attendees(course=course_a, rows=[row(1)], actor=user_a)
