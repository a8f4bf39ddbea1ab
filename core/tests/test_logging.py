"""Structured logs: JSON lines in +08:00 carrying the request id (also in Celery tasks), with ID
numbers and mobiles masked. The lines are read from the project's own console handler
(settings.LOGGING), with its filters, switched to the JSON formatter production uses."""

import io
import json
import logging
import re
import threading
from contextlib import contextmanager
from datetime import datetime

import pytest
from celery import current_app, shared_task
from celery.contrib.testing.worker import start_worker
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from core import celery_context
from core.logs import JsonFormatter, MaskingFilter, TextFormatter, mask_text, request_id_var

logger = logging.getLogger("core.tests.logging")

task_done = threading.Event()


@shared_task(name="core.tests.log_something")
def log_something(note: str) -> None:
    logger.info("task ran: %s", note)
    task_done.set()


def logging_view(request):
    logger.info("view ran")
    log_something.delay("from the view")
    return HttpResponse("done")


urlpatterns = [path("log-test", logging_view)]


def _console_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


@contextmanager
def json_lines():
    """The console handler's output as parsed JSON objects (a list filled as lines are written)."""
    handler = _console_handler()
    stream = io.StringIO()
    old_stream, old_formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(JsonFormatter())
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def test_the_console_handler_has_the_request_id_and_masking_filters():
    names = {type(f).__name__ for f in _console_handler().filters}
    assert {"RequestIdFilter", "MaskingFilter"} <= names


def test_production_logs_json_by_default(settings):
    # Tests run with DEBUG=0 like production; LOG_FORMAT is not set.
    assert settings.LOG_FORMAT == "json"
    assert isinstance(_console_handler().formatter, JsonFormatter)


def test_a_line_is_one_json_object_with_time_in_shanghai():
    with json_lines() as lines:
        logger.warning("hello %s", "world")
    (line,) = lines
    assert line["message"] == "hello world"
    assert line["level"] == "WARNING"
    assert line["logger"] == "core.tests.logging"
    assert line["request_id"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", line["time"])
    assert abs(datetime.fromisoformat(line["time"]).timestamp() - datetime.now().timestamp()) < 60


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_every_line_of_a_request_and_its_eager_task_carries_the_request_id(client):
    with json_lines() as lines:
        response = client.get("/log-test", HTTP_X_REQUEST_ID="req-7f3a")
    assert response["X-Request-ID"] == "req-7f3a"
    mine = [line for line in lines if line["logger"] == "core.tests.logging"]
    assert [line["message"] for line in mine] == ["view ran", "task ran: from the view"]
    assert {line["request_id"] for line in mine} == {"req-7f3a"}
    # After the request, lines no longer carry its id.
    with json_lines() as after:
        logger.info("later")
    assert after[0]["request_id"] == ""


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_generated_request_id_is_the_one_in_the_response_and_the_lines(client):
    with json_lines() as lines:
        response = client.get("/log-test", HTTP_X_REQUEST_ID="bad id\nforged line")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert {line["request_id"] for line in lines if line["logger"] == "core.tests.logging"} == {request_id}


@pytest.fixture
def worker():
    """A real Celery worker in a thread, consuming the in-memory broker (tasks not eager)."""
    app = current_app
    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    task_done.clear()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"):
            yield
    finally:
        app.conf.task_always_eager = old_eager


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_task_published_during_a_request_logs_with_its_request_id_in_the_worker(client, worker):
    # The worker set up its logging (setup_logging -> settings.LOGGING): capture after it started.
    with json_lines() as lines:
        response = client.get("/log-test", HTTP_X_REQUEST_ID="req-worker-1")
        assert response.status_code == 200
        assert task_done.wait(timeout=30), "the worker did not run the task"
    task_lines = [line for line in lines if line["message"] == "task ran: from the view"]
    assert len(task_lines) == 1
    assert task_lines[0]["request_id"] == "req-worker-1"


@pytest.mark.django_db
def test_a_task_published_with_a_request_id_header_keeps_it(worker):
    with json_lines() as lines:
        log_something.apply_async(("with a header",), headers={"request_id": "req-header-9"})
        assert task_done.wait(timeout=30)
    task_lines = [line for line in lines if line["message"] == "task ran: with a header"]
    assert task_lines[0]["request_id"] == "req-header-9"
    # The worker thread's id is cleared after the task (task_postrun).
    assert request_id_var.get() == ""


def test_publishing_adds_the_current_request_id_as_a_header():
    headers: dict = {}
    token = request_id_var.set("req-42")
    try:
        celery_context.add_request_id_header(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-42"}
    empty: dict = {}
    celery_context.add_request_id_header(headers=empty)
    assert empty == {}


def test_phones_and_id_numbers_are_masked_in_message_and_arguments():
    with json_lines() as lines:
        logger.info("sending to 13812345678 for %s, again %s", "42010219900101123X", "15900001111")
        logger.info({"event": "lookup", "id_number": "420102199001011236"})
    assert lines[0]["message"] == "sending to 138****5678 for 420***********123X, again 159****1111"
    assert lines[1]["id_number"] == "420***********1236"
    text = json.dumps(lines, ensure_ascii=False)
    for raw in ("13812345678", "42010219900101123X", "15900001111", "420102199001011236"):
        assert raw not in text


def test_exceptions_are_masked_too():
    with json_lines() as lines:
        try:
            raise ValueError("no account for 13812345678")
        except ValueError:
            logger.exception("lookup failed")
    assert "138****5678" in lines[0]["exc_info"]
    assert "13812345678" not in lines[0]["exc_info"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678。", "电话138****5678。"),
        ("order 213812345678", "order 213812345678"),  # a longer number is not a phone
        ("12812345678", "12812345678"),  # not a mobile prefix
        ("证件420102199001011236号", "证件420***********1236号"),
        ("id 42010219900101123x", "id 420***********123x"),
        ("4201021990010112361", "4201021990010112361"),  # 19 digits: not an ID number
        ("request 9e3ef824b52e4457b6784227e3586149", "request 9e3ef824b52e4457b6784227e3586149"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_the_text_format_has_the_same_time_zone_request_id_and_masking():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", ("13812345678",), None)
    record.request_id = "req-1"
    MaskingFilter().filter(record)
    line = TextFormatter().format(record)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00 INFO x \[req-1\] call 138\*\*\*\*5678$", line)


def test_django_request_lines_logged_after_the_middleware_carry_the_request_id():
    # django.request logs "Not Found" etc. after the middleware chain returned, with the request.
    from django.test import RequestFactory

    request = RequestFactory().get("/nowhere")
    request.request_id = "req-late"
    with json_lines() as lines:
        logging.getLogger("django.request").error("Internal error: %s", request.path, extra={"request": request})
    assert lines[0]["request_id"] == "req-late"
    assert "request" not in lines[0]  # the request object itself is not dumped


def test_http_libraries_never_log_requests_even_at_debug_level(settings):
    """Their DEBUG lines carry request URLs and bodies, where an SMS provider SDK puts the code."""
    import logging.config

    from core.logs import logging_config

    logging.config.dictConfig(logging_config(log_format="json", level="DEBUG"))
    try:
        for name in ("urllib3", "urllib3.connectionpool", "tencentcloud_sdk_common"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        logging.config.dictConfig(settings.LOGGING)
