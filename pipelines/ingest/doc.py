"""Word 97–2003 (.doc, and WPS files saved in that format) with `legacy-doc`, a pure-Python
reader of the OLE2 compound file and Word's piece table (no macros, objects or links are run;
encrypted and malformed files are refused), in the worker.

Word stores a table as its cells' text, each cell ended by a cell mark (U+0007) and each row by
one more: the text is rebuilt in the corpus layout (a table as one tab-prefixed cell per line,
rows separated by a blank line). A vertically merged cell comes out empty, as in the corpus.
Headers and footers (running titles, `第 PAGE 页`) are left out, as for .docx.
"""

from __future__ import annotations

import re
import struct

from pipelines.ingest.common import R_DOC_BROKEN, Limits, Rejected, assemble, join_fragments

CELL_MARK = "\x07"
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x15]*)\x15|\x13[^\x13\x15]*\x15")  # field code → its result


def parse(data: bytes, limits: Limits, deadline: float) -> str:
    from legacy_doc import ExtractionOptions, LegacyDocError

    options = ExtractionOptions(max_file_bytes=max(limits.max_bytes, 1))
    try:
        raw = _main_text(data, options)
    except LegacyDocError as exc:
        raise Rejected(R_DOC_BROKEN) from exc
    except (ValueError, IndexError, KeyError, OSError, struct.error) as exc:
        raise Rejected(R_DOC_BROKEN) from exc
    out = layout(raw)
    if not out.strip():
        raise Rejected(R_DOC_BROKEN)
    return out


def _main_text(data: bytes, options) -> str:
    """The main document's text stream with Word's marks kept (cell marks, paragraph marks): the
    piece table as legacy-doc reads it, cut to the FIB's ccpText (headers, footers, footnotes and
    text boxes follow it in the stream). legacy-doc's own `extract_text` flattens tables, so its
    reader of the stream is used (pinned version: see the README)."""
    from legacy_doc import LegacyDocError, word

    ole = word.OleReader(data, options=options)
    if ole.has_stream("EncryptedPackage"):
        raise LegacyDocError("encrypted")
    wd = ole.read_stream("WordDocument")
    if len(wd) < 0x44:
        raise LegacyDocError("WordDocument stream is too small")
    flags = word._u16(wd, 0x0A)
    if flags & 0x0100:
        raise LegacyDocError("encrypted")
    table = ole.read_stream("1Table" if flags & 0x0200 else "0Table")
    text = word._extract_text_from_piece_table(wd, word._find_clx(table), word._u32(wd, 0x18), word._u32(wd, 0x1C))
    csw = word._u16(wd, 0x20)  # FibBase, then csw words, then cslw and the longs: ccpText is the 4th long
    at = 0x22 + 2 * csw + 2 + 12
    if at + 4 <= len(wd):
        ccp = word._u32(wd, at)
        if 0 < ccp <= len(text):
            text = text[:ccp]
    return text


def _clean(s: str) -> str:
    s = _FIELD.sub(lambda m: m.group(1) or "", s)
    return "".join(ch for ch in s if ch >= " " or ch in "\n\t").replace("\t", " ")


def layout(text: str) -> str:
    """Word's text stream in the corpus layout. A table row is its cells, each ended by a cell mark
    (U+0007), and one more mark that ends the row; the number of columns is the first row's. A
    cell merged down is an empty cell; a row with cells merged across ends early (fewer cells)
    only as the table's last row, where it is told apart by what follows."""
    text = text.replace("\r\n", "\r").replace("\x0b", "\r").replace("\x0c", "\r")
    blocks: list[tuple[str, object]] = []
    i, n = 0, len(text)
    while i < n:
        cell_at = text.find(CELL_MARK, i)
        para_end = text.find("\r", i)
        para_end = n if para_end == -1 else para_end
        if cell_at == -1 or para_end < cell_at:
            blocks.append(("p", _clean(text[i:para_end])))
            i = para_end + 1
            continue
        rows, i = _table(text, i)
        blocks.append(("t", rows))
    return assemble(blocks)


def _table(text: str, i: int) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    ncols = None
    row: list[str] = []
    n = len(text)
    while i < n:
        j = text.find(CELL_MARK, i)
        if j == -1:
            break
        piece = text[i:j]
        if piece == "" and (row and (ncols is None or len(row) >= ncols)):
            rows.append(row)  # the row's end mark
            ncols = ncols or len(row)
            row = []
            i = j + 1
            # the table goes on when the next cell mark comes before the next paragraph mark
            nxt_cell, nxt_para = text.find(CELL_MARK, i), text.find("\r", i)
            if nxt_cell == -1 or (nxt_para != -1 and nxt_para < nxt_cell):
                return rows, (nxt_para + 1 if nxt_para == i else i)
            continue
        row.append(join_fragments([_clean(x) for x in piece.split("\r")]))
        i = j + 1
        # a short last row (cells merged across): its end mark is the last mark before the text goes on
        if ncols and len(row) < ncols and text.startswith(CELL_MARK, i):
            after = i + 1
            nxt_cell, nxt_para = text.find(CELL_MARK, after), text.find("\r", after)
            if after >= n or nxt_cell == -1 or (nxt_para != -1 and nxt_para < nxt_cell):
                rows.append(row)
                return rows, (nxt_para + 1 if nxt_para == after else after)
    if row:
        rows.append(row)
    return rows, i
