"""After the upload: attach to an application, rescan, purge the unused, read back."""

from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document as DocxDocument

from documents.access import can_view
from documents.constants import DocumentStatus
from documents.exceptions import UploadRejected
from documents.generated import employment_statement_docx
from documents.models import Document
from documents.selectors import application_documents, document_for_owner, owner_documents
from documents.services import attach, detach, purge_orphan_files, purge_temporary_documents, rescan_document

from .factories import DocumentFactory, OwnerFactory

pytestmark = pytest.mark.django_db


def refuse_everything(data: bytes) -> None:
    raise UploadRejected("发现病毒", code="virus")


# --------------------------------------------------------------------------- attach


def test_attaching_makes_a_temporary_document_belong_to_the_application():
    document = DocumentFactory()

    attach(document=document, application_id=31)

    document.refresh_from_db()
    assert (document.status, document.application_id) == (DocumentStatus.ATTACHED, 31)
    assert list(application_documents(31)) == [document]


def test_attaching_twice_to_the_same_application_changes_nothing():
    document = DocumentFactory(attached=True, application_id=31)

    attach(document=document, application_id=31)

    assert Document.objects.get(pk=document.pk).application_id == 31


def test_a_document_of_one_application_cannot_be_attached_to_another():
    document = DocumentFactory(attached=True, application_id=31)

    with pytest.raises(UploadRejected) as caught:
        attach(document=document, application_id=32)

    assert caught.value.code == "taken"
    assert "已属于另一项申请" in caught.value.message
    assert Document.objects.get(pk=document.pk).application_id == 31


def test_a_rejected_document_cannot_be_attached():
    document = DocumentFactory(rejected=True)

    with pytest.raises(UploadRejected) as caught:
        attach(document=document, application_id=31)

    assert caught.value.code == "rejected"
    assert Document.objects.get(pk=document.pk).application_id is None


def test_a_detached_document_is_temporary_again_and_purged_a_day_later(django_capture_on_commit_callbacks):
    document = DocumentFactory(attached=True, application_id=31, created_at=timezone.now() - timedelta(days=30))

    detach(document=document)

    assert (document.status, document.application_id) == (DocumentStatus.TEMPORARY, None)
    assert list(application_documents(31)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_temporary_documents() == 0
        assert purge_temporary_documents(now=timezone.now() + timedelta(hours=25)) == 1


def test_detaching_a_rejected_document_leaves_it_rejected():
    document = DocumentFactory(rejected=True)

    detach(document=document)

    assert document.status == DocumentStatus.REJECTED


# --------------------------------------------------------------------------- selectors


def test_owner_documents_lists_the_owners_visible_documents_newest_first(django_assert_num_queries):
    owner = OwnerFactory()
    older = DocumentFactory(owner=owner, created_at=timezone.now() - timedelta(hours=2))
    newer = DocumentFactory(owner=owner)
    DocumentFactory(owner=owner, rejected=True)
    DocumentFactory()

    with django_assert_num_queries(1):
        assert list(owner_documents(owner)) == [newer, older]


def test_document_for_owner_turns_a_posted_id_into_the_owners_document_or_none():
    document = DocumentFactory()

    assert document_for_owner(owner=document.owner, document_id=str(document.pk)) == document
    assert document_for_owner(owner=OwnerFactory(), document_id=str(document.pk)) is None
    assert document_for_owner(owner=document.owner, document_id="not-a-uuid") is None
    assert document_for_owner(owner=document.owner, document_id=None) is None


# --------------------------------------------------------------------------- rescan


def test_a_rescan_that_finds_something_hides_the_document_and_deletes_its_bytes(
    settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_SCANNERS = [f"{__name__}.refuse_everything"]
    document = DocumentFactory(attached=True)
    path = Path(settings.MEDIA_ROOT) / document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        clean = rescan_document(document=document)

    assert clean is False
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    assert not path.exists()
    assert not can_view(document.owner, document)


def test_a_clean_rescan_changes_nothing(settings):
    settings.DOCUMENT_SCANNERS = []
    document = DocumentFactory()

    assert rescan_document(document=document) is True
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.TEMPORARY


# --------------------------------------------------------------------------- purge


def test_purge_deletes_old_temporary_documents_and_their_files_only(settings, django_capture_on_commit_callbacks):
    old = timezone.now() - timedelta(hours=25)
    stale = DocumentFactory(created_at=old)
    fresh = DocumentFactory()
    kept = DocumentFactory(created_at=old, attached=True)
    stale_path = Path(settings.MEDIA_ROOT) / stale.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_temporary_documents() == 1

    assert not Document.objects.filter(pk=stale.pk).exists()
    assert not stale_path.exists()
    assert Document.objects.filter(pk__in=[fresh.pk, kept.pk]).count() == 2
    assert (Path(settings.MEDIA_ROOT) / kept.file.name).exists()


def test_the_purge_command_reports_what_it_removed(settings, django_capture_on_commit_callbacks):
    DocumentFactory(created_at=timezone.now() - timedelta(hours=30))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_temporary_documents", "--skip-orphans", stdout=out)

    assert "purged 1 temporary document(s), 0 orphan file(s)" in out.getvalue()
    assert not Document.objects.exists()


def test_orphan_files_without_a_row_are_removed_and_files_with_rows_kept(settings):
    document = DocumentFactory()
    storage = document.file.storage
    now = timezone.now()
    orphan = storage.save(f"docs/{now:%Y}/{now:%m}/00000000-0000-0000-0000-000000000001.jpg", ContentFile(b"x"))

    assert purge_orphan_files(older_than=timedelta(0), now=now + timedelta(seconds=5)) == 1

    assert not storage.exists(orphan)
    assert storage.exists(document.file.name)


def test_a_young_orphan_is_left_alone_it_may_belong_to_an_upload_in_progress(settings):
    now = timezone.now()
    storage = Document._meta.get_field("file").storage
    young = storage.save(f"docs/{now:%Y}/{now:%m}/00000000-0000-0000-0000-000000000002.jpg", ContentFile(b"x"))

    assert purge_orphan_files(now=now) == 0
    assert storage.exists(young)


# --------------------------------------------------------------------------- the statement


def docx_text(content: bytes) -> str:
    document = DocxDocument(BytesIO(content))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_the_employment_statement_opens_and_carries_the_person_and_the_unit():
    content = employment_statement_docx(
        name="李四", id_type_label="居民身份证", id_number="420102199001011236", unit_name="武汉市某某有限公司"
    )

    text = docx_text(content)
    assert "从事会计工作说明" in text
    assert "李四" in text
    assert "420102199001011236" in text
    assert "武汉市某某有限公司" in text
    assert "（盖章）" in text and "日期" in text


def test_an_empty_unit_leaves_a_blank_to_fill_by_hand():
    text = docx_text(employment_statement_docx(name="李四", id_type_label="护照", id_number="E12345678", unit_name=""))

    assert "系我单位 \u3000" in text


def test_an_accountant_downloads_the_statement_filled_with_their_own_name(client):
    owner = OwnerFactory(full_name="王五")
    client.force_login(owner)

    response = client.get(reverse("documents:employment_statement"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "filename*=UTF-8''%E4%BB%8E%E4%BA%8B" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = docx_text(response.content)
    assert "王五" in text and owner.id_number in text


def test_the_statement_needs_a_signed_in_accountant(client):
    response = client.get(reverse("documents:employment_statement"))

    assert response.status_code == 302
