"""The six fault drills. Each: inject the fault, drive a bounded request loop, heal, wait for recovery, verify.

A drill raises DrillFailed (or times out) when the system did not survive it; the next drill still
runs once the topology is whole again.
"""

import signal
import subprocess
import threading
import time
import traceback
from pathlib import Path

from .run import (
    LOOP_MAX_REQUESTS,
    LOOP_SECONDS,
    PG_ADMIN_URL,
    UPLOADER,
    WEB_PORTS,
    DrillFailed,
    DrillResult,
    check,
    log,
    sql,
    wait_until,
)


class Loop:
    """Requests in a background thread, cycling through `steps`, bounded by time and count.

    A step is a callable returning (label, status, seconds). Records (t, label, status, seconds) with
    t relative to the loop's start.
    """

    def __init__(self, steps, *, seconds: float = LOOP_SECONDS, max_requests: int = LOOP_MAX_REQUESTS, pause=0.02):
        self.steps, self.seconds, self.max_requests, self.pause = steps, seconds, max_requests, pause
        self.records: list[tuple[float, str, int, float]] = []
        self.errors: list[str] = []
        self.started = 0.0
        self._thread = threading.Thread(target=self._run, name="drill-loop", daemon=True)
        self._stop = threading.Event()

    def _run(self):
        index = 0
        while not self._stop.is_set() and time.monotonic() - self.started < self.seconds:
            if len(self.records) >= self.max_requests:
                break
            step = self.steps[index % len(self.steps)]
            index += 1
            try:
                label, status, seconds = step()
            except Exception as exc:  # noqa: BLE001 - a broken step is recorded, the loop goes on
                self.errors.append(f"{type(exc).__name__}: {exc}")
                label, status, seconds = getattr(step, "__name__", "step"), -1, 0.0
            self.records.append((time.monotonic() - self.started, label, status, seconds))
            time.sleep(self.pause)

    def start(self) -> "Loop":
        self.started = time.monotonic()
        self._thread.start()
        return self

    def now(self) -> float:
        return time.monotonic() - self.started

    def join(self) -> "Loop":
        self._thread.join(timeout=self.seconds + 60)
        self._stop.set()
        return self

    def stop(self) -> "Loop":
        self._stop.set()
        return self.join()

    def statuses(self, label: str | None = None) -> list[int]:
        return [r[2] for r in self.records if label is None or r[1] == label]

    def count_5xx(self, label: str | None = None) -> int:
        return sum(1 for s in self.statuses(label) if s >= 500)

    def summary(self) -> str:
        by_label: dict[str, dict[int, int]] = {}
        for _, label, status, _ in self.records:
            by_label.setdefault(label, {}).setdefault(status, 0)
            by_label[label][status] += 1
        return "; ".join(
            f"{label} " + ",".join(f"{s}x{n}" for s, n in sorted(counts.items())) for label, counts in by_label.items()
        )


def timed(label, fn):
    def step():
        started = time.monotonic()
        status = fn()
        return label, status, time.monotonic() - started

    step.__name__ = label
    return step


# --------------------------------------------------------------------------- helpers on the harness


def snippet(html: str) -> str:
    """The messages of a page, roughly: its invalid-feedback and alert texts."""
    import re

    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>\s*([^<]{3,200})', html)
    return " / ".join(s.strip() for s in found[:3]) or html[:200]


def take_pending(h, n: int) -> list[int]:
    check(len(h.pending) >= n, f"only {len(h.pending)} pending applications left, {n} needed")
    taken, h.pending = h.pending[:n], h.pending[n:]
    return taken


def approver(h, ids: list[int]):
    """A step approving the next of `ids` each time; once they are decided, it loads the inbox instead."""
    queue = list(ids)

    def step():
        started = time.monotonic()
        if not queue:
            return "inbox", h.staff.get("/reviews/").status, time.monotonic() - started
        return "approve", h.approve(queue.pop(0)), time.monotonic() - started

    return step


# What a person reads when the SMS limiter (Redis) is down (identity.ratelimit.LimiterUnavailable).
LIMITER_DOWN_TEXT = "短信验证码服务暂时不可用"


def code_requester(h, person: dict, purpose: str = "login"):
    """A step asking for an SMS code; a 503 without the clear message counts as status 599."""

    def request_code():
        client = h.client()
        response, _ = h.request_code(client, purpose, person)
        if response.status == 503 and LIMITER_DOWN_TEXT not in response.text:
            log(f"  send-code 503 without the message: {snippet(response.text)}")
            return 599
        if response.status != 503:
            log(f"  send-code answered {response.status}: {snippet(response.text)}")
        return response.status

    return request_code


def approval_messages(h) -> dict[str, int]:
    """How many approval messages the fake accepted per phone."""
    counts: dict[str, int] = {}
    for message in h.sms.messages():
        if message["template"] == "application_approved":
            counts[message["phone"]] = counts.get(message["phone"], 0) + 1
    return counts


def phones_of(application_ids: list[int]) -> dict[int, str]:
    if not application_ids:
        return {}
    rows = sql(
        "SELECT a.id, u.phone FROM reviews_application a JOIN identity_user u ON u.id = a.applicant_id "
        "WHERE a.id = ANY(%s)",
        (application_ids,),
    )
    return dict(rows)


def verify_delivered_once(h, result: DrillResult, ids: list[int], *, timeout: float) -> None:
    h.wait_delivered(ids, timeout=timeout)
    counts = approval_messages(h)
    phones = phones_of(ids)
    missing = [app for app in ids if counts.get(phones[app], 0) == 0]
    twice = [app for app in ids if counts.get(phones[app], 0) > 1]
    check(not missing, f"approval SMS missing at the fake for {missing}")
    check(not twice, f"approval SMS accepted more than once by the fake for {twice}")
    result.note(f"{len(ids)} approval SMS delivered, each exactly once")


# --------------------------------------------------------------------------- 1. Redis down


def drill_redis(h, result: DrillResult) -> None:
    """Cache and broker Redis stopped: decisions succeed, code requests answer 503; SMS follow once."""
    t = h.topology
    ids = take_pending(h, 4)
    t["redis-cache"].stop()
    t["redis-broker"].stop()
    result.note("both Redis servers stopped (broker with its append-only file)")
    try:
        loop = (
            Loop(
                [approver(h, ids), timed("send-code", code_requester(h, UPLOADER))],
                seconds=20,  # 12 requests take about 5 s; the time bound matters only if something hangs
                max_requests=12,
            )
            .start()
            .join()
        )
    finally:
        t["redis-cache"].start()
        t["redis-broker"].start()
    result.requests += len(loop.records)
    result.note(loop.summary())
    decisions = [s for s in loop.statuses("approve")]
    codes = loop.statuses("send-code")
    result.five_xx += sum(1 for s in decisions if s >= 500) + sum(1 for s in codes if s >= 500 and s != 503)
    check(not loop.errors, f"loop errors: {loop.errors[:3]}")
    check(len(decisions) == len(ids) and all(s == 302 for s in decisions), f"decisions answered {decisions}")
    check(codes and all(s == 503 for s in codes), f"code requests answered {codes} (expected 503)")
    result.note("Redis back; waiting for the relay to send what could not be queued")
    verify_delivered_once(h, result, ids, timeout=45)


# --------------------------------------------------------------------------- 2. PostgreSQL restart


def pg_cluster() -> tuple[str, str]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    return version, "main"


def drill_postgres(h, result: DrillResult) -> None:
    """The PostgreSQL cluster restarted under a request loop: a short error window, then all recover."""
    version, cluster = pg_cluster()
    ids = take_pending(h, 2)
    anonymous = h.client()
    steps = [
        timed("inbox", lambda: h.staff.get("/reviews/").status),
        timed("status", lambda: h.accountant.get("/dossier/collect/status/").status),
        timed("home", lambda: anonymous.get("/").status),
    ]
    # A checkpoint first, so that the restart's shutdown checkpoint has little to write: the cluster is
    # shared and holds many databases, and a long fsync would stretch the outage (PostgreSQL refuses
    # new connections while it shuts down).
    sql("CHECKPOINT", database_url=PG_ADMIN_URL)
    # Bounded by count and by time: 1.5 s before, the restart, 3 s after it (at most 40 s in all).
    loop = Loop(steps, seconds=40, max_requests=1000, pause=0.03).start()
    time.sleep(1.5)
    restart_from = loop.now()
    try:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart", "-m", "fast"],
            check=True,
            capture_output=True,
            timeout=30,
        )
    finally:
        restart_to = loop.now()
        time.sleep(3.0)
        loop.stop()
    result.requests += len(loop.records)
    result.note(f"PostgreSQL {version}/{cluster} restarted in {restart_to - restart_from:.1f}s; {loop.summary()}")
    bad = [(t, label, s) for t, label, s, _ in loop.records if not 200 <= s < 400]
    result.five_xx += sum(1 for _, _, s in bad if s >= 500 or s <= 0)
    check(not loop.errors, f"loop errors: {loop.errors[:3]}")
    if bad:
        first, last = bad[0][0], bad[-1][0]
        result.note(
            f"{len(bad)} failed request(s) ({sorted({s for _, _, s in bad})}) from {first - restart_from:+.1f}s after "
            f"the restart began to {last - restart_to:+.1f}s after it ended"
        )
        check(last <= restart_to + 1.5, f"errors went on {last - restart_to:.1f}s after the restart")
    after = [s for t, _, s, _ in loop.records if t > restart_to + 1.5]
    check(after and all(200 <= s < 400 for s in after), f"after the restart: {after}")
    for app in ids:
        check(h.approve(app) == 302, f"approve {app} after the restart failed")
    verify_delivered_once(h, result, ids, timeout=30)


# --------------------------------------------------------------------------- 3. worker killed mid-send


def notification_status(app: int) -> str:
    rows = sql(
        "SELECT status FROM notifications_notification WHERE dedupe_key LIKE %s AND template = 'application_approved'",
        (f"reviews:{app}:%",),
    )
    return rows[0][0] if rows else ""


def drill_worker(h, result: DrillResult) -> None:
    """SIGKILL of the Celery worker while the provider is answering slowly: delivered, and not twice."""
    t = h.topology
    [app] = take_pending(h, 1)
    h.sms.set_mode("slow", delay=4)
    try:
        check(h.approve(app) == 302, "approve failed")
        wait_until(lambda: notification_status(app) == "sending", timeout=15, what="the worker to claim the row")
        time.sleep(1.0)  # the worker is now waiting for the provider's answer
        t["worker"].kill_group(signal.SIGKILL)
        t["worker"].proc.wait(timeout=10)
        result.note("worker SIGKILLed while waiting for the (slow) provider")
    finally:
        h.sms.set_mode("ok")
    time.sleep(1.0)  # systemd: RestartSec (5 s in hbkj-worker.service, shortened here)
    t["worker"].start()
    result.note(f"worker restarted; row {notification_status(app)!r}, waiting for its lease to expire")
    result.requests += 2
    h.wait_delivered([app], timeout=45)
    phone = phones_of([app])[app]
    copies = [m for m in h.sms.messages() if m["phone"] == phone and m["template"] == "application_approved"]
    check(copies, "the approval SMS never arrived at the fake")
    # The killed worker's request reached the provider, which took it (as a real one does after its
    # client went away). Before re-sending the row whose lease expired, the relay asks the provider
    # (QuerySendDetails) whether it already has this out-id, finds it and records the row as sent.
    check(
        len(copies) == 1,
        f"the approval SMS reached the provider {len(copies)} times (out-ids {sorted({m['out_id'] for m in copies})})",
    )
    result.note("delivered once: the relay found the killed worker's send at the provider and did not repeat it")


# --------------------------------------------------------------------------- 4. SMS provider down


def attempts_of(ids: list[int]) -> list[int]:
    rows = sql(
        "SELECT attempts FROM notifications_notification WHERE template = 'application_approved' "
        "AND split_part(dedupe_key, ':', 2)::int = ANY(%s)",
        (ids,),
    )
    return [r[0] for r in rows]


def drill_provider(h, result: DrillResult) -> None:
    """The provider answers 503: rows retried with backoff, delivered once it is back."""
    ids = take_pending(h, 3)
    h.sms.set_mode("down")
    try:
        for app in ids:
            status = h.approve(app)
            result.requests += 2
            result.five_xx += int(status >= 500)
            check(status == 302, f"approve {app} answered {status} while the provider was down")
        wait_until(
            lambda: (a := attempts_of(ids)) and len(a) == len(ids) and min(a) >= 2,
            timeout=20,
            what="every row to be tried at least twice",
        )
        result.note(f"provider down: attempts so far {attempts_of(ids)}, nothing sent")
        check(all(notification_status(app) in ("pending", "sending") for app in ids), "a row was given up on")
    finally:
        h.sms.set_mode("ok")
    verify_delivered_once(h, result, ids, timeout=30)


# --------------------------------------------------------------------------- 5. storage down and hanging


def documents_of(phone: str) -> int:
    return sql(
        "SELECT count(*) FROM documents_document d JOIN identity_user u ON u.id = d.owner_id WHERE u.phone = %s",
        (phone,),
    )[0][0]


def photo_uploader(h):
    from documents.tests import corpus

    photo = corpus.portrait(size=(600, 840))

    def upload():
        client = h.uploader
        token = h.uploader_csrf
        response = client.request(
            "POST",
            "/documents/photo/",
            data={"csrfmiddlewaretoken": token, "picker": "photo"},
            files={"photo-file": ("me.jpg", photo, "image/jpeg")},
            headers={"HX-Request": "true"},
        )
        return response.status

    return upload


def drill_storage(h, result: DrillResult) -> None:
    """S3 refusing connections, then hanging: uploads answer 503 within 5 s, nothing half written."""
    upload = photo_uploader(h)
    step = timed("upload", upload)
    label, status, _ = step()
    check(status == 200, f"upload before the fault answered {status}")
    before = documents_of(UPLOADER["phone"])
    for mode in ("refuse", "hang"):
        h.s3_proxy.set_mode(mode)
        try:
            loop = Loop([step], seconds=6, max_requests=4, pause=0.1).start().join()
        finally:
            h.s3_proxy.set_mode("pass")
        result.requests += len(loop.records)
        slowest = max(r[3] for r in loop.records)
        result.note(f"storage {mode}: {loop.summary()}, slowest {slowest:.1f}s")
        result.five_xx += sum(1 for s in loop.statuses() if s >= 500 and s != 503)
        check(all(s == 503 for s in loop.statuses()), f"storage {mode}: uploads answered {loop.statuses()}")
        check(slowest <= 5.0, f"storage {mode}: an upload took {slowest:.1f}s")
    check(documents_of(UPLOADER["phone"]) == before, "a document row was written while the storage was down")
    keys = set(h.s3_objects())
    names = {row[0] for row in sql("SELECT file FROM documents_document")}
    check(names <= keys, f"document rows without their file: {sorted(names - keys)[:3]}")
    result.note("no document row written during the fault; every row has its object")
    label, status, _ = step()
    result.requests += 2
    check(status == 200, f"upload after the storage came back answered {status}")
    check(documents_of(UPLOADER["phone"]) == before + 1, "the upload after recovery stored no document")
    result.note("storage back: uploads work")


# --------------------------------------------------------------------------- 6. one app server killed


def drill_app_server(h, result: DrillResult) -> None:
    """SIGKILL of one gunicorn master: nginx routes to the other; the harness restarts it like systemd."""
    t = h.topology
    ids = take_pending(h, 3)
    anonymous = h.client()
    steps = [
        timed("home", lambda: anonymous.get("/").status),
        timed("inbox", lambda: h.staff.get("/reviews/").status),
        timed("status", lambda: h.accountant.get("/dossier/collect/status/").status),
        approver(h, ids),
    ]
    loop = Loop(steps, seconds=LOOP_SECONDS, pause=0.01).start()
    time.sleep(2.0)
    killed_at = loop.now()
    t["web-a"].signal_main(signal.SIGKILL)
    result.note(f"gunicorn master of web-a (:{WEB_PORTS[0]}) SIGKILLed")
    time.sleep(2.0)  # RestartSec=2 in hbkj-web.service
    t["web-a"].stop(timeout=2)  # what is left of its control group goes, as systemd does
    t["web-a"].start(wait=30)
    restarted_at = loop.now()
    loop.join()
    h.wait_ready(WEB_PORTS[0], timeout=30)
    ready = {port: h.ready_status(port) for port in WEB_PORTS}
    result.requests += len(loop.records)
    result.note(f"restarted after {restarted_at - killed_at:.1f}s; {loop.summary()}; /readyz {ready}")
    fails = [(tt, label, s) for tt, label, s, _ in loop.records if s >= 500 or s <= 0]
    result.five_xx += len(fails)
    check(not loop.errors, f"loop errors: {loop.errors[:3]}")
    check(all(s == 200 for s in ready.values()), f"/readyz after the restart: {ready}")
    check(not fails, f"{len(fails)} failed request(s): {fails[:5]}")
    approved = [app for app in ids if app in h.approved]
    verify_delivered_once(h, result, approved, timeout=30)


DRILLS = {
    1: ("Redis down", drill_redis),
    2: ("PostgreSQL restart", drill_postgres),
    3: ("worker killed mid-send", drill_worker),
    4: ("SMS provider down", drill_provider),
    5: ("storage down / hanging", drill_storage),
    6: ("app server killed", drill_app_server),
}


# --------------------------------------------------------------------------- the end


def final_check(h) -> tuple[int, int, list[str]]:
    """Every approval: one sent notification; nothing pending or failed; duplicates at the fake."""
    notes = []
    rows = h.approval_rows(h.approved)
    lost = [app for app, r in rows.items() if len(r) != 1 or r[0][1] != "sent"]
    open_rows = sql("SELECT status, count(*) FROM notifications_notification WHERE status <> 'sent' GROUP BY status")
    counts = approval_messages(h)
    phones = phones_of(h.approved)
    missing_at_fake = [app for app in h.approved if counts.get(phones[app], 0) == 0]
    duplicated = sum(max(0, counts.get(phones[app], 0) - 1) for app in h.approved)
    out_ids: dict[str, int] = {}
    for message in h.sms.messages():
        if message.get("out_id"):
            out_ids[message["out_id"]] = out_ids.get(message["out_id"], 0) + 1
    same_out_id = sum(n - 1 for n in out_ids.values() if n > 1)
    notes.append(
        f"{len(h.approved)} approvals; rows not sent: {lost or 'none'}; other rows not sent: {dict(open_rows) or 'none'}; "
        f"missing at the fake: {missing_at_fake or 'none'}; fake duplicates: {duplicated} (same out-id {same_out_id})"
    )
    return len(set(lost) | set(missing_at_fake)), duplicated, notes


def run_all(h, only: set[int]) -> bool:
    """Run the drills (all, or `only`), print the table and the last line. Returns whether any failed."""
    h.prepare_drills()
    for number, (name, drill) in DRILLS.items():
        if only and number not in only:
            continue
        result = DrillResult(f"{number}. {name}")
        log(f"drill {result.name}")
        started = time.monotonic()
        try:
            drill(h, result)
            result.survived = True
        except (DrillFailed, TimeoutError, AssertionError) as exc:
            result.note(f"FAILED: {exc}")
        except Exception as exc:  # noqa: BLE001 - report and go on with the next drill
            result.note(f"ERROR: {type(exc).__name__}: {exc}")
            traceback.print_exc()
        result.seconds = time.monotonic() - started
        h.results.append(result)
        h.heal()
    lost, duplicated, notes = final_check(h)
    for note in notes:
        log(note)
    return print_table(h, lost, duplicated)


def print_table(h, lost: int, duplicated: int) -> bool:
    drills = [r for r in h.results if r.name != "flow"]
    flow_ok = all(r.survived for r in h.results if r.name == "flow")
    rows = [("drill", "survived", "requests", "5xx", "seconds", "notes")]
    for r in h.results:
        rows.append(
            (
                r.name,
                "yes" if r.survived else "NO",
                str(r.requests),
                str(r.five_xx),
                f"{r.seconds:.0f}",
                " | ".join(r.notes)[-160:],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    print()  # noqa: T201
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])  # noqa: T201
    survived = sum(1 for r in drills if r.survived)
    five_xx = sum(r.five_xx for r in drills)
    print(  # noqa: T201
        f"drills: {survived}/{len(drills)} survived, notifications lost {lost}, duplicated {duplicated}, "
        f"5xx during faults {five_xx}",
        flush=True,
    )
    return not (flow_ok and survived == len(drills) and lost == 0 and duplicated == 0)
