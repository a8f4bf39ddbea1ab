"""A bounded, self-stopping load loop over loopback (standard library only, no Django).

Run by bench.run as its own process under `nice`, so the load generator yields the CPU to the
server and to whatever else runs on the machine:

    nice -n 10 python -m bench.load < plan.json > result.json

The plan: {"host", "seconds", "rounds", "concurrency", "warmup",
           "pages": [{"name", "port", "path", "cookie"}]}.
Each round measures every page in turn for `seconds` with `concurrency` threads, each sending one
GET at a time on a fresh connection (gunicorn's sync workers close every connection). Rounds
interleave the pages, so a slow minute on a shared machine spreads over all of them. Only loopback
hosts are accepted.
"""

import http.client
import json
import sys
import threading
import time

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _get(host: str, port: int, path: str, headers: dict) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
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
            elapsed, status = _get(plan["host"], page["port"], page["path"], headers)
            mine.append(elapsed)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(plan["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses, "elapsed": time.perf_counter() - started}


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
            _get(plan["host"], page["port"], page["path"], headers)
    totals = {page["name"]: {"latencies": [], "statuses": {}, "elapsed": 0.0} for page in plan["pages"]}
    for _round in range(plan["rounds"]):
        for page in plan["pages"]:
            result = measure_page(plan, page, plan["seconds"])
            total = totals[page["name"]]
            total["latencies"] += result["latencies"]
            total["elapsed"] += result["elapsed"]
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
        }
    return report


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
