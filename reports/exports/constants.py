"""Names and limits of the exports. Each limit can be overridden by a setting of the same name."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.constants import StaffRole
from regions.models import ReviewUnit


class ExportKind(models.TextChoices):
    ROSTER = "roster", _("Roster of approved accountants")
    APPLICATIONS = "applications", _("Applications")
    CE_RECORDS = "ce_records", _("Continuing education records")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)

# Who may export at all (always masked): the roles that review.
EXPORT_ROLES = (StaffRole.REVIEWER, StaffRole.UNIT_ADMIN)

# Who may ask for full ID numbers and phone numbers (with a written reason): role -> the unit levels
# at which the role grants it (None: at every level). Unit administrators everywhere; reviewers of
# the province (省直), who answer the province's own data requests. Override with the setting
# EXPORTS_UNMASKED_RULES (same shape).
UNMASKED_RULES: dict[str, tuple[str, ...] | None] = {
    StaffRole.UNIT_ADMIN: None,
    StaffRole.REVIEWER: (ReviewUnit.Level.PROVINCE,),
}

REASON_MAX_LENGTH = 200


def setting(name: str, default):
    return getattr(settings, name, default)


def expiry_hours() -> int:
    """A finished file can be downloaded this long; then the maintenance job deletes it."""
    return setting("EXPORTS_EXPIRY_HOURS", 24)


def progress_every() -> int:
    """Rows between two progress writes on the job row."""
    return setting("EXPORTS_PROGRESS_EVERY", 2000)


def chunk_size() -> int:
    """Rows fetched per round trip (a server-side cursor on PostgreSQL)."""
    return setting("EXPORTS_CHUNK_SIZE", 2000)


def max_active_per_user() -> int:
    """Queued or running exports one person may have at a time."""
    return setting("EXPORTS_MAX_ACTIVE_PER_USER", 3)


def stale_minutes() -> int:
    """A job still running after this long lost its worker: the maintenance job marks it failed."""
    return setting("EXPORTS_STALE_MINUTES", 120)


def job_retention_days() -> int:
    """Finished job rows (no file any more) are deleted after this many days; the audit rows stay."""
    return setting("EXPORTS_JOB_RETENTION_DAYS", 30)


def unmasked_rules() -> dict:
    return setting("EXPORTS_UNMASKED_RULES", UNMASKED_RULES)


# Recent exports listed on the page.
RECENT_LIMIT = 20
# Where the files go in the default storage (never under docs/, which the orphan purge owns).
STORAGE_FOLDER = "exports"
