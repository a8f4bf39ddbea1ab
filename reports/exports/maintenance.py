"""The exports' maintenance job (core.maintenance): expired files deleted, dead jobs failed."""

from core.maintenance import job

from .services import purge_exports


@job("exports")
def purge_expired_exports() -> int:
    """Files of exports past their expiry (EXPORTS_EXPIRY_HOURS, 24 by default)."""
    return purge_exports()
