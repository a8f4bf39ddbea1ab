"""The upload pipeline: type by content, re-encoding, PDF checks, limits, quota, scanners, storage faults."""

import hashlib
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from documents.constants import ContentType, DocumentKind, DocumentStatus
from documents.exceptions import UploadRejected
from documents.inspection import inspect_proof, raw_pdf_names, sanitize_name
from documents.models import Document
from documents.services import store_upload

from . import corpus
from .factories import DocumentFactory, OwnerFactory

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "材料.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def refused(owner, data, *, name="材料.jpg", content_type="image/jpeg", slot="id_front") -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        store_upload(owner=owner, uploaded_file=upload(data, name, content_type), slot=slot)
    assert not Document.objects.filter(owner=owner).exists()
    return caught.value


@pytest.fixture
def owner():
    return OwnerFactory()


# --------------------------------------------------------------------------- what is kept


def test_a_jpeg_proof_is_stored_under_a_server_made_name_with_its_hash(owner, settings):
    document = store_upload(
        owner=owner, uploaded_file=upload(corpus.jpeg(), "../../etc/我的身份证.jpg"), slot="id_front"
    )

    document.refresh_from_db()
    assert document.file.name == f"docs/{document.created_at:%Y}/{document.created_at:%m}/{document.pk}.jpg"
    assert document.original_name == "我的身份证.jpg"
    assert document.content_type == ContentType.JPEG
    assert document.status == DocumentStatus.TEMPORARY
    assert (document.width, document.height) == (64, 48)
    with document.file.open("rb") as handle:
        content = handle.read()
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / document.file.name]


def test_the_type_comes_from_the_bytes_not_from_the_name_or_the_browser(owner):
    document = store_upload(
        owner=owner, uploaded_file=upload(corpus.png(), "scan.pdf", "application/pdf"), slot="diploma:1"
    )

    assert document.content_type == ContentType.PNG
    assert document.file.name.endswith(".png")
    assert document.download_name == "scan.png"


def test_a_png_stays_a_png_and_keeps_its_transparency(owner):
    document = store_upload(
        owner=owner, uploaded_file=upload(corpus.png(mode="RGBA", colour=(0, 0, 0, 0)), "a.png", "image/png"), slot="x"
    )

    with document.file.open("rb") as handle:
        image = Image.open(BytesIO(handle.read()))
        assert image.format == "PNG"
        assert image.mode == "RGBA"


def test_a_clean_pdf_is_stored_as_it_is_with_its_page_count(owner):
    data = corpus.pdf(pages=3)

    document = store_upload(owner=owner, uploaded_file=upload(data, "合同.pdf", "application/pdf"), slot="contract")

    assert document.content_type == ContentType.PDF
    assert document.pages == 3
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_an_application_id_stores_the_document_as_attached(owner):
    document = store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="id_back", application_id=77)

    assert document.status == DocumentStatus.ATTACHED
    assert document.application_id == 77


def test_a_large_proof_image_is_scaled_down_to_the_edge_limit(owner, settings):
    settings.DOCUMENT_PROOF_MAX_EDGE = 100

    document = store_upload(owner=owner, uploaded_file=upload(corpus.jpeg(size=(400, 200))), slot="x")

    assert (document.width, document.height) == (100, 50)


# --------------------------------------------------------------------------- neutralised


def test_a_script_appended_to_a_jpeg_is_not_kept(owner):
    payload = b"<script>alert(document.cookie)</script>"
    data = corpus.jpeg() + payload

    document = store_upload(owner=owner, uploaded_file=upload(data), slot="id_front")

    with document.file.open("rb") as handle:
        stored = handle.read()
    assert payload not in stored
    assert stored.endswith(b"\xff\xd9")


def test_exif_gps_is_removed_and_the_orientation_applied(owner):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # camera held sideways: rotate 90° clockwise to view
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 35.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (114.0, 18.0, 5.0)
    data = corpus.jpeg(size=(80, 40), exif=exif)
    assert Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    document = store_upload(owner=owner, uploaded_file=upload(data), slot="id_front")

    with document.file.open("rb") as handle:
        stored = handle.read()
    image = Image.open(BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert image.size == (40, 80)
    assert (document.width, document.height) == (40, 80)


# --------------------------------------------------------------------------- refused


def test_html_renamed_to_jpg_is_refused(owner, settings):
    error = refused(owner, b"<!doctype html><html><script>alert(1)</script></html>", name="photo.jpg")

    assert error.code == "type"
    assert "只接受 JPG、PNG 或 PDF" in error.message
    assert stored_files(settings) == []


def test_an_svg_is_refused(owner):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    error = refused(owner, svg, name="a.svg", content_type="image/svg+xml")

    assert error.code == "type"


def test_a_gif_is_refused(owner):
    out = BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")

    assert refused(owner, out.getvalue(), name="a.gif").code == "type"


def test_a_truncated_jpeg_is_refused(owner):
    data = corpus.jpeg(size=(300, 300))

    error = refused(owner, data[: len(data) // 2])

    assert error.code == "damaged"
    assert "图片无法完整读取" in error.message


def test_a_20000_by_20000_png_is_refused_from_its_header_without_decoding(owner):
    data = corpus.png_header_only(20_000, 20_000)
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = refused(owner, data, name="bomb.png", content_type="image/png")
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code == "pixels"
    assert "像素过多" in error.message
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024  # decoding would need 1.2 GB


def test_an_image_just_over_the_pixel_cap_is_refused(owner, settings):
    settings.DOCUMENT_MAX_PIXELS = 60 * 48 - 1

    assert refused(owner, corpus.jpeg(size=(60, 48))).code == "pixels"


def test_a_pdf_with_open_action_javascript_is_refused(owner):
    data = corpus.pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert('x')) >> ")

    error = refused(owner, data, name="a.pdf", content_type="application/pdf")

    assert error.code == "pdf_active"
    assert "脚本" in error.message


NEUTRAL = b"<< /Type /Metadata /Length 0 >>\nstream\n\nendstream"
EMBEDDED = b"<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream"


@pytest.mark.parametrize(
    ("catalog_extra", "extra_object"),
    [
        (b"/Names << /JavaScript 4 0 R >> ", NEUTRAL),
        (b"/AA << /O << /S /Launch /F (cmd.exe) >> >> ", NEUTRAL),
        (b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ", NEUTRAL),
        (b"/Metadata 4 0 R ", EMBEDDED),
        (b"/AcroForm << /Fields [] /XFA 4 0 R >> ", NEUTRAL),
        (b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ", NEUTRAL),  # names written with #xx escapes
    ],
    ids=["javascript-tree", "additional-actions-launch", "embedded-files", "embedded-file-object", "xfa", "obfuscated"],
)
def test_a_pdf_with_active_content_is_refused(owner, catalog_extra, extra_object):
    data = corpus.pdf(catalog_extra=catalog_extra, objects=(extra_object,))

    assert refused(owner, data, name="a.pdf", content_type="application/pdf").code == "pdf_active"


# A link annotation on the page: what it does decides whether the PDF is harmless.
def _pdf_with_link(action: bytes) -> bytes:
    annotation = b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A " + action + b" >>"
    return corpus.pdf(catalog_extra=b"/Names << /Dests 4 0 R >> ", objects=(annotation,))


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /GoToR /F (\\\\\\\\server\\\\share\\\\a.pdf) /D [0 /Fit] >>",
        b"<< /S /URI /URI (file:///C:/Windows/win.ini) >>",
        b"<< /S /URI /URI (smb://10.0.0.1/share/a.pdf) >>",
        b"<< /S /URI /URI <66696C653A2F2F2F6574632F706173737764> >>",  # file:///etc/passwd, hex-encoded
        b"<< /S /Launch /F (cmd.exe) >>",
        b"<< /S /SubmitForm /F (https://example.org/collect) >>",
        b"<< /S /ImportData /F (data.fdf) >>",
    ],
    ids=["gotor-network-path", "uri-file", "uri-smb", "uri-file-hex", "launch", "submit-form", "import-data"],
)
def test_a_pdf_linking_to_a_file_or_sending_data_is_refused(owner, action):
    assert refused(owner, _pdf_with_link(action), name="a.pdf", content_type="application/pdf").code == "pdf_active"


def test_a_pdf_with_an_ordinary_web_link_is_accepted(owner):
    data = _pdf_with_link(b"<< /S /URI /URI (https://kjj.hubei.gov.cn/) >>")

    assert store_upload(owner=owner, uploaded_file=upload(data, "a.pdf", "application/pdf"), slot="x").pages == 1


def test_a_pdf_with_only_neutral_extra_objects_is_accepted(owner):
    data = corpus.pdf(catalog_extra=b"/Metadata 4 0 R ", objects=(NEUTRAL,))

    assert store_upload(owner=owner, uploaded_file=upload(data, "a.pdf", "application/pdf"), slot="x").pages == 1


def test_a_pdf_hiding_its_action_in_a_compressed_object_stream_is_refused(owner):
    data = corpus.pdf_in_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in data

    assert refused(owner, data, name="a.pdf", content_type="application/pdf").code == "pdf_active"


def test_a_pdf_with_an_object_stream_and_nothing_active_is_accepted(owner):
    document = store_upload(
        owner=owner, uploaded_file=upload(corpus.pdf_in_object_stream(b""), "a.pdf", "application/pdf"), slot="x"
    )

    assert document.pages == 1


def test_an_encrypted_pdf_is_refused(owner):
    error = refused(owner, corpus.encrypted_pdf(), name="a.pdf", content_type="application/pdf")

    assert error.code == "encrypted"
    assert "已加密" in error.message


def test_a_pdf_with_too_many_pages_is_refused(owner, settings):
    settings.DOCUMENT_PDF_MAX_PAGES = 2

    error = refused(owner, corpus.pdf(pages=3), name="a.pdf", content_type="application/pdf")

    assert error.code == "pages"
    assert "共 3 页，最多允许 2 页" in error.message


def test_a_damaged_pdf_is_refused(owner):
    assert refused(owner, b"%PDF-1.4\n garbage", name="a.pdf", content_type="application/pdf").code == "damaged"


def test_an_oversized_file_is_refused_before_it_is_read(owner, settings):
    settings.DOCUMENT_PROOF_MAX_BYTES = 1000
    data = corpus.jpeg(size=(200, 200))
    assert len(data) > 1000

    error = refused(owner, data)

    assert error.code == "size"
    assert "文件超过" in error.message


def test_an_empty_file_is_refused(owner):
    assert refused(owner, b"").code == "empty"


def test_the_quota_on_the_number_of_files_is_enforced(owner, settings):
    settings.DOCUMENT_QUOTA_COUNT = 2
    DocumentFactory.create_batch(2, owner=owner)

    with pytest.raises(UploadRejected) as caught:
        store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="x")

    assert caught.value.code == "quota"
    assert "已达到上传上限" in caught.value.message
    assert Document.objects.filter(owner=owner).count() == 2


def test_the_quota_on_bytes_is_enforced_and_other_peoples_files_do_not_count(owner, settings):
    existing = DocumentFactory(owner=owner)
    DocumentFactory.create_batch(3)  # someone else's
    new_size = len(store_upload(owner=OwnerFactory(), uploaded_file=upload(corpus.jpeg()), slot="x").file.read())
    settings.DOCUMENT_QUOTA_BYTES = existing.size + new_size - 1

    with pytest.raises(UploadRejected) as caught:
        store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="x")

    assert caught.value.code == "quota"
    settings.DOCUMENT_QUOTA_BYTES = existing.size + new_size
    store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="x")


def test_the_original_name_is_sanitised_metadata():
    assert sanitize_name("C:\\Users\\me\\证书\u202egpj.exe") == "证书gpj.exe"
    assert sanitize_name("../../a<b>:c?.pdf") == "a_b__c_.pdf"
    assert sanitize_name("  \x00\x07  ") == ""
    long_name = "很" * 200 + ".pdf"
    assert len(sanitize_name(long_name)) == 120 and sanitize_name(long_name).endswith(".pdf")


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n", b""]),
    body=st.binary(max_size=2048),
)
def test_arbitrary_bytes_are_either_refused_clearly_or_accepted_never_crash(prefix, body):
    try:
        inspected = inspect_proof(prefix + body)
    except UploadRejected as exc:
        assert exc.message
    else:
        assert inspected.content_type in ContentType.values


# --------------------------------------------------------------------------- scanners and storage faults


def refuse_everything(data: bytes) -> None:
    raise UploadRejected("病毒扫描发现问题", code="virus")


def scanner_down(data: bytes) -> None:
    raise ConnectionError("clamd not reachable")


SCANNED: list[bytes] = []


def record_scan(data: bytes) -> None:
    SCANNED.append(data)


def test_a_file_the_scanner_rejects_is_never_stored(owner, settings):
    settings.DOCUMENT_SCANNERS = [f"{__name__}.refuse_everything"]

    error = refused(owner, corpus.jpeg())

    assert error.code == "virus"
    assert stored_files(settings) == []


def test_a_scanner_that_cannot_answer_refuses_the_upload(owner, settings):
    settings.DOCUMENT_SCANNERS = [f"{__name__}.scanner_down"]

    error = refused(owner, corpus.pdf(), name="a.pdf", content_type="application/pdf")

    assert error.code == "scanner_unavailable"
    assert "病毒扫描服务暂时不可用" in error.message
    assert stored_files(settings) == []


def test_scanners_see_the_uploaded_bytes(owner, settings):
    settings.DOCUMENT_SCANNERS = [f"{__name__}.record_scan"]
    SCANNED.clear()
    data = corpus.pdf()

    store_upload(owner=owner, uploaded_file=upload(data, "a.pdf", "application/pdf"), slot="x")

    assert SCANNED == [data]


def test_a_storage_failure_leaves_no_row(owner, settings, monkeypatch):
    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", broken_save)

    error = refused(owner, corpus.jpeg())

    assert error.code == "storage"
    assert "文件存储服务暂时不可用，此文件未保存" in error.message


def test_a_failure_writing_the_row_leaves_no_file(owner, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document, "save", broken_save)

    with pytest.raises(RuntimeError):
        store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="x")

    assert stored_files(settings) == []


def test_store_upload_with_the_photo_kind_makes_the_photo(owner):
    document = store_upload(
        owner=owner, uploaded_file=upload(corpus.portrait(noise=False)), slot="photo", kind=DocumentKind.PHOTO
    )

    assert document.kind == DocumentKind.PHOTO
    assert (document.width, document.height) == (295, 413)


# --------------------------------------------------------------------------- the raw name scan


def test_the_raw_scan_sees_names_outside_streams_and_ignores_stream_bytes():
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog /J#53 1 >> endobj\n2 0 obj << /Length 9 >>\nstream\n/AA /Launch\nendstream\nendobj"

    names = raw_pdf_names(data)

    assert b"JS" in names and b"Catalog" in names
    assert b"AA" not in names and b"Launch" not in names


def test_a_fake_endstream_does_not_hide_names_from_the_raw_scan():
    data = b"%PDF-1.4\nendstream\n1 0 obj << /OpenAction 2 0 R >> endobj\nstream\nx\nendstream"

    assert b"OpenAction" in raw_pdf_names(data)


def test_the_raw_scan_stays_linear_on_a_hostile_file():
    data = b"%PDF-1.4\n" + b"stream\n" * 700_000
    started = time.monotonic()

    raw_pdf_names(data)

    assert time.monotonic() - started < 2
