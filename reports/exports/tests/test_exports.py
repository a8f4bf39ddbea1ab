"""数据导出: what goes into the file, for whom, masked or not, and who may see the job."""

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import AuditEvent
from core import maintenance
from identity.constants import StaffRole
from identity.tests.factories import AccountantFactory, review_unit
from reports.exports.constants import ExportStatus
from reports.exports.models import ExportJob
from reviews.constants import Status

from .factories import application, approved_person, ce_record, file_bytes, read_xlsx, staff

pytestmark = pytest.mark.django_db


def _only_job():
    jobs = list(ExportJob.objects.all())
    assert len(jobs) == 1
    return jobs[0]


def _column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


# --------------------------------------------------------------------------- contents and scope


def test_county_roster_has_exactly_its_own_people_masked(export):
    mine = [approved_person("420102") for _ in range(3)]
    approved_person("420103")  # 江汉区: another county
    approved_person("420100")  # 武汉市市直: above the county
    response = export(staff("420102"), "roster")

    job = _only_job()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE and job.rows_total == 3 and job.rows_done == 3
    rows = read_xlsx(file_bytes(job))
    assert rows[0][:3] == ["姓名", "证件类型", "证件号码"]
    names = _column(rows, "姓名")
    assert sorted(names) == sorted(r.current.full_name for r in mine)
    ids = _column(rows, "证件号码")
    phones = _column(rows, "手机号")
    for record in mine:
        number, phone = record.current.id_number, record.person.phone
        assert number not in ids and f"{number[:3]}{'*' * 11}{number[-4:]}" in ids
        assert phone not in phones and f"{phone[:3]}****{phone[-4:]}" in phones
    assert set(_column(rows, "管理单位")) == {"江岸区"}


def test_city_roster_includes_its_counties_but_never_another_city(export):
    approved_person("420102")
    approved_person("420103")
    approved_person("420100")
    approved_person("420202")  # 黄石港区
    export(staff("420100"), "roster")
    rows = read_xlsx(file_bytes(_only_job()))
    assert sorted(_column(rows, "管理单位")) == ["武汉市市直", "江岸区", "江汉区"]


def test_filters_select_exactly_the_matching_rows(export):
    approved_person("420102", on_duty=True)
    off = approved_person("420102", on_duty=False, employer_name="", employer_uscc="")
    approved_person("420103", on_duty=False)
    export(staff("420100"), "roster", on_duty="no", unit=review_unit("420102").pk)
    job = _only_job()
    assert job.filters == {"unit": str(review_unit("420102").pk), "on_duty": "no"}
    assert _column(read_xlsx(file_bytes(job)), "姓名") == [off.current.full_name]


def test_unit_admin_gets_full_numbers_with_a_reason(export):
    record = approved_person("420102")
    admin = staff("420102", role=StaffRole.UNIT_ADMIN)
    export(admin, "roster", full="on", reason="  报送省厅 年度统计 ")
    job = _only_job()
    assert job.unmasked and job.reason == "报送省厅 年度统计"
    rows = read_xlsx(file_bytes(job))
    assert _column(rows, "证件号码") == [record.current.id_number]
    assert _column(rows, "手机号") == [record.person.phone]


def test_full_numbers_need_a_reason_and_nothing_is_queued_without(export):
    approved_person("420102")
    response = export(staff("420102", role=StaffRole.UNIT_ADMIN), "roster", full="on", reason="  ")
    assert response.status_code == 400
    assert "请说明为什么需要完整号码" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_county_reviewer_cannot_unmask_even_by_posting_the_field(export):
    record = approved_person("420102")
    response = export(staff("420102"), "roster", full="on", reason="我想要")
    job = _only_job()
    assert response.status_code == 302 and not job.unmasked and job.reason == ""
    assert record.current.id_number not in _column(read_xlsx(file_bytes(job)), "证件号码")


def test_a_provincial_reviewer_may_unmask(export):
    record = approved_person("420102")
    export(staff("420000"), "roster", full="on", reason="核查")
    assert _column(read_xlsx(file_bytes(_only_job())), "证件号码") == [record.current.id_number]


def test_formula_payloads_are_neutralised(export):
    payloads = ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for payload in payloads:
        approved_person("420102", employer_name=payload)
    export(staff("420102"), "roster")
    cells = _column(read_xlsx(file_bytes(_only_job())), "工作单位")
    assert sorted(cells) == sorted("'" + payload for payload in payloads)


def test_applications_use_the_inbox_filters_and_every_status(export):
    pending = application("420102", status=Status.PENDING)
    approved = application("420102", status=Status.APPROVED)
    application("420102", kind="collection", status=Status.PENDING)
    application("420103", status=Status.PENDING)
    reviewer = staff("420102")
    export(reviewer, "applications", kind="continuing_education")
    rows = read_xlsx(file_bytes(_only_job()))
    assert sorted(_column(rows, "申请编号")) == sorted([pending.pk, approved.pk])
    assert set(_column(rows, "申请类型")) == {"继续教育"}


def test_applications_by_status(export):
    application("420102", status=Status.PENDING)
    returned = application("420102", status=Status.RETURNED, return_reason="=cmd|' /C calc'!A0")
    export(staff("420102"), "applications", status="returned")
    rows = read_xlsx(file_bytes(_only_job()))
    assert _column(rows, "申请编号") == [returned.pk]
    assert _column(rows, "退回原因") == ["'=cmd|' /C calc'!A0"]


def test_ce_records_by_year_in_scope(export):
    this = ce_record("420102", year=2025, title="财务报表培训")
    ce_record("420102", year=2024)
    ce_record("420103", year=2025)
    export(staff("420102"), "ce_records", year="2025")
    rows = read_xlsx(file_bytes(_only_job()))
    assert _column(rows, "名称") == [this.title]
    assert _column(rows, "年度") == [2025]
    assert _column(rows, "学分") == [10]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("applications", {"kind": "no_such_kind"}, "“no_such_kind”不在可选范围内"),
        ("applications", {"status": "draft"}, "“draft”不在可选范围内"),
        ("roster", {"on_duty": "maybe"}, "“maybe”不在可选范围内"),
        ("roster", {"approved_from": "2025-13-01"}, "有效的日期"),
        ("ce_records", {"year": "abc"}, "整数"),
        ("ce_records", {"item": "99"}, "“99”不在可选范围内"),
    ],
)
def test_unknown_filter_values_are_refused_in_chinese_and_nothing_is_queued(export, kind, fields, message):
    response = export(staff("420102"), kind, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="reports.export").exists()


def test_another_countys_unit_is_refused(export):
    response = export(staff("420102"), "roster", unit=review_unit("420103").pk)
    assert response.status_code == 400
    assert "不是您管辖的单位" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_unknown_kind_is_404(client, login_staff):
    login_staff(client, staff("420102"))
    assert client.post("/reports/exports/", {"export": "everything"}).status_code == 404


# --------------------------------------------------------------------------- audit


def test_every_export_is_audited_with_filters_and_count(export):
    approved_person("420102", on_duty=False)
    reviewer = staff("420100", role=StaffRole.UNIT_ADMIN)
    export(reviewer, "roster", on_duty="no", id_number="420102199001011236", full="on", reason="核对名单")
    job = _only_job()
    requested = AuditEvent.objects.get(action="reports.export_requested")
    completed = AuditEvent.objects.get(action="reports.export_completed")
    assert requested.actor == reviewer and requested.object_id == str(job.pk)
    assert requested.detail["filters"] == {"on_duty": "no", "id_number": "420***********1236"}
    assert requested.detail["unmasked"] is True and requested.detail["reason"] == "核对名单"
    assert completed.detail["rows"] == job.rows_done == 0
    assert completed.detail["filters"] == requested.detail["filters"]


# --------------------------------------------------------------------------- access to the job


def test_download_by_its_creator_only(client, login_staff, export):
    approved_person("420102")
    creator = staff("420102")
    export(creator, "roster")
    job = _only_job()
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(read_xlsx(b"".join(response.streaming_content))) == 2
    assert AuditEvent.objects.filter(action="reports.export_downloaded", object_id=str(job.pk)).count() == 1

    for other in (staff("420102"), staff("420100"), staff("420000", role=StaffRole.UNIT_ADMIN)):
        login_staff(client, other)
        for suffix in ("", "progress/", "download/"):
            assert client.get(f"/reports/exports/{job.pk}/{suffix}").status_code == 404


def test_accountants_and_admin_roles_cannot_export(client, login_staff):
    client.force_login(AccountantFactory())
    assert client.get("/reports/exports/").status_code == 404
    login_staff(client, staff("420000", role=StaffRole.AUDITOR))
    assert client.get("/reports/exports/").status_code == 404
    client.logout()
    assert client.get("/reports/exports/").status_code == 302


def test_progress_polls_while_running_and_stops_when_done(client, login_staff):
    reviewer = staff("420102")
    job = ExportJob.objects.create(
        creator=reviewer, kind="roster", status=ExportStatus.RUNNING, rows_done=50, rows_total=200
    )
    login_staff(client, reviewer)
    body = client.get(f"/reports/exports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="25"' in body and "25%" in body
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, rows_done=200, file_name="x", expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    body = client.get(f"/reports/exports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in body and 'value="100"' in body and "下载" in body


def test_expired_export_is_gone_and_purged(client, login_staff, export):
    approved_person("420102")
    reviewer = staff("420102")
    export(reviewer, "roster")
    job = _only_job()
    assert default_storage.exists(job.file_name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 410

    assert maintenance.run("exports") == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and job.file_name == ""
    assert not default_storage.exists(file_name := job.file_name or "exports/none") or file_name
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 410
    assert maintenance.run("exports") == 0


def test_the_list_shows_my_recent_exports_only(client, login_staff, export):
    approved_person("420102")
    export(staff("420102"), "roster")
    other = staff("420102")
    login_staff(client, other)
    assert "还没有导出过" in client.get("/reports/exports/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_eager_export_inside_the_request_keeps_its_file(client, login_staff):
    """In eager mode the task runs at the commit inside the POST; the storage middleware deletes
    files written in a request without a Document row, so the export writes in its own scope."""
    approved_person("420102")
    login_staff(client, staff("420102"))
    assert client.post("/reports/exports/", {"export": "roster"}).status_code == 302
    job = _only_job()
    assert job.status == ExportStatus.DONE and default_storage.exists(job.file_name)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 200
