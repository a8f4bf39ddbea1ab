from celery import shared_task


@shared_task(name="institutions.validate_upload", ignore_result=True)
def validate_upload(batch_id: int) -> None:
    """Check an uploaded attendee list in batches (progress on the upload page)."""
    from .services import check_upload

    check_upload(batch_id)
