"""Object storage for the tests: S3 settings as config/settings.py builds them, a moto bucket,
and two broken storages on loopback (a closed port, a server that accepts and never answers)."""

import runpy
import socket
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings as django_settings

BUCKET = "hbkj-test-documents"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


def s3_storages(monkeypatch, *, endpoint: str | None = None, **extra_env) -> dict:
    """STORAGES exactly as config/settings.py makes them with STORAGE_BACKEND=s3 and these variables.

    The keys are always given, so boto3 never looks for credentials anywhere else.
    """
    values = {
        "STORAGE_BACKEND": "s3",
        "STORAGE_BUCKET": BUCKET,
        "STORAGE_ACCESS_KEY": ACCESS_KEY,
        "STORAGE_SECRET_KEY": SECRET_KEY,
        "STORAGE_REGION": REGION,
        **extra_env,
    }
    if endpoint is None:
        monkeypatch.delenv("STORAGE_ENDPOINT", raising=False)
    else:
        values["STORAGE_ENDPOINT"] = endpoint
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    return runpy.run_path(str(Path(django_settings.BASE_DIR) / "config" / "settings.py"))["STORAGES"]


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def hanging_server():
    """A loopback server that takes connections and never answers; yields its URL.

    Connections wait in the listen backlog: the TCP handshake completes, no byte ever comes back.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
