"""Raw file -> text. Every file gives a `RawText` or a `Rejected` with a reason a person understands."""

import codecs
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from pipelines.ingest.common import R_DOC_BROKEN, R_SHEET_BROKEN, Rejected, check_size, unsupported
from pipelines.ingest.detect import BOMS, GB_FAMILY

SUPPORTED_SUFFIXES = {".txt", ".text", ".docx", ".pdf", ".html", ".htm", ".xlsx", ".xlsm", ".xls", ".doc", ".wps"}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff]")

__all__ = ["Rejected", "RawText", "read_raw", "decode_text", "decode_replacing", "Encoding", "sha256", "SUPPORTED_SUFFIXES"]


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


class Encoding(str):
    """The name of the encoding a text was decoded with (a `str`), and how many of its bytes were
    invalid in it and replaced by U+FFFD (`replaced`, 0 for a clean decode)."""

    replaced: int = 0

    def __new__(cls, name: str, replaced: int = 0):
        self = super().__new__(cls, name)
        self.replaced = replaced
        return self


# A text that is valid in an encoding but for a few bytes (a stray byte, a character cut at the end)
# is decoded with those bytes replaced: at most one invalid byte per this many bytes, or this few
# in a short file. Text of another encoding read as UTF-8 has invalid bytes in the tens of percent
# (GB18030 text read as UTF-8: a third to a half of its bytes), so this never takes a GB18030 file for UTF-8.
BYTES_PER_INVALID = 1000
FEW_INVALID = 8
# …and the text read must hold at least this many Chinese characters (for UTF-8: characters of three
# or more bytes) per invalid byte: then at most about one byte in sixty is invalid whatever the file's
# size, and a Latin-1 text (ASCII with a few accented letters) is never taken for UTF-8 with errors.
WIDE_PER_INVALID = 20

_counts = threading.local()


def _count_and_replace(exc: UnicodeDecodeError):
    _counts.n = getattr(_counts, "n", 0) + (exc.end - exc.start)
    return "\ufffd", exc.end


codecs.register_error("bpe-count-replace", _count_and_replace)


def decode_replacing(data: bytes, encoding: str, limit: int | None = None) -> tuple[str | None, int]:
    """`data` decoded with every invalid byte sequence replaced by U+FFFD: (text, invalid bytes).
    With `limit`, the text is None as soon as more than `limit` bytes are invalid (a file of
    another encoding is not decoded to its end, one error at a time)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="bpe-count-replace")
    parts = []
    _counts.n = 0
    try:
        step = 1 << 20
        for i in range(0, len(data), step):
            parts.append(decoder.decode(data[i : i + step], final=i + step >= len(data)))
            if limit is not None and _counts.n > limit:
                return None, _counts.n
        if not data:
            parts.append(decoder.decode(b"", final=True))
        return "".join(parts), _counts.n
    finally:
        _counts.n = 0


def _allowed_invalid(size: int) -> int:
    return max(FEW_INVALID, size // BYTES_PER_INVALID)


def _few_invalid(n_bad: int, size: int) -> bool:
    return 0 < n_bad <= _allowed_invalid(size)


def _tolerant(data: bytes, encoding: str, name: str, wide: bool = False, hanzi: bool = False) -> tuple[str, Encoding] | None:
    """`data` in `encoding` with a few invalid bytes replaced, or None when it has too many (with
    `wide`, also when it holds fewer than `WIDE_PER_INVALID` characters of three or more UTF-8
    bytes for each; with `hanzi`, as many Chinese characters, and more of them than of others)."""
    text, n_bad = decode_replacing(data, encoding, limit=_allowed_invalid(len(data)))
    if text is None or not _few_invalid(n_bad, len(data)):
        return None
    if wide and sum(1 for _ in _WIDE.finditer(text)) < WIDE_PER_INVALID * n_bad:
        return None
    if hanzi:
        n_han = sum(1 for _ in _HANZI.finditer(text))
        n_other = sum(1 for _ in _NON_ASCII.finditer(text)) - n_han
        if n_han < WIDE_PER_INVALID * n_bad or n_han <= n_other:
            return None
    return text, Encoding(name, n_bad)


_WIDE = re.compile(r"[\u0800-\ufffc\U00010000-\U0010ffff]")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def decode_text(data: bytes) -> tuple[str, Encoding]:
    """Decode bytes of a plain-text file; returns (text, encoding name).

    Order: a BOM is definitive; then strict UTF-8 (definitive when it succeeds, as random
    GB18030 text is almost never valid UTF-8); then UTF-8 with a few invalid bytes (at most one
    in `BYTES_PER_INVALID`) replaced by U+FFFD; otherwise charset-normalizer's detection. The
    encoding returned is an `Encoding` (a `str`) whose `replaced` counts the bytes replaced.
    """
    for bom, name, _ in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), Encoding(name)
            except UnicodeDecodeError:
                got = _tolerant(data, name, name)
                if got is None:
                    raise Rejected(f"按文件头（BOM）的编码 {name} 无法解码，含大量无效字节 / not text: invalid {name} after its byte-order mark") from None
                return got
    try:
        return data.decode("utf-8"), Encoding("utf-8")
    except UnicodeDecodeError:
        pass
    got = _tolerant(data, "utf-8", "utf-8", wide=True)
    if got is not None:
        return got
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: Chinese text in UTF-16 has NULs only if ASCII is present.
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _mostly_text(text):
                return text, Encoding(name)
    best = from_bytes(data).best()
    if best is None:
        # charset-normalizer gives up on GB18030 text with one stray byte: a text that is GB18030
        # but for a few bytes, and reads as Chinese, is that
        got = _tolerant(data, "gb18030", "gb18030", hanzi=True)
        if got is not None:
            return got
        raise Rejected("无法识别文本编码，可能不是文本文件 / not text: no encoding decodes it")
    enc = best.encoding.lower()
    if enc in GB_FAMILY:
        try:
            return data.decode("gb18030", errors="strict"), Encoding("gb18030")
        except UnicodeDecodeError:
            got = _tolerant(data, "gb18030", "gb18030")
            if got is None:
                raise Rejected("GB18030 文本含大量无效字节 / not text: too many bytes invalid in GB18030") from None
            return got
    return str(best), Encoding(enc)


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
