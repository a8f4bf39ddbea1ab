"""The 1-inch photo: 295×413, at most 20 KB, no EXIF, red/blue/white background, no white margin."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image

from documents.constants import DocumentKind, DocumentStatus
from documents.exceptions import UploadRejected
from documents.photo import BLUE, GREY, OTHER, RED, WHITE, classify_colour, crop_box, process_photo
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


def test_a_light_grey_background_is_refused_naming_the_allowed_colours():
    error = rejected(corpus.portrait(size=(600, 840), background=(200, 200, 200)))

    assert error.code == "photo_background"
    assert "背景色须为红色、蓝色或白色" in error.message
    assert "灰色" in error.message


@pytest.mark.parametrize("edge", ["top", "bottom", "left", "right"])
def test_a_thin_white_border_along_any_edge_of_a_blue_photo_is_refused(edge):
    image = Image.open(BytesIO(corpus.portrait(size=(600, 840), background=BLUE_BACKGROUND, noise=False)))
    band = {"top": (0, 0, 600, 20), "bottom": (0, 820, 600, 840), "left": (0, 0, 20, 840), "right": (580, 0, 600, 840)}
    image.paste((255, 255, 255), band[edge])
    out = BytesIO()
    image.save(out, format="JPEG", quality=95)

    assert rejected(out.getvalue()).code == "photo_margin"


def _jpeg(size, background=BLUE_BACKGROUND) -> bytes:
    image = Image.open(BytesIO(corpus.portrait(size=(600, 840), background=background)))
    out = BytesIO()
    image.resize(size).save(out, format="JPEG", quality=85)
    return out.getvalue()


def test_a_50_megapixel_phone_photo_is_scaled_down_not_refused():
    source = _jpeg((6120, 8160))  # 8160×6120 held upright, ≈ 50 megapixels

    result = process_photo(image_bytes=source, crop=(600, 800, 4900, 6860))

    assert Image.open(BytesIO(result)).size == (295, 413)
    assert len(result) <= 20 * 1024


def test_a_large_jpeg_is_decoded_in_draft_mode_at_a_fraction_of_its_size():
    from documents.inspection import decoded_scale, open_image

    image = open_image(_jpeg((3000, 4000)), "image/jpeg", min_scale=0.4)

    assert decoded_scale(image) == 0.5
    assert image.size == (1500, 2000)


def test_the_crop_of_a_draft_decoded_photo_lands_on_the_same_part_of_the_picture():
    # Left half blue, right half green, 4000 px wide: the crop is given in the file's pixels.
    image = Image.new("RGB", (4000, 5600), BLUE_BACKGROUND)
    image.paste(GREEN_BACKGROUND, (2000, 0, 4000, 5600))
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)

    assert Image.open(BytesIO(process_photo(image_bytes=out.getvalue(), crop=(100, 100, 1800, 2520)))).size == (
        295,
        413,
    )
    assert rejected(out.getvalue(), crop=(2100, 100, 1800, 2520)).code == "photo_background"


def test_a_crop_too_small_is_judged_in_the_files_pixels_even_when_decoded_smaller():
    error = rejected(_jpeg((3000, 4000)), crop=(0, 0, 120, 168))

    assert error.code == "photo_resolution"
    assert "120" in error.message


def test_a_png_over_the_pixel_cap_is_refused_in_chinese_ten_thousands(settings):
    settings.DOCUMENT_MAX_PIXELS = 40_000_000
    error = rejected(corpus.png_header_only(8000, 6000))

    assert error.code == "pixels"
    assert "4000万像素" in error.message


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
        ((128, 128, 128), GREY),
        ((200, 200, 200), GREY),
        ((215, 215, 215), GREY),
        ((225, 225, 225), WHITE),
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
