"""What an uploaded file really is, and making it safe to keep (SECURITY.md "Uploads").

The type is decided by the bytes alone: magic bytes AND a successful decode. Images are decoded
and re-encoded, which drops EXIF/GPS and anything hidden after the image; PDFs cannot be
re-encoded, so they are parsed and refused when they carry anything active.
"""

import hashlib
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .constants import ContentType
from .exceptions import UploadRejected

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"

# Pillow names the formats it decoded; MPO is the multi-picture JPEG many phones write.
PILLOW_FORMATS: dict[str, set[str]] = {ContentType.JPEG: {"JPEG", "MPO"}, ContentType.PNG: {"PNG"}}

# Names that make a PDF do something (run script, open other files, carry files) rather than show pages.
PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"OpenAction",
        b"AA",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
        # Opens another file, possibly on a network share (a path that leaks credentials on Windows).
        b"GoToR",
    }
)
# A link is harmless when it points at a web page, not when it opens a local or network file.
PDF_LOCAL_URI = re.compile(r"^\s*(?:file|smb)\s*:|^\s*\\\\", re.IGNORECASE)
_RAW_LOCAL_URI = re.compile(rb"/URI\s*\(\s*(?:file|smb)\s*:|/URI\s*\(\s*\\\\", re.IGNORECASE)
# A PDF of a few pages has some hundreds of objects; far more is a parser trap, not a proof.
PDF_MAX_OBJECTS = 100_000

_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Inspected:
    """Bytes that passed every check, ready to store, with what is known about them."""

    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


# --------------------------------------------------------------------------- type and names


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes claim, or None. A claim only: decoding must confirm it."""
    if data.startswith(JPEG_MAGIC):
        return ContentType.JPEG
    if data.startswith(PNG_MAGIC):
        return ContentType.PNG
    if data.startswith(PDF_MAGIC):
        return ContentType.PDF
    return None


def sanitize_name(name: str | None, *, max_length: int = 120) -> str:
    """The original file name as harmless metadata: no path, no control or bidi characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = re.sub(r'[<>:"|?*;]', "_", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name


def read_upload(uploaded_file, *, max_bytes: int) -> bytes:
    """Read an uploaded file whole, refusing an empty one or one over the limit before reading it."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(too_large_message(max_bytes), code="size")
    uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(too_large_message(max_bytes), code="size")
    if not data:
        raise UploadRejected(_("The file is empty. Choose the file again and upload it."), code="empty")
    return data


def too_large_message(max_bytes: int) -> str:
    return _("The file is larger than %(limit)s. Scan at a lower resolution or compress it, then upload again.") % {
        "limit": human_size(max_bytes)
    }


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def wrong_type_message() -> str:
    return _("Only JPG, PNG or PDF files are accepted. Save the scan or photo as JPG, PNG or PDF and upload it again.")


# --------------------------------------------------------------------------- scanners


def run_scanners(data: bytes) -> None:
    """Run every scanner of settings.DOCUMENT_SCANNERS; a scanner that fails to answer refuses too."""
    for path in settings.DOCUMENT_SCANNERS:
        scanner = import_string(path)
        try:
            scanner(data)
        except UploadRejected:
            raise
        except Exception as exc:
            raise UploadRejected(
                _("The virus scan is not available at the moment. Please try again in a few minutes."),
                code="scanner_unavailable",
            ) from exc


# --------------------------------------------------------------------------- images


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header alone (before EXIF orientation); (0, 0) if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(BytesIO(data)).size
    except Exception:
        return 0, 0


def open_image(data: bytes, content_type: str, *, min_scale: float = 1.0) -> Image.Image:
    """Decode an image after checking its pixel count from the header; orientation applied.

    A JPEG (what cameras and phones write) may be decoded at a reduced scale — `min_scale` or more
    of its size, by 1/2, 1/4 or 1/8 (libjpeg's draft mode: much faster and smaller than decoding a
    50-megapixel photo whole) — so a large real photo is accepted up to DOCUMENT_MAX_JPEG_PIXELS.
    DOCUMENT_MAX_PIXELS caps what is actually decoded, and PNGs (no draft mode) in full.
    `decoded_scale(image)` tells the caller the scale used.

    Raises UploadRejected for anything that is not a complete JPEG/PNG of an acceptable size.
    """
    max_pixels = settings.DOCUMENT_MAX_PIXELS
    draft = content_type == ContentType.JPEG and min_scale < 1
    header_cap = settings.DOCUMENT_MAX_JPEG_PIXELS if draft else max_pixels
    with warnings.catch_warnings():
        # Our own header cap decides; Pillow's bomb warning is an error except for a JPEG decoded in
        # draft mode, whose header cap (below Pillow's hard limit) may lie above the warning level.
        warnings.simplefilter("ignore" if draft else "error", Image.DecompressionBombWarning)
        try:
            # Image.open reads the header only: nothing is decoded yet.
            probe = Image.open(BytesIO(data))
            width, height = probe.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected(too_many_pixels_message(header_cap), code="pixels") from exc
        except Exception as exc:
            raise UploadRejected(damaged_image_message(), code="damaged") from exc
        if probe.format not in PILLOW_FORMATS[content_type]:
            raise UploadRejected(wrong_type_message(), code="type")
        if width < 1 or height < 1 or width * height > header_cap:
            raise UploadRejected(too_many_pixels_message(header_cap), code="pixels")
        try:
            probe.verify()
            image: Image.Image = Image.open(BytesIO(data))
            if draft:
                image.draft("RGB", (max(1, math.ceil(width * min_scale)), max(1, math.ceil(height * min_scale))))
            if image.size[0] * image.size[1] > max_pixels:
                raise UploadRejected(too_many_pixels_message(header_cap), code="pixels")
            scale = image.size[0] / width
            image.load()
            image = ImageOps.exif_transpose(image)
            image.info["decoded_scale"] = scale
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected(too_many_pixels_message(header_cap), code="pixels") from exc
        except Exception as exc:
            raise UploadRejected(damaged_image_message(), code="damaged") from exc
    return image


def decoded_scale(image: Image.Image) -> float:
    """The scale `open_image` decoded at: 1.0, or 1/2, 1/4, 1/8 of the file's size (JPEG draft mode)."""
    return image.info.get("decoded_scale", 1.0)


def pixel_count_text(pixels: int) -> str:
    """40,000,000 → "4000万像素" in Chinese (how people count pixels there), "40 megapixels" otherwise."""
    if (translation.get_language() or "").startswith("zh"):
        return f"{pixels // 10_000}万像素"
    return f"{pixels / 1_000_000:g} megapixels"


def too_many_pixels_message(max_pixels: int) -> str:
    return _("The image has too many pixels (more than %(limit)s). Reduce its size and upload it again.") % {
        "limit": pixel_count_text(max_pixels)
    }


def damaged_image_message() -> str:
    return _(
        "The image could not be read completely: it is damaged or not really a JPG/PNG. "
        "Open it on your computer, save it again as JPG and upload the new file."
    )


def encode_image(image: Image.Image, content_type: str, *, quality: int = 90) -> bytes:
    """Write pixels only: no EXIF, no comments, no colour profile, nothing appended."""
    transparency = image.info.get("transparency")
    image.info = {}
    out = BytesIO()
    if content_type == ContentType.JPEG:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=quality, optimize=True)
    else:
        options = {"transparency": transparency} if transparency is not None and image.mode in ("P", "L", "RGB") else {}
        image.save(out, format="PNG", **options)
    return out.getvalue()


def inspect_image(data: bytes, content_type: str, *, max_edge: int | None = None) -> Inspected:
    width, height = image_size(data)
    min_scale = min(1.0, max_edge / max(width, height)) if max_edge and width and height else 1.0
    image = open_image(data, content_type, min_scale=min_scale)
    if max_edge and max(image.size) > max_edge:
        image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    content = encode_image(image, content_type)
    return Inspected(content=content, content_type=content_type, width=image.width, height=image.height)


# --------------------------------------------------------------------------- PDF


def _decode_name(raw: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), raw)


def _without_stream_bodies(data: bytes) -> bytes:
    """The file with every stream body blanked out, in one linear pass (a regex would backtrack)."""
    parts = []
    position = 0
    while True:
        start = data.find(b"stream", position)
        if start == -1:
            parts.append(data[position:])
            break
        after = start + len(b"stream")
        if data[max(start - 3, 0) : start] == b"end" or data[after : after + 1] not in (b"\n", b"\r"):
            parts.append(data[position:after])
            position = after
            continue
        end = data.find(b"endstream", after)
        if end == -1:
            parts.append(data[position:])
            break
        parts.append(data[position:start] + b" ")
        position = end + len(b"endstream")
    return b"".join(parts)


def raw_pdf_names(data: bytes) -> set[bytes]:
    """Every name written in the file outside stream bodies, with #xx escapes decoded.

    Catches obfuscated names (/J#61vaScript) and objects that no cross-reference table points to.
    Stream bodies are skipped: compressed bytes would match by chance.
    """
    return {_decode_name(match.group(1)) for match in _PDF_NAME.finditer(_without_stream_bodies(data))}


def _active_names_in(obj, found: set[bytes]) -> None:
    """Collect active names among the keys and name values of one object (not following references)."""
    stack = [obj]
    while stack:
        current = stack.pop()
        if isinstance(current, IndirectObject):
            continue  # visited on its own
        if isinstance(current, NameObject):
            name = str(current)[1:].encode("utf-8", "surrogateescape")
            if name in PDF_ACTIVE_NAMES:
                found.add(name)
        elif isinstance(current, DictionaryObject):
            for key, value in current.items():
                key_name = str(key)[1:].encode("utf-8", "surrogateescape")
                if key_name in PDF_ACTIVE_NAMES:
                    found.add(key_name)
                if key_name == b"URI" and isinstance(value, str | bytes) and _is_local_uri(value):
                    found.add(key_name)
                stack.append(value)
        elif isinstance(current, ArrayObject):
            stack.extend(current)


def _is_local_uri(value: str | bytes) -> bool:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return bool(PDF_LOCAL_URI.match(text))


def parsed_pdf_names(reader: PdfReader) -> set[bytes]:
    """Active names in every object the parser can reach, compressed object streams included."""
    references = [(idnum, generation) for generation, entries in reader.xref.items() for idnum in entries]
    references += [(idnum, 0) for idnum in reader.xref_objStm]
    if len(references) > PDF_MAX_OBJECTS:
        raise UploadRejected(damaged_pdf_message(), code="damaged")
    found: set[bytes] = set()
    _active_names_in(reader.trailer, found)
    for idnum, generation in references:
        _active_names_in(reader.get_object(IndirectObject(idnum, generation, reader)), found)
    return found


def damaged_pdf_message() -> str:
    return _("The PDF could not be read: it is damaged. Export or scan it again as PDF and upload the new file.")


def active_pdf_message() -> str:
    return _(
        "The PDF contains scripts, actions or attached files, which are not allowed. "
        "Print it to a new PDF (or scan the paper) and upload that file."
    )


def inspect_pdf(data: bytes) -> Inspected:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise UploadRejected(damaged_pdf_message(), code="damaged") from exc
    if encrypted:
        raise UploadRejected(
            _("The PDF is encrypted or password-protected. Remove the password, save it again and upload it."),
            code="encrypted",
        )
    if raw_pdf_names(data) & PDF_ACTIVE_NAMES or _RAW_LOCAL_URI.search(_without_stream_bodies(data)):
        raise UploadRejected(active_pdf_message(), code="pdf_active")
    try:
        active = parsed_pdf_names(reader)
        pages = len(reader.pages)
        if any(page.mediabox is None for page in reader.pages):
            raise UploadRejected(damaged_pdf_message(), code="damaged")
    except UploadRejected:
        raise
    except Exception as exc:
        raise UploadRejected(damaged_pdf_message(), code="damaged") from exc
    if active:
        raise UploadRejected(active_pdf_message(), code="pdf_active")
    if pages < 1:
        raise UploadRejected(damaged_pdf_message(), code="damaged")
    max_pages = settings.DOCUMENT_PDF_MAX_PAGES
    if pages > max_pages:
        raise UploadRejected(
            _("The PDF has %(pages)d pages; at most %(max)d are allowed. Upload only the pages needed.")
            % {"pages": pages, "max": max_pages},
            code="pages",
        )
    return Inspected(content=data, content_type=ContentType.PDF, pages=pages)


# --------------------------------------------------------------------------- proofs


def inspect_proof(data: bytes) -> Inspected:
    """Check a proof's bytes (JPEG, PNG or PDF) and return what may be stored."""
    content_type = sniff(data)
    if content_type is None:
        raise UploadRejected(wrong_type_message(), code="type")
    run_scanners(data)
    if content_type == ContentType.PDF:
        return inspect_pdf(data)
    return inspect_image(data, content_type, max_edge=settings.DOCUMENT_PROOF_MAX_EDGE)
