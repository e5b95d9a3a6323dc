"""Raw file -> text. Every file gives a `RawText` or a `Rejected` with a reason a person understands."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from pipelines.ingest.common import R_DOC_BROKEN, R_SHEET_BROKEN, Rejected, check_size, unsupported
from pipelines.ingest.detect import BOMS, GB_FAMILY

SUPPORTED_SUFFIXES = {".txt", ".text", ".docx", ".pdf", ".html", ".htm", ".xlsx", ".xlsm", ".xls", ".doc", ".wps"}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")

__all__ = ["Rejected", "RawText", "read_raw", "decode_text", "sha256", "SUPPORTED_SUFFIXES"]


@dataclass
class RawText:
    text: str
    format: str
    encoding: str | None
    text_method: str | None = None  # text | text_layer | ocr | mixed
    # A PDF's pages: the text of each as joined into `text` (with the separator after it), and
    # what each page was read by (`formats.read_pdf_pages`). Empty for other formats.
    page_texts: list[str] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a plain-text file; returns (text, encoding name).

    Order: a BOM is definitive; then strict UTF-8 (definitive when it succeeds, as random
    GB18030 text is almost never valid UTF-8); otherwise charset-normalizer's detection.
    """
    for bom, name, _ in BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: Chinese text in UTF-16 has NULs only if ASCII is present.
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _mostly_text(text):
                return text, name
    best = from_bytes(data).best()
    if best is None:
        raise Rejected("无法识别文本编码，可能不是文本文件 / not text: no encoding decodes it")
    enc = best.encoding.lower()
    if enc in GB_FAMILY:
        return data.decode("gb18030", errors="strict"), "gb18030"
    return str(best), enc


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    sample = text[:2000]
    return len(_CONTROL.findall(sample)) / len(sample) < 0.01


def _limits(max_bytes: int):
    from pipelines import settings
    from pipelines.ingest.common import Limits

    return Limits(max_bytes=max_bytes, ocr=settings.ocr_enabled(), ocr_cache=str(settings.ocr_cache_dir()))


def read_raw(path: Path, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    """Turn one raw file's bytes into text, or raise `Rejected`."""
    from pipelines.ingest import formats

    limits = _limits(max_bytes)
    check_size(data, limits)  # the one size check, before anything is decoded or parsed
    suffix = path.suffix.lower()
    fmt = formats.detect_format(str(path), data)
    if (suffix and suffix not in SUPPORTED_SUFFIXES and fmt in ("txt", "unknown")) or (suffix == ".wps" and fmt != "doc"):
        raise unsupported(suffix)  # (a .wps in the Word 97 format is read as one)
    if fmt == "txt":
        text, enc = decode_text(data)
        if not _mostly_text(text):
            raise Rejected("内容不是文本（含大量控制字符）/ not text")
        return RawText(text, "txt", enc, "text")
    if fmt == "unknown":
        if suffix not in SUPPORTED_SUFFIXES:
            raise unsupported(suffix)
        if suffix == ".wps":
            raise unsupported(suffix)  # a WPS file in Kingsoft's own format (not Word 97)
        if suffix in (".xls", ".xlsx", ".xlsm"):
            raise Rejected(R_SHEET_BROKEN)
        if suffix == ".doc":
            raise Rejected(R_DOC_BROKEN)
        raise Rejected("内容不是文本，也不是可识别的 Word/PDF/Excel/HTML 文件 / not text and not a readable document")
    if fmt == "docx":
        return RawText(formats.read_docx(data, limits), "docx", None, "text")
    if fmt == "doc":
        return RawText(formats.read_doc(data, limits), "doc", None, "text")
    if fmt == "sheet":
        return RawText(formats.read_sheet(data, limits), "xls" if data.startswith(b"\xd0\xcf") else "xlsx", None, "text")
    if fmt == "html":
        return RawText(formats.read_html(data, limits), "html", None, "text")
    if fmt == "pdf":
        parts, pages = formats.read_pdf_parts(data, limits)
        text = "".join(parts)
        methods = {p["method"] for p in pages if p["usable"]}
        method = methods.pop() if len(methods) == 1 else "mixed"
        return RawText(text, "pdf", None, method, page_texts=parts, pages=pages)
    raise unsupported(suffix)
