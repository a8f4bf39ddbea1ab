"""Test files made on the fly: no binary file is committed (brief H4, item 7)."""

import struct
import zlib
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

PERSON = (52, 40, 36)


def jpeg(size=(64, 48), colour=(200, 30, 30), **save_options) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", **save_options)
    return out.getvalue()


def png(size=(64, 48), colour=(30, 30, 200), mode="RGB") -> bytes:
    out = BytesIO()
    Image.new(mode, size, colour).save(out, format="PNG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height pixels but holds almost nothing: a decompression bomb's header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def portrait(size=(1200, 1680), background=(40, 110, 210), *, margin=0, noise=True) -> bytes:
    """A passport-style picture: plain background, a head and shoulders; optionally a white border."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.18, width * 0.7, height * 0.62), fill=(225, 185, 160))
    draw.ellipse((width * 0.28, height * 0.12, width * 0.72, height * 0.35), fill=PERSON)
    draw.rectangle((width * 0.08, height * 0.72, width * 0.92, height), fill=(30, 30, 45))
    draw.polygon(
        [(width * 0.4, height * 0.72), (width * 0.6, height * 0.72), (width * 0.5, height * 0.9)], fill=(245, 245, 245)
    )
    if noise:
        # Camera-like grain and detail, so the compressor has real work to do.
        grain = Image.effect_noise(size, 24).convert("RGB")
        image = Image.blend(image, grain, 0.08).filter(ImageFilter.SMOOTH)
    if margin:
        framed = Image.new("RGB", (width + 2 * margin, height + 2 * margin), (255, 255, 255))
        framed.paste(image, (margin, margin))
        image = framed
    out = BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def pdf(
    *, pages: int = 1, catalog_extra: bytes = b"", objects: tuple[bytes, ...] = (), trailer_extra: bytes = b""
) -> bytes:
    """A small, well-formed PDF with correct cross-references. `objects` are appended as 4 0 obj, 5 0 obj..."""
    page_ids = list(range(4 + len(objects), 4 + len(objects) + pages))
    kids = b" ".join(b"%d 0 R" % pid for pid in page_ids)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length 0 >>\nstream\n\nendstream",
        *objects,
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>" for _ in page_ids],
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R " % (len(bodies) + 1)
        + trailer_extra
        + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_in_object_stream(catalog_extra: bytes) -> bytes:
    """A PDF 1.5 whose catalog sits compressed in an object stream: its names are not in the raw bytes."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    header = b"1 0 "
    packed = zlib.compress(header + catalog)
    out = BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(packed))
        + packed
        + b"\nendstream",
    }
    for number, body in plain.items():
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    offsets[5] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535), struct.pack(">BIH", 2, 4, 0)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (2, 3, 4, 5)]
    table = b"".join(rows)
    out.write(
        b"5 0 obj\n<< /Type /XRef /Size 6 /Root 1 0 R /W [1 4 2] /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[5]
    )
    return out.getvalue()
