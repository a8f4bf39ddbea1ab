"""The export task. Safe to run twice: only a queued job is claimed (services.run_export)."""

from celery import shared_task

from . import constants, services

# Below the broker's visibility time-out (900 s by default), so a long export is never redelivered
# to a second worker while the first still writes it. A million rows take a few minutes.
_SOFT_LIMIT = constants.setting("EXPORTS_SOFT_TIME_LIMIT", 780)
_HARD_LIMIT = constants.setting("EXPORTS_TIME_LIMIT", 840)


@shared_task(name="report_exports.run_export", ignore_result=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def run_export_task(job_id: str) -> None:
    services.run_export(job_id)
