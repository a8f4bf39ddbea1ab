"""Document purges as maintenance jobs (core.maintenance); the work is documents.services'."""

from core.maintenance import job

from .services import purge_orphan_files, purge_temporary_documents


@job("temporary_documents")
def purge_temporary() -> int:
    """Temporary uploads never attached, older than DOCUMENT_TEMPORARY_HOURS, with their files."""
    return purge_temporary_documents()


@job("orphan_files")
def purge_orphans() -> int:
    """Stored files with no row (left by a rolled-back upload), in the last two months' folders."""
    return purge_orphan_files()
