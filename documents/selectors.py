"""Reading documents."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .constants import DocumentStatus
from .models import Document

if TYPE_CHECKING:
    from identity.models import User


def owner_documents(owner: User) -> QuerySet[Document]:
    """The documents a person uploaded and may still see (rejected ones are never shown), newest first."""
    return Document.objects.filter(owner=owner).exclude(status=DocumentStatus.REJECTED).order_by("-created_at")


def document_for_owner(*, owner: User, document_id: object) -> Document | None:
    """The owner's document with this id (e.g. from a hidden form field), or None for anything else.

    Use it to turn a posted id into a document: another person's id, a rejected document, or a
    malformed value all give None.
    """
    try:
        pk = uuid.UUID(str(document_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return owner_documents(owner).filter(pk=pk).first()


def application_documents(application_id: int) -> QuerySet[Document]:
    """The documents attached to one application, by slot, for its detail and review pages."""
    return Document.objects.filter(application_id=application_id, status=DocumentStatus.ATTACHED).order_by(
        "slot", "created_at"
    )
