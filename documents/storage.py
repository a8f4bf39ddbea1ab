"""Talking to the file storage: the one place where its failures become StorageUnavailable.

The storage is a local folder (FileSystemStorage) or S3-compatible object storage (django-storages,
with the time-outs and retries of settings.STORAGES). Whatever goes wrong there (a refused or
hanging connection, a 5xx answer, bad credentials, a full or read-only disk) becomes
StorageUnavailable, whose message tells the person to try again later.

Within one request (StorageUnavailableMiddleware opens a scope) the first failure is remembered:
later storage calls of the same request fail at once instead of waiting out the time-outs again
(a form with several files), and the middleware answers the request with 503.
"""

import contextvars
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.utils.translation import gettext as _

from .exceptions import StorageUnavailable

logger = logging.getLogger(__name__)

# What a storage backend raises when the storage itself (not our data) is the problem. A missing
# object is FileNotFoundError (django-storages maps S3's 404 to it) and is handled by the callers.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)


@dataclass
class StorageState:
    """What one request has seen of the storage: whether it failed, and the files it wrote."""

    failed: bool = False
    written: list[str] = field(default_factory=list)


_state: contextvars.ContextVar[StorageState | None] = contextvars.ContextVar("documents_storage", default=None)


@contextmanager
def request_scope():
    """Remember storage failures for the duration of one request (or any unit of work)."""
    state = StorageState()
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def upload_unavailable_message() -> str:
    return _(
        "The file storage service is temporarily unavailable, so this file was not saved. "
        "Everything else you entered is still in the form: please upload the file again in a few minutes."
    )


def read_unavailable_message() -> str:
    return _(
        "The file storage service is temporarily unavailable, so this file cannot be shown. Please try again later."
    )


def _unavailable(operation: str, name: str, exc: BaseException | None, message: str) -> StorageUnavailable:
    state = _state.get()
    if state is not None:
        state.failed = True
    if exc is not None:
        logger.error("file storage %s failed for %s: %s: %s", operation, name, type(exc).__name__, exc)
    return StorageUnavailable(message)


def _fail_fast(operation: str, name: str, message: str) -> None:
    state = _state.get()
    if state is not None and state.failed:
        logger.warning("file storage %s of %s skipped: the storage already failed in this request", operation, name)
        raise _unavailable(operation, name, None, message)


def save_bytes(storage, name: str, content) -> str:
    """Write `content` (a django File) under `name`; return the name the storage used.

    Raises StorageUnavailable when the storage fails or does not answer in time.
    """
    message = upload_unavailable_message()
    _fail_fast("save", name, message)
    try:
        saved = storage.save(name, content)
    except STORAGE_ERRORS as exc:
        raise _unavailable("save", name, exc, message) from exc
    state = _state.get()
    if state is not None:
        state.written.append(saved)
    return saved


def read_bytes(storage, name: str) -> bytes:
    """The whole stored file (documents are a few MB at most), fetched now, within the time-outs.

    Raises FileNotFoundError for a file the storage does not have, StorageUnavailable when the
    storage fails or does not answer in time.
    """
    message = read_unavailable_message()
    _fail_fast("read", name, message)
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise
    except STORAGE_ERRORS as exc:
        raise _unavailable("read", name, exc, message) from exc


def delete_quietly(storage, name: str) -> bool:
    """Delete a stored file, best effort (cleanup after a failed save): a failure is logged, not raised.

    Whatever is left behind has no row and is removed by purge_orphan_files.
    """
    try:
        storage.delete(name)
    except STORAGE_ERRORS as exc:
        logger.error("file storage delete failed for %s: %s: %s", name, type(exc).__name__, exc)
        return False
    return True


# --------------------------------------------------------------------------- operations (storage_check)


def is_s3(storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def ensure_bucket(storage) -> bool:
    """Create the bucket of an S3 storage if it does not exist yet; True if it was created.

    For a fresh MinIO or a moto server of the drills; a production bucket is made by its admins.
    """
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
        return False
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
            raise
    params = {"Bucket": storage.bucket_name}
    if storage.region_name and storage.region_name != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": storage.region_name}
    client.create_bucket(**params)
    return True


def probe(storage) -> None:
    """Write, read back and delete a small file. Raises StorageUnavailable (or RuntimeError for a
    storage that answers with other bytes than it was given)."""
    from django.core.files.base import ContentFile

    payload = f"storage probe {uuid.uuid4()}".encode()
    name = save_bytes(storage, f"probe/{uuid.uuid4()}.txt", ContentFile(payload))
    try:
        if read_bytes(storage, name) != payload:
            raise RuntimeError(f"the storage returned other bytes for {name}")
    finally:
        delete_quietly(storage, name)
