"""The 1-inch photo: 295×413, at most 20 KB, no EXIF, red/blue/white background, no white margin."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image

from documents.constants import DocumentKind, DocumentStatus
from documents.exceptions import UploadRejected
from documents.photo import BLUE, OTHER, RED, WHITE, classify_colour, crop_box, process_photo
from documents.services import store_photo

from . import corpus
from .factories import OwnerFactory

BLUE_BACKGROUND = (40, 110, 210)
RED_BACKGROUND = (210, 30, 40)
WHITE_BACKGROUND = (250, 250, 250)
GREEN_BACKGROUND = (40, 160, 60)


def rejected(data: bytes, crop=None) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        process_photo(image_bytes=data, crop=crop)
    return caught.value


def test_a_large_photo_comes_out_at_295_by_413_within_20_kb_without_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    image = Image.open(BytesIO(corpus.portrait(size=(3000, 4200))))
    out = BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif)
    source = out.getvalue()
    assert len(source) > 200 * 1024

    result = process_photo(image_bytes=source)

    photo = Image.open(BytesIO(result))
    assert photo.format == "JPEG"
    assert photo.size == (295, 413)
    assert len(result) <= 20 * 1024
    assert dict(photo.getexif()) == {}
    assert b"PhoneMaker" not in result


@pytest.mark.parametrize(
    "background", [BLUE_BACKGROUND, RED_BACKGROUND, WHITE_BACKGROUND], ids=["blue", "red", "white"]
)
def test_red_blue_and_white_backgrounds_are_accepted(background):
    result = process_photo(image_bytes=corpus.portrait(size=(600, 840), background=background))

    assert Image.open(BytesIO(result)).size == (295, 413)


def test_a_green_background_is_refused_with_the_rule_and_the_fix():
    error = rejected(corpus.portrait(size=(600, 840), background=GREEN_BACKGROUND))

    assert error.code == "photo_background"
    assert "背景色须为红色、蓝色或白色" in error.message


def test_a_white_margin_around_a_blue_photo_is_refused():
    error = rejected(corpus.portrait(size=(600, 840), background=BLUE_BACKGROUND, margin=30))

    assert error.code == "photo_margin"
    assert "白边" in error.message


def test_a_white_band_along_the_top_of_a_red_photo_is_refused():
    image = Image.open(BytesIO(corpus.portrait(size=(600, 840), background=RED_BACKGROUND, noise=False)))
    image.paste((255, 255, 255), (0, 0, 600, 25))
    out = BytesIO()
    image.save(out, format="JPEG", quality=95)

    assert rejected(out.getvalue()).code == "photo_margin"


def test_cropping_inside_the_white_margin_makes_the_photo_acceptable():
    data = corpus.portrait(size=(600, 840), background=BLUE_BACKGROUND, margin=30)

    result = process_photo(image_bytes=data, crop=(30, 30, 600, 840))

    assert Image.open(BytesIO(result)).size == (295, 413)


def test_a_white_shirt_at_the_bottom_edge_is_not_a_margin():
    image = Image.open(BytesIO(corpus.portrait(size=(600, 840), background=BLUE_BACKGROUND, noise=False)))
    image.paste((255, 255, 255), (0, 700, 600, 840))
    out = BytesIO()
    image.save(out, format="JPEG", quality=95)

    assert Image.open(BytesIO(process_photo(image_bytes=out.getvalue()))).size == (295, 413)


def test_the_crop_chosen_by_the_person_is_used():
    # Left half blue, right half green: cropping the left half passes, the right half does not.
    image = Image.new("RGB", (1000, 700), BLUE_BACKGROUND)
    image.paste(GREEN_BACKGROUND, (500, 0, 1000, 700))
    out = BytesIO()
    image.save(out, format="JPEG", quality=95)
    data = out.getvalue()

    process_photo(image_bytes=data, crop=(0, 0, 480, 672))
    assert rejected(data, crop=(520, 0, 480, 672)).code == "photo_background"


def test_a_crop_outside_the_photo_is_refused():
    error = rejected(corpus.portrait(size=(600, 840)), crop=(700, 0, 300, 420))

    assert error.code == "crop"
    assert "裁剪框超出了照片范围" in error.message


def test_a_crop_too_small_to_make_a_sharp_photo_is_refused():
    error = rejected(corpus.portrait(size=(600, 840)), crop=(10, 10, 100, 140))

    assert error.code == "photo_resolution"
    assert "至少需要 150 像素" in error.message


def test_a_photo_that_cannot_reach_the_size_limit_is_refused(settings):
    settings.DOCUMENT_PHOTO_MAX_BYTES = 1024

    error = rejected(corpus.portrait(size=(600, 840)))

    assert error.code == "photo_size"
    assert "1 KB" in error.message


def test_a_pdf_or_html_is_not_a_photo():
    assert rejected(corpus.pdf()).code == "type"
    assert rejected(b"<html></html>").code == "type"


def test_a_photo_bomb_is_refused_before_decoding():
    assert rejected(corpus.png_header_only(20_000, 20_000)).code == "pixels"


def test_a_transparent_png_background_counts_as_white():
    image = Image.new("RGBA", (600, 840), (0, 0, 0, 0))
    image.paste((40, 30, 30, 255), (200, 200, 400, 600))
    out = BytesIO()
    image.save(out, format="PNG")

    assert Image.open(BytesIO(process_photo(image_bytes=out.getvalue()))).size == (295, 413)


@pytest.mark.parametrize(
    ("rgb", "expected"),
    [
        ((255, 255, 255), WHITE),
        ((236, 238, 240), WHITE),
        ((67, 142, 219), BLUE),
        ((0, 191, 243), BLUE),
        ((255, 0, 0), RED),
        ((220, 20, 60), RED),
        ((0, 128, 0), OTHER),
        ((128, 128, 128), OTHER),
        ((240, 220, 130), OTHER),
    ],
)
def test_background_colours_are_classified_in_hsv(rgb, expected):
    assert classify_colour(rgb) == expected


@given(
    width=st.integers(min_value=150, max_value=5000),
    height=st.integers(min_value=210, max_value=5000),
    x=st.integers(min_value=-5, max_value=5000),
    y=st.integers(min_value=-5, max_value=5000),
    w=st.integers(min_value=1, max_value=5000),
    h=st.integers(min_value=1, max_value=5000),
)
def test_any_accepted_crop_lies_inside_the_image_at_the_photo_ratio(width, height, x, y, w, h):
    try:
        left, top, right, bottom = crop_box((width, height), (x, y, w, h))
    except UploadRejected:
        return
    assert 0 <= left < right <= width
    assert 0 <= top < bottom <= height
    assert abs((right - left) / (bottom - top) - 295 / 413) < 0.01


@pytest.mark.django_db
def test_store_photo_keeps_a_temporary_photo_document():
    owner = OwnerFactory()
    uploaded = SimpleUploadedFile("自拍.jpg", corpus.portrait(size=(600, 840)), content_type="image/jpeg")

    document = store_photo(owner=owner, uploaded_file=uploaded, crop=None)

    assert document.kind == DocumentKind.PHOTO
    assert document.slot == "photo"
    assert document.status == DocumentStatus.TEMPORARY
    assert document.size <= 20 * 1024
    assert document.original_name == "自拍.jpg"


@pytest.mark.django_db
def test_store_photo_refuses_a_raw_photo_over_the_upload_limit(settings):
    settings.DOCUMENT_PHOTO_UPLOAD_MAX_BYTES = 1000
    uploaded = SimpleUploadedFile("a.jpg", corpus.portrait(size=(600, 840)), content_type="image/jpeg")

    with pytest.raises(UploadRejected) as caught:
        store_photo(owner=OwnerFactory(), uploaded_file=uploaded, crop=None)

    assert caught.value.code == "size"
