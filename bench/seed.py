"""Seed the bench database at a scale: N accountants with their 信息采集 applications, fast.

Bulk rows are made by PostgreSQL itself (generate_series, INSERT … SELECT) with foreign-key triggers
off and the secondary indexes dropped and rebuilt afterwards — the way one loads a table, not the way
the application writes it. What the measured pages show in detail is then made by the project's own
services (through the test factories), so those rows are exactly what the application writes:

- bulk, per accountant: identity_user, one reviews.Application of kind "collection" in a status
  (draft 5 %, pending 15 %, returned 5 %, approved 72 %, withdrawn 3 %), spread over the 117 review
  units (Wuhan's districts, the 市直 units and 省直 weigh more), its dossier and collection payload,
  the approved record (PersonRecord) of the approved, and the review events (submitted; decided);
- through services: the measured accountant (approved, 江岸区, full dossier with proofs), a pending
  accountant of 江岸区 whose application the detail page shows, reviewers of 江岸区, 神农架林区 (whose
  pending queue the bulk load leaves empty), 武汉市市直 and 省直 and a system administrator, each with
  a confirmed TOTP device;
- reviews.StatusCount is then recomputed from the table, so the inbox's counts are exact.

Proof files, education rows and record versions exist only for the measured people: no page reads
them for anyone else. Continuing-education and integrity records are not seeded in bulk.
"""

import time
from dataclasses import dataclass

from django.db import connection

SEED_VERSION = 3
REVIEWER_PASSWORD = "Bench-Password-2026"  # noqa: S105 - bench database only

# (status, share of accountants). The order is the order of the cumulative bounds below.
STATUS_SHARES = (
    ("draft", 0.05),
    ("pending", 0.15),
    ("returned", 0.05),
    ("approved", 0.72),
    ("withdrawn", 0.03),
)

# A county whose pending queue is empty (its reviewer has worked it to zero): the inbox must stay
# fast when almost nothing in the big table matches the reviewer's scope.
EMPTY_QUEUE_UNIT = "429021"  # 神农架林区

# Tables loaded in bulk: their secondary indexes are dropped before and rebuilt after the load.
BULK_TABLES = (
    "identity_user",
    "reviews_application",
    "dossier_dossier",
    "dossier_collectionpayload",
    "dossier_personrecord",
    "reviews_reviewevent",
    "audit_auditevent",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建文红云飞琳晶晓瑞雪婷欣宇浩然嘉怡佳"

# MOD 11-2 check character of a resident ID (DOMAIN.md), in SQL.
RIC_CHECK_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.ric_check(id17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT substr('10X98765432', (sum(substr(id17, k::int, 1)::int * w) % 11)::int + 1, 1)
  FROM unnest(ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]) WITH ORDINALITY AS t(w, k)
$$
"""


@dataclass
class Showcase:
    """The people and rows the measured pages are about (ids, not objects: the server re-reads them)."""

    accountant_id: int  # approved, 江岸区: accountant home, record page
    pending_accountant_id: int  # pending, 江岸区: status page
    application_id: int  # the pending accountant's application: reviewer detail page
    reviewers: dict  # {"county" | "city" | "province": user id}
    admin_id: int


def _unit_weight(unit) -> int:
    if unit.level == "province":
        return 8
    if unit.level == "city":
        return 6 if unit.code == "420100" else 3
    return 4 if unit.code.startswith("4201") else 1


def _weighted_units():
    from regions.models import ReviewUnit

    ids, areas = [], []
    for unit in ReviewUnit.objects.filter(is_active=True).order_by("path"):
        for _ in range(_unit_weight(unit)):
            ids.append(unit.pk)
            areas.append(unit.division_id)
    return ids, areas


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `table` that back no constraint (safe to drop and rebuild)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    return cursor.fetchall()


def _people_sql() -> str:
    bounds, total = [], 0.0
    for status, share in STATUS_SHARES:
        total += share
        bounds.append(f"WHEN rs < {total:.4f} THEN '{status}'")
    statuses = "CASE " + " ".join(bounds[:-1]) + f" ELSE '{STATUS_SHARES[-1][0]}' END"
    # Only numbers and fixed words are formatted in; the values are query parameters.
    return f"""
    CREATE TEMP TABLE bench_people AS
    SELECT
      i,
      (%(unit_ids)s::bigint[])[u] AS unit_id,
      {statuses} AS status,
      now() - make_interval(secs => age_s) AS base,
      id17 || pg_temp.ric_check(id17) AS id_number,
      substr(%(surnames)s, 1 + i %% {len(SURNAMES)}, 1)
        || substr(%(given)s, 1 + (i / {len(SURNAMES)}) %% {len(GIVEN)}, 1)
        || CASE WHEN i %% 3 = 0 THEN '' ELSE substr(%(given)s, 1 + (i / 7) %% {len(GIVEN)}, 1) END AS full_name,
      '13' || lpad(i::text, 9, '0') AS phone,
      date '1960-01-01' + (i %% 14000) AS birth_date
    FROM (
      SELECT
        i, u, rs, age_s,
        -- area code, birth date, a sequence number from 500 up (factory-made IDs use 000-499)
        (%(areas)s::text[])[u] || to_char(date '1960-01-01' + (i %% 14000), 'YYYYMMDD')
          || lpad((500 + (i / 14000) %% 500)::text, 3, '0') AS id17
      FROM (
        SELECT i, 1 + floor(random() * %(n_units)s)::int AS u, random() AS rs,
               floor(random() * 365 * 86400)::int AS age_s
        FROM generate_series(1, %(n)s) AS i
      ) AS r
    ) AS p
    """  # noqa: S608


BULK_SQL = [
    # Accountants: no usable password (they sign in by SMS code), a random-looking username.
    """
    INSERT INTO identity_user (id, password, last_login, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined, kind, full_name, id_type, id_number, phone, role, sms_failed_count,
        sms_locked_at, unit_id)
    SELECT i, '!bench', NULL, false, 'acc-' || md5('bench' || i), '', '', '', false, true,
        base - interval '2 days', 'accountant', full_name, 'resident_id', id_number, phone, '', 0, NULL, NULL
    FROM bench_people
    """,
    # One 信息采集 envelope per accountant; drafts were never handed in.
    """
    INSERT INTO reviews_application (id, kind, status, version, exclusive, applicant_name, applicant_id_number,
        created_at, submitted_at, last_submitted_at, returned_at, decided_at, return_reason, due_date,
        applicant_id, decided_by_id, unit_id)
    SELECT i, 'collection', status,
        CASE status WHEN 'draft' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END,
        true, full_name, id_number,
        base - interval '1 day',
        CASE WHEN status = 'draft' THEN NULL ELSE base END,
        CASE WHEN status = 'draft' THEN NULL ELSE base END,
        CASE WHEN status = 'returned' THEN least(base + interval '2 days', now()) END,
        CASE WHEN status IN ('approved', 'returned') THEN least(base + interval '2 days', now()) END,
        CASE WHEN status = 'returned' THEN '照片不清晰，请重新上传。' ELSE '' END,
        CASE WHEN status = 'draft' THEN NULL ELSE (base + interval '7 days')::date END,
        i, NULL, unit_id
    FROM bench_people
    """,
    """
    INSERT INTO dossier_dossier (id, full_name, id_type, id_number, sex, birth_date, ethnicity, political_status,
        address, email, qualification_type, qualification_level, qualification_obtained_by, qualification_date,
        qualification_certificate_no, accounting_title, is_cpa, is_valuer, is_tax_adviser, high_end_talent,
        admin_post, abacus_level, on_duty, employer_name, employer_uscc, unit_nature, employer_address,
        accounting_post, accounting_since, created_at, updated_at, owner_id, photo_id, unit_id)
    SELECT i, full_name, 'resident_id', id_number,
        CASE WHEN substr(id_number, 17, 1)::int % 2 = 1 THEN 'male' ELSE 'female' END, birth_date,
        '汉族', '群众', '湖北省武汉市', '', '会计类', '初级', '考试', date '2015-10-15', 'C2015420' || lpad(i::text, 7, '0'),
        '助理会计师', false, false, false, '无', '一般会计人员', '无', true, '湖北某某有限公司', '91110000100006485K',
        '企业', '湖北省武汉市', '出纳', date '2012-07-01', base - interval '1 day', base, i, NULL, unit_id
    FROM bench_people
    """,
    """
    INSERT INTO dossier_collectionpayload (id, current_step, furthest_step, unsaved_input, application_id, dossier_id)
    SELECT i, CASE WHEN status = 'draft' THEN 'personal' ELSE 'preview' END,
        CASE WHEN status = 'draft' THEN 'personal' ELSE 'preview' END, '{}'::jsonb, i, i
    FROM bench_people
    """,
    """
    INSERT INTO dossier_personrecord (version, approved_at, current_id, person_id, unit_id)
    SELECT 1, least(base + interval '2 days', now()), i, i, unit_id FROM bench_people WHERE status = 'approved'
    """,
    # Submitted by the accountant …
    """
    INSERT INTO reviews_reviewevent (event_type, actor_name, actor_unit, actor_is_staff, from_status, to_status,
        version, reason, ip, created_at, actor_id, application_id)
    SELECT 'submitted', full_name, '', false, 'draft', 'pending', 2, '', '127.0.0.1', base, i, i
    FROM bench_people WHERE status <> 'draft'
    """,
    # … then decided by the unit (or withdrawn by the accountant).
    """
    INSERT INTO reviews_reviewevent (event_type, actor_name, actor_unit, actor_is_staff, from_status, to_status,
        version, reason, ip, created_at, actor_id, application_id)
    SELECT status, CASE WHEN status = 'withdrawn' THEN full_name ELSE '审核员' END, '',
        status <> 'withdrawn', 'pending', status, 3,
        CASE WHEN status = 'returned' THEN '照片不清晰，请重新上传。' ELSE '' END,
        '127.0.0.1', least(base + interval '2 days', now()), CASE WHEN status = 'withdrawn' THEN i END, i
    FROM bench_people WHERE status IN ('approved', 'returned', 'withdrawn')
    """,
    # The audit log: a registration row per accountant, so the audit viewer pages over a table that
    # grows with the people on record (production adds sign-ins, views and decisions on top).
    """
    INSERT INTO audit_auditevent (created_at, actor_id, actor_name, actor_role, actor_unit, unit_id, action,
        object_type, object_id, result, ip, request_id, detail)
    SELECT base - interval '2 days', i, full_name, '', '', NULL, 'accountant.registered', 'identity.user', i::text,
        'success', '127.0.0.1', '', '{}'::jsonb
    FROM bench_people
    """,
]


def recount_statuses() -> None:
    """reviews.StatusCount from the table: what the transition services would have kept."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_statuscount")
        cursor.execute(
            """
            INSERT INTO reviews_statuscount (unit_id, kind, status, count)
            SELECT unit_id, kind, status, count(*) FROM reviews_application
            WHERE submitted_at IS NOT NULL GROUP BY unit_id, kind, status
            """
        )


def _reset_sequences(cursor) -> None:
    for table in BULK_TABLES + ("reviews_statuscount",):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"  # noqa: S608 - fixed table names
        )


def _model_defaults(cursor) -> list[tuple[str, str | None]]:
    """Give every NOT NULL column of the bulk tables that has a constant model default (a flag, a
    counter, a text) that default in the database for the load. Returns (table, column) to undo.

    BULK_SQL lists its columns; a column added to a model later (a new flag on the user, say) would
    otherwise stop the seed with "null value … violates not-null constraint".
    """
    from django.apps import apps
    from django.db.models import NOT_PROVIDED

    tables = {model._meta.db_table: model for model in apps.get_models()}
    added = []
    for table in BULK_TABLES:
        model = tables.get(table)
        if model is None:
            continue
        for field in model._meta.concrete_fields:
            default = field.default
            if field.null or default is NOT_PROVIDED or not isinstance(default, bool | int | str):
                continue
            if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            literal = connection.ops.adapt_unknown_value(default)
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{field.column}" SET DEFAULT %s', [literal])
            added.append((table, field.column))
    return added


def bulk_load(n: int, *, log=print) -> dict:
    """Load N accountants and their applications. Returns {step: seconds}."""
    unit_ids, areas = _weighted_units()
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cursor.execute("SELECT setseed(0.4242)")
        cursor.execute(RIC_CHECK_SQL)
        started = time.perf_counter()
        cursor.execute(
            _people_sql(),
            {
                "unit_ids": unit_ids,
                "areas": areas,
                "n_units": len(unit_ids),
                "n": n,
                "surnames": SURNAMES,
                "given": GIVEN,
            },
        )
        cursor.execute(
            "UPDATE bench_people SET status = 'approved' WHERE status = 'pending' "
            "AND unit_id = (SELECT id FROM regions_reviewunit WHERE code = %s)",
            [EMPTY_QUEUE_UNIT],
        )
        timings["people"] = time.perf_counter() - started

        dropped = []
        for table in BULK_TABLES:
            for name, definition in _secondary_indexes(cursor, table):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((table, definition))
        defaults = _model_defaults(cursor)
        tables = (*BULK_TABLES[:-1], "reviews_reviewevent", BULK_TABLES[-1])
        for sql, table in zip(BULK_SQL, tables, strict=True):
            started = time.perf_counter()
            cursor.execute(sql)
            key = f"insert {table}"
            timings[key] = timings.get(key, 0) + time.perf_counter() - started
        for table, column in defaults:
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')
        started = time.perf_counter()
        for _table, definition in dropped:
            cursor.execute(definition)
        timings["indexes"] = time.perf_counter() - started
        cursor.execute("SET session_replication_role = DEFAULT")
        _reset_sequences(cursor)
        cursor.execute("DROP TABLE bench_people")
    log("  bulk: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    return timings


def check_consistency() -> dict:
    """Orphans the FK triggers would have refused, and the counters against the table. All must be 0."""
    checks = {
        "applications without applicant": """SELECT count(*) FROM reviews_application a
            LEFT JOIN identity_user u ON u.id = a.applicant_id WHERE u.id IS NULL""",
        "applications without unit": """SELECT count(*) FROM reviews_application a
            LEFT JOIN regions_reviewunit r ON r.id = a.unit_id WHERE r.id IS NULL""",
        "payloads without dossier": """SELECT count(*) FROM dossier_collectionpayload p
            LEFT JOIN dossier_dossier d ON d.id = p.dossier_id WHERE d.id IS NULL""",
        "approved without record": """SELECT count(*) FROM reviews_application a
            LEFT JOIN dossier_personrecord r ON r.person_id = a.applicant_id
            WHERE a.kind = 'collection' AND a.status = 'approved' AND r.id IS NULL""",
        "counter mismatches": """SELECT count(*) FROM (
            SELECT unit_id, kind, status, count(*) AS n FROM reviews_application
            WHERE submitted_at IS NOT NULL GROUP BY 1, 2, 3) t
            FULL JOIN reviews_statuscount c USING (unit_id, kind, status)
            WHERE c.count IS DISTINCT FROM t.n""",
    }
    result = {}
    with connection.cursor() as cursor:
        for name, sql in checks.items():
            cursor.execute(sql)
            result[name] = cursor.fetchone()[0]
    return result


def vacuum_analyze() -> None:
    """What autovacuum would have done by the time a real table got this big (visibility map, statistics)."""
    with connection.cursor() as cursor:
        for table in BULK_TABLES + ("reviews_statuscount", "regions_reviewunit"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def table_rows() -> dict:
    with connection.cursor() as cursor:
        rows = {}
        for table in BULK_TABLES + ("reviews_statuscount",):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            rows[table] = cursor.fetchone()[0]
        return rows


# --------------------------------------------------------------------------- rows made by the services


def make_staff() -> tuple[dict, int]:
    """Reviewers of 江岸区, 神农架林区, 武汉市市直 and 省直, a system administrator and an auditor of 省直
    (reads the whole audit log), each with a confirmed TOTP device. The auditor is in the returned
    dict under "auditor"."""
    from identity.constants import StaffRole
    from identity.staff_services import create_staff
    from regions.models import ReviewUnit

    people = (
        ("county", "420102", "江岸区审核员"),
        ("county_empty", EMPTY_QUEUE_UNIT, "神农架林区审核员"),
        ("city", "420100", "武汉市市直审核员"),
        ("province", "420000", "省直审核员"),
    )
    units = {unit.code: unit for unit in ReviewUnit.objects.filter(code__in=[code for _key, code, _name in people])}
    reviewers = {}
    for key, code, name in people:
        user, _device = create_staff(
            username=f"bench-{key.replace('_', '-')}",
            full_name=name,
            password=REVIEWER_PASSWORD,
            role=StaffRole.REVIEWER,
            unit=units[code],
        )
        reviewers[key] = user.pk
    auditor, _device = create_staff(
        username="bench-auditor",
        full_name="省直审计员",
        password=REVIEWER_PASSWORD,
        role=StaffRole.AUDITOR,
        unit=units["420000"],
    )
    reviewers["auditor"] = auditor.pk
    admin, _device = create_staff(
        username="bench-admin",
        full_name="系统管理员",
        password=REVIEWER_PASSWORD,
        role=StaffRole.SYSTEM_ADMIN,
        unit=units["420000"],
    )
    return reviewers, admin.pk


def make_showcase() -> Showcase:
    """The measured people, made by the services the application itself uses (via the test factories)."""
    from dossier.tests.factories import collection

    reviewers, admin_id = make_staff()
    approved = collection(state="approved")
    pending = collection(state="pending")
    return Showcase(
        accountant_id=approved.application.applicant_id,
        pending_accountant_id=pending.application.applicant_id,
        application_id=pending.application_id,
        reviewers=reviewers,
        admin_id=admin_id,
    )


def refresh_statistics() -> None:
    """The 统计分析 aggregates from the raw tables (`manage.py refresh_statistics --full`), as beat keeps them."""
    from reports.statistics_refresh import refresh_statistics as refresh

    refresh(full=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(n: int, *, log=print) -> tuple[Showcase, dict]:
    """Load N accountants into a freshly migrated database and make the measured people."""
    started = time.perf_counter()
    timings = bulk_load(n, log=log)
    showcase = make_showcase()
    recount_statuses()
    started_vacuum = time.perf_counter()
    vacuum_analyze()
    timings["vacuum analyze"] = time.perf_counter() - started_vacuum
    started_refresh = time.perf_counter()
    refresh_statistics()
    timings["statistics refresh"] = time.perf_counter() - started_refresh
    timings["total"] = time.perf_counter() - started
    return showcase, timings
