"""Identity purges as maintenance jobs (core.maintenance)."""

from core.maintenance import job

from .codes import purge_expired_codes


@job("sms_codes")
def purge_sms_codes() -> int:
    """One-time SMS codes past their expiry."""
    return purge_expired_codes()
