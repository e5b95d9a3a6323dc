"""Word (.docx) in the corpus layout, with the standard library (zipfile + xml.etree).

Word's document.xml is small, well-formed XML, and reading it directly gives full control over
merged cells, tracked changes, text boxes and the zip-bomb checks (python-docx does neither
vMerge continuation cells nor tracked insertions in document order). A vertically merged cell
(``vMerge`` continuation) gives an empty cell line; a horizontally merged one (``gridSpan``) is
one cell. Headers, footers, footnotes and comments are left out; deleted text (tracked changes)
is left out and inserted text kept.

`precheck` runs in the parent (cheap checks on the zip's central directory: most rejections need
no worker); `parse` runs in the worker (`pipelines.ingest.worker`). A zip that declares more
uncompressed bytes than `Limits.max_docx_uncompressed` is rejected from its central directory
alone, no member is ever read past its declared size, and XML with a DOCTYPE is refused.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from xml.etree import ElementTree as ET
from xml.parsers import expat

from pipelines.ingest.common import (
    MAX_ZIP_MEMBERS, R_NOT_DOCX, R_OLE, R_TIMEOUT, R_XML_BROKEN, R_XML_DTD, R_ZIP_BOMB, R_ZIP_BROKEN,
    MiB, R_ZIP_ENCRYPTED, R_ZIP_MEMBERS, Limits, Rejected, assemble, fmt_seconds, join_fragments,
)
from pipelines.ingest.detect import OLE_MAGIC

_W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # strict OOXML
}
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_OFFICE_DOC = ("/officeDocument",)


def precheck(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    if data.startswith(OLE_MAGIC):
        raise Rejected(R_OLE)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise Rejected(R_ZIP_BROKEN) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Rejected(R_ZIP_MEMBERS.format(n=len(infos)))
    total = sum(max(0, i.file_size) for i in infos)
    if total > limits.max_docx_uncompressed:
        raise Rejected(R_ZIP_BOMB.format(n=total, m=limits.max_docx_uncompressed))
    if any(i.flag_bits & 0x1 for i in infos):
        raise Rejected(R_ZIP_ENCRYPTED)
    names = {i.filename: i for i in infos}
    main = names.get("word/document.xml")
    if main is None:
        target = _main_part_from_rels(zf, names, limits)
        main = names.get(target) if target else None
    if main is None:
        raise Rejected(R_NOT_DOCX)
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
                    raise Rejected(R_ZIP_BOMB.format(n=got, m=cap))
    except Rejected:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        raise Rejected(R_ZIP_BROKEN) from None
    except Exception as exc:  # zlib.error and friends
        if type(exc).__name__ == "error":
            raise Rejected(R_ZIP_BROKEN) from None
        raise
    return b"".join(chunks)


def _main_part_from_rels(zf: zipfile.ZipFile, names: dict, limits: Limits) -> str | None:
    rels = names.get("_rels/.rels")
    if rels is None:
        return None
    try:
        root = _parse_xml(_read_member(zf, rels, limits))
    except Rejected:
        return None
    for rel in root:
        if rel.get("Type", "").endswith(_REL_OFFICE_DOC):
            return rel.get("Target", "").lstrip("/")
    return None


def _parse_xml(raw: bytes) -> ET.Element:
    if re.search(rb"<!DOCTYPE|<!ENTITY", raw[:65536], re.IGNORECASE):
        raise Rejected(R_XML_DTD)
    try:
        return ET.fromstring(raw)
    except ET.ParseError as exc:
        if getattr(exc, "code", None) == expat.errors.XML_ERROR_NO_MEMORY or "out of memory" in str(exc):
            raise MemoryError from None  # expat ran out of memory (the worker's cap): not a broken file
        raise Rejected(R_XML_BROKEN) from None


def parse(data: bytes, limits: Limits, deadline: float, pad_colspan: bool = False) -> str:
    """Text of a .docx in the corpus layout (runs in the worker)."""
    zf, main = precheck(data, limits)
    root = _parse_xml(_read_member(zf, main, limits))
    body = None
    for child in root:
        if _local(child) == "body":
            body = child
            break
    if body is None:
        raise Rejected(R_NOT_DOCX)
    walker = _DocxWalker(deadline, limits, pad_colspan)
    walker.blocks_of(body)
    return assemble(walker.blocks)


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
            raise Rejected(R_TIMEOUT.format(s=fmt_seconds(self.limits.max_seconds)))

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
        return join_fragments(parts)


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
