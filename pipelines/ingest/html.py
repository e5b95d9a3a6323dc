"""Web pages (.html) in the corpus layout, with lxml (BSD), parsed in this process without
network access: block elements and <br> as lines, tables in the tab layout (rowspan gives empty
continuation cells, colspan one cell), script/style/nav/head and hidden elements dropped. A
table used for page layout is read as ordinary blocks. The charset comes from the BOM, then
<meta charset> (or the XML declaration) if it decodes the file, then strict UTF-8, then
charset-normalizer; GB2312/GBK are read as GB18030.
"""

from __future__ import annotations

import codecs
import re

from pipelines.ingest.common import (
    CJK_JOIN, EDGE_WS, R_DEPTH, R_HTML_CHARSET, R_HTML_EMPTY, Limits, Rejected, assemble, check_size, join_fragments,
)
from pipelines.ingest.detect import BOMS, GB_FAMILY

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL_ENC = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

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
    for bom, name, _ in BOMS:
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
        raise Rejected(R_HTML_CHARSET)
    return _canonical_codec(best.encoding) or best.encoding


def _canonical_codec(name: str) -> str | None:
    name = name.strip().lower()
    if name in GB_FAMILY:
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
    check_size(data, limits)
    import lxml.html
    from lxml import etree

    enc = html_charset(data)
    text = data.decode(enc, errors="replace")
    text = _XML_DECL.sub("", text, count=1).lstrip("\ufeff")
    if not text.strip():
        raise Rejected(R_HTML_EMPTY)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        raise Rejected(R_HTML_EMPTY) from None
    walker = _HtmlWalker(pad_colspan)
    try:
        walker.walk(root)
    except RecursionError:
        raise Rejected(R_DEPTH) from None
    walker.flush()
    out = assemble(walker.blocks)
    if not out.strip():
        raise Rejected(R_HTML_EMPTY)
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
            line = CJK_JOIN.sub("", line)
            line = re.sub(r"[ ]*\n[ ]*", " ", line)
            line = re.sub(r" {2,}", " ", line).strip(EDGE_WS)
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
        return join_fragments(parts)


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
