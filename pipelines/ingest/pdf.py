"""PDF: the text layer of each page (PDFium, via pypdfium2: Apache-2.0/BSD-3), page by page.

`parse` (in the worker) reads every page's text from its character boxes, so table cells stay
visible (cells split by runs of spaces, the layout the form and table readers read), and says
of each page whether its text layer is usable: a page with almost no characters (a scan), or
one whose text is `(cid:…)` codes, private-use or replacement characters, or letters that
decode to nothing Chinese (a font without a Unicode map), is not; the worker then OCRs it
(`pipelines.ingest.ocr`). `render_page` draws a page for OCR.

`join_pages` (in the parent) makes one text of the pages: running headers and footers
(a line that opens or closes most pages) and page numbers (`- 3 -`, `第3页 共10页`, `3/10`)
are dropped, and a sentence or a table row that a page break cuts is joined again. It also
returns where each page starts in the text, so every fact can name its page.

Fonts: PDFium is started with the CJK font package the project installs as its only font
folder (`use_bundled_fonts`), so a PDF whose fonts are not embedded reads the same on every
machine, with or without system CJK fonts.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter

from pipelines.ingest.common import (
    EDGE_WS, MIN_PDF_CHARS_PER_PAGE, R_PDF_BROKEN, R_PDF_ENCRYPTED, R_PDF_PAGES, R_TIMEOUT, Limits, Rejected,
    HEADING, PAGE_NUMBER, SENTENCE_END, Grid, fmt_seconds, grid_rows, grids_from_rules, is_table_row, join_fragments,
    page_blocks, unwrap,
)

_PDF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def precheck(data: bytes) -> None:
    if b"%PDF-" not in data[:1024]:
        raise Rejected(R_PDF_BROKEN)


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


def _open(data: bytes):
    import pypdfium2 as pdfium

    use_bundled_fonts()
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Rejected(R_PDF_ENCRYPTED) from None
        raise Rejected(R_PDF_BROKEN) from None


def parse(data: bytes, limits: Limits, deadline: float) -> dict:
    """{"pages": [{"page", "text", "method": "text_layer", "usable", "n_chars"}, …]} (in the worker)."""
    import pypdfium2 as pdfium

    pdf = _open(data)
    try:
        n = len(pdf)
        if n > limits.max_pdf_pages:
            raise Rejected(R_PDF_PAGES.format(n=n, m=limits.max_pdf_pages))
        pages: list[dict] = []
        for i in range(n):
            if time.monotonic() > deadline:
                raise Rejected(R_TIMEOUT.format(s=fmt_seconds(limits.max_seconds)))
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    text = page_text(textpage, ruled_tables(page))
                finally:
                    textpage.close()
            finally:
                page.close()
            pages.append({"page": i + 1, "text": text, "method": "text_layer", "usable": usable(text),
                          "n_chars": sum(1 for ch in text if not ch.isspace())})
    except pdfium.PdfiumError:
        raise Rejected(R_PDF_BROKEN) from None
    finally:
        pdf.close()
    return {"pages": pages}


_GARBAGE = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\ufffd]")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
GARBAGE_SHARE = 0.2  # a page whose visible characters are more than this share of garbage is unusable


def usable(text: str) -> bool:
    """Whether a page's text layer can be read: enough characters, few of them garbage, and
    Chinese where there are letters at all."""
    visible = sum(1 for ch in text if not ch.isspace())
    if visible < MIN_PDF_CHARS_PER_PAGE:
        return False
    garbage = sum(len(m.group(0)) for m in _GARBAGE.finditer(text))
    if garbage > GARBAGE_SHARE * visible:
        return False
    letters = sum(1 for ch in text if ch.isalpha() and not _CJK_CHAR.match(ch))  # Latin, mojibake (Ã¤Â¸)
    return not (letters > 0.3 * visible and not _CJK_CHAR.search(text))


def render_page(data: bytes, index: int, dpi: int) -> bytes:
    """Page `index` (0-based) drawn in greyscale at `dpi`, as PNG bytes (for OCR)."""
    pdf = _open(data)
    try:
        page = pdf[index]
        try:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            image = bitmap.to_pil()
        finally:
            page.close()
    finally:
        pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------ one text of the pages

FURNITURE_SHARE = 0.5  # a line opening or closing at least this share of the pages (3 or more) is furniture


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages' lines without page numbers and without the header and footer lines that repeat,
    and without blank lines at their edges (blank lines inside a page are kept)."""
    n = len(pages)
    out = [list(lines) for lines in pages]
    for lines in out:
        _trim(lines)
        for edge in (0, -1, 0, -1):  # a page number opens or closes a page (never a table's cell)
            if lines and not lines[edge].startswith("\t") and PAGE_NUMBER.match(lines[edge]):
                lines.pop(edge)
                _trim(lines)
    if n >= 3:
        for edge in (0, -1):
            counts = Counter(_furniture_key(lines[edge]) for lines in out if lines)
            common = {k for k, c in counts.items() if c >= max(3, FURNITURE_SHARE * n) and k}
            for lines in out:
                while lines and _furniture_key(lines[edge]) in common:
                    lines.pop(edge)
                    _trim(lines)
    return out


def _trim(lines: list[str]) -> None:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()


def _is_cell(line: str) -> bool:
    return line.startswith("\t")


def _continues(prev: str, nxt: str) -> bool:
    """Whether the first line of a page continues the last line of the page before (a sentence
    cut by the page break)."""
    p, q = prev.rstrip(), nxt.strip()
    if not p or not q or HEADING.match(q):
        return False
    if is_table_row(prev) or is_table_row(nxt) or _is_cell(prev) or _is_cell(nxt):
        return False
    return p[-1] not in SENTENCE_END


def join_pages(pages: list[str]) -> tuple[list[str], list[int]]:
    """The pages' texts as they are joined into one (each with the separator after it), and the
    offset where each starts. Joining the returned parts gives the document's text.

    A sentence cut by the page break is joined without a break; a table that runs on to the next
    page stays one table (a ruled table's rows: one blank line between them; a table of cells
    split by spaces: its lines); anything else is a new paragraph."""
    lines = _strip_furniture([p.split("\n") for p in pages])
    parts: list[str] = []
    for i, ls in enumerate(lines):
        text = "\n".join(ls)
        if i + 1 < len(lines) and ls:
            first = lines[i + 1][0] if lines[i + 1] else ""
            last = ls[-1]
            if first and _continues(last, first):
                text += ""  # a sentence cut by the page break
            elif first and _is_cell(last) and _is_cell(first):
                text += "\n\n"  # a ruled table runs on: the next row starts the next page
            elif first and is_table_row(last) and is_table_row(first):
                text += "\n"  # a table of space-split cells runs on
            elif _is_cell(last):
                text += "\n\n\n"  # a ruled table ends with the page
            else:
                text += "\n\n"
        parts.append(text)
    starts, pos = [], 0
    for t in parts:
        starts.append(pos)
        pos += len(t)
    if parts and not parts[-1].endswith("\n"):
        parts[-1] += "\n"
    return parts, starts


# ------------------------------------------------------------------ ruled tables

RULE_THICK = 2.0  # a path this thin (pt) and long is a ruling line
RULE_MIN = 5.0
SNAP = 2.0  # lines closer than this (pt) are one (PDF points)


def ruled_tables(page) -> list[Grid]:
    """The tables a page draws with ruling lines on every side of their cells (a table with
    horizontal rules only is left to the space-split layout)."""
    import pypdfium2.raw as pdfium_c

    hs, vs = [], []
    try:
        objs = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4))
    except Exception:
        return []
    for obj in objs[:20000]:
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:
            continue
        w, h = right - left, top - bottom
        if h <= RULE_THICK and w >= RULE_MIN:
            hs.append(((bottom + top) / 2, left, right))
        elif w <= RULE_THICK and h >= RULE_MIN:
            vs.append(((left + right) / 2, bottom, top))
    return grids_from_rules(hs, vs, SNAP)


PDF_CELL_GAP = 1.5  # a horizontal gap wider than this many glyph widths separates table cells
PDF_INDENT = 2.0  # a line starting this many glyph widths right of the page's text edge is indented
PDF_WORD_GAP = 0.2  # between Latin letters or digits, a gap this wide is a space


def page_text(textpage, grids: list[Grid] | None = None) -> str:
    """The page's text rebuilt from character boxes, so table cells are visible.

    A ruled table (`grids`) comes out in the corpus layout: one tab-prefixed cell per line, rows
    separated by a blank line, a cell merged down as empty cells below it, a cell merged across
    as one cell. Other characters are grouped into lines by their vertical centre and ordered
    left to right; a horizontal gap wider than PDF_CELL_GAP glyphs is written as two or more
    spaces (a cell boundary) and a line starting well right of the page's text edge is indented
    (its first cells are empty, merged), which is what the space-run table layout reads."""
    full = textpage.get_text_range()
    n = textpage.count_chars()
    if len(full) != n:
        return _clean_pdf_page(full)  # generated characters do not line up with boxes: the plain text
    chars = []
    for k in range(n):
        ch = full[k]
        if ch.isspace():
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(k)
        except Exception:  # pypdfium2 raises for characters without a box
            return _clean_pdf_page(full)
        chars.append((ch, left, right, (bottom + top) / 2))
    widths = sorted(r - l for ch, l, r, _ in chars if "\u4e00" <= ch <= "\u9fff")
    if not widths:
        return _clean_pdf_page(full)
    glyph = widths[len(widths) // 2] or 1.0
    grids = grids or []
    cells: list[dict] = [{} for _ in grids]
    free = []
    for c in chars:
        cx = (c[1] + c[2]) / 2
        g = next((k for k, grid in enumerate(grids) if grid.contains(cx, c[3])), None)
        if g is None:
            free.append(c)
        else:
            cells[g].setdefault(grids[g].cell(cx, c[3]), []).append(c)
    # positions from the top of the page (PDF y grows upwards)
    blocks = [(-line_y, text, False) for line_y, text in unwrap(_lines(free, glyph, min((c[1] for c in chars))), glyph, _clean_pdf_line)]
    for grid, got in zip(grids, cells):
        if got:
            blocks.append((-grid.ys[0], _grid_text(grid, got, glyph), True))
    return page_blocks(blocks)


def _lines(chars, glyph: float, left_edge: float) -> list[tuple[float, str, float]]:
    """(centre, text, right edge) of each line of these characters, top to bottom."""
    rows: list[list] = []  # [centre, [(left, right, ch)...]] in the order lines first appear
    for ch, left, right, centre in chars:
        row = next((r for r in reversed(rows[-8:]) if abs(r[0] - centre) < 0.6 * glyph), None)
        if row is None:
            rows.append([centre, [(left, right, ch)]])
        else:
            row[1].append((left, right, ch))
    rows.sort(key=lambda r: -r[0])
    lines = []
    for centre, cs in rows:
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
                ) and not (
                    ch.isdigit() and parts[-1][-1:] in "0123456789."  # digits of one number set apart by a proportional font
                ):
                    parts.append(" ")
            parts.append(ch)
            prev_right = right
        lines.append((centre, "".join(parts), prev_right))
    return lines


def _grid_text(grid: Grid, cells: dict, glyph: float) -> str:
    texts = {}
    for anchor, chars in cells.items():
        lines = [t.strip() for _, t, _ in _lines(chars, glyph, min(c[1] for c in chars))]
        texts[anchor] = join_fragments([re.sub(r" {2,}", " ", t) for t in lines])
    return grid_rows(grid, texts)


def _clean_pdf_line(line: str) -> str:
    """Like a paragraph line, but a table row (cells split by 2+ spaces) keeps its indentation."""
    line = line.replace("\t", " ")
    if re.search(r"\S {2,}\S", line):
        return line.rstrip(EDGE_WS)
    return line.strip(EDGE_WS)


def _clean_pdf_page(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _PDF_CONTROL.sub("", text)
    lines = [_clean_pdf_line(ln) for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln.strip())


# --------------------------------------------------------------------------- html
