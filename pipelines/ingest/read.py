"""Raw file -> text. Every file gives a `RawText` or a `Rejected` with a reason a person understands."""

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = {".txt", ".text", ".docx", ".pdf", ".html", ".htm"}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# charset-normalizer names a GB family member; GB18030 is the superset that decodes them all.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "euc_cn", "cp936"}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")


class Rejected(Exception):
    """A raw file that cannot be loaded; `reason` is shown to people in `documents.reason`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class RawText:
    text: str
    format: str
    encoding: str | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a plain-text file; returns (text, encoding name).

    Order: a BOM is definitive; then strict UTF-8 (definitive when it succeeds, as random
    GB18030 text is almost never valid UTF-8); otherwise charset-normalizer's detection.
    """
    for bom, name in _BOMS:
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
    if enc in _GB_FAMILY:
        return data.decode("gb18030", errors="strict"), "gb18030"
    return str(best), enc


def _mostly_text(text: str) -> bool:
    if not text:
        return False
    sample = text[:2000]
    return len(_CONTROL.findall(sample)) / len(sample) < 0.01


def looks_binary(data: bytes) -> bool:
    head = data[:8]
    signatures = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
    return any(head.startswith(s) for s in signatures)


def read_raw(path: Path, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    """Turn one raw file's bytes into text, or raise `Rejected`."""
    if len(data) == 0:
        raise Rejected("空文件 / empty file")
    if len(data) > max_bytes:
        raise Rejected(f"文件过大（{len(data)} 字节，上限 {max_bytes}）/ too large")
    suffix = path.suffix.lower()
    try:
        from pipelines.ingest import formats  # optional readers for docx/pdf/html
    except ImportError:  # pragma: no cover - during bootstrap only
        formats = None
    if formats is not None:
        fmt = formats.detect_format(str(path), data)
    else:
        fmt = {".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}.get(suffix, "txt")
        if fmt == "txt" and looks_binary(data):
            fmt = "unknown"
    if suffix and suffix not in SUPPORTED_SUFFIXES and fmt in ("txt", "unknown"):
        raise Rejected(f"不支持的格式 {suffix} / unsupported format")
    if fmt == "txt":
        text, enc = decode_text(data)
        if not _mostly_text(text):
            raise Rejected("内容不是文本（含大量控制字符）/ not text")
        return RawText(text, "txt", enc)
    if formats is None or fmt == "unknown":
        if suffix not in SUPPORTED_SUFFIXES:
            raise Rejected(f"不支持的格式 {suffix or '（无扩展名）'} / unsupported format")
        raise Rejected("内容不是文本，也不是可识别的 Word/PDF/HTML 文件 / not text and not a readable document")
    limits = formats.Limits(max_bytes=max_bytes)
    try:
        if fmt == "docx":
            return RawText(formats.read_docx(data, limits), "docx", None)
        if fmt == "pdf":
            return RawText(formats.read_pdf(data, limits), "pdf", None)
        if fmt == "html":
            text = formats.read_html(data, limits)
            return RawText(text, "html", None)
    except formats.RejectedFile as exc:
        raise Rejected(exc.reason) from exc
    raise Rejected(f"不支持的格式 {fmt} / unsupported format")
