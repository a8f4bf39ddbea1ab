"""Factories of documents and of the people who own them."""

import hashlib
import uuid

import factory
from django.core.files.base import ContentFile

from documents.constants import ContentType, DocumentKind, DocumentStatus
from documents.models import Document, document_path
from identity.constants import IdType, UserKind
from identity.models import User

from . import corpus


class OwnerFactory(factory.django.DjangoModelFactory):
    """An accountant who uploads documents (documents needs no more of identity than this)."""

    class Meta:
        model = User

    username = factory.LazyFunction(lambda: "acc-" + uuid.uuid4().hex)
    kind = UserKind.ACCOUNTANT
    full_name = factory.Sequence(lambda n: f"张三{n}")
    id_type = IdType.RESIDENT_ID
    id_number = factory.Sequence(lambda n: f"420102199001{n:06d}"[:18])
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored JPEG proof. Traits: `attached=True` (with application_id), `pdf=True`, `rejected=True`."""

    class Meta:
        model = Document

    class Params:
        attached = factory.Trait(status=DocumentStatus.ATTACHED, application_id=factory.Sequence(lambda n: 1000 + n))
        rejected = factory.Trait(status=DocumentStatus.REJECTED)
        pdf = factory.Trait(content=factory.LazyFunction(lambda: corpus.pdf()), content_type=ContentType.PDF)

    content = factory.LazyFunction(lambda: corpus.jpeg())  # bytes to store; not a model field
    owner = factory.SubFactory(OwnerFactory)
    kind = DocumentKind.PROOF
    slot = "id_front"
    original_name = "身份证正面.jpg"
    content_type = ContentType.JPEG
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    status = DocumentStatus.TEMPORARY

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        content = kwargs.pop("content")
        document = model_class(*args, **kwargs)
        document.file.name = document.file.storage.save(document_path(document), ContentFile(content))
        document.save()
        return document

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("content")
        return model_class(*args, **kwargs)
