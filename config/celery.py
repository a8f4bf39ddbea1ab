"""Celery application. Without REDIS_URL tasks run inline (CELERY_TASK_ALWAYS_EAGER).

Production runs workers and one beat (the periodic jobs in settings.CELERY_BEAT_SCHEDULE, among
them the SMS outbox relay):

    celery -A config worker -l info
    celery -A config beat -l info

Settings are the CELERY_* names in config/settings.py ("background work").
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hbkj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from core.celery_context import connect_signals  # noqa: E402 - request ids into tasks, worker logging

connect_signals()
