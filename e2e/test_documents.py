"""The photo cropper and the proof box in Chromium, on a page that hosts them like an application form."""

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from documents.models import Document
from documents.tests import corpus
from documents.tests.factories import OwnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("documents.tests.harness_urls")]

UUID = re.compile(r"^[0-9a-f-]{36}$")


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
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/harness/documents/")
    page.owner = owner
    page.csp_violations = violations
    return page


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_person_crops_and_uploads_a_photo_and_the_form_gets_its_id(signed_in_page, tmp_path, screenshot_dir):
    page = signed_in_page
    page.get_by_test_id("typed-field").fill("张三")
    page.set_input_files("#id_photo-file", write(tmp_path, "me.jpg", corpus.portrait(size=(1200, 1200))))

    frame = page.locator("[data-photo-frame]")
    frame.wait_for(state="visible")
    width_before = frame.bounding_box()["width"]
    page.locator("[data-photo-zoom]").fill("90")
    assert frame.bounding_box()["width"] < width_before
    box = frame.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 + 10, steps=5)
    page.mouse.up()
    page.screenshot(path=screenshot_dir / "documents-photo-cropper.png", full_page=True)
    crop = [int(page.locator(f"input[name='photo-crop_{k}']").input_value()) for k in "xywh"]
    assert crop[0] > 0 and crop[2] > 0 and abs(crop[2] / crop[3] - 295 / 413) < 0.02

    page.get_by_role("button", name="使用此照片").click()
    page.locator("[data-testid=photo-preview], [data-testid=photo-error]").first.wait_for()
    assert page.get_by_test_id("photo-error").count() == 0, page.get_by_test_id("photo-error").inner_text()

    document = Document.objects.get(owner=page.owner)
    assert page.locator("input[name='photo'][type='hidden']").input_value() == str(document.pk)
    assert page.locator("#id_photo-file").input_value() == ""
    assert page.locator("[data-photo-cropper]").is_hidden()
    assert page.get_by_test_id("typed-field").input_value() == "张三"
    with document.file.open("rb") as handle:
        assert Image.open(BytesIO(handle.read())).size == (295, 413)
    # The preview is served through documents:view, and loads under the page's CSP.
    page.wait_for_function("() => document.querySelector('[data-testid=photo-preview]').complete")
    assert page.get_by_test_id("photo-preview").evaluate("img => img.naturalWidth") == 295
    page.screenshot(path=screenshot_dir / "documents-photo-done.png", full_page=True)
    assert page.csp_violations == []


def test_a_green_background_is_explained_next_to_the_field_and_the_crop_stays(signed_in_page, tmp_path):
    page = signed_in_page
    page.set_input_files(
        "#id_photo-file", write(tmp_path, "green.jpg", corpus.portrait(size=(800, 1120), background=(40, 160, 60)))
    )
    page.locator("[data-photo-frame]").wait_for(state="visible")

    page.get_by_role("button", name="使用此照片").click()

    error = page.get_by_test_id("photo-error")
    error.wait_for()
    assert "背景色须为红色、蓝色或白色" in error.inner_text()
    assert "is-invalid" in page.locator("#id_photo-file").get_attribute("class")
    assert page.locator("[data-photo-cropper]").is_visible()
    assert not Document.objects.exists()


def test_a_proof_uploads_on_selection_and_a_bad_file_keeps_the_good_one(signed_in_page, tmp_path):
    page = signed_in_page
    page.set_input_files("#id_proof-diploma\\:1-file", write(tmp_path, "毕业证.pdf", corpus.pdf()))
    page.get_by_test_id("proof-current").wait_for()
    assert "毕业证.pdf" in page.get_by_test_id("proof-current").inner_text()
    hidden = page.locator("input[name='proof-diploma:1-document']")
    first_id = hidden.input_value()
    assert UUID.match(first_id)

    page.set_input_files("#id_proof-diploma\\:1-file", write(tmp_path, "fake.jpg", b"<html>hi</html>"))
    page.get_by_test_id("proof-error").wait_for()

    assert "只接受 JPG、PNG 或 PDF" in page.get_by_test_id("proof-error").inner_text()
    assert hidden.input_value() == first_id
    assert "毕业证.pdf" in page.get_by_test_id("proof-current").inner_text()
    assert Document.objects.count() == 1
    assert page.csp_violations == []


def test_the_boxes_fit_a_phone_screen(signed_in_page, tmp_path, screenshot_dir):
    page = signed_in_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.set_input_files("#id_photo-file", write(tmp_path, "me.jpg", corpus.portrait(size=(1200, 1680))))
    page.locator("[data-photo-frame]").wait_for(state="visible")

    page.screenshot(path=screenshot_dir / "documents-photo-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    stage = page.locator("[data-photo-stage]").bounding_box()
    assert stage["x"] >= 0 and stage["x"] + stage["width"] <= 375
