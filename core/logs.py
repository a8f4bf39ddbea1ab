"""Structured logs: one JSON object per line, request ids, masked personal data.

Named ``logs`` rather than ``logging`` so that it never shadows the standard library module.

- ``request_id_var`` holds the id of the request (set by ``core.middleware.RequestIdMiddleware``)
  or of the Celery task's originating request (set by ``core.celery_context``); ``RequestIdFilter``
  puts it on every record as ``request_id``.
- ``MaskingFilter`` masks anything that looks like an 18-character ID number or an 11-digit
  mainland mobile number in the message and its arguments (SECURITY.md, PIPL).
- ``JsonFormatter`` is python-json-logger's formatter with our field names and the time in
  Asia/Shanghai with its offset (``2026-12-06T12:00:00.123+08:00``). python-json-logger rather
  than structlog: the project logs through the standard library everywhere (Django, Celery,
  gunicorn, our own ``logging.getLogger``); python-json-logger is just a formatter for those
  records, whereas structlog would add a second logging API and processor chain to keep in step.

This module is imported by ``config.settings``: it must not import Django models or settings.
"""

import contextvars
import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from core.masking import mask_id_number, mask_phone

if TYPE_CHECKING:
    from sentry_sdk._types import DataCollectionUserOptions

# One time zone for every line, whatever the server's: the province's (settings.TIME_ZONE).
LOG_TIME_ZONE = ZoneInfo("Asia/Shanghai")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# An 18-character resident ID number (17 digits and a check character) and a mainland mobile
# number, not part of a longer run of digits.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_text(text: str) -> str:
    """Mask ID numbers and mobile numbers found anywhere in ``text``."""
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE_RE.sub(lambda m: mask_phone(m.group()), text)


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Put the current request id on the record (``request_id``, "" outside a request).

    Lines Django logs after the middleware chain has returned (e.g. "Not Found: /x" from
    ``django.request``) carry the request itself, whose id is used then.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if not request_id:
            request = getattr(record, "request", None)
            request_id = getattr(request, "request_id", "") or ""
        record.request_id = request_id
        return True


class MaskingFilter(logging.Filter):
    """Mask ID numbers and mobiles in the message and its arguments.

    The message is rendered once (``msg % args``), masked, and stored back without arguments,
    so every handler and formatter after this filter sees only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = {
                key: mask_text(value) if isinstance(value, str) else value for key, value in record.msg.items()
            }
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        return True


def format_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, LOG_TIME_ZONE).isoformat(timespec="milliseconds")


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: time, level, logger, message, request_id, then any extras."""

    # Extras Django attaches that must not be dumped: the request object (its repr holds the
    # query string) and the server's socket.
    DROPPED = ("request", "server_time")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging.Formatter's name
        return format_time(record)

    def formatException(self, ei):  # noqa: N802
        return mask_text(super().formatException(ei))

    def formatStack(self, stack_info):  # noqa: N802
        return mask_text(super().formatStack(stack_info))

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for key in self.DROPPED:
            log_data.pop(key, None)
        log_data.setdefault("request_id", "")


class TextFormatter(logging.Formatter):
    """Readable lines for development: same time zone, same request id, same masking."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        kwargs.setdefault("defaults", {"request_id": ""})
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):  # noqa: N802
        return format_time(record)

    def formatException(self, ei):  # noqa: N802
        return mask_text(super().formatException(ei))

    def formatStack(self, stack_info):  # noqa: N802
        return mask_text(super().formatStack(stack_info))


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dict for config.settings: one console handler, JSON or text lines."""
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.logs.RequestIdFilter"},
            "mask": {"()": "core.logs.MaskingFilter"},
        },
        "formatters": {
            "json": {"()": "core.logs.JsonFormatter"},
            "text": {"()": "core.logs.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "mask"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own console and mail_admins handlers go: every line goes through ours.
            "django": {"handlers": [], "level": "INFO"},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "django.request": {"level": "ERROR"},
            # Health probes log every failed check as a warning with a traceback; keep them.
            "health_check": {"level": "WARNING"},
            # HTTP libraries log whole request URLs and bodies at DEBUG: the Alibaba Cloud SDK puts an
            # SMS template's parameters (a one-time code) in the query string, Tencent's SDK logs the
            # body. Never below WARNING, whatever LOG_LEVEL says.
            "urllib3": {"level": "WARNING"},
            "tencentcloud_sdk_common": {"level": "WARNING"},
            "alibabacloud_tea_openapi": {"level": "WARNING"},
        },
    }


def _mask_event(value):
    """Mask ID numbers and mobiles in every string of a Sentry event (recursively)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _mask_event(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_event(item) for item in value]
    return value


def sentry_before_send(event, hint):
    return _mask_event(event)


SENTRY_DATA_COLLECTION: "DataCollectionUserOptions" = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": ["forwarded", "-ip", "remote-", "via", "-user"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def init_sentry(dsn: str, *, environment: str = "production", **options) -> bool:
    """Start sentry-sdk when a DSN is configured (SENTRY_DSN); return whether it did.

    Django and Celery integrations, no personal data sent, and every string of an event masked
    before it leaves. sentry-sdk 2.7x deprecates ``send_default_pii`` for ``data_collection``;
    its explicit form is set here to collect less than ``send_default_pii=False`` would: no user,
    cookies, query strings, request bodies, local variables, SQL parameters or queue payloads.
    """
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        data_collection=SENTRY_DATA_COLLECTION,
        before_send=sentry_before_send,
        before_send_transaction=sentry_before_send,
        before_breadcrumb=lambda crumb, hint: _mask_event(crumb),
        traces_sample_rate=0.0,
        **options,
    )
    return True
