"""Probes and metrics: /healthz, /readyz, /metrics.

- ``/healthz``: the process answers (no I/O at all). For a liveness probe.
- ``/readyz``: database, cache, Celery broker and file storage each answer within a short
  deadline (django-health-check's checks; the broker check is ours). Anonymous callers (load
  balancers) get only ``ok`` (200) or ``unavailable`` (503); signed-in system administrators get
  which check failed and how long each took, as JSON.
- ``/metrics``: Prometheus text (django-prometheus' request metrics plus the SMS outbox), only for
  client addresses in METRICS_ALLOWED_CIDRS; everyone else gets 404.

All three need no sign-in and answer over plain HTTP (settings.SECURE_REDIRECT_EXEMPT).
"""

import asyncio
import contextlib
import dataclasses
import datetime
import ipaddress
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import celery
from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from core.request_info import client_ip

logger = logging.getLogger(__name__)

# Each check gets this long, plus one second django-health-check grants a client's own timeout
# to report first; the checks run at the same time, so /readyz answers within about 3 seconds.
CHECK_TIMEOUT = datetime.timedelta(seconds=1)
STORAGE_CHECK_TIMEOUT = datetime.timedelta(seconds=2)

# identity.constants.StaffRole.SYSTEM_ADMIN (core imports no other app).
SYSTEM_ADMIN_ROLE = "system_admin"


# --------------------------------------------------------------------------- liveness


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests. No database, cache or file access."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


# --------------------------------------------------------------------------- readiness checks


@dataclasses.dataclass
class Database(checks.Database):
    timeout = CHECK_TIMEOUT


@dataclasses.dataclass
class Storage(checks.Storage):
    """Writes, reads and deletes a small file in the default storage (S3 in production).

    Runs in a worker thread; if the storage hangs, the probe gives up at the deadline and the
    thread is left to finish on its own (the storage client has its own time-outs).
    """

    timeout = STORAGE_CHECK_TIMEOUT


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (workers are not asked: the outbox waits for them).

    With CELERY_TASK_ALWAYS_EAGER tasks run inline and no broker is used: nothing to check.
    """

    timeout = CHECK_TIMEOUT

    def run(self):
        app = celery.current_app
        if app.conf.task_always_eager:
            return
        seconds = self.timeout.total_seconds()
        transport_options = {
            **(app.conf.broker_transport_options or {}),
            "socket_connect_timeout": seconds,
            "socket_timeout": seconds,
        }
        try:
            with app.connection_for_write(connect_timeout=seconds, transport_options=transport_options) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=seconds)
        except Exception as error:  # kombu raises the transport's own errors
            raise ServiceUnavailable(f"Broker connection failed ({type(error).__name__})") from error


def readiness_checks() -> list:
    return [
        Database,
        (checks.Cache, {"alias": "default", "timeout": CHECK_TIMEOUT}),
        Broker,
        Storage,
    ]


def is_system_admin(user) -> bool:
    """A verified (password + TOTP) staff member with the system administrator role."""
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff_member", False)
        and getattr(user, "role", "") == SYSTEM_ADMIN_ROLE
        and getattr(user, "is_verified", lambda: False)()
    )


class ReadinessView(HealthCheckView):
    """django-health-check's view, answering 503 and showing details only to system administrators."""

    http_method_names = ["get", "head"]

    def get_checks(self):
        self.checks = readiness_checks()
        return super().get_checks()

    def get_executor(self):
        # A thread pool of our own, not waited for on the way out: a check stuck past its
        # deadline must not hold the response (the event loop's default executor is joined when
        # the loop closes).
        @contextlib.contextmanager
        def executor():
            pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")
            try:
                yield pool
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

        return executor()

    async def get(self, request, *args, **kwargs):
        started = time.monotonic()
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        healthy = not any(result.error for result in self.results)
        status = 200 if healthy else 503
        if not await sync_to_async(is_system_admin)(request.user):
            text = "ok\n" if healthy else "unavailable\n"
            return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        return JsonResponse(
            {
                "status": "ok" if healthy else "unavailable",
                "seconds": round(time.monotonic() - started, 3),
                "checks": {
                    result.check.__class__.__name__.lower(): {
                        "ok": result.error is None,
                        "error": str(result.error) if result.error else None,
                        "seconds": round(result.time_taken, 3),
                    }
                    for result in self.results
                },
            },
            status=status,
        )


readyz = ReadinessView.as_view()


# --------------------------------------------------------------------------- metrics


@cache
def _allowed_networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def metrics_allowed(request) -> bool:
    """The client address (core.request_info.client_ip) is in METRICS_ALLOWED_CIDRS."""
    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _allowed_networks(tuple(settings.METRICS_ALLOWED_CIDRS)))


class OutboxCollector:
    """SMS outbox rows by status, and the age of the oldest pending one (read-only queries)."""

    STATUSES = ("pending", "sending", "failed")

    def collect(self):
        # The database being down must not take the rest of /metrics with it.
        try:
            families = list(self._families())
        except DatabaseError:
            logger.warning("Outbox metrics unavailable: database error", exc_info=True)
            families = []
        yield GaugeMetricFamily(
            "hbkj_sms_outbox_metrics_up", "1 when the outbox gauges could be read", value=1 if families else 0
        )
        yield from families

    def _families(self):
        # notifications.Notification, looked up by name: core imports no other app.
        notification = apps.get_model("notifications", "Notification")
        counts = dict.fromkeys(self.STATUSES, 0)
        rows = notification.objects.filter(status__in=self.STATUSES).values("status").annotate(n=Count("id"))
        counts.update({row["status"]: row["n"] for row in rows.order_by()})
        gauge = GaugeMetricFamily(
            "hbkj_sms_outbox_notifications",
            "SMS outbox rows not (yet) sent, by status",
            labels=["status"],
        )
        for status, count in counts.items():
            gauge.add_metric([status], count)
        yield gauge
        oldest = notification.objects.filter(status="pending").order_by().aggregate(oldest=Min("created_at"))["oldest"]
        age = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0
        yield GaugeMetricFamily(
            "hbkj_sms_outbox_oldest_pending_seconds",
            "Age of the oldest pending SMS outbox row (0 when none)",
            value=age,
        )


def outbox_metrics() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector())
    return generate_latest(registry)


@require_GET
def metrics(request):
    """Prometheus exposition: django-prometheus' registry (multiprocess with
    PROMETHEUS_MULTIPROC_DIR under gunicorn) followed by the outbox gauges."""
    if not metrics_allowed(request):
        raise Http404
    response = ExportToDjangoView(request)
    response.content = response.content + outbox_metrics()
    add_never_cache_headers(response)
    return response
