"""The 1-inch photo (manual §4.3): 295×413 JPEG, at most 20 KB, red, blue or white background, no white margin.

The manual sends people to a separate "照片处理工具"; this module is that tool, run on the server
after the person chose the crop in the page.
"""

import colorsys
from io import BytesIO
from typing import cast

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageStat

from .constants import PHOTO_HEIGHT, PHOTO_WIDTH, ContentType
from .exceptions import UploadRejected
from .inspection import decoded_scale, image_size, open_image, run_scanners, sniff

# The crop must hold at least this many source pixels across, or the result is a blurred enlargement.
MIN_CROP_WIDTH = 150
# A "line" of the photo is near-white when every channel averages this much and barely varies.
WHITE_MIN_MEAN = 220
WHITE_MAX_STDDEV = 15
# Two or more near-white lines along an edge make a margin (one can come from resampling).
MARGIN_MIN_LINES = 2
# Along the bottom, a white band this deep or deeper is clothing (a white shirt), not a border.
BOTTOM_MARGIN_MAX_SHARE = 0.08
# Large JPEGs are decoded at a reduced scale: enough for the long side to keep this many pixels and
# for the crop to keep twice the photo's width.
DECODE_MIN_EDGE = 1600
PATCH = 16
INSET = 4
QUALITY_STEPS = range(90, 19, -5)

WHITE, RED, BLUE, GREY, OTHER = "white", "red", "blue", "grey", "other"
ALLOWED_BACKGROUNDS = (WHITE, RED, BLUE)


def classify_colour(rgb: tuple[float, float, float]) -> str:
    """Name a background colour from its HSV: white, red, blue, grey, or other (green, patterned...).

    White must be bright: a light-grey wall (200, 200, 200) is grey, not white.
    """
    hue, saturation, value = colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))
    hue *= 360
    if value >= 0.85 and saturation <= 0.12:
        return WHITE
    if value >= 0.3 and saturation <= 0.12:
        return GREY
    if saturation >= 0.35 and value >= 0.35 and (hue <= 20 or hue >= 335):
        return RED
    if saturation >= 0.30 and value >= 0.30 and 190 <= hue <= 250:
        return BLUE
    return OTHER


def _is_white_line(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    stat = ImageStat.Stat(image.crop(box))
    return min(stat.mean) >= WHITE_MIN_MEAN and max(stat.stddev) <= WHITE_MAX_STDDEV


def white_margins(image: Image.Image) -> dict[str, int]:
    """How many near-white lines run along each of the four edges.

    Along the bottom a white shirt often fills the whole width; it reaches far up, while a border
    is a thin band: a bottom band of BOTTOM_MARGIN_MAX_SHARE of the height or more counts as 0.
    """
    width, height = image.size
    margins = {"top": 0, "bottom": 0, "left": 0, "right": 0}
    for row in range(height // 4):
        if not _is_white_line(image, (0, row, width, row + 1)):
            break
        margins["top"] += 1
    for row in range(height - 1, height - 1 - height // 4, -1):
        if not _is_white_line(image, (0, row, width, row + 1)):
            break
        margins["bottom"] += 1
    if margins["bottom"] >= height * BOTTOM_MARGIN_MAX_SHARE:
        margins["bottom"] = 0
    for column in range(width // 4):
        if not _is_white_line(image, (column, 0, column + 1, height)):
            break
        margins["left"] += 1
    for column in range(width - 1, width - 1 - width // 4, -1):
        if not _is_white_line(image, (column, 0, column + 1, height)):
            break
        margins["right"] += 1
    return margins


def background_colours(image: Image.Image, margins: dict[str, int]) -> tuple[str, str]:
    """The colour just inside the top-left and top-right corners (inside any white margin)."""
    width, _height = image.size
    top = margins["top"] + INSET
    left = margins["left"] + INSET
    right = width - margins["right"] - INSET
    patches = ((left, top, left + PATCH, top + PATCH), (right - PATCH, top, right, top + PATCH))
    means = (cast(tuple[float, float, float], tuple(ImageStat.Stat(image.crop(box)).mean[:3])) for box in patches)
    return cast(tuple[str, str], tuple(classify_colour(mean) for mean in means))


def check_background(image: Image.Image) -> None:
    """Refuse a photo whose background is not plain red, blue or white, or that has a white margin."""
    margins = white_margins(image)
    left_colour, right_colour = background_colours(image, margins)
    if GREY in (left_colour, right_colour):
        raise UploadRejected(
            _(
                "The background must be red, blue or white. This photo's background is grey, not white: "
                "take the photo in good light in front of a plain white wall, or choose a red or blue background."
            ),
            code="photo_background",
        )
    if OTHER in (left_colour, right_colour):
        raise UploadRejected(
            _(
                "The background must be red, blue or white. This photo's background "
                "is another colour. Take or choose a photo in front of a plain red, blue or white background."
            ),
            code="photo_background",
        )
    if left_colour != right_colour:
        raise UploadRejected(
            _(
                "The background must be one plain colour, but the two top corners differ. "
                "Move the frame so that only the plain background shows around the head, or use another photo."
            ),
            code="photo_background",
        )
    has_margin = any(lines >= MARGIN_MIN_LINES for lines in margins.values())
    if has_margin and left_colour in (RED, BLUE):
        raise UploadRejected(
            _(
                "The photo has a white margin. Drag or zoom the frame so that it covers only "
                "the photo itself, without the white border, and try again."
            ),
            code="photo_margin",
        )


def crop_box(
    size: tuple[int, int], crop: tuple[int, int, int, int] | None, *, scale: float = 1.0
) -> tuple[int, int, int, int]:
    """The source rectangle to scale to 295×413: the person's crop fitted to the exact ratio, or the centre.

    `scale` is the scale the image was decoded at (its pixels per pixel of the file): the minimum
    crop width is a rule about the file's pixels.
    """
    width, height = size
    if crop is None:
        x, y, w, h = 0, 0, width, height
    else:
        try:
            x, y, w, h = (int(value) for value in crop)
        except (TypeError, ValueError) as exc:
            raise UploadRejected(crop_message(), code="crop") from exc
        # Rounding in the browser may overshoot by a pixel or two.
        x, y = max(x, 0), max(y, 0)
        w, h = min(w, width - x), min(h, height - y)
        if w <= 0 or h <= 0 or x >= width or y >= height:
            raise UploadRejected(crop_message(), code="crop")
    # Largest box of the photo's ratio inside (x, y, w, h), centred.
    if w * PHOTO_HEIGHT > h * PHOTO_WIDTH:
        fitted_w, fitted_h = round(h * PHOTO_WIDTH / PHOTO_HEIGHT), h
    else:
        fitted_w, fitted_h = w, round(w * PHOTO_HEIGHT / PHOTO_WIDTH)
    if fitted_w < MIN_CROP_WIDTH * scale:
        raise UploadRejected(
            _(
                "The chosen part of the photo is too small (%(width)d pixels wide; at least %(min)d are needed). "
                "Zoom out the frame or use a photo with a higher resolution."
            )
            % {"width": round(fitted_w / scale), "min": MIN_CROP_WIDTH},
            code="photo_resolution",
        )
    left = x + (w - fitted_w) // 2
    top = y + (h - fitted_h) // 2
    return left, top, left + fitted_w, top + fitted_h


def crop_message() -> str:
    return _("The frame lies outside the photo. Drag the frame onto the photo and try again.")


def flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency becomes white, as on paper."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def encode_small_jpeg(image: Image.Image, *, max_bytes: int) -> bytes:
    """The best quality that fits in max_bytes, lowering it step by step; refuse if none does."""
    for quality in QUALITY_STEPS:
        out = BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= max_bytes:
            return out.getvalue()
    raise UploadRejected(
        _(
            "The photo cannot be compressed to %(limit)d KB without losing too much quality. "
            "Use a photo with a plainer background and less fine detail, and try again."
        )
        % {"limit": max_bytes // 1024},
        code="photo_size",
    )


def _decode_scale(image_bytes: bytes, crop) -> float:
    """The smallest scale a large JPEG may be decoded at and still make a sharp photo of the crop."""
    width, height = image_size(image_bytes)
    if not width or not height:
        return 1.0
    try:
        crop_width = int(crop[2]) if crop is not None else width
    except (TypeError, ValueError, IndexError):
        return 1.0
    if crop_width <= 0:
        return 1.0
    return min(1.0, max(DECODE_MIN_EDGE / max(width, height), 2 * PHOTO_WIDTH / crop_width))


def process_photo(*, image_bytes: bytes, crop: tuple[int, int, int, int] | None = None) -> bytes:
    """Make the 1-inch photo from an uploaded JPEG/PNG.

    `crop` is (x, y, w, h) in source pixels (after EXIF orientation), as chosen in the page;
    without it the centre is used. Returns a JPEG of exactly 295×413 and at most
    settings.DOCUMENT_PHOTO_MAX_BYTES, with no EXIF. Raises UploadRejected with the rule that failed.
    """
    content_type = sniff(image_bytes)
    if content_type not in (ContentType.JPEG, ContentType.PNG):
        raise UploadRejected(_("The photo must be a JPG or PNG image. Choose a photo file and try again."), code="type")
    run_scanners(image_bytes)
    image = open_image(image_bytes, content_type, min_scale=_decode_scale(image_bytes, crop))
    scale = decoded_scale(image)
    image = flatten(image)
    if crop is not None and scale != 1.0:
        try:
            crop = cast(tuple[int, int, int, int], tuple(round(int(value) * scale) for value in crop))
        except (TypeError, ValueError) as exc:
            raise UploadRejected(crop_message(), code="crop") from exc
    photo = image.crop(crop_box(image.size, crop, scale=scale))
    # reducing_gap: a fast integer box reduction first, then LANCZOS over the last factor of 3.
    photo = photo.resize((PHOTO_WIDTH, PHOTO_HEIGHT), Image.Resampling.LANCZOS, reducing_gap=3.0)
    check_background(photo)
    return encode_small_jpeg(photo, max_bytes=settings.DOCUMENT_PHOTO_MAX_BYTES)
