"""Celery imports this module (autodiscover_tasks): it registers every maintenance job's task."""

from core.maintenance import discover

discover()
