"""Web pages (.html) in the corpus layout, with lxml (BSD), parsed in the worker (time and memory
caps, `pipelines.ingest.worker`) without network access: block elements and <br> as lines, tables
in the tab layout (rowspan gives empty continuation cells, colspan one cell), script/style/nav/head
and hidden elements dropped. A table used for page layout is read as ordinary blocks. The charset
comes from the BOM, then <meta charset> (or the XML declaration) if it decodes the file, then
strict UTF-8, then charset-normalizer; GB2312/GBK are read as GB18030.

The text is extracted in time linear in the page's size: the tree is walked without recursion
(any depth the parser builds), whitespace is collapsed by regexes that never backtrack over a
run, and the empty cells that rowspans add are counted against a budget proportional to the
page (`R_HTML_TABLE`). libxml2 stops building the tree at `PARSER_MAX_DEPTH` levels and drops
the rest of the page; such a page is rejected as nested too deeply, never read as "no text".
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import time

from pipelines.ingest.common import (
    CJK_JOIN, EDGE_WS, R_DEPTH_LEVELS, R_HTML_CHARSET, R_HTML_EMPTY, R_HTML_TABLE, R_MEMORY, R_TIMEOUT, Limits,
    Rejected, assemble, check_size, fmt_seconds, join_fragments,
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


def parse(data: bytes, limits: Limits, deadline: float, pad_colspan: bool = False) -> str:
    """Text of a web page (runs in the worker; `formats.read_html` is the door): block elements
    and <br> as lines, tables in the tab layout, script/style/nav/head and hidden elements dropped.

    A table used for page layout (one holding another table or a heading, or a cell
    longer than `LAYOUT_CELL_CHARS`) is read as ordinary blocks, not as a data table.
    """
    check_size(data, limits)
    from lxml import etree

    enc = html_charset(data)
    text = data.decode(enc, errors="replace")
    text = _XML_DECL.sub("", text, count=1).lstrip("\ufeff")
    if not text.strip():
        raise Rejected(R_HTML_EMPTY)
    # huge_tree: libxml2's deeper limit (PARSER_MAX_DEPTH instead of 256) and no 10 MB cap on one
    # text node (the file is already capped by `Limits.max_bytes`); no entities are expanded in HTML
    # (lxml.etree's elements: lxml.html's classes would cost a Python call for every element)
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser=parser)
    except etree.XMLSyntaxError as exc:  # with recover=True, only what stops libxml2 itself
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY:
            raise Rejected(R_MEMORY) from None
        raise
    except (etree.ParserError, ValueError):
        root = None
    _check_depth(root, parser)
    if root is None:
        raise Rejected(R_HTML_EMPTY)
    budget = _Budget(deadline, limits.max_seconds, len(text) + TABLE_CELLS_FLOOR)
    walker = _HtmlWalker(pad_colspan, budget)
    walker.walk(root)
    walker.flush()
    out = assemble(walker.blocks)
    if not out.strip():
        raise Rejected(R_HTML_EMPTY)
    return out


# libxml2 builds at most this many levels of elements (with huge_tree; 256 without) and, when a
# page goes deeper, stops parsing there: the rest of the page is missing from the tree.
PARSER_MAX_DEPTH = 2048


def _check_depth(root, parser) -> None:
    """Reject a page whose parse libxml2 stopped at its depth limit (the text after that point is
    missing). The error log can be full before the error is logged (libxml2 keeps about a hundred),
    so the tree is checked too: the parse stopped at the element it built last, which is the end of
    the chain of last children, `PARSER_MAX_DEPTH` levels down."""
    if any("Excessive depth" in (e.message or "") for e in parser.error_log):
        raise Rejected(R_DEPTH_LEVELS.format(n=PARSER_MAX_DEPTH))
    if root is None:
        return
    el, depth = root, 1
    while len(el) and depth < PARSER_MAX_DEPTH:
        el = el[-1]
        depth += 1
    if depth >= PARSER_MAX_DEPTH:
        raise Rejected(R_DEPTH_LEVELS.format(n=PARSER_MAX_DEPTH))


# Table cells one page may produce (real cells and the empty ones rowspans add, and the rowspans
# carried over each row): the page's length in characters plus this. A real cell costs at least
# four characters ("<td>"), so only rowspans multiplied by rows can reach it (a few bytes of
# "<td rowspan=0>" times many rows would otherwise give gigabytes of empty cells).
TABLE_CELLS_FLOOR = 100_000


class _Budget:
    """What reading one page may cost: the deadline (checked every few thousand steps) and the
    number of table cells."""

    def __init__(self, deadline: float, seconds: float, cells: int):
        self.deadline, self.seconds = deadline, seconds
        self.cells_total = self.cells_left = cells
        self.calls = 0

    def tick(self) -> None:
        """Called every few thousand steps: past the deadline, the page is rejected."""
        if time.monotonic() > self.deadline:
            raise Rejected(R_TIMEOUT.format(s=fmt_seconds(self.seconds)))

    def cells(self, n: int) -> None:
        self.cells_left -= n
        if self.cells_left < 0:
            raise Rejected(R_HTML_TABLE.format(m=self.cells_total))
        self.calls += 1
        if not self.calls & 1023:
            self.tick()


LAYOUT_CELL_CHARS = 1500
_WS = re.compile(r"[ \t\r\n\f\v]+")
# A line's runs of spaces and "\n" markers, each to one space: one pass over a run, never a
# backtrack over it (`[ ]*\n[ ]*` retried at every space of a long run was quadratic).
_LINE_WS = re.compile(r"[ \n]+")
_PRE_TAGS = ("pre", "textarea", "listing", "plaintext")
_LAYOUT_TAGS = ("table", "h1", "h2", "h3", "h4", "h5", "h6", "article", "main")


def _tag(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comment, PI, entity
    return _name(tag)


@functools.lru_cache(maxsize=4096)
def _name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


# what an element is to the walker, by its name (anything else: inline)
_DROP, _BR, _TABLE, _BLOCK, _PRE_BLOCK, _PRE_INLINE = range(6)
_KINDS = {
    **{t: _BLOCK for t in _BLOCK_TAGS},
    **{t: _PRE_BLOCK for t in _BLOCK_TAGS if t in _PRE_TAGS},
    **{t: _PRE_INLINE for t in _PRE_TAGS if t not in _BLOCK_TAGS},
    **{t: _DROP for t in _DROP_TAGS},
    "br": _BR,
    "table": _TABLE,
}
# a text's whitespace, collapsed: remembered for short texts (most tails are "\n" or a few spaces)
_SHORT_TEXT = 16
_MEMO_MAX = 65536


def _line(line: str) -> str:
    """A line of text put together from its pieces: "\n" markers gone between CJK characters,
    every other run of spaces and markers one space, the edges trimmed."""
    return _LINE_WS.sub(" ", CJK_JOIN.sub("", line)).strip(EDGE_WS)


def _collapse(s: str) -> str:
    # a whitespace run with a newline keeps a "\n" marker, so that it can vanish between CJK
    return _WS.sub(lambda m: "\n" if "\n" in m.group(0) else " ", s)


def _hidden(el) -> bool:
    if not el.keys():
        return False  # (most elements: no attribute at all)
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


class _HtmlWalker:
    def __init__(self, pad_colspan: bool, budget: _Budget, memo: dict[str, str] | None = None):
        self.blocks: list[tuple[str, object]] = []
        self.cur: list[str] = []
        self.pad_colspan = pad_colspan
        self.budget = budget
        self.memo = {} if memo is None else memo

    def flush(self) -> None:
        if self.cur:
            line = _line("".join(self.cur))
            self.cur = []
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
            self.cur.append(self.collapse(s))

    def collapse(self, s: str) -> str:
        if len(s) > _SHORT_TEXT:
            return _collapse(s)
        memo = self.memo
        got = memo.get(s)
        if got is None:
            got = _collapse(s)
            if len(memo) < _MEMO_MAX:
                memo[s] = got
        return got

    def walk(self, root, pre: bool = False) -> None:
        """`root` and everything in it (not its tail), in document order, with a stack of its open
        elements instead of recursion: as deep as the parser builds."""
        opened = self.open(root, pre)
        if opened is None:
            return
        budget, text, open_ = self.budget, self.text, self.open
        # per open element: its children still to read, pre, block, the element (None: root, whose
        # tail is not read here)
        stack = [(iter(root), opened[0], opened[1], None)]
        steps = 0
        while stack:
            children, pre, block, el = stack[-1]
            for child in children:
                steps += 1
                if not steps & 4095:
                    budget.tick()
                opened = open_(child, pre)
                if opened is not None:
                    if len(child):
                        stack.append((iter(child), opened[0], opened[1], child))
                        break
                    if opened[1]:
                        self.flush()  # an empty block: closed at once
                text(child.tail, pre)
            else:
                stack.pop()
                if block:
                    self.flush()
                if el is not None:
                    text(el.tail, stack[-1][1])

    def open(self, el, pre: bool) -> tuple[bool, bool] | None:
        """Start element `el`: its own text read; (pre, block) if its children are to be read,
        None if it is done (a tag without text, a dropped or hidden element, <br>, a data table)."""
        tag = el.tag
        if not isinstance(tag, str):
            return None  # comment, PI, entity: its tail is handled by the parent
        name = _name(tag)
        kind = _KINDS.get(name)
        if kind == _DROP or _hidden(el):
            return None
        if kind == _BR:
            self.flush()
            return None
        if kind == _TABLE and not _is_layout_table(el):
            self.flush()
            self.blocks.append(("t", self.table(el)))
            return None
        block = kind == _BLOCK or kind == _TABLE or kind == _PRE_BLOCK
        pre = pre or kind == _PRE_BLOCK or kind == _PRE_INLINE
        if block:
            self.flush()
        self.text(el.text, pre)
        return pre, block

    def table(self, table) -> list[list[str]]:
        rows = _table_rows(table)
        grid: list[list[str]] = []
        pending: dict[int, tuple[int, int]] = {}  # column -> (rows still covered, width) of rowspans
        cells, pad = self.budget.cells, self.pad_colspan  # every cell is counted before it is written
        for r, tr in enumerate(rows):
            row: list[str] = []
            col = 0
            used: set[int] = set()
            # the row, its cells, and one continuation (or one step) for each rowspan from above
            cells(1 + len(tr) + len(pending))

            def continuation(at: int) -> int:
                """Write the empty continuation cell of the rowspan at column `at`; its width."""
                left, width = pending[at]
                used.add(at)
                row.append("")
                if pad:
                    cells(width - 1)
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
                if pad:
                    cells(colspan - 1)
                    row.extend([""] * (colspan - 1))
                start = col
                col += colspan
                if rowspan > 1:
                    pending[start] = (rowspan - 1, colspan)
                    used.add(start)
            if pending:
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
        if not len(cell):  # text only: its one line (what the walk below would give)
            return _line(self.collapse(cell.text)) if cell.text else ""
        sub = _HtmlWalker(self.pad_colspan, self.budget, self.memo)
        sub.text(cell.text, False)
        for child in cell:
            sub.walk(child)
            sub.text(child.tail, False)
        sub.flush()
        if len(sub.blocks) == 1 and sub.blocks[0][0] == "p":
            # one line: already trimmed, without tabs or newlines, so join_fragments would keep it
            return str(sub.blocks[0][1])
        parts: list[str] = []
        for kind, value in sub.blocks:
            if kind == "p":
                parts.append(str(value))
            else:
                for row in value:  # type: ignore[union-attr]
                    parts.extend(row)
        return join_fragments(parts)


def _span(value: str | None, default: int, high: int, zero: int | None = None) -> int:
    if value is None:
        return default
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
    # only a table holding a table or a heading somewhere, or more text than one cell may have,
    # needs its cells looked at one by one
    inner = any(d is not table for d in itertools.islice(table.iter(*_LAYOUT_TAGS), 2))
    if not inner and len(_string(table)) <= LAYOUT_CELL_CHARS:
        return False
    for tr in _table_rows(table):
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            if inner and next(cell.iter(*_LAYOUT_TAGS), None) is not None:  # (the cell is a td/th)
                return True
            if len(_string(cell) if len(cell) else cell.text or "") > LAYOUT_CELL_CHARS:
                return True
    return False


def _string(el) -> str:
    """All the text in `el` (not its tail): XPath's string(), as lxml.html's text_content()."""
    return _string_xpath()(el)


@functools.lru_cache(maxsize=1)
def _string_xpath():
    from lxml import etree

    return etree.XPath("string()")
