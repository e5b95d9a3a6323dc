"""Readers for raw files that are not plain text: Word (.docx), PDF and web pages (.html).

Each reader turns the file's bytes into text in the SAME layout as the corpus .txt files,
which is what the extractors parse:

- one paragraph per line (blank lines between paragraphs are allowed);
- a table is written as one tab-prefixed cell per line, rows separated by one blank line,
  and the table followed by two blank lines;
- a vertically merged cell (Word ``vMerge`` continuation, HTML ``rowspan``) gives an EMPTY
  cell line ("\\t") in each row it covers; a horizontally merged cell (Word ``gridSpan``,
  HTML ``colspan``) is ONE cell, as in the corpus (its 合计 rows have 3 cells in a 5-column
  table). ``pad_colspan=True`` writes empty continuation cells for horizontal spans instead;
- a paragraph never starts with a tab (tabs inside paragraphs become spaces), so a line
  starting with a tab is always a table cell.

Readers raise `RejectedFile` with a reason a person understands (Chinese / English).

Safety:
- sizes are checked before anything is inflated or parsed (`Limits`); a .docx whose zip
  declares more uncompressed bytes than `Limits.max_docx_uncompressed` is rejected from its
  central directory alone, and no member is ever read past its declared size;
- .docx and .pdf are parsed in a separate Python process (`Limits.isolate`) that is killed
  after `Limits.max_seconds` and runs under an address-space cap (`Limits.max_memory`), so
  a hostile or pathological file cannot hang or exhaust the pipeline;
- XML with a DOCTYPE (entity expansion) is refused; HTML is parsed without network access.

Libraries: .docx with the standard library (zipfile + xml.etree): Word's document.xml is
small, well-formed XML, and reading it directly gives full control over merged cells,
tracked changes, text boxes and the zip-bomb checks (python-docx does neither vMerge
continuation cells nor tracked insertions in document order). PDF with pypdfium2
(PDFium, Apache-2.0/BSD-3). HTML with lxml (BSD). Both are imported lazily.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

MiB = 1024 * 1024


class RejectedFile(Exception):
    """A file that cannot be read; `reason` is shown to people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Limits:
    max_bytes: int = 50 * MiB  # raw file size
    max_docx_uncompressed: int = 200 * MiB  # sum of the zip members' declared sizes
    max_pdf_pages: int = 2000
    max_seconds: float = 60  # wall clock for one docx/pdf parse (worker killed after it)
    max_memory: int = 2048 * MiB  # address-space cap of the parsing worker (Linux)
    isolate: bool = True  # parse docx/pdf in a worker process (False: in this process)


# --------------------------------------------------------------------------- messages

R_EMPTY = "空文件 / empty file"
R_TOO_BIG = "文件过大（{n} 字节，上限 {m}）/ file too large"
R_ZIP_BROKEN = "不是有效的Word文件（zip损坏）/ not a valid .docx (broken zip)"
R_ZIP_BOMB = "Word文件解压后过大（{n} 字节，上限 {m}），疑似压缩炸弹 / .docx inflates too much (zip bomb?)"
R_ZIP_MEMBERS = "Word文件内部文件过多（{n}）/ .docx has too many members"
R_ZIP_ENCRYPTED = "Word文件已加密 / encrypted .docx"
R_OLE = "Word文件已加密或为旧版.doc格式，无法读取 / encrypted .docx or legacy .doc (not supported)"
R_NOT_DOCX = "不是Word文档（缺少 word/document.xml）/ not a .docx (no word/document.xml)"
R_XML_BROKEN = "Word文档内容损坏（XML无法解析）/ broken .docx (document.xml is not well-formed)"
R_XML_DTD = "Word文档含DOCTYPE声明，拒绝解析 / .docx XML with a DOCTYPE refused"
R_PDF_BROKEN = "PDF文件损坏，无法打开 / broken PDF"
R_PDF_ENCRYPTED = "PDF已加密（需要密码）/ encrypted PDF (password required)"
R_PDF_PAGES = "PDF页数过多（{n} 页，上限 {m}）/ too many PDF pages"
R_PDF_NO_TEXT = "PDF无文字层（扫描件）/ PDF has no text layer"
R_TIMEOUT = "解析超时（超过 {s} 秒）/ parsing took longer than {s}s"
R_WORKER = "解析失败（解析器崩溃或内存超限）/ parser crashed or ran out of memory"
R_MEMORY = "解析时内存超限 / out of memory while parsing"
R_DEPTH = "文档结构嵌套过深 / document nested too deeply"
R_HTML_CHARSET = "无法识别网页编码 / cannot detect the HTML charset"
R_HTML_EMPTY = "网页无正文文字 / HTML has no text"

# A PDF whose pages average fewer visible characters than this has no usable text layer
# (a scan with at most a page number drawn as text).
MIN_PDF_CHARS_PER_PAGE = 10
MAX_ZIP_MEMBERS = 10000


def _check_size(data: bytes, limits: Limits) -> None:
    if not data:
        raise RejectedFile(R_EMPTY)
    if len(data) > limits.max_bytes:
        raise RejectedFile(R_TOO_BIG.format(n=len(data), m=limits.max_bytes))


# --------------------------------------------------------------------------- detection

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
    """Return "txt" | "docx" | "pdf" | "html" | "unknown" — by magic bytes first, then extension.

    A .docx that is an OLE2 container (Word's encrypted .docx) or a broken zip named .docx
    is "docx", so that `read_docx` rejects it with a precise reason.
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
            return "docx" if suffix == ".docx" else "unknown"
        if "word/document.xml" in names or (suffix == ".docx" and "[Content_Types].xml" in names):
            return "docx"
        return "unknown"
    if data.startswith(_OLE_MAGIC):
        return "docx" if suffix == ".docx" else "unknown"
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


def _decode_sample(chunk: bytes) -> str | None:
    """Decode the head of a file if it is text; None for binary."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
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

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK_JOIN = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t\n]*(?=[{_CJK}])")
_EDGE_WS = " \t\u3000\u00a0\r\n"


def _join_fragments(parts: list[str]) -> str:
    """Join pieces of one cell / one line: nothing between two CJK characters, else a space."""
    parts = [p.strip(_EDGE_WS) for p in parts]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = "\n".join(parts)
    text = _CJK_JOIN.sub("", text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def _clean_line(line: str) -> str:
    """A paragraph line: tabs to spaces (a leading tab would mean a table cell), edges trimmed."""
    return line.replace("\t", " ").strip(_EDGE_WS)


def _table_lines(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        out.extend("\t" + cell.replace("\t", " ").replace("\n", " ").strip(_EDGE_WS) for cell in row)
    return out


def _assemble(blocks: list[tuple[str, object]]) -> str:
    """blocks: ("p", str) paragraphs (may hold "\\n" line breaks) and ("t", rows) tables."""
    lines: list[str] = []
    for kind, value in blocks:
        if kind == "p":
            for ln in str(value).split("\n"):
                lines.append(_clean_line(ln))
        else:
            # rows without any text (spacer rows) are left out
            rows = [r for r in value if any(c.strip(_EDGE_WS) for c in r)]  # type: ignore[union-attr]
            if not rows:
                continue
            lines.extend(_table_lines(rows))
            lines.extend(["", ""])
    # at most two blank lines in a row; none at the start or the end
    out: list[str] = []
    blanks = 0
    for ln in lines:
        if ln == "":
            blanks += 1
            if blanks > 2 or not out:
                continue
        else:
            blanks = 0
        out.append(ln)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + ("\n" if out else "")


# --------------------------------------------------------------------------- worker process

_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from pipelines.ingest.formats import _worker_main; _worker_main()"
)


def _run_bounded(kind: str, data: bytes, limits: Limits, options: dict) -> str:
    """Run `_parse(kind, …)` in a child process with a wall-clock and a memory cap."""
    if not limits.isolate or not sys.executable:
        return _parse(kind, data, limits, options, deadline=time.monotonic() + limits.max_seconds)
    header = json.dumps({"kind": kind, "limits": asdict(limits), "options": options}).encode() + b"\n"
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WORKER_CODE, _ROOT],
            input=header + data,
            capture_output=True,
            timeout=limits.max_seconds,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise RejectedFile(R_TIMEOUT.format(s=_fmt_seconds(limits.max_seconds))) from None
    try:
        answer = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RejectedFile(R_WORKER) from None
    if "text" in answer:
        return answer["text"]
    if "rejected" in answer:
        raise RejectedFile(answer["rejected"])
    if answer.get("error_type") == "ImportError":
        raise ImportError(answer.get("error", "reader dependency missing"))
    raise RejectedFile(R_WORKER)


def _fmt_seconds(s: float) -> str:
    return f"{s:g}"


def _worker_main() -> None:  # pragma: no cover - runs in the child process
    raw = sys.stdin.buffer.read()
    nl = raw.index(b"\n")
    header = json.loads(raw[:nl])
    data = raw[nl + 1:]
    del raw
    limits = Limits(**header["limits"])
    try:  # load the parser before the memory cap: a failed import then means "not installed"
        if header["kind"] == "pdf":
            import pypdfium2  # noqa: F401
    except ImportError as exc:
        sys.stdout.write(json.dumps({"error_type": "ImportError", "error": str(exc)}))
        return
    try:
        import resource

        cap = int(limits.max_memory)
        if cap > 0:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = int(limits.max_seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ImportError, ValueError, OSError):
        pass
    deadline = time.monotonic() + limits.max_seconds
    try:
        answer = {"text": _parse(header["kind"], data, limits, header["options"], deadline)}
    except RejectedFile as exc:
        answer = {"rejected": exc.reason}
    except MemoryError:
        answer = {"rejected": R_MEMORY}
    except ImportError as exc:
        answer = {"error_type": "ImportError", "error": str(exc)}
    except Exception as exc:  # a parser bug on a strange file: reject, never hang
        answer = {"rejected": f"{R_WORKER} ({type(exc).__name__})"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


def _parse(kind: str, data: bytes, limits: Limits, options: dict, deadline: float) -> str:
    try:
        if kind == "docx":
            return _docx_text(data, limits, deadline, **options)
        if kind == "pdf":
            return _pdf_text(data, limits, deadline)
    except RecursionError:
        raise RejectedFile(R_DEPTH) from None
    raise ValueError(kind)


# --------------------------------------------------------------------------- docx

_W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # strict OOXML
}
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_OFFICE_DOC = ("/officeDocument",)


def read_docx(data: bytes, limits: Limits | None = None, *, pad_colspan: bool = False) -> str:
    """Text of a .docx: paragraphs and tables in document order, in the corpus layout.

    Rejects (RejectedFile) empty/oversized files, broken zips, encrypted or legacy files,
    zips that would inflate past `limits.max_docx_uncompressed` (checked on the declared
    sizes, before anything is inflated), malformed XML and parses that exceed the time cap.
    Headers, footers, footnotes and comments are not included; deleted text (tracked
    changes) is left out and inserted text kept.
    """
    limits = limits or Limits()
    _check_size(data, limits)
    _open_docx_checked(data, limits)  # cheap checks here, so most rejections need no worker
    return _run_bounded("docx", data, limits, {"pad_colspan": pad_colspan})


def _open_docx_checked(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    if data.startswith(_OLE_MAGIC):
        raise RejectedFile(R_OLE)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise RejectedFile(R_ZIP_BROKEN) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise RejectedFile(R_ZIP_MEMBERS.format(n=len(infos)))
    total = sum(max(0, i.file_size) for i in infos)
    if total > limits.max_docx_uncompressed:
        raise RejectedFile(R_ZIP_BOMB.format(n=total, m=limits.max_docx_uncompressed))
    if any(i.flag_bits & 0x1 for i in infos):
        raise RejectedFile(R_ZIP_ENCRYPTED)
    names = {i.filename: i for i in infos}
    main = names.get("word/document.xml")
    if main is None:
        target = _main_part_from_rels(zf, names, limits)
        main = names.get(target) if target else None
    if main is None:
        raise RejectedFile(R_NOT_DOCX)
    return zf, main


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Read one member, never more than its declared size (which was checked)."""
    cap = min(info.file_size, limits.max_docx_uncompressed)
    try:
        with zf.open(info) as fh:
            chunks = []
            got = 0
            while True:
                chunk = fh.read(min(1 * MiB, cap + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if got > cap:
                    raise RejectedFile(R_ZIP_BOMB.format(n=got, m=cap))
    except RejectedFile:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        raise RejectedFile(R_ZIP_BROKEN) from None
    except Exception as exc:  # zlib.error and friends
        if type(exc).__name__ == "error":
            raise RejectedFile(R_ZIP_BROKEN) from None
        raise
    return b"".join(chunks)


def _main_part_from_rels(zf: zipfile.ZipFile, names: dict, limits: Limits) -> str | None:
    rels = names.get("_rels/.rels")
    if rels is None:
        return None
    try:
        root = _parse_xml(_read_member(zf, rels, limits))
    except RejectedFile:
        return None
    for rel in root:
        if rel.get("Type", "").endswith(_REL_OFFICE_DOC):
            return rel.get("Target", "").lstrip("/")
    return None


def _parse_xml(raw: bytes) -> ET.Element:
    if re.search(rb"<!DOCTYPE|<!ENTITY", raw[:65536], re.IGNORECASE):
        raise RejectedFile(R_XML_DTD)
    try:
        return ET.fromstring(raw)
    except ET.ParseError:
        raise RejectedFile(R_XML_BROKEN) from None


def _docx_text(data: bytes, limits: Limits, deadline: float, pad_colspan: bool = False) -> str:
    zf, main = _open_docx_checked(data, limits)
    root = _parse_xml(_read_member(zf, main, limits))
    body = None
    for child in root:
        if _local(child) == "body":
            body = child
            break
    if body is None:
        raise RejectedFile(R_NOT_DOCX)
    walker = _DocxWalker(deadline, limits, pad_colspan)
    walker.blocks_of(body)
    return _assemble(walker.blocks)


def _local(el: ET.Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if tag[0] == "{":
        ns, _, name = tag[1:].partition("}")
        if ns in _W_NS:
            return name
        if ns == _MC_NS:
            return "mc:" + name
        return "other:" + name
    return tag


def _wattr(el: ET.Element, name: str) -> str | None:
    for ns in _W_NS:
        v = el.get(f"{{{ns}}}{name}")
        if v is not None:
            return v
    return None


# containers whose children are block-level content (paragraphs, tables)
_BLOCK_WRAPPERS = {"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "txbxContent"}
# inline wrappers whose children are runs
_INLINE_WRAPPERS = {"r", "hyperlink", "smartTag", "sdt", "sdtContent", "customXml", "ins", "moveTo", "fldSimple", "bdo", "dir"}
_SKIP = {"del", "moveFrom", "pPr", "rPr", "sectPr", "tblPr", "trPr", "tcPr", "tblGrid", "instrText", "delText", "footnoteReference", "endnoteReference", "commentReference"}


class _DocxWalker:
    def __init__(self, deadline: float, limits: Limits, pad_colspan: bool):
        self.blocks: list[tuple[str, object]] = []
        self.deadline = deadline
        self.limits = limits
        self.pad_colspan = pad_colspan
        self._count = 0

    def _tick(self) -> None:
        self._count += 1
        if self._count % 2000 == 0 and time.monotonic() > self.deadline:
            raise RejectedFile(R_TIMEOUT.format(s=_fmt_seconds(self.limits.max_seconds)))

    # block level -------------------------------------------------------------
    def blocks_of(self, container: ET.Element) -> None:
        for child in container:
            name = _local(child)
            if name == "p":
                self._tick()
                text, boxes = self.paragraph(child)
                self.blocks.append(("p", text))
                for box in boxes:  # text boxes anchored in the paragraph come after it
                    self.blocks_of(box)
            elif name == "tbl":
                self.blocks.append(("t", self.table(child)))
            elif name in _BLOCK_WRAPPERS:
                self.blocks_of(child)
            elif name == "mc:AlternateContent":
                choice = _first_choice(child)
                if choice is not None:
                    self.blocks_of(choice)

    # paragraphs --------------------------------------------------------------
    def paragraph(self, p: ET.Element) -> tuple[str, list[ET.Element]]:
        parts: list[str] = []
        boxes: list[ET.Element] = []
        self._inline(p, parts, boxes)
        return "".join(parts), boxes

    def _inline(self, el: ET.Element, parts: list[str], boxes: list[ET.Element]) -> None:
        for child in el:
            name = _local(child)
            if name == "t":
                parts.append(child.text or "")
            elif name in ("tab", "ptab"):
                parts.append(" ")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name == "sym":
                ch = _wattr(child, "char")
                try:
                    code = int(ch or "", 16)
                except ValueError:
                    code = 0
                if code and not 0xF000 <= code <= 0xF0FF:  # symbol-font glyphs have no meaning
                    parts.append(chr(code))
            elif name in _SKIP or name == "p":
                continue
            elif name == "txbxContent":
                boxes.append(child)
            elif name == "mc:AlternateContent":
                choice = _first_choice(child)
                if choice is not None:
                    self._inline(choice, parts, boxes)
            elif name in _INLINE_WRAPPERS or name.startswith("other:") or name in ("drawing", "pict", "object"):
                # drawings / VML hold text boxes deep inside; other wrappers hold runs
                self._inline(child, parts, boxes)

    # tables ------------------------------------------------------------------
    def table(self, tbl: ET.Element) -> list[list[str]]:
        rows: list[list[str]] = []
        for tr in _children_through_wrappers(tbl, "tr"):
            self._tick()
            row: list[str] = []
            for tc in _children_through_wrappers(tr, "tc"):
                span, vmerge_continue, hmerge_continue = _cell_props(tc)
                if hmerge_continue:
                    continue
                if vmerge_continue:
                    row.append("")
                else:
                    row.append(self.cell_text(tc))
                if self.pad_colspan and span > 1:
                    row.extend([""] * (span - 1))
            rows.append(row)
        return rows

    def cell_text(self, tc: ET.Element) -> str:
        sub = _DocxWalker(self.deadline, self.limits, self.pad_colspan)
        sub._count = self._count
        sub.blocks_of(tc)
        self._count = sub._count
        parts: list[str] = []
        for kind, value in sub.blocks:
            if kind == "p":
                parts.append(str(value))
            else:  # a nested table: its cells, in order, inside this cell
                for row in value:  # type: ignore[union-attr]
                    parts.extend(row)
        return _join_fragments(parts)


def _first_choice(alt: ET.Element) -> ET.Element | None:
    for child in alt:
        if _local(child) == "mc:Choice":
            return child
    for child in alt:
        if _local(child) == "mc:Fallback":
            return child
    return None


def _children_through_wrappers(el: ET.Element, want: str):
    for child in el:
        name = _local(child)
        if name == want:
            yield child
        elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            yield from _children_through_wrappers(child, want)
        elif name == "mc:AlternateContent":
            choice = _first_choice(child)
            if choice is not None:
                yield from _children_through_wrappers(choice, want)


def _cell_props(tc: ET.Element) -> tuple[int, bool, bool]:
    span, vcont, hcont = 1, False, False
    for child in tc:
        if _local(child) != "tcPr":
            continue
        for prop in child:
            name = _local(prop)
            if name == "gridSpan":
                try:
                    span = max(1, min(1000, int(_wattr(prop, "val") or "1")))
                except ValueError:
                    span = 1
            elif name == "vMerge":
                vcont = (_wattr(prop, "val") or "continue") == "continue"
            elif name == "hMerge":
                hcont = (_wattr(prop, "val") or "continue") == "continue"
    return span, vcont, hcont


# --------------------------------------------------------------------------- pdf

_PDF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def read_pdf(data: bytes, limits: Limits | None = None) -> str:
    """Text layer of a PDF, pages joined by a blank line ("\\n\\n").

    Tables in a PDF are only positioned text: a table row comes out as one line of its
    cells separated by spaces (no tab layout). Rejects broken or encrypted PDFs, more than
    `limits.max_pdf_pages` pages, PDFs without a text layer (scans) and parses that exceed
    the time cap.
    """
    limits = limits or Limits()
    _check_size(data, limits)
    if b"%PDF-" not in data[:1024]:
        raise RejectedFile(R_PDF_BROKEN)
    return _run_bounded("pdf", data, limits, {})


_PDFIUM_FONT_PATHS = None  # kept alive for PDFium, which holds the pointer


def use_bundled_fonts() -> None:
    """Make PDFium find fonts only in the CJK font package the project installs.

    A PDF whose CJK font is not embedded (many government PDFs) is laid out with a font PDFium
    substitutes from the machine's font folders; machines differ (a fresh one has no CJK font),
    and so would the character boxes and the table cells rebuilt from them. PDFium is started
    again with the package's folder as its only font path, so every machine reads a PDF alike.
    Once per process (the PDF worker)."""
    global _PDFIUM_FONT_PATHS
    if _PDFIUM_FONT_PATHS is not None:
        return
    import ctypes

    import pypdfium2  # noqa: F401  (starts PDFium with the default font search)
    import pypdfium2.raw as pdfium_c
    from pypdfium2 import _library_scope
    from pypdfium2.internal import bases

    from pipelines.charts import cjk_font_path

    paths = (ctypes.c_char_p * 2)(str(cjk_font_path().parent).encode(), None)
    _library_scope.destroy_lib()
    config = pdfium_c.FPDF_LIBRARY_CONFIG(
        version=2, m_pUserFontPaths=ctypes.cast(paths, type(pdfium_c.FPDF_LIBRARY_CONFIG().m_pUserFontPaths)),
        m_pIsolate=None, m_v8EmbedderSlot=0,
    )
    pdfium_c.FPDF_InitLibraryWithConfig(config)
    bases.LIBRARY_AVAILABLE = True
    _PDFIUM_FONT_PATHS = paths


def _pdf_text(data: bytes, limits: Limits, deadline: float) -> str:
    import pypdfium2 as pdfium

    use_bundled_fonts()

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise RejectedFile(R_PDF_ENCRYPTED) from None
        raise RejectedFile(R_PDF_BROKEN) from None
    try:
        n = len(pdf)
        if n > limits.max_pdf_pages:
            raise RejectedFile(R_PDF_PAGES.format(n=n, m=limits.max_pdf_pages))
        pages: list[str] = []
        visible = 0
        for i in range(n):
            if time.monotonic() > deadline:
                raise RejectedFile(R_TIMEOUT.format(s=_fmt_seconds(limits.max_seconds)))
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    raw = _pdf_layout_text(textpage)
                finally:
                    textpage.close()
            finally:
                page.close()
            text = _clean_pdf_page(raw)
            visible += sum(1 for ch in text if not ch.isspace())
            pages.append(text)
    except pdfium.PdfiumError:
        raise RejectedFile(R_PDF_BROKEN) from None
    finally:
        pdf.close()
    if n == 0 or visible < MIN_PDF_CHARS_PER_PAGE * n:
        raise RejectedFile(R_PDF_NO_TEXT)
    return "\n\n".join(p for p in pages) + "\n"


PDF_CELL_GAP = 1.5  # a horizontal gap wider than this many glyph widths separates table cells
PDF_INDENT = 2.0  # a line starting this many glyph widths right of the page's text edge is indented
PDF_WORD_GAP = 0.2  # between Latin letters or digits, a gap this wide is a space


def _pdf_layout_text(textpage) -> str:
    """The page's text rebuilt from character boxes, so table cells are visible: characters are
    grouped into lines by their vertical centre and ordered left to right; a horizontal gap wider
    than PDF_CELL_GAP glyphs is written as two or more spaces (a cell boundary) and a line starting
    well right of the page's text edge is indented (its first cells are empty, merged), which is
    what the space-run table layout reads. Ordinary text comes out as PDFium gives it."""
    full = textpage.get_text_range()
    n = textpage.count_chars()
    if len(full) != n:
        return full  # generated characters do not line up with boxes: keep the plain text
    chars = []
    for k in range(n):
        ch = full[k]
        if ch.isspace():
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(k)
        except Exception:  # pypdfium2 raises for characters without a box
            return full
        chars.append((ch, left, right, (bottom + top) / 2))
    widths = sorted(r - l for ch, l, r, _ in chars if "\u4e00" <= ch <= "\u9fff")
    if not widths:
        return full
    glyph = widths[len(widths) // 2] or 1.0
    rows: list[list] = []  # [centre, [(left, right, ch)...]] in the order lines first appear
    for ch, left, right, centre in chars:
        row = next((r for r in reversed(rows[-8:]) if abs(r[0] - centre) < 0.6 * glyph), None)
        if row is None:
            rows.append([centre, [(left, right, ch)]])
        else:
            row[1].append((left, right, ch))
    rows.sort(key=lambda r: -r[0])
    left_edge = min(c[1] for c in chars)
    lines = []
    for _, cs in rows:
        cs.sort()
        parts = ["    "] if cs[0][0] - left_edge > PDF_INDENT * glyph else []
        prev_right = None
        for left, right, ch in cs:
            if prev_right is not None:
                gap = left - prev_right
                if gap > PDF_CELL_GAP * glyph:
                    parts.append("  ")
                elif gap > PDF_WORD_GAP * glyph and (ch.isascii() or parts[-1][-1:].isascii()) and not (
                    ch in ".,%" and parts[-1][-1:].isdigit()  # a decimal point, a thousands comma or % after a digit: one number
                ):
                    parts.append(" ")
            parts.append(ch)
            prev_right = right
        lines.append("".join(parts))
    return "\n".join(lines)


def _clean_pdf_line(line: str) -> str:
    """Like a paragraph line, but a table row (cells split by 2+ spaces) keeps its indentation."""
    line = line.replace("\t", " ")
    if re.search(r"\S {2,}\S", line):
        return line.rstrip(_EDGE_WS)
    return line.strip(_EDGE_WS)


def _clean_pdf_page(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _PDF_CONTROL.sub("", text)
    lines = [_clean_pdf_line(ln) for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln.strip())


# --------------------------------------------------------------------------- html

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL_ENC = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "euc_cn", "cp936", "x-gbk", "euc-cn", "gb_2312-80"}

_DROP_TAGS = {
    "script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "math",
    "canvas", "object", "embed", "select", "button", "textarea", "input", "audio", "video", "map",
}
_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
    "address", "figure", "figcaption", "center", "form", "fieldset", "legend", "hr",
    "caption", "details", "summary", "body", "html", "tr", "td", "th", "tbody", "thead",
    "tfoot", "title", "option",
}


def html_charset(data: bytes) -> str:
    """Charset of an HTML file: BOM, then <meta charset> (or the XML declaration) if it decodes
    the file, then strict UTF-8, then charset-normalizer. GB2312/GBK are read as GB18030."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    head = data[:8192]
    declared = None
    m = _META_CHARSET.search(head) or _XML_DECL_ENC.search(head)
    if m:
        declared = _canonical_codec(m.group(1).decode("ascii", "ignore"))
    if declared:
        try:
            data.decode(declared)
            return declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise RejectedFile(R_HTML_CHARSET)
    return _canonical_codec(best.encoding) or best.encoding


def _canonical_codec(name: str) -> str | None:
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    if name in ("utf8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    if name in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"  # what browsers do
    return name


def read_html(data: bytes, limits: Limits | None = None, *, pad_colspan: bool = False) -> str:
    """Text of a web page: block elements and <br> as lines, tables in the tab layout,
    script/style/nav/head and hidden elements dropped.

    A table used for page layout (one holding another table or a heading, or a cell
    longer than `LAYOUT_CELL_CHARS`) is read as ordinary blocks, not as a data table.
    """
    limits = limits or Limits()
    _check_size(data, limits)
    import lxml.html
    from lxml import etree

    enc = html_charset(data)
    text = data.decode(enc, errors="replace")
    text = _XML_DECL.sub("", text, count=1).lstrip("\ufeff")
    if not text.strip():
        raise RejectedFile(R_HTML_EMPTY)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        raise RejectedFile(R_HTML_EMPTY) from None
    walker = _HtmlWalker(pad_colspan)
    try:
        walker.walk(root)
    except RecursionError:
        raise RejectedFile(R_DEPTH) from None
    walker.flush()
    out = _assemble(walker.blocks)
    if not out.strip():
        raise RejectedFile(R_HTML_EMPTY)
    return out


LAYOUT_CELL_CHARS = 1500
_WS = re.compile(r"[ \t\r\n\f\v]+")


def _tag(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comment, PI, entity
    return tag.rsplit("}", 1)[-1].lower()


def _hidden(el) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


class _HtmlWalker:
    def __init__(self, pad_colspan: bool):
        self.blocks: list[tuple[str, object]] = []
        self.cur: list[str] = []
        self.pad_colspan = pad_colspan

    def flush(self) -> None:
        if self.cur:
            line = "".join(self.cur)
            self.cur = []
            line = _CJK_JOIN.sub("", line)
            line = re.sub(r"[ ]*\n[ ]*", " ", line)
            line = re.sub(r" {2,}", " ", line).strip(_EDGE_WS)
            if line:
                self.blocks.append(("p", line))

    def text(self, s: str | None, pre: bool) -> None:
        if not s:
            return
        if pre:
            for i, piece in enumerate(s.replace("\r\n", "\n").split("\n")):
                if i:
                    self.flush()
                self.cur.append(piece.replace("\t", " "))
        else:
            # a whitespace run with a newline keeps a "\n" marker, so that it can vanish between CJK
            self.cur.append(_WS.sub(lambda m: "\n" if "\n" in m.group(0) else " ", s))

    def walk(self, el, pre: bool = False) -> None:
        tag = _tag(el)
        if not tag:
            return  # tail handled by the parent
        if tag in _DROP_TAGS or _hidden(el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and not _is_layout_table(el):
            self.flush()
            self.blocks.append(("t", self.table(el)))
            return
        block = tag in _BLOCK_TAGS or tag == "table"
        pre = pre or tag in ("pre", "textarea", "listing", "plaintext")
        if block:
            self.flush()
        self.text(el.text, pre)
        for child in el:
            self.walk(child, pre)
            self.text(child.tail, pre)
        if block:
            self.flush()

    def table(self, table) -> list[list[str]]:
        rows = _table_rows(table)
        grid: list[list[str]] = []
        pending: dict[int, tuple[int, int]] = {}  # column -> (rows still covered, width) of rowspans
        for r, tr in enumerate(rows):
            row: list[str] = []
            col = 0
            used: set[int] = set()

            def continuation(at: int) -> int:
                """Write the empty continuation cell of the rowspan at column `at`; its width."""
                left, width = pending[at]
                used.add(at)
                row.append("")
                if self.pad_colspan:
                    row.extend([""] * (width - 1))
                if left <= 1:
                    del pending[at]
                else:
                    pending[at] = (left - 1, width)
                return width

            for cell in tr:
                if _tag(cell) not in ("td", "th") or _hidden(cell):
                    continue
                while col in pending and col not in used:
                    col += continuation(col)
                colspan = _span(cell.get("colspan"), 1, 1000)
                rowspan = min(_span(cell.get("rowspan"), 1, 65534, zero=len(rows) - r), len(rows) - r)
                row.append(self.cell_text(cell))
                if self.pad_colspan:
                    row.extend([""] * (colspan - 1))
                start = col
                col += colspan
                if rowspan > 1:
                    pending[start] = (rowspan - 1, colspan)
                    used.add(start)
            # rowspans from above covering the end of this row
            for at in sorted(c for c in pending if c >= col and c not in used):
                continuation(at)
            # rowspans this row's cells overlapped (malformed tables) still run out
            for at in [c for c in pending if c not in used]:
                left, width = pending[at]
                if left <= 1:
                    del pending[at]
                else:
                    pending[at] = (left - 1, width)
            grid.append(row)
        return grid

    def cell_text(self, cell) -> str:
        sub = _HtmlWalker(self.pad_colspan)
        sub.text(cell.text, False)
        for child in cell:
            sub.walk(child)
            sub.text(child.tail, False)
        sub.flush()
        parts: list[str] = []
        for kind, value in sub.blocks:
            if kind == "p":
                parts.append(str(value))
            else:
                for row in value:  # type: ignore[union-attr]
                    parts.extend(row)
        return _join_fragments(parts)


def _span(value: str | None, default: int, high: int, zero: int | None = None) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    if n == 0 and zero is not None:
        return max(1, zero)
    return max(1, min(high, n))


def _table_rows(table) -> list:
    """The <tr> of this table (directly or in thead/tbody/tfoot), not of nested tables."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _is_layout_table(table) -> bool:
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    for tr in _table_rows(table):
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            for d in cell.iter():
                if d is cell:
                    continue
                t = _tag(d)
                if t in ("table", "h1", "h2", "h3", "h4", "h5", "h6", "article", "main"):
                    return True
            if len(cell.text_content()) > LAYOUT_CELL_CHARS:
                return True
    return False
