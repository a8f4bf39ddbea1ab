"""Run the outbox relay once (what Celery beat runs every SMS_RELAY_INTERVAL_SECONDS)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import relay_outbox


class Command(BaseCommand):
    help = "Send due SMS outbox rows and rows whose lease expired (once; Celery beat runs it periodically)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None, help="at most this many rows")

    def handle(self, *args: Any, batch_size: int | None = None, **options: Any) -> None:
        counts = relay_outbox(batch_size=batch_size)
        self.stdout.write("sent {sent}, failed or retrying {not_sent}, skipped {skipped}".format(**counts))
