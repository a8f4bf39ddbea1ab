"""A bounded, self-stopping load loop over loopback (standard library only, no Django).

Run by bench.run as its own process under `nice`, so the load generator yields the CPU to the
server and to whatever else runs on the machine:

    nice -n 10 python -m bench.load < plan.json > result.json

The plan: {"host", "seconds", "rounds", "concurrency", "warmup",
           "pages": [{"name", "port", "path", "cookie", "method"?, "body"?, "workers"?}]}.
Each round measures every page in turn for `seconds` with `concurrency` threads, each sending one
request (GET, or POST of a form `body`) at a time on a fresh connection (gunicorn's sync workers
close every connection). Rounds interleave the pages, so a slow minute on a shared machine spreads
over all of them. Only loopback hosts are accepted.

Worker CPU: `workers` lists the pids of the gunicorn workers serving the page's port. Their own CPU
time (utime + stime of /proc/<pid>/stat) is read before and after each page's window; the
difference over the requests served in the windows is the page's worker CPU ms per request (this
process, PostgreSQL and Redis are not in it). Only pages on the one server being loaded run in a
window, so nothing else lands in those workers.
"""

import http.client
import json
import os
import sys
import threading
import time
from typing import Any

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float | None:
    """utime + stime of these processes, in seconds; None if one of them is gone (a restarted worker)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return total / CLOCK_TICKS


def _get(host: str, port: int, path: str, headers: dict, body: str | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return time.perf_counter() - started, status


def _headers(plan: dict, page: dict) -> dict:
    headers = {"Host": f"{plan['host']}:{page['port']}", "Accept-Language": "zh-hans", "User-Agent": "hbkj-bench"}
    if page.get("cookie"):
        headers["Cookie"] = page["cookie"]
    if page.get("body") is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def measure_page(plan: dict, page: dict, seconds: float) -> dict:
    """Hit one page with `concurrency` threads until `seconds` have passed; latencies and statuses."""
    headers = _headers(plan, page)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        mine, seen = [], {}
        while time.perf_counter() < deadline:
            elapsed, status = _get(plan["host"], page["port"], page["path"], headers, page.get("body"))
            mine.append(elapsed)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    pids = page.get("workers") or []
    cpu_before = cpu_seconds(pids) if pids else None
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(plan["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(pids) if pids else None
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed, "cpu": cpu}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def run(plan: dict) -> dict:
    if plan["host"] not in LOOPBACK:
        raise SystemExit("the bench only loads loopback addresses")
    for page in plan["pages"]:  # warm every worker's caches and connections
        headers = _headers(plan, page)
        for _ in range(plan["warmup"]):
            _get(plan["host"], page["port"], page["path"], headers, page.get("body"))
    totals: dict[str, dict[str, Any]] = {
        page["name"]: {"latencies": [], "statuses": {}, "elapsed": 0.0, "cpu": 0.0, "cpu_requests": 0}
        for page in plan["pages"]
    }
    for _round in range(plan["rounds"]):
        for page in plan["pages"]:
            result = measure_page(plan, page, plan["seconds"])
            total = totals[page["name"]]
            total["latencies"] += result["latencies"]
            total["elapsed"] += result["elapsed"]
            if result["cpu"] is not None:  # a window in which a worker restarted is left out
                total["cpu"] += result["cpu"]
                total["cpu_requests"] += len(result["latencies"])
            for status, count in result["statuses"].items():
                total["statuses"][status] = total["statuses"].get(status, 0) + count
    report = {}
    for name, total in totals.items():
        ok = total["statuses"].get(200, 0)
        lat = total["latencies"]
        report[name] = {
            "requests": len(lat),
            "errors": len(lat) - ok,
            "statuses": {str(k): v for k, v in sorted(total["statuses"].items())},
            "rps": round(len(lat) / total["elapsed"], 1) if total["elapsed"] else 0.0,
            "p50_ms": round(percentile(lat, 0.50) * 1000, 2),
            "p95_ms": round(percentile(lat, 0.95) * 1000, 2),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 2),
            "cpu_ms": round(total["cpu"] * 1000 / total["cpu_requests"], 2) if total["cpu_requests"] else None,
        }
    return report


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
