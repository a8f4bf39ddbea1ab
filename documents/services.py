"""Writing documents: store an upload, store the photo, attach to an application, rescan, purge.

Every kind of application (采集, 变更, 继续教育, 诚信, 手机号更换) uses these:

    document = store_upload(owner=user, uploaded_file=request.FILES["f"], slot="id_front")
    ...later, when the application is submitted...
    attach(document=document, application_id=application.pk)

Both refuse with UploadRejected(message), whose message tells the person what to fix; when the
file storage is down or does not answer in time that is StorageUnavailable (an UploadRejected),
and the request answers 503 (documents.middleware).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import PHOTO_HEIGHT, PHOTO_SLOT, PHOTO_WIDTH, ContentType, DocumentKind, DocumentStatus
from .exceptions import StorageUnavailable, UploadRejected
from .inspection import Inspected, human_size, inspect_proof, read_upload, run_scanners, sanitize_name
from .models import Document, document_path
from .photo import process_photo
from .selectors import owner_documents
from .storage import delete_quietly, read_bytes, save_bytes

if TYPE_CHECKING:
    from datetime import datetime

    from django.core.files.uploadedfile import UploadedFile

    from identity.models import User

__all__ = [
    "StorageUnavailable",
    "UploadRejected",
    "attach",
    "detach",
    "owner_documents",
    "process_photo",
    "purge_temporary_documents",
    "rescan_document",
    "store_photo",
    "store_upload",
]

logger = logging.getLogger(__name__)


def _check_quota(owner: User, *, extra_bytes: int, lock: bool = True) -> None:
    """Refuse an upload past the owner's quota.

    With `lock` (inside a transaction) the owner's row is locked first, so two uploads at once
    cannot both slip under the quota.
    """
    if lock:
        get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True).first()
    usage = (
        Document.objects.filter(owner=owner)
        .exclude(status=DocumentStatus.REJECTED)
        .aggregate(count=Count("pk"), total=Sum("size"))
    )
    if usage["count"] + 1 > settings.DOCUMENT_QUOTA_COUNT or (usage["total"] or 0) + extra_bytes > (
        settings.DOCUMENT_QUOTA_BYTES
    ):
        raise UploadRejected(
            _(
                "You have reached the upload limit (%(count)d files or %(size)s in all). "
                "Finish or withdraw your open applications, or try again tomorrow when unused uploads are cleared."
            )
            % {"count": settings.DOCUMENT_QUOTA_COUNT, "size": human_size(settings.DOCUMENT_QUOTA_BYTES)},
            code="quota",
        )


def _save(
    *, owner: User, kind: str, slot: str, application_id: int | None, original_name: str, inspected: Inspected
) -> Document:
    """Store the bytes first, then the row in a transaction: never a row without its file.

    The quota is checked before anything is written, and again under the owner's lock when the row
    goes in. The storage is written outside any transaction of ours, so a slow storage holds no
    lock. A storage failure raises StorageUnavailable and leaves no row; a failure writing the row
    deletes the bytes again (best effort: what is left has no row and purge_orphan_files takes it).
    """
    document = Document(
        owner=owner,
        kind=kind,
        slot=slot,
        application_id=application_id,
        original_name=original_name,
        content_type=inspected.content_type,
        size=len(inspected.content),
        sha256=inspected.sha256,
        width=inspected.width,
        height=inspected.height,
        pages=inspected.pages,
        status=DocumentStatus.ATTACHED if application_id is not None else DocumentStatus.TEMPORARY,
        created_at=timezone.now(),
    )
    _check_quota(owner, extra_bytes=document.size, lock=False)
    storage = document.file.storage
    name = save_bytes(storage, document_path(document), ContentFile(inspected.content))
    try:
        with transaction.atomic():
            _check_quota(owner, extra_bytes=document.size)
            document.file.name = name
            document.save(force_insert=True)
    except BaseException:
        delete_quietly(storage, name)
        raise
    return document


def store_upload(
    *,
    owner: User,
    uploaded_file: UploadedFile[bytes],
    slot: str,
    kind: str = DocumentKind.PROOF,
    application_id: int | None = None,
) -> Document:
    """Check and store one proof (JPEG, PNG or PDF) for `slot`; a photo goes through store_photo.

    The type is decided by content only; images are re-encoded (EXIF and trailing bytes gone) and
    scaled to DOCUMENT_PROOF_MAX_EDGE; PDFs with scripts, actions, attachments or encryption are
    refused. Without application_id the document is temporary until attach(). Raises UploadRejected.
    """
    if kind == DocumentKind.PHOTO:
        return store_photo(
            owner=owner, uploaded_file=uploaded_file, crop=None, slot=slot, application_id=application_id
        )
    if kind != DocumentKind.PROOF:
        raise ValueError(f"unknown document kind {kind!r}")
    data = read_upload(uploaded_file, max_bytes=settings.DOCUMENT_PROOF_MAX_BYTES)
    inspected = inspect_proof(data)
    return _save(
        owner=owner,
        kind=kind,
        slot=slot,
        application_id=application_id,
        original_name=sanitize_name(getattr(uploaded_file, "name", "")),
        inspected=inspected,
    )


def store_photo(
    *,
    owner: User,
    uploaded_file: UploadedFile[bytes],
    crop: tuple[int, int, int, int] | None,
    slot: str = PHOTO_SLOT,
    application_id: int | None = None,
) -> Document:
    """Make and store the 1-inch photo (process_photo) from an uploaded image and the person's crop.

    Temporary until the form that uses it attaches it. Raises UploadRejected naming the rule that failed.
    """
    data = read_upload(uploaded_file, max_bytes=settings.DOCUMENT_PHOTO_UPLOAD_MAX_BYTES)
    content = process_photo(image_bytes=data, crop=crop)
    inspected = Inspected(content=content, content_type=ContentType.JPEG, width=PHOTO_WIDTH, height=PHOTO_HEIGHT)
    return _save(
        owner=owner,
        kind=DocumentKind.PHOTO,
        slot=slot,
        application_id=application_id,
        original_name=sanitize_name(getattr(uploaded_file, "name", "")),
        inspected=inspected,
    )


def attach(*, document: Document, application_id: int) -> Document:
    """Give a document to an application: it is kept from then on and readable by its reviewers.

    Attaching again to the same application changes nothing. Refused for a rejected document or
    one that already belongs to another application (the caller must check the owner first:
    selectors.document_for_owner).
    """
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentStatus.REJECTED:
            raise UploadRejected(_("This file was refused by the virus scan. Upload another file."), code="rejected")
        if locked.application_id is not None and locked.application_id != application_id:
            raise UploadRejected(
                _("This file already belongs to another application. Upload the file again for this one."),
                code="taken",
            )
        if locked.status != DocumentStatus.ATTACHED or locked.application_id != application_id:
            locked.application_id = application_id
            locked.status = DocumentStatus.ATTACHED
            locked.save(update_fields=["application_id", "status"])
    document.application_id = locked.application_id
    document.status = locked.status
    return document


def detach(*, document: Document) -> Document:
    """Take a document back from its application (a draft's proof replaced by a new one).

    It becomes temporary again, so the daily purge deletes it unless it is attached anew.
    """
    with transaction.atomic():
        Document.objects.filter(pk=document.pk, status=DocumentStatus.ATTACHED).update(
            status=DocumentStatus.TEMPORARY, application_id=None, created_at=timezone.now()
        )
    document.refresh_from_db(fields=["status", "application_id", "created_at"])
    return document


def rescan_document(*, document: Document) -> bool:
    """Scan a stored document again (e.g. with new virus signatures). Returns whether it is clean.

    A document a scanner now refuses is marked rejected, never shown again, and its bytes deleted.
    Raises StorageUnavailable when the file cannot be read from the storage.
    """
    data = read_bytes(document.file.storage, cast(str, document.file.name))  # a stored document has a name
    try:
        run_scanners(data)
    except UploadRejected as exc:
        if exc.code == "scanner_unavailable":
            raise
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).update(status=DocumentStatus.REJECTED)
            name = cast(str, document.file.name)
            transaction.on_commit(lambda: delete_quietly(document.file.storage, name))
        document.status = DocumentStatus.REJECTED
        logger.warning("document %s rejected by a scanner on rescan", document.pk)
        return False
    return True


def purge_temporary_documents(*, older_than: timedelta | None = None, now: datetime | None = None) -> int:
    """Delete temporary documents never attached, older than a day by default.

    Each row goes first and its file once that commits, so no row is ever left without its file.

    Returns how many were deleted. Run daily (management command purge_temporary_documents).
    """
    now = now or timezone.now()
    older_than = older_than if older_than is not None else timedelta(hours=settings.DOCUMENT_TEMPORARY_HOURS)
    stale = Document.objects.filter(
        Q(status=DocumentStatus.TEMPORARY) & Q(application_id__isnull=True), created_at__lt=now - older_than
    )
    storage = Document._meta.get_field("file").storage
    deleted = 0
    for document in stale.only("pk", "file").iterator(chunk_size=500):
        with transaction.atomic():
            # A document attached meanwhile is kept: the delete matches nothing then.
            gone, _counts = Document.objects.filter(
                pk=document.pk, status=DocumentStatus.TEMPORARY, application_id__isnull=True
            ).delete()
            if gone:
                name = cast(str, document.file.name)
                transaction.on_commit(partial(delete_quietly, storage, name))
                deleted += 1
    return deleted


def delete_unclaimed_files(names: list[str]) -> int:
    """Delete files written during a request whose row did not survive it (best effort).

    An upload stores its bytes before its row; when a caller's larger transaction rolls back after
    that (a second file of the same form failed, a later check refused), the row is gone and the
    bytes would stay. StorageUnavailableMiddleware calls this once the request is over. Returns how
    many were deleted.
    """
    if not names:
        return 0
    kept = set(Document.objects.filter(file__in=names).values_list("file", flat=True))
    storage = Document._meta.get_field("file").storage
    deleted = 0
    for name in names:
        if name not in kept and delete_quietly(storage, name):
            deleted += 1
    if deleted:
        logger.info("deleted %d stored file(s) whose rows were rolled back", deleted)
    return deleted


def purge_orphan_files(*, months: int = 2, older_than: timedelta | None = None, now: datetime | None = None) -> int:
    """Delete stored files with no row (left by a transaction rolled back after storing), recent months only."""
    now = now or timezone.now()
    older_than = older_than if older_than is not None else timedelta(hours=settings.DOCUMENT_TEMPORARY_HOURS)
    storage = Document._meta.get_field("file").storage
    removed = 0
    year, month = now.year, now.month
    for _step in range(months):
        folder = f"docs/{year:04d}/{month:02d}"
        try:
            _dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            files = []
        names = sorted(f"{folder}/{name}" for name in files)
        for start in range(0, len(names), 500):
            batch = names[start : start + 500]
            known = set(Document.objects.filter(file__in=batch).values_list("file", flat=True))
            for name in batch:
                if name not in known and storage.get_modified_time(name) < now - older_than:
                    storage.delete(name)
                    removed += 1
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return removed
