"""gunicorn settings for 湖北省会计人员管理系统 (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Everything that differs between hosts comes from the environment (systemd's EnvironmentFile,
/etc/hbkj/hbkj.env; see deploy/hbkj.env.example):

GUNICORN_BIND                 address to listen on; the nginx host must reach it (default 127.0.0.1:8000)
GUNICORN_WORKERS              worker processes (default 2 x CPU cores + 1)
GUNICORN_THREADS              threads per worker; 1 (default) = sync workers, more = gthread
GUNICORN_FORWARDED_ALLOW_IPS  comma-separated addresses of the nginx host(s) whose X-Forwarded-* are trusted

Worker class: sync by default. nginx buffers whole request bodies (uploads) and responses
(downloads) before talking to us, so a slow client never holds a worker; one request per process
keeps the PostgreSQL connections per host equal to the number of workers (CONN_MAX_AGE keeps one
per worker), and a request stuck in image re-encoding cannot starve other requests of the same
process. Sync workers close the connection after each response, so nginx's upstream keepalive
only takes effect with GUNICORN_THREADS > 1 (gthread), which is the choice when many requests wait
on I/O (S3 storage far away): then count workers x threads database connections per host.
"""

import json
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address]
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request taking longer than this is killed (and logged): nginx's proxy_read_timeout is a bit longer.
timeout = 30
# On SIGTERM/HUP, workers finish the requests they have for up to this long (systemd waits longer).
graceful_timeout = 25
# Seconds an idle keep-alive connection from nginx stays open (gthread only; below nginx's 60 s).
keepalive = 5
# Recycle each worker after about 1000 requests (slow leaks), not all of them at the same moment.
max_requests = 1000
max_requests_jitter = 100
# Import the app in each worker: a reload (SIGHUP) then picks up new code, and no database or
# Redis connection is ever shared across fork.
preload_app = False

# The nginx host(s): only their X-Forwarded-Proto/-For are believed (Django reads them only with
# BEHIND_PROXY=1 and TRUST_X_FORWARDED_FOR=1, and nginx overwrites, never appends, X-Forwarded-For).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Heartbeat files on tmpfs (a slow disk must not make the arbiter kill healthy workers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeats only
# No control socket in a read-only home (systemd ProtectSystem=strict).
control_socket_disable = True
proc_name = "hbkj-web"

# Logs to stdout/stderr (journald). One JSON object per request; no query strings (they can hold
# ID numbers in search forms), no cookies, no request bodies. The client address is the one nginx
# put into X-Forwarded-For; the request id is the one nginx generated and passed on.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "client": "%({x-forwarded-for}i)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "request_id": "%({x-request-id}i)s",
        "user_agent": "%(a)s",
    },
    ensure_ascii=False,
)


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set (several workers share /metrics), drop a dead worker's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
