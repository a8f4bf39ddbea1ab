"""/metrics: Prometheus text for internal addresses only, with the SMS outbox gauges."""

import re

import pytest
from django.test import Client

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _gauge(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    assert match, f"{name}{labels} not in /metrics"
    return float(match.group(1))


def _notification(n: int, status: str) -> Notification:
    return Notification.objects.create(
        dedupe_key=f"metrics-test-{n}", phone="13800000000", text="x", template="t", status=status
    )


def test_loopback_gets_the_metrics(client):
    response = client.get("/metrics")  # the test client's REMOTE_ADDR is 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "python_info" in body or "process_" in body
    # django-prometheus' request metrics are collected by its middleware.
    client.get("/healthz")
    assert "django_http_requests_total_by_view_transport_method_total" in client.get("/metrics").content.decode()


def test_another_address_gets_404(client):
    assert Client(REMOTE_ADDR="10.0.0.5").get("/metrics").status_code == 404


def test_a_forged_forwarded_for_is_ignored_unless_trusted(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert client.get("/metrics").status_code == 404


def test_allowed_networks_come_from_the_setting(settings):
    settings.METRICS_ALLOWED_CIDRS = ["10.0.0.0/8"]
    assert Client(REMOTE_ADDR="10.0.0.5").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="192.168.1.5").get("/metrics").status_code == 404


def test_ipv6_loopback_is_allowed_by_default():
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200


def test_the_outbox_gauges_count_rows_by_status(client):
    for n, status in enumerate(["pending", "pending", "failed", "sent", "sending"]):
        _notification(n, status)
    body = client.get("/metrics").content.decode()
    assert _gauge(body, "hbkj_sms_outbox_metrics_up") == 1
    assert _gauge(body, "hbkj_sms_outbox_notifications", '{status="pending"}') == 2
    assert _gauge(body, "hbkj_sms_outbox_notifications", '{status="failed"}') == 1
    assert _gauge(body, "hbkj_sms_outbox_notifications", '{status="sending"}') == 1
    assert 'status="sent"' not in body
    assert _gauge(body, "hbkj_sms_outbox_oldest_pending_seconds") >= 0


def test_an_empty_outbox_reads_zero(client):
    body = client.get("/metrics").content.decode()
    assert _gauge(body, "hbkj_sms_outbox_notifications", '{status="pending"}') == 0
    assert _gauge(body, "hbkj_sms_outbox_oldest_pending_seconds") == 0
