"""The benchmark (PERFORMANCE.md "How we measure"). Not a test: run it, read the ratios.

    python -m bench.run --scale small     # 1,000 and 10,000 accountants, a couple of minutes
    python -m bench.run --scale full      # 1,000 and 1,000,000 accountants
    python -m bench.run --sizes 1000,200000 --seconds 3

For each size: drop and re-create the PostgreSQL database (BENCH_DATABASE_URL, default
hbkj_bench on 127.0.0.1:5432), migrate, seed (bench.seed, then the statistics refresh), prepare
signed-in sessions, count each page's SQL queries in-process with the test client, serve the app
with gunicorn (2 sync workers, DEBUG=0, HTTPS=0, Redis as the cache: a private redis-server on
127.0.0.1:19750 for the run, one database per size) and load every page over loopback (bench.load,
niced), reading the workers' CPU time around each page's window. Then the export step (rows/s and
RSS growth of a large XLSX export, reports.exports.bench_memory, on the largest size's database).
Then write bench/results/latest.json and print a short table. bench/README.md explains the numbers.
"""

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCALES = {"small": (1_000, 10_000), "full": (1_000, 1_000_000)}
# Seconds per page per round, and rounds, by scale preset (the load is interleaved over rounds).
DURATIONS = {"small": (2.0, 2), "full": (5.0, 2)}
# Rows of the export step (reports.exports.bench_memory --db), by scale preset.
EXPORT_ROWS = {"small": 100_000, "full": 1_000_000}
DEEP_PAGE = 1000
WORKERS = 2
CONCURRENCY = 4
# The bench helper's ports: its redis-server, then one gunicorn per size.
REDIS_PORT = 19750
FIRST_SERVER_PORT = 19760

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def log(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - a command-line tool


# --------------------------------------------------------------------------- redis


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(port: int = REDIS_PORT) -> subprocess.Popen:
    """A private redis-server for the run (no persistence, loopback), like production's cache.

    This process uses database 0 (cache) and 1 (broker); the size k's gunicorn 2 + 2k and 3 + 2k.
    """
    if _redis_ping(port):
        raise SystemExit(f"something already answers on 127.0.0.1:{port}: stop it or free the port")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--databases", "64", "--loglevel", "warning"]
    server = subprocess.Popen(  # noqa: S603 - the system's redis-server, loopback only
        command,  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while not _redis_ping(port):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_process(server)
            raise SystemExit("redis-server did not start")
        time.sleep(0.1)
    return server


def redis_url(database: int, port: int = REDIS_PORT) -> str:
    return f"redis://127.0.0.1:{port}/{database}"


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------- database


def _base_name() -> str:
    from bench.settings import BENCH_DATABASE_URL

    name = urlsplit(BENCH_DATABASE_URL).path.lstrip("/")
    if not BENCH_DATABASE_URL.startswith("postgres") or not name.startswith("hbkj_bench"):
        raise SystemExit(f"refusing to use {name!r}: the bench only uses PostgreSQL databases named hbkj_bench*")
    return name


def database_for(n: int) -> str:
    """hbkj_bench_1000, hbkj_bench_1000000, …: one database per size, so sizes are measured side by side."""
    return f"{_base_name()}_{n}"


def database_url_for(n: int) -> str:
    from bench.settings import BENCH_DATABASE_URL

    return urlsplit(BENCH_DATABASE_URL)._replace(path=f"/{database_for(n)}").geturl()


def use_database(n: int) -> None:
    """Point this process's connection at the size's database."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database_for(n)


def _database_name() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not name.startswith("hbkj_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench only uses PostgreSQL databases named hbkj_bench*")
    return name


def recreate_database() -> None:
    """DROP and CREATE the bench database (never any other), then migrate it."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    name = _database_name()
    connections.close_all()
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres", host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None
    ) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)


def _store_seed(n: int, showcase, timings: dict) -> None:
    from dataclasses import asdict

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (n bigint, version int, showcase jsonb, timings jsonb)")
        cursor.execute("DELETE FROM bench_seed")
        cursor.execute(
            "INSERT INTO bench_seed VALUES (%s, %s, %s, %s)",
            [n, _seed_version(), json.dumps(asdict(showcase)), json.dumps(timings)],
        )


def _seed_version() -> int:
    from bench.seed import SEED_VERSION

    return SEED_VERSION


def _stored_seed(n: int):
    """The showcase of a database already seeded at this size (for --reuse), or None."""
    from django.db import connection
    from django.db.utils import DatabaseError

    from bench.seed import Showcase

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT showcase, timings FROM bench_seed WHERE n = %s AND version = %s", [n, _seed_version()]
            )
            row = cursor.fetchone()
    except DatabaseError:
        return None
    if row is None:
        return None
    showcase, timings = (json.loads(v) if isinstance(v, str) else v for v in row)
    return Showcase(**showcase), timings


def prepare(n: int, *, reuse: bool):
    from django.core.management import call_command

    from bench import seed

    use_database(n)
    if reuse:
        stored = _stored_seed(n)
        if stored is not None:
            call_command("migrate", verbosity=0, interactive=False)
            log(f"  reusing the database seeded at {n:,} (seeded in {stored[1]['total']:.0f}s)")
            return stored[0], {**stored[1], "reused": True}
    started = time.perf_counter()
    recreate_database()
    migrate_seconds = time.perf_counter() - started
    showcase, timings = seed.seed(n, log=log)
    timings = {"migrate": migrate_seconds, **timings}
    consistency = seed.check_consistency()
    if any(consistency.values()):
        raise SystemExit(f"seeded data is inconsistent: {consistency}")
    _store_seed(n, showcase, timings)
    log(f"  seeded {n:,} accountants in {timings['total']:.1f}s (+ migrate {migrate_seconds:.1f}s)")
    return showcase, timings


# --------------------------------------------------------------------------- sessions and pages


def _session_for(user, *, device=None, extra=None) -> str:
    """A signed-in session as the sign-in views leave it (OTP device verified for staff)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.update(extra or {})
    session.create()
    assert session.session_key is not None  # create() saved it under a new key
    return session.session_key


def make_sessions(showcase) -> dict:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from identity.accountant_services import SESSION_KIND_ACCOUNTANT, SESSION_KIND_KEY
    from identity.models import User

    accountant_extra = {SESSION_KIND_KEY: SESSION_KIND_ACCOUNTANT}
    sessions = {
        "accountant": _session_for(User.objects.get(pk=showcase.accountant_id), extra=accountant_extra),
        "pending_accountant": _session_for(User.objects.get(pk=showcase.pending_accountant_id), extra=accountant_extra),
    }
    staff = {**showcase.reviewers, "admin": showcase.admin_id}
    for key, pk in staff.items():
        user = User.objects.get(pk=pk)
        sessions[key] = _session_for(user, device=TOTPDevice.objects.get(user=user, confirmed=True))
    return sessions


def deep_cursor(user_id: int, depth: int) -> tuple[str | None, int]:
    """The `after` cursor of the inbox's page `depth` (pending, no filter), walking the pages as a reviewer would.

    Returns (cursor, page number): with fewer pages than `depth`, the last full page.
    """
    from identity.models import User
    from reviews.constants import INBOX_PAGE_SIZE
    from reviews.selectors import InboxFilters, inbox_page

    user = User.objects.select_related("unit").get(pk=user_id)
    filters = InboxFilters()
    cursors: list[str | None] = [None]  # cursors[k - 1] opens page k
    page = inbox_page(user, filters=filters)
    while len(cursors) < depth and page.next_cursor:
        cursors.append(page.next_cursor)
        page = inbox_page(user, filters=filters, after=page.next_cursor)
    if len(page.items) < INBOX_PAGE_SIZE and len(cursors) > 1:
        cursors.pop()
    return cursors[-1], len(cursors)


ACCOUNTANT_PAGES = {"signed_in_accountant", "layout_accountant", "accountant_home", "dossier_record", "dossier_status",
                    "ce_index"}  # fmt: skip


def side_of(name: str) -> str | None:
    """Whose layout page a page's framework ratio is taken against: "accountant", "staff", or None (ping)."""
    if name == "ping":
        return None
    return "accountant" if name in ACCOUNTANT_PAGES else "staff"


COUNTY_UNIT = "420102"  # 江岸区: the county reviewer's unit (bench.seed.make_staff)


def name_prefix(unit_code: str) -> str:
    """The two-character name beginning shared by most approved people of the unit (a common
    surname and given name: what a search by name prefix meets in real life, more rows at 1,000,000)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT left(u.full_name, 2) FROM identity_user u
            JOIN dossier_personrecord r ON r.person_id = u.id
            JOIN regions_reviewunit ru ON ru.id = r.unit_id
            WHERE ru.code = %s AND char_length(u.full_name) >= 2
            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            """,
            [unit_code],
        )
        return cursor.fetchone()[0]


def build_pages(showcase, sessions: dict, *, depth: int) -> tuple[list[dict], dict]:
    """Every measured page: name, path, whose session (and a posted form). Returns (pages, notes)."""
    from urllib.parse import urlencode

    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from dossier import people
    from identity.models import User

    city_cursor, city_depth = deep_cursor(showcase.reviewers["city"], depth)
    province_cursor, province_depth = deep_cursor(showcase.reviewers["province"], depth)
    inbox = reverse("reviews:inbox")
    admin_list = reverse("bench_admin:reviews_application_changelist") + "?status__exact=pending"
    dashboard = reverse("reports:dashboard")
    search = reverse("reports:people:search")
    users = reverse("admin:identity_user_changelist")  # the project's own admin (tuned), as the system administrator
    sought = User.objects.get(pk=showcase.accountant_id)  # approved in 江岸区: found by the county and the province
    prefix = name_prefix(COUNTY_UNIT)
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)  # the cookie's secret; the form sends it back unmasked

    def form(by: str, value: str) -> dict:
        return {"by": by, "q": value, "csrfmiddlewaretoken": csrf}

    pages: list[dict[str, Any]] = [
        {"name": "ping", "path": reverse("bench_ping"), "who": None},
        {"name": "signed_in_accountant", "path": reverse("bench_signed_in"), "who": "accountant"},
        {"name": "layout_accountant", "path": reverse("bench_layout_accountant"), "who": "accountant"},
        {"name": "signed_in_staff", "path": reverse("bench_signed_in"), "who": "county"},
        {"name": "layout_staff", "path": reverse("bench_layout_staff"), "who": "county"},
        {"name": "accountant_home", "path": reverse("core:home"), "who": "accountant"},
        {"name": "dossier_record", "path": reverse("dossier:record"), "who": "accountant"},
        {"name": "dossier_status", "path": reverse("dossier:status"), "who": "pending_accountant"},
        {"name": "ce_index", "path": reverse("continuing_education:index"), "who": "accountant"},
        {"name": "inbox_county_first", "path": inbox, "who": "county"},
        {"name": "inbox_county_empty", "path": inbox, "who": "county_empty"},
        {"name": "inbox_city_first", "path": inbox, "who": "city"},
        {"name": "inbox_city_deep", "path": f"{inbox}?after={city_cursor}" if city_cursor else inbox, "who": "city"},
        {"name": "inbox_province_first", "path": inbox, "who": "province"},
        {
            "name": "inbox_province_deep",
            "path": f"{inbox}?after={province_cursor}" if province_cursor else inbox,
            "who": "province",
        },
        {
            "name": "application_detail",
            "path": reverse("reviews:detail", args=[showcase.application_id]),
            "who": "county",
        },
        {"name": "admin_changelist_first", "path": admin_list, "who": "admin"},
        {"name": "admin_changelist_deep", "path": f"{admin_list}&p={province_depth}", "who": "admin"},
        {"name": "dashboard_county", "path": dashboard, "who": "county"},
        {"name": "dashboard_city", "path": dashboard, "who": "city"},
        {"name": "dashboard_province", "path": dashboard, "who": "province"},
        {"name": "people_id_county", "path": search, "who": "county", "form": form(people.ID_NUMBER, sought.id_number)},
        {"name": "people_id_province", "path": search, "who": "province", "form": form(people.ID_NUMBER, sought.id_number)},
        {"name": "people_name_county", "path": search, "who": "county", "form": form(people.NAME, prefix)},
        {"name": "people_name_province", "path": search, "who": "province", "form": form(people.NAME, prefix)},
        {"name": "audit_log", "path": reverse("audit:log"), "who": "auditor"},
        {"name": "project_admin_users", "path": users, "who": "admin"},
        {"name": "project_admin_user_search", "path": f"{users}?{urlencode({'q': sought.username})}", "who": "admin"},
        {"name": "project_admin_applications", "path": reverse("admin:reviews_application_changelist"), "who": "admin"},
        {"name": "project_admin_review_events", "path": reverse("admin:reviews_reviewevent_changelist"), "who": "admin"},
        {"name": "project_admin_audit", "path": reverse("admin:audit_auditevent_changelist"), "who": "admin"},
    ]  # fmt: skip

    for page in pages:
        who = page.pop("who")
        cookies = [f"{settings.SESSION_COOKIE_NAME}={sessions[who]}"] if who else []
        page["form"] = page.get("form")
        if page["form"]:
            cookies.append(f"{settings.CSRF_COOKIE_NAME}={csrf}")
        page["body"] = urlencode(page["form"]) if page["form"] else None
        page["cookie"] = "; ".join(cookies)
        page["session"] = sessions[who] if who else None
        page["side"] = side_of(page["name"])
    notes = {
        "inbox_city_deep_page": city_depth,
        "inbox_province_deep_page": province_depth,
        "admin_changelist_deep_page": province_depth,
        "people_name_prefix": prefix,
    }
    return pages, notes


# --------------------------------------------------------------------------- query counts


def count_queries(pages: list[dict]) -> dict:
    """SQL queries per page (the second of two requests: steady state), and the slowest of them."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    result = {}
    for page in pages:
        client = Client()
        if page["session"]:
            client.cookies[settings.SESSION_COOKIE_NAME] = page["session"]
        if page["form"]:
            client.cookies[settings.CSRF_COOKIE_NAME] = page["form"]["csrfmiddlewaretoken"]

        def request(client=client, page=page):
            if page["form"]:
                return client.post(page["path"], page["form"])
            return client.get(page["path"])

        request()
        with CaptureQueriesContext(connection) as captured:
            response = request()
        slowest = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:2]
        result[page["name"]] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "slowest": [{"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:300]} for q in slowest],
        }
        if response.status_code != 200:
            log(f"  WARNING: {page['name']} answered {response.status_code} in-process")
    return result


# --------------------------------------------------------------------------- server and load


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_server(port: int, database_url: str, redis_database: int) -> subprocess.Popen:
    if not _port_is_free(port):
        raise SystemExit(f"127.0.0.1:{port} is taken: the bench's gunicorns use {FIRST_SERVER_PORT} and up")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_URL": database_url,
        "BENCH_REDIS_URL": redis_url(redis_database),
        "BENCH_CELERY_BROKER_URL": redis_url(redis_database + 1),
        "CELERY_TASK_ALWAYS_EAGER": "0",  # as in production: tasks go to the broker (nobody consumes them here)
        "PYTHONPATH": str(BASE_DIR),
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping/", timeout=30) as response:  # noqa: S310
                if response.status == 200 and len(worker_pids(server.pid)) == WORKERS:
                    return server
        except OSError:  # refused while booting, or a first answer slower than the timeout on a busy machine
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 120 s")


def worker_pids(master: int) -> list[int]:
    """The pids of a gunicorn master's workers (its children, from /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def stop_server(server: subprocess.Popen) -> None:
    stop_process(server)


def run_load(pages: list[dict], *, seconds: float, rounds: int) -> dict:
    plan = {
        "host": "127.0.0.1",
        "seconds": seconds,
        "rounds": rounds,
        "concurrency": CONCURRENCY,
        "warmup": 10,
        "pages": [{k: p[k] for k in ("name", "port", "path", "cookie", "body", "workers")} for p in pages],
    }
    completed = subprocess.run(  # noqa: S603 - our own interpreter
        ["nice", "-n", "10", sys.executable, "-m", "bench.load"],  # noqa: S607 - coreutils nice
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=True,
    )
    return json.loads(completed.stdout)


# --------------------------------------------------------------------------- the run, the report


def prepare_size(n: int, *, reuse: bool) -> dict:
    """Seed (or reuse) the size's database, sign people in, list and count the pages."""
    from django.core.cache import cache

    from bench.seed import table_rows

    log(f"size {n:,} accountants ({database_for(n)})")
    showcase, timings = prepare(n, reuse=reuse)
    cache.clear()  # this process's Redis database serves one size at a time
    sessions = make_sessions(showcase)
    pages, notes = build_pages(showcase, sessions, depth=DEEP_PAGE)
    queries = count_queries(pages)
    return {
        "pages": pages,
        "queries": queries,
        "result": {
            "database": database_for(n),
            "seed_seconds": {k: round(v, 2) if isinstance(v, float) else v for k, v in timings.items()},
            "rows": table_rows(),
            "notes": notes,
        },
    }


def measure(prepared: dict, *, seconds: float, rounds: int) -> dict:
    """One gunicorn per size, all up at once; the load interleaves sizes page by page, round by round."""
    servers, plan = [], []
    try:
        for k, (n, size) in enumerate(prepared.items()):
            port = FIRST_SERVER_PORT + k
            server = start_server(port, database_url_for(int(n)), redis_database=2 + 2 * k)
            servers.append(server)
            size["port"] = port
            size["workers"] = worker_pids(server.pid)
        names = [page["name"] for page in next(iter(prepared.values()))["pages"]]
        for name in names:
            for n, size in prepared.items():
                page = next(p for p in size["pages"] if p["name"] == name)
                plan.append({**page, "name": f"{n}:{name}", "port": size["port"], "workers": size["workers"]})
        load = run_load(plan, seconds=seconds, rounds=rounds)
    finally:
        for server in servers:
            stop_server(server)
    scales = {}
    for n, size in prepared.items():
        ping_rps = load[f"{n}:ping"]["rps"]
        layout_rps = {side: load[f"{n}:layout_{side}"]["rps"] for side in ("accountant", "staff")}
        result_pages = {}
        for page in size["pages"]:
            name = page["name"]
            measured = load[f"{n}:{name}"]
            base = layout_rps.get(page["side"])
            result_pages[name] = {
                **measured,
                "side": page["side"],
                "framework_ratio": _ratio(measured["rps"], base) if page["side"] else None,
                "ping_ratio": _ratio(measured["rps"], ping_rps),
                "queries": size["queries"][name]["queries"],
                "slowest_queries": size["queries"][name]["slowest"],
                "path": page["path"].split("?")[0] + ("?…" if "?" in page["path"] else ""),
                "method": "POST" if page["body"] is not None else "GET",
            }
            if measured["errors"]:
                log(
                    f"  WARNING: {n}:{name}: {measured['errors']} of {measured['requests']} requests did not answer 200"
                )
        scales[n] = {**size["result"], "pages": result_pages}
    return scales


def _ratio(a, b):
    return round(a / b, 3) if a and b else None


def summarize(scales: dict, export: dict | str) -> dict:
    sizes = sorted(scales, key=int)
    small, large = scales[sizes[0]]["pages"], scales[sizes[-1]]["pages"]
    summary = {
        "framework_ratio": {name: page["framework_ratio"] for name, page in large.items() if name != "ping"},
        "ping_ratio": {name: page["ping_ratio"] for name, page in large.items() if name != "ping"},
        "worker_cpu_ms": {name: {size: scales[size]["pages"][name]["cpu_ms"] for size in sizes} for name in large},
        "growth_ratio": {name: _ratio(large[name]["p95_ms"], small[name]["p95_ms"]) for name in large},
        "depth_ratio": {
            size: {
                "province": _ratio(
                    s["pages"]["inbox_province_deep"]["p95_ms"], s["pages"]["inbox_province_first"]["p95_ms"]
                ),
                "province_page": s["notes"]["inbox_province_deep_page"],
                "city": _ratio(s["pages"]["inbox_city_deep"]["p95_ms"], s["pages"]["inbox_city_first"]["p95_ms"]),
                "city_page": s["notes"]["inbox_city_deep_page"],
            }
            for size, s in scales.items()
        },
        "query_counts": {
            name: {
                **{size: scales[size]["pages"][name]["queries"] for size in sizes},
                "equal": len({scales[size]["pages"][name]["queries"] for size in sizes}) == 1,
            }
            for name in large
        },
        "versus_admin": {
            size: {
                "inbox_first": _pick(s["pages"]["inbox_province_first"]),
                "admin_first": _pick(s["pages"]["admin_changelist_first"]),
                "inbox_deep": _pick(s["pages"]["inbox_province_deep"]),
                "admin_deep": _pick(s["pages"]["admin_changelist_deep"]),
                "deep_page": s["notes"]["admin_changelist_deep_page"],
                "admin_p95_over_inbox_p95_first": _ratio(
                    s["pages"]["admin_changelist_first"]["p95_ms"], s["pages"]["inbox_province_first"]["p95_ms"]
                ),
                "admin_p95_over_inbox_p95_deep": _ratio(
                    s["pages"]["admin_changelist_deep"]["p95_ms"], s["pages"]["inbox_province_deep"]["p95_ms"]
                ),
            }
            for size, s in scales.items()
        },
        "export": export,
    }
    return summary


def _pick(page: dict) -> dict:
    return {"rps": page["rps"], "p95_ms": page["p95_ms"], "queries": page["queries"]}


def measure_export(n: int, rows: int) -> dict:
    """rows/s and RSS growth of an XLSX export of `rows` applications, in its own process, on the
    size's database: reports.exports.bench_memory --db (inserts the rows as applications of a
    throw-away kind, streams them back with a server-side cursor through the export's cell function
    and XLSX writer, deletes them)."""
    log(f"export: {rows:,} rows on {database_for(n)} (reports.exports.bench_memory --db)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_URL": database_url_for(n),
        "PYTHONPATH": str(BASE_DIR),
    }
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "reports.exports.bench_memory", "--rows", str(rows), "--db"],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        env=env,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if not lines:
        log(f"  WARNING: the export step failed (exit {completed.returncode}): {completed.stderr.strip()[-500:]}")
        return {"error": completed.stderr.strip()[-2000:], "exit": completed.returncode}
    result = json.loads(lines[-1])
    result["rows_per_second"] = round(result["rows"] / result["seconds"]) if result["seconds"] else None
    result["database"] = database_for(n)
    result["step_seconds"] = round(time.perf_counter() - started, 1)  # with inserting and deleting the rows
    return result


def print_table(report: dict) -> None:
    sizes = sorted(report["scales"], key=int)
    header = f"{'page':<24}" + "".join(
        f"{'rps@' + _short(s):>11}{'p95ms@' + _short(s):>12}{'q@' + _short(s):>8}" for s in sizes
    )
    header += f"{'cpu ms':>8}{'frame':>8}{'ping':>8}{'growth':>8}"
    log("")
    log(header)
    log("-" * len(header))
    for name in report["scales"][sizes[-1]]["pages"]:
        row = f"{name:<24}"
        for size in sizes:
            page = report["scales"][size]["pages"][name]
            row += f"{page['rps']:>11.1f}{page['p95_ms']:>12.2f}{page['queries']:>8}"
        cpu = report["scales"][sizes[-1]]["pages"][name]["cpu_ms"]
        frame = report["summary"]["framework_ratio"].get(name)
        ping = report["summary"]["ping_ratio"].get(name)
        growth = report["summary"]["growth_ratio"].get(name)
        row += "".join(f"{v if v is not None else '':>8}" for v in (cpu, frame, ping, growth))
        log(row)
    log("")
    for size, depth in report["summary"]["depth_ratio"].items():
        log(
            f"depth ratio @{_short(size)}: province p95(page {depth['province_page']})/p95(page 1) = {depth['province']}; "
            f"city p95(page {depth['city_page']})/p95(page 1) = {depth['city']}"
        )
    unequal = [name for name, q in report["summary"]["query_counts"].items() if not q["equal"]]
    log(f"query counts equal at every scale: {'yes' if not unequal else 'NO: ' + ', '.join(unequal)}")
    log(
        "cpu ms: the gunicorn workers' CPU per request at the largest size; frame: req/s over the layout "
        "page of the page's side; ping: req/s over the anonymous ping"
    )
    export = report["summary"]["export"]
    if isinstance(export, dict) and "rows" in export:  # else a string: why the step did not run
        log(
            f"export: {export['rows']:,} rows in {export['seconds']}s = {export['rows_per_second']:,} rows/s, "
            f"RSS growth {export['rss_growth_mb']} MB (target < {export['target_mb']} MB), file {export['file_mb']} MB"
        )
    else:
        log(f"export: {export}")


def _short(size) -> str:
    size = int(size)
    return (
        f"{size // 1_000_000}M"
        if size >= 1_000_000 and size % 1_000_000 == 0
        else (f"{size // 1000}k" if size % 1000 == 0 else str(size))
    )


def _git_commit() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=BASE_DIR,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--sizes", help="comma-separated numbers of accountants (overrides --scale)")
    parser.add_argument("--seconds", type=float, help="seconds per page per round")
    parser.add_argument("--rounds", type=int, help="rounds over all pages")
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded at the same size")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    parser.add_argument("--export-rows", type=int, help="rows of the export step (0: skip it)")
    args = parser.parse_args(argv)

    redis = start_redis()
    try:
        return _run(args)
    finally:
        stop_process(redis)


def _run(args) -> int:
    # This process: cache on the private Redis (database 0), tasks run inline (the seed's factories).
    os.environ["BENCH_REDIS_URL"] = redis_url(0)
    os.environ["BENCH_CELERY_BROKER_URL"] = redis_url(1)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    import django

    django.setup()

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SCALES[args.scale])
    preset = "full" if max(sizes) > 100_000 else "small"
    seconds, rounds = DURATIONS[preset]
    seconds, rounds = args.seconds or seconds, args.rounds or rounds
    export_rows = EXPORT_ROWS[preset] if args.export_rows is None else args.export_rows
    started = time.perf_counter()
    prepared = {str(n): prepare_size(n, reuse=args.reuse) for n in sizes}
    log(f"measuring {len(sizes)} sizes side by side: {seconds}s per page per size, {rounds} rounds")
    scales = measure(prepared, seconds=seconds, rounds=rounds)
    export = measure_export(max(sizes), export_rows) if export_rows else "skipped (--export-rows 0)"
    report = {
        "meta": {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "sizes": sizes,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
            "databases": [database_for(n) for n in sizes],
            "server": f"one gunicorn per size, {WORKERS} sync workers each, DEBUG=0, HTTPS=0, Redis cache and sessions (cached_db)",
            "load": f"{CONCURRENCY} threads, fresh connection per request, {seconds}s per page per size x {rounds} rounds, sizes interleaved, nice 10",
            "deep_page": DEEP_PAGE,
            "run_seconds": None,
        },
        "scales": scales,
    }
    report["summary"] = summarize(scales, export)
    report["meta"]["run_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    args.out.write_text(text, encoding="utf-8")
    if not args.sizes and args.out == RESULTS_DIR / "latest.json":
        (RESULTS_DIR / f"{args.scale}.json").write_text(text, encoding="utf-8")  # the last run of each preset
    print_table(report)
    log(
        f"\nwrote {args.out.relative_to(BASE_DIR) if args.out.is_relative_to(BASE_DIR) else args.out} "
        f"in {report['meta']['run_seconds']:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
