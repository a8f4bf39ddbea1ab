"""Celery tasks of the reports app (Celery's autodiscover imports this module)."""

from celery import shared_task

from .statistics_refresh import refresh_statistics


@shared_task(name="reports.refresh_statistics", ignore_result=True)
def refresh_statistics_task(full: bool = False) -> None:
    """Bring the dashboard's aggregates up to date (incremental; `full` recomputes everything)."""
    refresh_statistics(full=full)
