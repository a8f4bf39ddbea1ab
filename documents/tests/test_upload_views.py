"""The htmx upload boxes: photo picker and proof box, as an accountant uses them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from documents.constants import DocumentKind, DocumentStatus
from documents.models import Document

from . import corpus
from .factories import DocumentFactory, OwnerFactory

pytestmark = pytest.mark.django_db

PHOTO_URL = reverse("documents:photo_upload")
PROOF_URL = reverse("documents:proof_upload")


@pytest.fixture
def accountant(client):
    owner = OwnerFactory()
    client.force_login(owner)
    client.owner = owner
    return client


def photo_file(**kwargs):
    return SimpleUploadedFile("me.jpg", corpus.portrait(size=(600, 840), **kwargs), content_type="image/jpeg")


# --------------------------------------------------------------------------- photo


def test_a_photo_upload_answers_the_preview_and_the_hidden_document_id(accountant):
    response = accountant.post(
        PHOTO_URL,
        {
            "picker": "photo",
            "photo-file": photo_file(),
            "photo-crop_x": "0",
            "photo-crop_y": "0",
            "photo-crop_w": "600",
            "photo-crop_h": "840",
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    document = Document.objects.get(owner=accountant.owner)
    assert document.kind == DocumentKind.PHOTO
    content = response.content.decode()
    assert f'name="photo" value="{document.pk}"' in content
    assert reverse("documents:view", args=[document.pk]) in content
    assert 'data-testid="photo-preview"' in content
    assert "data-photo-ok" in content


def test_a_refused_photo_answers_the_reason_and_keeps_the_previous_photo(accountant):
    previous = DocumentFactory(owner=accountant.owner, kind=DocumentKind.PHOTO, slot="photo")

    response = accountant.post(
        PHOTO_URL,
        {"picker": "photo", "photo": str(previous.pk), "photo-file": photo_file(background=(40, 160, 60))},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "背景色须为红色、蓝色或白色" in content
    assert "data-photo-error" in content
    assert f'name="photo" value="{previous.pk}"' in content
    assert Document.objects.filter(owner=accountant.owner).count() == 1


def test_a_photo_post_without_a_file_asks_for_one(accountant):
    response = accountant.post(PHOTO_URL, {"picker": "photo"})

    assert "请先选择文件" in response.content.decode()


def test_a_photo_picker_name_of_another_shape_is_a_bad_request(accountant):
    assert accountant.post(PHOTO_URL, {"picker": '"><script>'}).status_code == 400


def test_someone_elses_photo_id_is_not_shown_back(accountant):
    stranger_photo = DocumentFactory(kind=DocumentKind.PHOTO, slot="photo")

    response = accountant.post(PHOTO_URL, {"picker": "photo", "photo": str(stranger_photo.pk)})

    assert str(stranger_photo.pk) not in response.content.decode()


def test_a_custom_picker_name_is_used_for_every_field(accountant):
    response = accountant.post(PHOTO_URL, {"picker": "new_photo", "new_photo-file": photo_file()})

    document = Document.objects.get(owner=accountant.owner)
    assert f'name="new_photo" value="{document.pk}"' in response.content.decode()


def test_photo_upload_is_for_signed_in_accountants_only(client):
    response = client.post(PHOTO_URL, {"picker": "photo"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_photo_upload_refuses_get(accountant):
    assert accountant.get(PHOTO_URL).status_code == 405


# --------------------------------------------------------------------------- proofs


def test_a_proof_upload_stores_a_temporary_proof_and_answers_the_refreshed_box(
    accountant, django_assert_max_num_queries
):
    uploaded = SimpleUploadedFile("学位证.png", corpus.png(), content_type="image/png")

    with django_assert_max_num_queries(12):
        response = accountant.post(PROOF_URL, {"slot": "diploma:2", "proof-diploma:2-file": uploaded})

    document = Document.objects.get(owner=accountant.owner)
    assert (document.slot, document.status) == ("diploma:2", DocumentStatus.TEMPORARY)
    content = response.content.decode()
    assert 'id="proof-state-diploma-2"' in content
    assert f'name="proof-diploma:2-document" value="{document.pk}"' in content
    assert "学位证.png" in content
    assert 'data-testid="proof-current"' in content


def test_a_refused_proof_shows_the_error_next_to_the_field_and_keeps_the_current_file(accountant):
    current = DocumentFactory(owner=accountant.owner, slot="id_front")
    fake = SimpleUploadedFile("身份证.jpg", b"<html>not an image</html>", content_type="image/jpeg")

    response = accountant.post(
        PROOF_URL, {"slot": "id_front", "proof-id_front-document": str(current.pk), "proof-id_front-file": fake}
    )

    content = response.content.decode()
    assert "is-invalid" in content
    assert "只接受 JPG、PNG 或 PDF" in content
    assert f'value="{current.pk}"' in content
    assert Document.objects.filter(owner=accountant.owner).count() == 1


def test_a_current_file_of_another_slot_is_not_carried_over(accountant):
    other_slot = DocumentFactory(owner=accountant.owner, slot="id_back")

    response = accountant.post(PROOF_URL, {"slot": "id_front", "proof-id_front-document": str(other_slot.pk)})

    assert str(other_slot.pk) not in response.content.decode()


@pytest.mark.parametrize("slot", ["", "ID", "a b", "x:y:z", "../etc", "a" * 80])
def test_a_malformed_slot_is_a_bad_request(accountant, slot):
    assert accountant.post(PROOF_URL, {"slot": slot}).status_code == 400


def test_staff_cannot_use_the_accountant_upload_box(client):
    from identity.tests.factories import StaffFactory

    client.force_login(StaffFactory())

    assert client.post(PROOF_URL, {"slot": "id_front"}).status_code == 404


def test_posting_status_or_application_changes_nothing(accountant):
    uploaded = SimpleUploadedFile("a.png", corpus.png(), content_type="image/png")

    accountant.post(
        PROOF_URL,
        {"slot": "x", "proof-x-file": uploaded, "status": "attached", "application_id": "5", "owner": "1"},
    )

    document = Document.objects.get(owner=accountant.owner)
    assert (document.status, document.application_id) == (DocumentStatus.TEMPORARY, None)


# --------------------------------------------------------------------------- partials


def test_the_proof_box_partial_renders_label_help_link_and_the_htmx_wiring():
    document = DocumentFactory(slot="diploma:1", original_name="毕业证.pdf", pdf=True)
    html = Template(
        '{% include "documents/_proof_upload.html" with slot="diploma:1" label="毕业证书" help="扫描件" document=doc %}'
    ).render(Context({"doc": document}))

    assert "毕业证书" in html and "扫描件" in html
    assert 'id="proof-diploma-1"' in html
    assert 'hx-post="' + PROOF_URL + '"' in html
    assert 'hx-params="slot,proof-diploma:1-file,proof-diploma:1-document"' in html
    assert "毕业证.pdf" in html
    assert "style=" not in html and "<script" not in html


def test_the_photo_picker_partial_renders_the_cropper_and_an_error():
    html = Template('{% include "documents/_photo_picker.html" with error="照片留有白边" %}').render(Context({}))

    assert 'name="photo-file"' in html
    assert 'name="photo"' in html
    assert "is-invalid" in html and "照片留有白边" in html
    assert "data-photo-frame" in html and "data-photo-zoom" in html
    assert 'hx-post="' + PHOTO_URL + '"' in html
    assert "style=" not in html and "<script" not in html
