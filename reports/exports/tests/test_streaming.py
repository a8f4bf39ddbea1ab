"""Rows are streamed from the database to the file, never gathered in a list (bench_memory.py measures
the full million; here a smaller N and tracemalloc's peak), and progress is written as it goes."""

import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.tests.factories import AccountantFactory, review_unit
from reports.exports import services
from reports.exports.constants import ExportStatus
from reports.exports.models import ExportJob
from reviews.constants import Status
from reviews.models import Application

from .factories import file_bytes, read_xlsx, staff

pytestmark = pytest.mark.django_db

ROWS = 6000


def _seed(count: int) -> None:
    person = AccountantFactory.create()
    unit = review_unit("420102")
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            kind="continuing_education",
            applicant=person,
            unit=unit,
            status=Status.APPROVED,
            exclusive=False,
            applicant_name=f"会计{n}",
            applicant_id_number=f"42010219900101{n:04d}",
            submitted_at=now,
            last_submitted_at=now,
            return_reason="材料齐全" * 10,
        )
        for n in range(count)
    )


def _job(user, **filters):
    return ExportJob.objects.create(creator=user, kind="applications", filters=filters)


def _peak(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_export_streams_its_rows(settings):
    settings.EXPORTS_CHUNK_SIZE = 200
    _seed(ROWS)
    reviewer = staff("420102")
    job = _job(reviewer)

    streamed = _peak(lambda: services.run_export(job.pk))
    materialised = _peak(
        lambda: list(Application.objects.order_by("id").values_list("id", "kind", "applicant_name", "return_reason"))
    )

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_done == ROWS
    assert len(read_xlsx(file_bytes(job))) == ROWS + 1
    # Holding only four of the eleven columns of every row already takes more than twice the
    # export's peak, which stays at a few chunks whatever the number of rows.
    assert streamed * 2 < materialised, (streamed, materialised)


def test_progress_is_written_every_n_rows(settings):
    settings.EXPORTS_PROGRESS_EVERY = 1000
    _seed(4500)
    job = _job(staff("420102"))
    with CaptureQueriesContext(connection) as queries:
        services.run_export(job.pk)
    table = ExportJob._meta.db_table
    progress_writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(f'UPDATE "{table}"') and "rows_done" in q["sql"]
    ]
    # claim (rows_done=0), 1000, 2000, 3000, 4000, then done with 4500
    assert len(progress_writes) == 6
    job.refresh_from_db()
    assert job.rows_total == 4500 and job.rows_done == 4500 and job.percent == 100


def test_a_job_runs_once(settings):
    _seed(3)
    job = _job(staff("420102"))
    assert services.run_export(job.pk).status == ExportStatus.DONE
    assert services.run_export(job.pk) is None  # a redelivered task finds nothing to claim


def test_filters_no_longer_valid_fail_the_job_with_a_message():
    job = _job(staff("420102"), unit=str(review_unit("420103").pk))
    services.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "不再有效" in job.error and not job.file_name
