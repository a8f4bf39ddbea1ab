"""Audit retention as a maintenance job (core.maintenance)."""

from core.maintenance import job

from .retention import purge_expired_audit_events


@job("audit_retention")
def purge_audit_events() -> int:
    """Delete audit rows older than AUDIT_RETENTION_DAYS (audit.retention)."""
    return purge_expired_audit_events()
