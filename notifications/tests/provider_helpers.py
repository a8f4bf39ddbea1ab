"""Shared by the provider tests: settings that point an adapter at its fake, a port nobody listens on."""

import http.client
import json
import socket
from contextlib import contextmanager
from urllib.parse import urlsplit

SIGN_NAME = "湖北省会计人员管理系统"

ALIYUN_CODES = {
    "verification_code": "SMS_100001",
    "application_approved": "SMS_100002",
    "application_returned": "SMS_100003",
    "phone_change_approved": "SMS_100004",
    "phone_changed_notice": "SMS_100005",
}
TENCENT_CODES = {
    "verification_code": "2000001",
    "application_approved": "2000002",
    "application_returned": "2000003",
    "phone_change_approved": "2000004",
    "phone_changed_notice": "2000005",
}
ALIYUN_KEY_ID = "LTAI5tTestAccessKeyId"
TENCENT_SECRET_ID = "AKIDtestSecretId0000"
TENCENT_APP_ID = "1400123456"


def use_aliyun(settings, endpoint: str) -> None:
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ENDPOINT = endpoint
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ALIYUN_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "test-access-key-secret"
    settings.SMS_SIGN_NAME = SIGN_NAME
    settings.SMS_TEMPLATES = dict(ALIYUN_CODES)
    settings.SMS_CONNECT_TIMEOUT = 2.0
    settings.SMS_READ_TIMEOUT = 2.0


def use_tencent(settings, endpoint: str) -> None:
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ENDPOINT = endpoint
    settings.SMS_TENCENT_SECRET_ID = TENCENT_SECRET_ID
    settings.SMS_TENCENT_SECRET_KEY = "test-secret-key"
    settings.SMS_TENCENT_SDK_APP_ID = TENCENT_APP_ID
    settings.SMS_SIGN_NAME = SIGN_NAME
    settings.SMS_TEMPLATES = dict(TENCENT_CODES)
    settings.SMS_CONNECT_TIMEOUT = 2.0
    settings.SMS_READ_TIMEOUT = 2.0


def request(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """One HTTP request to a fake on loopback; returns (status, JSON answer)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def control(url: str, path: str, payload=None, method=None):
    """Call a fake's control endpoint, e.g. control(url, "/_fake/mode", {"mode": "down"})."""
    body = json.dumps(payload).encode() if payload is not None else b""
    return request(url, method or ("POST" if payload is not None else "GET"), path, body)


@contextmanager
def refused_port():
    """A loopback port that is bound but not listening: connecting to it is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
