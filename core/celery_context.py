"""Carry the request id into Celery tasks, and give workers the project's logging.

- ``before_task_publish``: a task published while a request (or another task) is being handled
  gets a ``request_id`` message header with that id;
- ``task_prerun`` / ``task_postrun``: the worker puts the header's id in ``core.logs.request_id_var``
  for the task's run, so every line the task logs carries the id of the request that caused it.
  A task run eagerly (CELERY_TASK_ALWAYS_EAGER) runs inside the request and keeps its id as is;
- ``setup_logging``: workers keep Django's LOGGING (JSON lines, masking) instead of Celery's own
  root-logger set-up.

Connected by ``connect_signals()`` from config/celery.py. Imports no Django models.
"""

import logging.config

from celery import signals

from core.logs import request_id_var

HEADER = "request_id"

# task id -> contextvar token of the id set for that task's run.
_tokens: dict[str, object] = {}


def _valid(value) -> str:
    return value[:64] if isinstance(value, str) and value.isascii() and value.isprintable() else ""


def add_request_id_header(sender=None, headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


def header_request_id(task) -> str:
    """The request id a task's message carried, if any."""
    request = getattr(task, "request", None)
    if request is None:
        return ""
    value = getattr(request, HEADER, None)
    if not value:
        value = (getattr(request, "headers", None) or {}).get(HEADER)
    return _valid(value)


def enter_task(sender=None, task_id=None, task=None, **kwargs):
    request_id = header_request_id(task)
    if request_id and task_id:
        _tokens[task_id] = request_id_var.set(request_id)


def leave_task(sender=None, task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (should not happen): just clear it
            request_id_var.set("")


def configure_worker_logging(**kwargs):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def connect_signals() -> None:
    signals.before_task_publish.connect(add_request_id_header, weak=False, dispatch_uid="core.request_id.publish")
    signals.task_prerun.connect(enter_task, weak=False, dispatch_uid="core.request_id.prerun")
    signals.task_postrun.connect(leave_task, weak=False, dispatch_uid="core.request_id.postrun")
    signals.setup_logging.connect(configure_worker_logging, weak=False, dispatch_uid="core.logging.worker")
