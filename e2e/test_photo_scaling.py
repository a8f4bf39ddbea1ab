"""Large photos are scaled down in the browser before they are sent (documents/static/documents/photo.js).

A phone's full-size picture (here 8000×6000) is drawn onto a canvas of at most 3000 px on its long
side, EXIF orientation applied, and that JPEG is uploaded instead; the crop is in its pixels, and the
photo is accepted as usual.
"""

from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from documents import views as documents_views
from documents.models import Document
from documents.tests import corpus
from documents.tests.factories import OwnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("documents.tests.harness_urls")]

SCALED_EDGE = 3000


@pytest.fixture
def signed_in_page(live_server, page):
    owner = OwnerFactory()
    client = Client()
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/harness/documents/")
    page.owner = owner
    return page


def uploads(monkeypatch) -> list[tuple[int, Image.Image, str]]:
    """What the server receives for each photo upload: the file's size, its image, its name.

    (Chromium gives Playwright no file bodies of multipart requests, so the server side is watched:
    the live server runs in this process.)
    """
    received: list[tuple[int, Image.Image, str]] = []
    store_photo = documents_views.store_photo

    def watching(*, owner, uploaded_file, crop):
        image = Image.open(uploaded_file)
        image.load()
        uploaded_file.seek(0)
        received.append((uploaded_file.size, image, uploaded_file.name))
        return store_photo(owner=owner, uploaded_file=uploaded_file, crop=crop)

    monkeypatch.setattr(documents_views, "store_photo", watching)
    return received


def use_photo(page, path: str) -> list[int]:
    page.set_input_files("#id_photo-file", path)
    page.locator("[data-photo-frame]").wait_for(state="visible")
    crop = [int(page.locator(f"input[name='photo-crop_{k}']").input_value()) for k in "xywh"]
    page.get_by_role("button", name="使用此照片").click()
    page.locator("[data-testid=photo-preview], [data-testid=photo-error]").first.wait_for()
    assert page.get_by_test_id("photo-error").count() == 0, page.get_by_test_id("photo-error").inner_text()
    return crop


def stored_photo_size(owner) -> tuple[int, int]:
    document = Document.objects.get(owner=owner)
    with document.file.open("rb") as handle:
        return Image.open(BytesIO(handle.read())).size


def test_a_large_photo_is_scaled_down_before_upload_and_accepted(signed_in_page, tmp_path, monkeypatch):
    page = signed_in_page
    original = corpus.portrait(size=(8000, 6000))
    path = tmp_path / "camera.jpg"
    path.write_bytes(original)
    received = uploads(monkeypatch)

    crop = use_photo(page, str(path))

    assert page.locator("[data-photo-picker]").get_attribute("data-photo-scaled") == ""
    assert len(received) == 1
    size, sent, name = received[0]
    assert size < len(original) / 3, (size, len(original))
    assert sent.format == "JPEG" and sent.size == (SCALED_EDGE, 2250)
    # The crop is in the sent image's pixels: the full-height frame of the 3000×2250 image, centred.
    x, y, w, h = crop
    assert y == 0 and h == 2250 and abs(w - round(2250 * 295 / 413)) <= 1 and abs(x - (3000 - w) / 2) <= 1
    assert name == "camera.jpg"
    assert stored_photo_size(page.owner) == (295, 413)


def test_exif_orientation_is_applied_when_scaling(signed_in_page, tmp_path, monkeypatch):
    """A portrait taken with the phone held upright is stored sideways with EXIF Orientation 6."""
    page = signed_in_page
    upright = Image.open(BytesIO(corpus.portrait(size=(4500, 6300), noise=False)))
    sideways = upright.rotate(90, expand=True)  # what the sensor recorded: 6300×4500
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise
    out = BytesIO()
    sideways.save(out, format="JPEG", quality=90, exif=exif)
    path = tmp_path / "upright.jpg"
    path.write_bytes(out.getvalue())
    received = uploads(monkeypatch)

    use_photo(page, str(path))

    _, sent, _ = received[0]
    assert sent.size == (round(4500 * SCALED_EDGE / 6300), SCALED_EDGE)  # upright, long side 3000
    assert stored_photo_size(page.owner) == (295, 413)


def test_a_small_photo_goes_as_it_is(signed_in_page, tmp_path, monkeypatch):
    page = signed_in_page
    original = corpus.portrait(size=(1200, 1680))
    path = tmp_path / "small.jpg"
    path.write_bytes(original)
    received = uploads(monkeypatch)

    use_photo(page, str(path))

    assert page.locator("[data-photo-picker]").get_attribute("data-photo-scaled") is None
    assert received[0][0] == len(original) and received[0][1].size == (1200, 1680)
