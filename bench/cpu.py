"""CPU cost per request of the key pages, in-process (issue #10: "key pages at the cost floor").

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hbkj_bench_perf \\
        .venv/bin/python -m bench.cpu --size 20000 --requests 200 [--reuse]

Seeds (or reuses, --reuse) the size's bench database with bench.seed, signs the bench's people in,
then requests each page `--requests` times with Django's test client in this one process and reports
per request: CPU ms (time.process_time: this process only, so PostgreSQL's own time is not in it),
wall ms and SQL queries. Not a load test: it tells where the worker's time goes, page by page,
without gunicorn or the network. The whole 1M bench stays `make bench`.
"""

import argparse
import os
import statistics
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

PAGES = (
    "ping",
    "accountant_home",
    "dossier_record",
    "dossier_status",
    "ce_index",
    "inbox_county_first",
    "inbox_city_first",
    "inbox_province_first",
    "inbox_province_deep",
    "application_detail",
    "admin_changelist_first",
    "layout_staff",
    "audit_log",
    "dashboard_county",
    "dashboard_city",
    "dashboard_province",
)


def log(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - a command-line tool


class QueryCounter:
    """An execute wrapper counting the SQL statements (whatever DEBUG says)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(pages: list[dict], *, requests: int, only: set[str] | None = None) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    result = {}
    for page in pages:
        if page["name"] not in (only or PAGES):
            continue
        client = Client()
        if page["session"]:
            client.cookies[settings.SESSION_COOKIE_NAME] = page["session"]

        # A page with a form (the people search) is posted, as bench.load does (the test client skips CSRF).
        def fetch(client=client, page=page):
            if page.get("form"):
                return client.post(page["path"], page["form"])
            return client.get(page["path"])

        for _ in range(3):  # warm caches (templates, option lists, scope lists)
            fetch()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = fetch()
        cpu, wall = [], []
        for _ in range(requests):
            c0, w0 = time.process_time(), time.perf_counter()
            fetch()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        result[page["name"]] = {
            "status": response.status_code,
            "queries": counter.count,
            "cpu_ms": statistics.mean(cpu),
            "cpu_median_ms": statistics.median(cpu),
            "wall_ms": statistics.median(wall),
        }
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    args = parser.parse_args(argv)

    import django

    django.setup()

    from bench.run import build_pages, make_sessions, prepare

    showcase, _ = prepare(args.size, reuse=args.reuse)
    sessions = make_sessions(showcase)
    pages, _ = build_pages(showcase, sessions, depth=100)
    only = set(args.pages.split(",")) if args.pages else None
    result = measure(pages, requests=args.requests, only=only)
    log(f"\n{'page':<24}{'status':>7}{'queries':>8}{'cpu ms':>9}{'cpu med':>9}{'wall med':>9}")
    for name, r in result.items():
        log(
            f"{name:<24}{r['status']:>7}{r['queries']:>8}{r['cpu_ms']:>9.2f}{r['cpu_median_ms']:>9.2f}{r['wall_ms']:>9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
