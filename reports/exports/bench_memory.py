"""Memory of an export: RSS growth while N rows are written (a benchmark, not a test).

    DEBUG=1 .venv/bin/python -m reports.exports.bench_memory --rows 1000000
    DATABASE_URL=postgres://... DEBUG=1 .venv/bin/python -m reports.exports.bench_memory --rows 1000000 --db

Without --db the rows are generated in Python (application-like rows, 11 columns, texts of
realistic length, some formula payloads) and go through the same cell function and XLSX writer as
an export. With --db the rows are first inserted as applications of a throw-away kind in the
configured database (deleted again at the end) and streamed back with `.iterator(chunk_size=…)`,
a server-side cursor on PostgreSQL: the whole path of a real export.

Prints one JSON line: rows, seconds, RSS growth in MB (the largest resident size sampled every
2,000 rows and after saving, minus the size before the export; with --db the rows are inserted by a child
process, so this process holds only what the export itself allocates), the file size. The target: < 50 MB
growth for 1,000,000 rows.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time


def _rss_mb() -> float:
    """The current resident set size (Linux /proc), else the peak so far (ru_maxrss, KiB on Linux)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generated_rows(count: int):
    import datetime

    day = datetime.datetime(2026, 1, 5, 9, 30)
    for n in range(count):
        yield [
            n + 1,
            "继续教育",
            f"会计{n % 9973}",
            f"420102{19700101 + n % 9000:08d}{n % 10000:04d}",
            "江岸区",
            "待审核",
            day,
            day,
            day.date(),
            None,
            '=HYPERLINK("http://x")' if n % 1000 == 0 else "材料不全，请补充劳动合同",
        ]


def _seed(count: int, kind: str) -> None:
    from django.utils import timezone

    from identity.models import User
    from regions.models import ReviewUnit
    from reviews.models import Application

    unit = ReviewUnit.objects.order_by("path").first()
    applicant, _ = User.objects.get_or_create(username="bench-export-applicant", defaults={"full_name": "压测"})
    now = timezone.now()
    batch = []
    for n in range(count):
        batch.append(
            Application(
                kind=kind,
                applicant=applicant,
                unit=unit,
                status="approved",
                exclusive=False,
                applicant_name=f"会计{n % 9973}",
                applicant_id_number=f"420102{19700101 + n % 9000:08d}{n % 10000:04d}",
                submitted_at=now,
                last_submitted_at=now,
                return_reason="材料不全，请补充劳动合同",
            )
        )
        if len(batch) == 10_000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", action="store_true", help="insert the rows in the database and stream them back")
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)  # the child that inserts
    args = parser.parse_args(argv)
    kind = "bench_export_memory"
    if args.db and not args.seed_only:
        # The rows are inserted by a child process: building 1,000,000 model instances here would
        # leave this process's heap large (freed memory stays resident), and the export would then
        # reuse it and show no growth at all. Measured here: only the export.
        import subprocess

        subprocess.run(  # noqa: S603 - this module, same interpreter
            [sys.executable, "-m", "reports.exports.bench_memory", "--db", "--seed-only", "--rows", str(args.rows)],
            check=True,
        )

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG=1 (needed without SECRET_KEY) would keep the SQL of every query in memory.
    settings.DEBUG = False
    from reports.exports.sources import Plan, application_columns, plan, stream  # noqa: F401
    from reports.exports.writer import write_xlsx

    if args.seed_only:
        _seed(args.rows, kind)
        return 0
    columns = application_columns()
    headers = [str(column.header) for column in columns]
    if args.db:
        from reviews.models import Application

        rows_qs = Application.objects.filter(kind=kind).order_by("id").values_list(*(c.field for c in columns))
        rows = stream(Plan(headers=headers, rows=rows_qs, cells=list), args.chunk_size)
    else:
        rows = generated_rows(args.rows)

    import gc

    gc.collect()
    samples = []
    try:
        before = _rss_mb()
        started = time.monotonic()
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            written = write_xlsx(
                handle, title="bench", headers=headers, rows=rows, progress=lambda n: samples.append(_rss_mb())
            )
            samples.append(_rss_mb())
            size = os.fstat(handle.fileno()).st_size
        seconds = time.monotonic() - started
        growth = max(samples) - before
    finally:
        if args.db:
            from reviews.models import Application

            Application.objects.filter(kind=kind).delete()
    result = {
        "rows": written,
        "source": "database" if args.db else "generated",
        "seconds": round(seconds, 1),
        "rss_growth_mb": round(growth, 1),
        "rss_before_mb": round(before, 1),
        "file_mb": round(size / 1024 / 1024, 1),
        "target_mb": 50,
        "ok": growth < 50,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
