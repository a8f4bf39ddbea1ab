import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from continuing_education.models import YearlyCredits
from identity.tests.factories import AccountantFactory
from institutions import services
from institutions.constants import BatchStatus
from institutions.models import Attendance, AttendanceEvent, UploadBatch
from institutions.upload import UploadError, error_report, read_rows, template_workbook, validate_rows

from .conftest import institution_user, make_course, make_institution, nth_id, row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course(make_institution())


def upload(course, rows, user=None):
    user = user or institution_user(course.institution)
    batch = services.start_upload(course=course, actor=user, file_name="list.xlsx", content=xlsx(rows))
    return services.check_upload(batch.pk), user


def test_the_template_has_the_header_and_reads_back(course):
    rows = read_rows(template_workbook(course))
    assert rows == [
        {"row": 2, "id_type": "居民身份证", "id_number": "420102199001011236", "name": "张三", "date": "2026-05-01"}
    ]


def test_a_file_that_is_not_the_template_is_refused_as_a_whole():
    with pytest.raises(UploadError, match="Excel"):
        read_rows(b"not a spreadsheet")
    with pytest.raises(UploadError, match="证件类型"):
        read_rows(xlsx([row(1)], header=("姓名", "证件号码", "证件类型", "日期")))


def test_every_kind_of_bad_row_is_named_in_the_preview_and_the_error_report(course):
    known = AccountantFactory(id_number=nth_id(7), full_name="王五")
    bad_checksum = nth_id(2)[:-1] + ("0" if nth_id(2)[-1] != "0" else "1")
    earlier = row(9)
    services.register_attendees(course=course, rows=[earlier], actor=institution_user(course.institution))
    rows = [
        row(1),  # row 2: fine
        row(2, id_number=bad_checksum),  # row 3
        row(3, id_type="驾驶证"),  # row 4
        row(7, name="王六"),  # row 5: name mismatch (王五 on record)
        row(1),  # row 6: duplicate of row 2
        earlier,  # row 7: registered before
        row(4, date="2026-06-01"),  # row 8: outside the course
        row(5, name=""),  # row 9: empty name
    ]
    batch, _ = upload(course, rows)
    assert batch.status == BatchStatus.READY
    assert batch.total_rows == 8 and batch.error_rows == 7
    by_row = {r["row"]: r for r in batch.results}
    assert by_row[2]["errors"] == []
    assert "校验" in by_row[3]["errors"][0]
    assert "驾驶证" in by_row[4]["errors"][0]
    assert "姓名" in by_row[5]["errors"][0] and by_row[5]["person_id"] == known.pk
    assert "第 2 行" in by_row[6]["errors"][0] or "2" in by_row[6]["errors"][0]
    assert "已" in by_row[7]["errors"][0]
    assert "2026-05-01" in by_row[8]["errors"][0]
    assert "姓名" in by_row[9]["errors"][0]

    sheet = load_workbook(io.BytesIO(error_report(batch.results))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("行号", "证件类型", "证件号码", "姓名", "参训日期", "错误原因")
    assert [line[0] for line in lines[1:]] == [3, 4, 5, 6, 7, 8, 9]
    reasons = {line[0]: line[5] for line in lines[1:]}
    assert reasons[3] == by_row[3]["errors"][0]
    assert reasons[4] == by_row[4]["errors"][0]
    assert reasons[8] == by_row[8]["errors"][0]

    with pytest.raises(services.InstitutionError):
        services.commit_upload(batch=batch, actor=batch.uploaded_by)
    assert Attendance.objects.filter(course=course).count() == 1  # only the earlier one


def test_error_messages_are_chinese(course):
    from django.utils import translation

    with translation.override("zh-hans"):
        results = validate_rows(course, [row(1, date="2026-09-09"), row(2, id_type="")])
    assert "课程" in results[0]["errors"][0] or "日期" in results[0]["errors"][0]
    assert "证件类型" in results[1]["errors"][0]


def test_commit_registers_every_row_and_counts_in_the_yearly_summary(course):
    person = AccountantFactory(id_number=nth_id(1), full_name="学员1")
    batch, user = upload(course, [row(1), row(2), row(3)])
    committed = services.commit_upload(batch=batch, actor=user)
    assert committed.status == BatchStatus.COMMITTED and committed.registered == 3
    assert Attendance.objects.filter(course=course).count() == 3
    assert AttendanceEvent.objects.filter(attendance__course=course).count() == 3
    yearly = YearlyCredits.objects.get(person=person, year=2026)
    assert (yearly.approved_credits, yearly.professional_credits, yearly.approved_records) == (24, 24, 1)


def test_commit_twice_and_upload_again_register_nothing_new(course):
    batch, user = upload(course, [row(1), row(2)])
    services.commit_upload(batch=batch, actor=user)
    again = services.commit_upload(batch=batch, actor=user)
    assert again.registered == 2
    assert Attendance.objects.filter(course=course).count() == 2
    second, _ = upload(course, [row(1), row(2)], user=user)
    assert second.error_rows == 2  # both already registered: shown, nothing to commit
    # The service itself is idempotent by course + person: the same rows registered again add nothing.
    result = services.register_attendees(course=course, rows=[row(1), row(2), row(3)], actor=user)
    assert (result.registered, result.already) == (1, 2)
    assert Attendance.objects.filter(course=course).count() == 3


def test_a_failure_mid_commit_leaves_nothing(course, monkeypatch):
    person = AccountantFactory(id_number=nth_id(1), full_name="学员1")
    batch, user = upload(course, [row(1), row(2), row(3)])

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    # Attendances are inserted; the failure comes after, in the same transaction.
    monkeypatch.setattr("institutions.services.adjust_yearly_many", boom)
    with pytest.raises(RuntimeError):
        services.commit_upload(batch=batch, actor=user)
    assert Attendance.objects.filter(course=course).count() == 0
    assert AttendanceEvent.objects.count() == 0
    assert not YearlyCredits.objects.filter(person=person).exists()
    assert UploadBatch.objects.get(pk=batch.pk).status == BatchStatus.READY


def test_ten_thousand_rows_are_checked_in_batches_with_constant_queries(course):
    rows = [row(n) for n in range(10_000)]
    for n in range(0, 10_000, 997):  # some people on record
        AccountantFactory(id_number=nth_id(n), full_name=f"学员{n}")
    progress = []
    with CaptureQueriesContext(connection) as ctx:
        results = validate_rows(course, rows, batch_size=1000, on_progress=lambda d, t: progress.append(d))
    assert len(results) == 10_000
    assert all(not r["errors"] for r in results)
    assert progress == list(range(1000, 10_001, 1000))
    assert len(ctx.captured_queries) == 2 * 10  # people + earlier attendees, per batch of 1,000
    with CaptureQueriesContext(connection) as small:
        validate_rows(course, rows[:2000], batch_size=1000)
    assert len(small.captured_queries) == 2 * 2


def test_ten_thousand_rows_through_the_upload_task_under_30_seconds(course):
    import time

    content = xlsx([row(n) for n in range(10_000)])
    user = institution_user(course.institution)
    started = time.monotonic()
    batch = services.start_upload(course=course, actor=user, file_name="big.xlsx", content=content)
    batch = services.check_upload(batch.pk)
    assert time.monotonic() - started < 30
    assert batch.status == BatchStatus.READY and batch.total_rows == 10_000 and batch.error_rows == 0
    assert batch.processed_rows == 10_000
