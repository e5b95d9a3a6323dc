"""What a raw file is: the one table of magic numbers and byte-order marks, and the format
detection every reader is dispatched by (`detect_format`)."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

# Byte-order marks: (bom, codec that strips it, codec of the text after it). Longest first.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
# Names of the GB family a detector or a <meta charset> may give; GB18030 decodes them all.
GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "euc_cn", "cp936", "x-gbk", "euc-cn", "gb_2312-80"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"BM",  # BMP (checked with more care below)
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"RIFF",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"\xfd7zXZ",
    b"\x7fELF",
    b"{\\rtf",
    b"\x00\x00\x01\x00",  # ICO
    b"OggS",
    b"fLaC",
)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_TEXT_SUFFIXES = {".txt", ".text", ""}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


def detect_format(path: str, data: bytes) -> str:
    """Return "txt" | "docx" | "pdf" | "html" | "sheet" | "doc" | "unknown" — by magic bytes
    first, then extension.

    A .docx that is an OLE2 container (Word's encrypted .docx) or a broken zip named .docx is
    "docx", so that the docx reader rejects it with a precise reason; an OLE2 file holding a
    `WordDocument` stream is "doc" (Word 97–2003, also WPS's .wps saved in that format), one
    holding a `Workbook`/`Book` stream is "sheet" (.xls).
    """
    suffix = Path(path).suffix.lower()
    head = data[:1024]
    if not data:
        return "txt" if suffix in _TEXT_SUFFIXES else "unknown"
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except Exception:
            return {".docx": "docx", ".xlsx": "sheet"}.get(suffix, "unknown")
        if "word/document.xml" in names or (suffix == ".docx" and "[Content_Types].xml" in names):
            return "docx"
        if "xl/workbook.xml" in names or (suffix in (".xlsx", ".xlsm") and "[Content_Types].xml" in names):
            return "sheet"
        return "unknown"
    if data.startswith(OLE_MAGIC):
        streams = ole_streams(data)
        if "EncryptedPackage" in streams or suffix == ".docx":
            return "docx"
        if "WordDocument" in streams:
            return "doc"
        if "Workbook" in streams or "Book" in streams:
            return "sheet"
        return "unknown"
    if any(data.startswith(m) for m in _BINARY_MAGIC if m != b"BM") or (
        data.startswith(b"BM") and len(data) > 14 and data[6:10] == b"\x00\x00\x00\x00"
    ):
        return "unknown"
    sample = _decode_sample(data[:65536])
    if sample is None:
        return "unknown"
    if _HTML_START.match(sample[:4096]):
        return "html"
    if suffix in _HTML_SUFFIXES and "<" in sample[:4096]:
        return "html"
    return "txt"


# Names of the OLE2 streams that tell the formats apart, as the directory stores them (UTF-16LE).
_OLE_STREAM_NAMES = ("WordDocument", "Workbook", "Book", "EncryptedPackage")


def ole_streams(data: bytes) -> set[str]:
    """Which of the telling stream names an OLE2 compound file's directory holds."""
    out = set()
    for name in _OLE_STREAM_NAMES:
        # a directory entry: the name in UTF-16LE, NUL-terminated
        if (name.encode("utf-16-le") + b"\x00\x00") in data:
            out.add(name)
    return out


def _decode_sample(chunk: bytes) -> str | None:
    """Decode the head of a file if it is text; None for binary."""
    for bom, _, name in BOMS:
        if chunk.startswith(bom):
            return chunk[len(bom):].decode(name, errors="replace")
    candidates = ["utf-8", "gb18030"]
    if b"\x00" in chunk:
        candidates = ["utf-16-le", "utf-16-be"]
    for name in candidates:
        text = chunk.decode(name, errors="replace")
        # a cut multi-byte character at the end of the chunk is not a fault
        body = text[:-2] if len(chunk) == 65536 else text
        if body.count("\ufffd") <= max(2, len(body) // 200) and _mostly_printable(body):
            return text
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    best = from_bytes(chunk).best()
    if best is None:
        return None
    text = str(best)
    return text if _mostly_printable(text) else None


def _mostly_printable(text: str) -> bool:
    if not text:
        return True
    sample = text[:4000]
    return len(_CONTROL_CHARS.findall(sample)) / len(sample) < 0.01


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\ud800-\udfff]")


# --------------------------------------------------------------------------- shared text helpers
