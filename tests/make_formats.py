"""Test helpers: build .docx / .html / .pdf files from a report's text in the corpus layout.

The corpus layout: paragraphs one per line; a table is one tab-prefixed cell per line, rows
separated by one blank line. `parse_layout` turns such text into blocks, and the builders
write them as real documents:

- .docx (python-docx): real Word tables; an empty cell under a filled one becomes a
  vertical merge (vMerge) with the cell above; a row with fewer cells than the table has
  columns gets its first cell spanned horizontally (gridSpan), as Word's 合计 rows are.
  `[bookmark: X]` debris becomes a real Word bookmark.
- .html: the same merges as rowspan / colspan, plus script/style/nav noise.
- .pdf (reportlab, built-in CID font STSong-Light, no font file): paragraphs wrapped to the
  page width, each table row drawn as one line of cells at fixed column positions.

Builders only: they are not readers and are never used by the pipeline.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field

BOOKMARK = re.compile(r"\[bookmark: ?([^\]\n]*)\]")


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)

    @property
    def ncols(self) -> int:
        return max(len(r) for r in self.rows)




def parse_layout(text: str) -> list:
    """Blocks of corpus-layout text: str for a paragraph line, Table for a table."""
    blocks: list = []
    table: Table | None = None
    row: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith("\t"):
            if table is None:
                table = Table()
            if row is None:
                row = []
                table.rows.append(row)
            row.append(line[1:])
            continue
        if line == "" and table is not None:
            row = None  # row separator (or the end of the table)
            continue
        if table is not None:
            blocks.append(table)
            table, row = None, None
        if line.strip():
            blocks.append(line)
    if table is not None:
        blocks.append(table)
    return blocks


def _vertical_runs(table: Table):
    """(row, col, n): the cell at (row, col) has n empty cells below it in its column."""
    ncols = table.ncols
    full = [r for r in table.rows]
    for c in range(ncols):
        r = 0
        while r < len(full):
            if c < len(full[r]) and len(full[r]) == ncols and full[r][c] != "":
                n = 0
                while (
                    r + n + 1 < len(full)
                    and len(full[r + n + 1]) == ncols
                    and full[r + n + 1][c] == ""
                ):
                    n += 1
                if n:
                    yield r, c, n
                r += n + 1
            else:
                r += 1


# --------------------------------------------------------------------------- docx


def make_docx(blocks: list) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document()
    bookmark_id = 0
    for block in blocks:
        if isinstance(block, Table):
            ncols = block.ncols
            t = doc.add_table(rows=len(block.rows), cols=ncols)
            t.style = "Table Grid"
            for r, row in enumerate(block.rows):
                span = ncols - len(row) + 1  # a short row: its first cell spans the missing columns
                cols = [0] + [span + i for i in range(len(row) - 1)]
                for value, c in zip(row, cols):
                    if value:
                        t.cell(r, c).text = value
                if span > 1:
                    t.cell(r, 0).merge(t.cell(r, span - 1))
            for r, c, n in _vertical_runs(block):
                t.cell(r, c).merge(t.cell(r + n, c))
            continue
        p = doc.add_paragraph()
        pos = 0
        for m in BOOKMARK.finditer(block):
            if m.start() > pos:
                p.add_run(block[pos:m.start()])
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), str(bookmark_id))
            start.set(qn("w:name"), m.group(1))
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), str(bookmark_id))
            p._p.append(start)
            p._p.append(end)
            bookmark_id += 1
            pos = m.end()
        if pos < len(block):
            p.add_run(block[pos:])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- html


def make_html(blocks: list, charset: str | None = "utf-8", encoding: str = "utf-8", noise: bool = True) -> bytes:
    out = ["<!DOCTYPE html>", "<html>", "<head>"]
    if charset:
        out.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    out.append("<title>绩效评价报告</title>")
    if noise:
        out.append("<style>p { margin: 0 } .x::before { content: '样式文字' }</style>")
        out.append("<script>var s = '脚本文字84.90';</script>")
    out.append("</head>")
    out.append("<body>")
    if noise:
        out.append('<nav><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></nav>')
    out.append('<div class="article">')
    for block in blocks:
        if isinstance(block, Table):
            out.append(_html_table(block))
        else:
            text = BOOKMARK.sub(lambda m: f'<a name="{html.escape(m.group(1))}"></a>', html.escape(block, quote=False))
            out.append(f"<p>{text}</p>")
    out.append("</div>")
    if noise:
        out.append('<script type="text/javascript">document.write("<p>脚本段落</p>");</script>')
    out.append("</body></html>")
    return "\n".join(out).encode(encoding)


def _html_table(table: Table) -> str:
    ncols = table.ncols
    rowspan = {(r, c): n + 1 for r, c, n in _vertical_runs(table)}
    covered = {(r + k, c) for (r, c), n in rowspan.items() for k in range(1, n)}
    lines = ['<table border="1" cellspacing="0">', "<tbody>"]
    for r, row in enumerate(table.rows):
        cells = []
        span = ncols - len(row) + 1
        cols = [0] + [span + i for i in range(len(row) - 1)]
        for value, c in zip(row, cols):
            if (r, c) in covered:
                continue
            attrs = ""
            if (r, c) in rowspan:
                attrs += f' rowspan="{rowspan[(r, c)]}"'
            if c == 0 and span > 1:
                attrs += f' colspan="{span}"'
            # Word-exported HTML wraps cell text in paragraphs; keep one in two that way
            inner = html.escape(value)
            if r % 2:
                inner = f'<p class="MsoNormal" align="center"><span lang="EN-US">{inner}</span></p>'
            cells.append(f"<td{attrs}>{inner}</td>")
        lines.append("<tr>\n  " + "\n  ".join(cells) + "\n</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- pdf

PDF_FONT = "STSong-Light"


def make_pdf(blocks: list, font_size: float = 9, col_width: float = 95) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buf = io.BytesIO()
    width, height = A4
    margin = 50
    leading = font_size * 1.6
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(PDF_FONT, font_size)
    y = height - margin

    def newline():
        nonlocal y
        y -= leading
        if y < margin:
            c.showPage()
            c.setFont(PDF_FONT, font_size)
            y = height - margin

    for block in blocks:
        if isinstance(block, Table):
            ncols = block.ncols
            for row in block.rows:
                span = ncols - len(row) + 1  # a short row: its first cell spans the missing columns
                cols = [0] + [span + i for i in range(len(row) - 1)]
                for cell, col in zip(row, cols):
                    if cell:
                        c.drawString(margin + col * col_width, y, cell)
                newline()
            newline()
            continue
        text = BOOKMARK.sub("", block)
        for line in _wrap(text, width - 2 * margin, font_size):
            c.drawString(margin, y, line)
            newline()
    c.save()
    return buf.getvalue()


def _wrap(text: str, max_width: float, font_size: float) -> list[str]:
    from reportlab.pdfbase import pdfmetrics

    lines, cur = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(cur + ch, PDF_FONT, font_size) > max_width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def make_scanned_pdf(pages: int = 2, page_number_text: bool = False) -> bytes:
    """A PDF like a scan: each page only an image (and optionally a page number as text)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (200, 280), 255)
    for x in range(20, 180):
        for yy in range(30, 250, 12):
            img.putpixel((x, yy), 0)  # lines that look like text, drawn as pixels
    reader = ImageReader(img)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.drawImage(reader, 50, 100, width=495, height=693)
        if page_number_text:
            c.setFont("Helvetica", 9)
            c.drawString(290, 40, str(i + 1))
        c.showPage()
    c.save()
    return buf.getvalue()


def make_encrypted_pdf(text: str) -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=StandardEncryption("user-pass", ownerPassword="owner-pass"))
    c.setFont(PDF_FONT, 10)
    c.drawString(50, 800, text)
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------- hand-written docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_from_body(body_xml: str, doc_name: str = "word/document.xml", prolog: str = "") -> bytes:
    """A minimal .docx whose document.xml body is `body_xml` (w:, mc:, wps:, v: prefixes declared)."""
    import zipfile

    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog +
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        f"<w:body>{body_xml}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("/word/document.xml", "/" + doc_name))
        zf.writestr("_rels/.rels", _RELS.replace("word/document.xml", doc_name))
        zf.writestr(doc_name, document)
    return buf.getvalue()


def p(text: str) -> str:
    """A Word paragraph of one run."""
    return f'<w:p><w:r><w:t xml:space="preserve">{html.escape(text, quote=False)}</w:t></w:r></w:p>'


def tc(text: str = "", props: str = "") -> str:
    pr = f"<w:tcPr>{props}</w:tcPr>" if props else ""
    return f"<w:tc>{pr}{p(text) if text else '<w:p/>'}</w:tc>"


def patch_declared_size(docx: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size that the zip's central directory declares for `member`."""
    import struct

    data = bytearray(docx)
    name = member.encode()
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise ValueError(member)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46: pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, size)
            return bytes(data)
        pos += 4


def set_encrypted_flag(docx: bytes) -> bytes:
    """Set the 'encrypted' bit of every central-directory entry (as a password zip has)."""
    import struct

    data = bytearray(docx)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            return bytes(data)
        flags = struct.unpack_from("<H", data, pos + 8)[0]
        struct.pack_into("<H", data, pos + 8, flags | 0x1)
        pos += 4
