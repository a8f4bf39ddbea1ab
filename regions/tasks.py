"""Scheduled reminders of the working-day calendar (Celery beat, see CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task
from django.utils import timezone

from . import calendar

logger = logging.getLogger(__name__)


@shared_task(name="regions.remind_calendar_notice")
def remind_calendar_notice() -> list[int]:
    """Warn operators while this year or next still has only a provisional holiday schedule.

    The State Council publishes next year's arrangement around November; until someone enters it,
    due dates miss its make-up workdays. Runs monthly from October; the admin shows the same reminder.
    """
    this_year = timezone.localdate().year
    years = calendar.provisional_years([this_year, this_year + 1])
    for year in years:
        logger.warning("The %s holiday schedule is provisional: enter the State Council's notice in the admin", year)
    return years
