"""What every reader shares: the one `Rejected` type, the caps (`Limits`), the reasons shown
to people, the one size check, and the corpus text layout the readers write.

The corpus layout (what the extractors parse):
- one paragraph per line (blank lines between paragraphs are allowed);
- a table is written as one tab-prefixed cell per line, rows separated by one blank line,
  and the table followed by two blank lines;
- a vertically merged cell gives an EMPTY cell line ("\\t") in each row it covers; a
  horizontally merged cell is ONE cell (``pad_colspan=True`` writes empty continuation cells);
- a paragraph never starts with a tab, so a line starting with a tab is always a table cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MiB = 1024 * 1024


class Rejected(Exception):
    """A raw file that cannot be read or loaded; `reason` is shown to people (documents.reason)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


RejectedFile = Rejected  # the readers' old name: one type for every rejection


@dataclass
class Limits:
    max_bytes: int = 50 * MiB  # raw file size
    max_docx_uncompressed: int = 200 * MiB  # sum of the zip members' declared sizes
    max_pdf_pages: int = 2000
    max_seconds: float = 60  # wall clock for one docx/pdf/sheet/doc parse (worker killed after it)
    max_memory: int = 2048 * MiB  # address-space cap of the parsing worker (Linux)
    isolate: bool = True  # parse docx/pdf/sheets/doc in a worker process (False: in this process)
    ocr: bool = True  # OCR PDF pages without a usable text layer (BPE_OCR=0 turns it off)
    ocr_page_seconds: float = 30  # time budget of OCR for one page (a page over it stays without text)
    max_ocr_seconds: float = 1800  # wall clock for the OCR of one file (its worker is killed after it)
    ocr_cache: str | None = None  # folder of OCR results by page-image hash (None: no cache)
    max_sheet_cells: int = 200_000  # cells read from one workbook


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
R_DEPTH_LEVELS = "文档结构嵌套过深（{n} 层以上）/ document nested too deeply ({n} levels or more)"
R_HTML_TABLE = "网页表格过大（合并单元格展开后超过 {m} 个单元格）/ HTML tables too large once merged cells are expanded (over {m} cells)"
R_HTML_CHARSET = "无法识别网页编码 / cannot detect the HTML charset"
R_HTML_EMPTY = "网页无正文文字 / HTML has no text"
R_PDF_OCR_OFF = "PDF无可用文字层（扫描件或乱码），OCR已关闭（BPE_OCR=0）/ PDF pages without a usable text layer and OCR is off"
R_PDF_OCR_EMPTY = "PDF无可用文字层，OCR未识别出文字 / PDF without a usable text layer, and OCR found no text"
R_SHEET_BROKEN = "表格文件损坏，无法打开 / broken spreadsheet"
R_SHEET_EMPTY = "表格文件无内容 / spreadsheet has no cells"
R_SHEET_CELLS = "表格单元格过多（{n}，上限 {m}）/ spreadsheet has too many cells"
R_DOC_BROKEN = "旧版Word(.doc)文件损坏或已加密，无法读取；请另存为 .docx 或 .pdf / broken or encrypted .doc: save it as .docx or .pdf"
R_UNSUPPORTED = "不支持的格式 {suffix}{hint} / unsupported format"
# What to do with a format bpe does not read: (suffix -> hint).
UNSUPPORTED_HINTS = {
    ".wps": "（WPS文字：请另存为 .docx 或 .pdf）",
    ".et": "（WPS表格：请另存为 .xlsx）",
    ".dps": "（WPS演示：请另存为 .pdf）",
    ".ppt": "（请另存为 .pdf）",
    ".pptx": "（请另存为 .pdf）",
    ".rtf": "（请另存为 .docx）",
    ".odt": "（请另存为 .docx）",
    ".ods": "（请另存为 .xlsx）",
    ".ofd": "（OFD版式文件：请另存为 .pdf）",
    ".zip": "（压缩包：请先解压）",
    ".rar": "（压缩包：请先解压）",
    ".7z": "（压缩包：请先解压）",
    ".jpg": "（图片：请放入PDF后再导入，将按扫描件识别）",
    ".jpeg": "（图片：请放入PDF后再导入，将按扫描件识别）",
    ".png": "（图片：请放入PDF后再导入，将按扫描件识别）",
}


def unsupported(suffix: str) -> Rejected:
    return Rejected(R_UNSUPPORTED.format(suffix=suffix or "（无扩展名）", hint=UNSUPPORTED_HINTS.get(suffix.lower(), "")))

# A PDF whose pages average fewer visible characters than this has no usable text layer
# (a scan with at most a page number drawn as text).
MIN_PDF_CHARS_PER_PAGE = 10
MAX_ZIP_MEMBERS = 10000


def check_size(data: bytes, limits: Limits) -> None:
    """The one size check: before anything is decoded, inflated or parsed."""
    if not data:
        raise Rejected(R_EMPTY)
    if len(data) > limits.max_bytes:
        raise Rejected(R_TOO_BIG.format(n=len(data), m=limits.max_bytes))


# --------------------------------------------------------------------------- corpus layout

CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
CJK_JOIN = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t\n]*(?=[{CJK}])")
EDGE_WS = " \t\u3000\u00a0\r\n"


def join_fragments(parts: list[str]) -> str:
    """Join pieces of one cell / one line: nothing between two CJK characters, else a space."""
    parts = [p.strip(EDGE_WS) for p in parts]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = "\n".join(parts)
    text = CJK_JOIN.sub("", text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def clean_line(line: str) -> str:
    """A paragraph line: tabs to spaces (a leading tab would mean a table cell), edges trimmed."""
    return line.replace("\t", " ").strip(EDGE_WS)


def table_lines(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        out.extend("\t" + cell.replace("\t", " ").replace("\n", " ").strip(EDGE_WS) for cell in row)
    return out


def assemble(blocks: list[tuple[str, object]]) -> str:
    """blocks: ("p", str) paragraphs (may hold "\\n" line breaks) and ("t", rows) tables."""
    lines: list[str] = []
    for kind, value in blocks:
        if kind == "p":
            for ln in str(value).split("\n"):
                lines.append(clean_line(ln))
        else:
            # rows without any text (spacer rows) are left out
            rows = [r for r in value if any(c.strip(EDGE_WS) for c in r)]  # type: ignore[union-attr]
            if not rows:
                continue
            lines.extend(table_lines(rows))
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


def fmt_seconds(s: float) -> str:
    return f"{s:g}"


# --------------------------------------------------------------------------- ruled tables
# A table drawn with lines on every side of its cells, from a PDF's vector paths or from the
# lines found in a scanned page: y grows upwards (PDF coordinates; OCR flips the image's).


class Grid:
    """A ruled table: its column edges (left to right) and row edges (top to bottom), and which
    cell boundaries are drawn (a missing one is a merged cell)."""

    def __init__(self, xs, ys, hs, vs, snap: float):
        self.xs, self.ys, self.hs, self.vs, self.snap = xs, ys, hs, vs, snap
        self.anchor = {}
        for i in range(len(ys) - 1):
            for j in range(len(xs) - 1):
                a = (i, j)
                if j and not self._v(xs[j], (ys[i] + ys[i + 1]) / 2):
                    a = self.anchor[(i, j - 1)]  # no line on the left: merged across
                elif i and not self._h(ys[i], (xs[j] + xs[j + 1]) / 2):
                    a = self.anchor[(i - 1, j)]  # no line above: merged down
                self.anchor[(i, j)] = a

    def _h(self, y, x) -> bool:
        return any(abs(hy - y) <= self.snap and l - self.snap <= x <= r + self.snap for hy, l, r in self.hs)

    def _v(self, x, y) -> bool:
        return any(abs(vx - x) <= self.snap and b - self.snap <= y <= t + self.snap for vx, b, t in self.vs)

    def contains(self, x, y) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[-1] <= y <= self.ys[0]

    def cell(self, x, y):
        i = next(k for k in range(len(self.ys) - 1) if self.ys[k + 1] <= y <= self.ys[k])
        j = next(k for k in range(len(self.xs) - 1) if self.xs[k] <= x <= self.xs[k + 1])
        return self.anchor[(i, j)]


def _snap(values, snap: float):
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > snap:
            out.append(v)
    return out


def grids_from_rules(hs: list, vs: list, snap: float) -> list[Grid]:
    """Tables from ruling lines: horizontal (y, left, right) and vertical (x, bottom, top).
    Vertical lines whose extents overlap are one table; it needs 2 columns and 2 rows at least."""
    groups: list[list] = []
    for v in sorted(vs, key=lambda v: -v[2]):
        g = next((g for g in groups if v[1] <= g[0][2] + snap and v[2] >= g[0][1] - snap), None)
        if g is None:
            groups.append([[v[0], v[1], v[2]], v])
        else:
            g[0][1], g[0][2] = min(g[0][1], v[1]), max(g[0][2], v[2])
            g.append(v)
    grids = []
    for g in groups:
        (_, y0, y1), lines = g[0], g[1:]
        xs = _snap((v[0] for v in lines), snap)
        if len(xs) < 3:
            continue
        inside = [h for h in hs if y0 - snap <= h[0] <= y1 + snap and h[2] > xs[0] and h[1] < xs[-1]]
        ys = sorted(_snap((h[0] for h in inside), snap), reverse=True)
        if len(ys) < 3:
            continue
        grids.append(Grid(xs, ys, inside, lines, snap))
    return grids


def grid_rows(grid: Grid, texts: dict) -> str:
    """A ruled table in the corpus layout, from the text of each anchor cell: one tab-prefixed cell
    per line, rows separated by a blank line, a cell merged down as empty cells below it, a cell
    merged across as one cell."""
    rows = []
    for i in range(len(grid.ys) - 1):
        row = []
        for j in range(len(grid.xs) - 1):
            a = grid.anchor[(i, j)]
            if a == (i, j):
                row.append(texts.get(a, ""))
            elif a[0] != i and a[1] == j:
                row.append("")  # under a cell merged down
        if any(c for c in row) or rows:
            rows.append(row)
    while rows and not any(rows[-1]):
        rows.pop()
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows)


# --------------------------------------------------------------------------- lines of a page

PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—‒]\s*\d{1,4}\s*[-–—‒]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4}(?:\s*of\s*\d{1,4})?|[(（]\s*\d{1,4}\s*[)）])\s*$",
    re.IGNORECASE,
)
SENTENCE_END = "。！？!?；;：:）)”\""
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|第[一二三四五六七八九十]+[章节部分])")

def is_table_row(line: str) -> bool:
    return bool(re.search(r"\S {2,}\S", line)) or line.startswith("    ")



def unwrap(lines: list[tuple[float, str, float]], glyph: float, clean=lambda t: t) -> list[tuple[float, str]]:
    """Lines of running text with the wrapping of their paragraphs undone: a line that runs to the
    right edge of the text and does not end a sentence goes on in the next line (项目效 / 益得分)."""
    lines = [(c, clean(t), r) for c, t, r in lines]
    edge = max((r for _, t, r in lines if not is_table_row(t)), default=0)
    out: list[list] = []
    for centre, text, right in lines:
        if (out and out[-1][2] and text.strip() and not is_table_row(text) and not HEADING.match(text)
                and not PAGE_NUMBER.match(text)):
            prev = out[-1][1]
            glue = " " if prev[-1:].isascii() and text[:1].isascii() and prev[-1:].isalnum() else ""
            out[-1][1] = prev + glue + text.strip()
            out[-1][2] = right >= edge - 1.5 * glyph and text.rstrip()[-1:] not in SENTENCE_END
            continue
        full = right >= edge - 1.5 * glyph and not is_table_row(text) and text.rstrip()[-1:] not in SENTENCE_END
        out.append([centre, text, full and bool(text.strip())])
    return [(c, t) for c, t, _ in out]


def page_blocks(blocks: list[tuple[float, str, bool]]) -> str:
    """A page's text from its blocks (position from the top, text, is a ruled table) in reading
    order: lines of text, and each ruled table set apart as the corpus layout wants it."""
    out: list[str] = []
    for _, text, is_table in sorted(blocks, key=lambda b: b[0]):
        if is_table:
            out.extend(["", text, "", ""])
        elif text.strip():
            out.append(text)
    return "\n".join(out).strip("\n")
