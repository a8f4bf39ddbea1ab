import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from documents.exceptions import StorageUnavailable
from documents.storage import STORAGE_ERRORS, ensure_bucket, is_s3, probe


class Command(BaseCommand):
    help = (
        "Check the document storage: write, read back and delete a probe file. "
        "With --create-bucket, first create the S3 bucket if it does not exist (drills, a fresh MinIO)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--create-bucket", action="store_true", help="Create the S3 bucket if missing.")

    def handle(self, *args, create_bucket=False, **options):
        storage = default_storage
        if is_s3(storage):
            where = f"S3 bucket {storage.bucket_name!r} at {storage.endpoint_url or 'the AWS default endpoint'}"
        else:
            where = f"folder {settings.MEDIA_ROOT}"
        started = time.monotonic()
        try:
            if create_bucket:
                if not is_s3(storage):
                    raise CommandError("--create-bucket needs STORAGE_BACKEND=s3")
                if ensure_bucket(storage):
                    self.stdout.write(f"created the bucket {storage.bucket_name!r}")
            probe(storage)
        except StorageUnavailable as exc:
            raise CommandError(
                f"storage unavailable ({where}) after {time.monotonic() - started:.1f} s: {exc.__cause__!r}"
            ) from exc
        except STORAGE_ERRORS as exc:
            raise CommandError(
                f"storage unavailable ({where}) after {time.monotonic() - started:.1f} s: {exc!r}"
            ) from exc
        self.stdout.write(
            f"storage OK: {where}; wrote, read back and deleted a probe file in {time.monotonic() - started:.2f} s"
        )
