"""Make the committed office fixtures in tests/fixtures/office/, the way governments make documents.

Run once, from the project root:  .venv/bin/python -m tests.make_office_fixtures
The files are committed; tests read them and never run this script. It is the record of how they
were made, and re-running it rebuilds them (tool versions go to MADE_WITH.txt beside them).

How each file is made
---------------------
report_ruled.docx   The 地下水 report (`REPORT` of tests/test_formats.py, corpus layout) built by
                    tests.make_formats.make_docx (python-docx: real Word tables with vMerge / gridSpan
                    merges, [bookmark: X] as real bookmarks), then dressed as an office would: A4 page
                    with GB/T 9704-like margins, 宋体 named as the east-asian font (no fonts embedded),
                    centred bold title lines, bold headings, first-line indents, a running header
                    "丰台区财政局绩效评价报告" with a rule under it, a footer "第 X 页" (PAGE field), and a
                    RULED score table (Table Grid style plus explicit w:tblBorders on every edge, fixed
                    column widths, rows that cannot split). The score table is pushed down the page by
                    top spacing on its title line until LibreOffice lays its rows out over a page break;
                    the spacing is found by converting and measuring (see `place_table_over_page_break`).
report_ruled.pdf    `soffice --headless --convert-to pdf` of report_ruled.docx. Windows' 宋体 is not on a
                    Linux machine: a private fonts.conf (FONTCONFIG_FILE, for soffice only) maps 宋体 /
                    SimSun to Noto Serif CJK SC of Debian's fonts-noto-cjk, which LibreOffice embeds as a
                    subset (it names the face NotoSerifCJKjp, the first face of the .ttc); Latin text
                    and digits fall back to DejaVu Serif (no Times New Roman here).
                    Needs a CJK font: `apt-get install fonts-noto-cjk` first (main() checks).
report_scanned.pdf  Every page of report_ruled.pdf rendered by pypdfium2 at 200 dpi in greyscale and
                    wrapped into a PDF by Pillow, one progressive JPEG (DCTDecode, DeviceGray, quality 50)
                    per page: pages are images only, no text layer.
report.doc          `soffice --headless --convert-to doc:"MS Word 97"` of report_ruled.docx.
form.xlsx           The 项目支出绩效自评表 of tests/fixtures/real_shapes/02_form_cell_per_line_wrapped_labels.txt
                    laid out with openpyxl as finance bureaus publish it in Excel: 附件2, a merged title row,
                    a (2021年度) row, label/value rows, the funds block (numbers as numeric cells, 执行率 as
                    0.9 in a 0% format), the indicator table with merged 一级/二级指标 cells, thin borders.
form.xls            `soffice --headless --convert-to xls` of form.xlsx (MS Excel 97 format).
form_expected.txt   A byte copy of the .txt fixture the form was made from.
MADE_WITH.txt       `soffice --version` and the Python package versions used, plus the fonts found.

Determinism: the .docx and .xlsx are written with fixed document properties and zip entry dates, so
they are byte-identical on re-runs; the scanned PDF is identical as long as report_ruled.pdf renders
the same, and so were the .doc and .xls on a re-run here. report_ruled.pdf carries LibreOffice's
CreationDate and /ID and differs from run to run in those bytes only. The table's top spacing
depends on the fonts' metrics: with other fonts the measuring loop finds another value.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "office"
FORM_TXT = ROOT / "tests" / "fixtures" / "real_shapes" / "02_form_cell_per_line_wrapped_labels.txt"

FIXED_TIME = dt.datetime(2025, 3, 1, 9, 0, 0)
ZIP_TIME = (2025, 3, 1, 9, 0, 0)
HEADER_TEXT = "丰台区财政局绩效评价报告"
SCAN_DPI = 200
SCAN_JPEG_QUALITY = 50

# score-table columns (cm): 一级指标, 二级指标, 三级指标, 分值, 专家评分 — 15.6 cm = A4 less the margins
TABLE_COL_CM = [2.6, 3.0, 4.8, 2.2, 3.0]
MARGINS_CM = dict(top=3.7, bottom=3.5, left=2.8, right=2.6)


# --------------------------------------------------------------------------- tools


def soffice_version() -> str:
    return subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=True).stdout.strip()


# Windows' 宋体 is not on a Linux machine: fontconfig is told to take the Song face of Noto CJK
# (Debian's fonts-noto-cjk) for it, as a Windows PDF printer would have embedded SimSun.
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""


def soffice_convert(src: Path, target: str, outdir: Path) -> Path:
    """`soffice --headless --convert-to TARGET SRC` with a throw-away profile; the path written."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        conf = Path(profile) / "fonts.conf"
        conf.write_text(FONTS_CONF, encoding="utf-8")
        subprocess.run(
            [
                "soffice", f"-env:UserInstallation=file://{profile}/user", "--headless",
                "--convert-to", target, "--outdir", str(outdir), str(src),
            ],
            check=True, capture_output=True, timeout=300, env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        )
    out = outdir / f"{src.stem}.{target.split(':')[0]}"
    if not out.exists():
        raise RuntimeError(f"soffice wrote no {out.name}")
    return out


def fixed_zip(data: bytes) -> bytes:
    """The same zip package with every entry dated ZIP_TIME and core.xml's dcterms:modified fixed."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                blob = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", blob)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, blob)
    return buf.getvalue()


# --------------------------------------------------------------------------- the Word report


def _set_fonts(rpr_parent, east_asia: str, ascii_font: str = "Times New Roman", size_pt: float | None = None,
               bold: bool | None = None) -> None:
    """Name the fonts on a style or run: ascii/hAnsi and eastAsia, no theme fonts."""
    from docx.shared import Pt
    from docx.oxml.ns import qn

    font = rpr_parent.font
    font.name = ascii_font
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rfonts = rpr_parent.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _field_run(paragraph, instr: str):
    """A complex field (begin / instrText / separate / placeholder / end), as Word writes PAGE."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str):
        r = paragraph.add_run()
        c = OxmlElement("w:fldChar")
        c.set(qn("w:fldCharType"), kind)
        r._r.append(c)

    fld("begin")
    r = paragraph.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._r.append(it)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


# what may follow w:pBdr in a w:pPr (schema order)
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)


def _page_furniture(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    head = section.header.paragraphs[0]
    head.text = HEADER_TEXT
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # the rule under the running header, as Word's 页眉 style draws it
    ppr = head._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert_element_before(bdr, *_AFTER_PBDR)

    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("第 ")
    _field_run(foot, "PAGE")
    foot.add_run(" 页")


def _rule_table(table) -> None:
    """Every border of the table drawn, fixed widths, rows that cannot split, cells centred."""
    from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            e.set(qn(k), v)
        borders.append(e)
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.insert_element_before(layout, "w:tblCellMar", "w:tblLook")

    widths = [Cm(w) for w in TABLE_COL_CM]
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        row.height = Cm(0.75)
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        grid = 0
        for tc in row._tr.findall(qn("w:tc")):
            span = tc.grid_span
            tcw = tc.get_or_add_tcPr().get_or_add_tcW()
            tcw.type = "dxa"
            tcw.w = sum(widths[grid:grid + span])
            grid += span
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for para in cell.paragraphs:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                para.paragraph_format.first_line_indent = None
                para.paragraph_format.space_after = Pt(0)
                para.paragraph_format.line_spacing = 1.0
                for run in para.runs:
                    run.font.size = Pt(10.5)


HEADING = re.compile(r"^(?:\[bookmark: ?[^\]]*\])*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


def build_report_docx(blocks: list, table_space_pt: float) -> bytes:
    """The report as an office's Word file; `table_space_pt` of space above the score table's title."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    from tests.make_formats import Table, make_docx

    d = docx.Document(io.BytesIO(make_docx(blocks)))

    normal = d.styles["Normal"]
    _set_fonts(normal, "宋体", size_pt=12)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    lang = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for name in ("Header", "Footer"):
        _set_fonts(d.styles[name], "宋体", size_pt=9)

    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    sec.left_margin, sec.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    sec.header_distance, sec.footer_distance = Cm(1.5), Cm(2.0)
    _page_furniture(sec)

    # paragraphs of the body, in block order (make_docx writes one per str block)
    assert len(d.paragraphs) == sum(isinstance(b, str) for b in blocks)
    paras = iter(d.paragraphs)
    table_index = [i for i, b in enumerate(blocks) if isinstance(b, Table)][0]
    title_lines = {0, 1, 2}
    table_title = {table_index - 2, table_index - 1}
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            continue
        para = next(paras)
        fmt = para.paragraph_format
        if i in title_lines or i in table_title:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in para.runs:
                run.font.bold = True
                run.font.size = Pt(18 if i in title_lines else 14)
            if i == table_index - 2:
                fmt.space_before = Pt(table_space_pt)
        elif HEADING.match(block):
            fmt.first_line_indent = Pt(24)
            for run in para.runs:
                run.font.bold = True
        else:
            fmt.first_line_indent = Pt(24)  # two characters of 小四

    for table in d.tables:
        _rule_table(table)

    cp = d.core_properties
    cp.title = "地下水“双源”监管建设体系服务项目（二期）绩效评价报告"
    cp.author = cp.last_modified_by = "丰台区财政局"
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 3
    cp.comments = ""
    buf = io.BytesIO()
    d.save(buf)
    return fixed_zip(buf.getvalue())


# --------------------------------------------------------------------------- PDF measuring


def pdf_pages_text(pdf_path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def find_text(pdf_path: Path, needle: str) -> list[tuple[int, float, float]]:
    """(page index, top y, bottom y) in PDF points of each occurrence of `needle`."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    hits = []
    try:
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            searcher = tp.search(needle)
            while (m := searcher.get_next()) is not None:
                start, count = m
                boxes = [tp.get_charbox(start + k) for k in range(count)]
                hits.append((i, max(b[3] for b in boxes), min(b[1] for b in boxes)))
    finally:
        pdf.close()
    return hits


def table_row_pages(pdf_path: Path, table) -> list[tuple[str, int]]:
    """For each row of the score table, a label that identifies it and the 1-based page it is on."""
    out = []
    for row in table.rows:
        label = next(c for c in reversed(row[:3]) if c) if len(row) == table.ncols else row[0]
        hits = find_text(pdf_path, label)
        out.append((label, hits[-1][0] + 1 if hits else 0))  # the table is the report's last thing
    return out


def place_table_over_page_break(blocks: list, table, workdir: Path) -> tuple[bytes, Path, float]:
    """Build, convert and measure until the score table's rows lie on two pages; (docx, pdf, spacing)."""
    first = next(c for c in table.rows[0] if c)  # 一级指标
    last = table.rows[-1][-1]  # the 合计 score
    bottom_margin_pt = MARGINS_CM["bottom"] / 2.54 * 72
    space = 0.0
    for _ in range(6):
        data = build_report_docx(blocks, space)
        src = workdir / "report_ruled.docx"
        src.write_bytes(data)
        pdf = soffice_convert(src, "pdf", workdir)
        top = find_text(pdf, first)[-1]
        end = find_text(pdf, last)[-1]
        if top[0] != end[0]:
            return data, pdf, space
        # same page: push the table down by the room left under it plus half its height
        height = top[1] - end[2]
        space += (end[2] - bottom_margin_pt) + height / 2
        space = float(round(space))
    raise RuntimeError("the score table never ran over a page break")


# --------------------------------------------------------------------------- scanned PDF


def make_scanned(pdf_path: Path, out: Path) -> None:
    """Each page rendered to a greyscale JPEG image, all wrapped into an image-only PDF."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    images = []
    try:
        for i in range(len(pdf)):
            bitmap = pdf[i].render(scale=SCAN_DPI / 72, grayscale=True)
            images.append(bitmap.to_pil().convert("L"))
            bitmap.close()
    finally:
        pdf.close()
    # Pillow writes each greyscale page as one DCTDecode (JPEG) image, as a scanner's PDF holds them;
    # the JPEG options given here reach the encoder of every page
    images[0].save(
        out, format="PDF", save_all=True, append_images=images[1:], resolution=float(SCAN_DPI),
        quality=SCAN_JPEG_QUALITY, optimize=True, progressive=True,
        title="扫描件", producer="scanner", creationDate=FIXED_TIME.timetuple(), modDate=FIXED_TIME.timetuple(),
    )


# --------------------------------------------------------------------------- the Excel form

FORM_TITLE = "项目支出绩效自评表"
FORM_YEAR = "(2021年度)"
NCOLS = 9  # A..I

# indicator rows: (一级指标, 二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施);
# None under a filled 一级/二级 cell: merged with the cell above
INDICATORS = [
    ("产出指标", "数量指标", "指标1维修屋面面积(平方米)", 3200, 3200, 10, 10, None),
    (None, None, "指标2", None, None, None, None, None),
    (None, None, "……", None, None, None, None, None),
    (None, "质量指标", "指标1防水工程验收合格率", 100, 100, 10, 10, None),
    (None, None, "指标2", None, None, None, None, None),
    (None, "时效指标", "指标1按期完工率", 100, 100, 10, 10, None),
    (None, "成本指标", "指标1合同价款控制率", 100, 90, 10, 9, "质保金10%待期满后支付,施工招标价低于预算。加强预算测算。"),
    ("效益指标", "社会效益\n指标", "指标1教学场所安全保障", 100, 100, 10, 10, 0),
    (None, None, "指标2", None, None, None, None, None),
    (None, None, "……", None, None, None, None, None),
    (None, "可持续影响\n指标", "指标1维修后使用年限(年)", 8, 8, 10, 10, None),
    ("满意度\n指标", "服务对象满意度指标", "指标1师生满意度", 95, 96, 10, 10, 0),
    (None, None, "指标2", None, None, None, None, None),
]


def build_form_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    body = Font(name="宋体", size=10)
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def put(ref: str, value, align=centre, merge_to: str | None = None, fmt: str | None = None):
        cell = ws[ref]
        cell.value = value
        cell.font = body
        cell.alignment = align
        if fmt:
            cell.number_format = fmt
        if merge_to:
            ws.merge_cells(f"{ref}:{merge_to}")

    ws["A1"] = "附件2"
    ws["A1"].font = Font(name="黑体", size=12)
    put("A2", FORM_TITLE, merge_to="I2")
    ws["A2"].font = Font(name="宋体", size=18, bold=True)
    put("A3", FORM_YEAR, merge_to="I3")
    ws["A3"].font = Font(name="宋体", size=12)

    put("A4", "项目名称")
    put("B4", "实训楼屋面防水及外墙维修经费", left, "I4")
    put("A5", "主管部门")
    put("B5", "沧州市教育局", left, "D5")
    put("E5", "实施单位", merge_to="F5")
    put("G5", "沧州市机电工程学校", left, "I5")

    # funds block (万元): numbers are numbers, 执行率 a fraction shown as a percentage
    put("A6", "项目资金\n(万元)", merge_to="A10")
    for col, head in zip("CDEFGH", ["年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分"]):
        put(f"{col}6", head, merge_to="I6" if col == "H" else None)
    put("B7", "年度资金总额")
    for col, v in zip("CDEF", [56.8, 56.8, 51.12, 10]):
        put(f"{col}7", v)
    put("G7", 0.9, fmt="0%")
    put("H7", 9, merge_to="I7")
    put("B8", "其中:当年财政拨款", left)
    for col, v in zip("CDE", [56.8, 56.8, 51.12]):
        put(f"{col}8", v)
    put("F8", None, merge_to="I8")
    put("B9", "      上年结转资金", left)
    put("F9", None, merge_to="I9")
    put("B10", "  其他资金", left)
    put("F10", None, merge_to="I10")

    put("A11", "年度总体目标", merge_to="A12")
    put("B11", "预期目标", merge_to="E11")
    put("F11", "实际完成情况", merge_to="I11")
    put("B12", 56.8, left, "E12")
    put("F12", 51.12, left, "I12")

    put("A13", "一级指标")
    put("B13", "二级指标")
    put("C13", "三级指标", merge_to="D13")
    for col, head in zip("EFGHI", ["年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因分析及改进措施"]):
        put(f"{col}13", head)

    first_row = 14
    starts: dict[int, int] = {}  # column index (0, 1) -> row where its current merge starts
    for n, (lvl1, lvl2, lvl3, target, actual, weight, score, note) in enumerate(INDICATORS):
        r = first_row + n
        for c, v in ((0, lvl1), (1, lvl2)):
            if v is not None:
                if c in starts and r - 1 > starts[c]:
                    ws.merge_cells(f"{'AB'[c]}{starts[c]}:{'AB'[c]}{r - 1}")
                starts[c] = r
                put(f"{'AB'[c]}{r}", v)
        put(f"C{r}", lvl3, left, f"D{r}")
        for col, v in zip("EFGH", [target, actual, weight, score]):
            put(f"{col}{r}", v)
        put(f"I{r}", note, left)
        wrapped = any(isinstance(v, str) and ("\n" in v or len(v) > 14) for v in (lvl1, lvl2, note))
        ws.row_dimensions[r].height = 36 if wrapped else 20
    last_row = first_row + len(INDICATORS) - 1
    for c, start in starts.items():
        if last_row > start:
            ws.merge_cells(f"{'AB'[c]}{start}:{'AB'[c]}{last_row}")

    for row in ws.iter_rows(min_row=4, max_row=last_row, min_col=1, max_col=NCOLS):
        for cell in row:
            cell.border = box
    for i, width in enumerate([10, 16, 12, 12, 10, 10, 8, 8, 30], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[2].height = 30
    for r in (6, 13):
        ws.row_dimensions[r].height = 30
    for r in (4, 5, 7, 8, 9, 10, 11, 12):
        ws.row_dimensions[r].height = 20
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True

    p = wb.properties
    p.title = "实训楼屋面防水及外墙维修经费 绩效自评表(修订)"
    p.creator = p.lastModifiedBy = "沧州市机电工程学校"
    p.created = p.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def check_form_matches_txt(xlsx: bytes, txt: str) -> None:
    """Every filled cell of the form, as a person reads it, is a cell of the .txt fixture."""
    from openpyxl import load_workbook

    txt_cells = {re.sub(r"\s+", "", c) for c in txt.split("\n\n")}
    joined = re.sub(r"\s+", "", txt)
    ws = load_workbook(io.BytesIO(xlsx)).active
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            shown = f"{cell.value:.0%}" if cell.number_format == "0%" else str(cell.value)
            shown = re.sub(r"\s+", "", shown)
            if shown not in joined and shown.replace("(", "") not in joined and shown not in txt_cells:
                raise AssertionError(f"{cell.coordinate}={cell.value!r} is not in {FORM_TXT.name}")


# --------------------------------------------------------------------------- checks and the record


def verify(out: Path, table) -> dict:
    """Open every output; the facts the report needs (pages of the score-table rows, page counts)."""
    import pypdfium2 as pdfium

    facts: dict = {}
    for name in ("report_ruled.docx", "form.xlsx"):
        with zipfile.ZipFile(out / name) as z:
            assert z.testzip() is None, name
    xml = zipfile.ZipFile(out / "report_ruled.docx").read("word/document.xml").decode()
    assert "<w:tblBorders>" in xml and 'w:val="TableGrid"' in xml, "the table is not ruled"
    ruled = pdf_pages_text(out / "report_ruled.pdf")
    assert all(HEADER_TEXT in t for t in ruled), "running header missing on a page"
    facts["ruled_pages"] = len(ruled)
    facts["rows"] = table_row_pages(out / "report_ruled.pdf", table)
    assert len({p for _, p in facts["rows"]}) == 2, facts["rows"]
    scanned = pdfium.PdfDocument(str(out / "report_scanned.pdf"))
    try:
        facts["scanned_pages"] = len(scanned)
        texts = [scanned[i].get_textpage().get_text_range() for i in range(len(scanned))]
        assert not any(t.strip() for t in texts), "the scanned PDF has a text layer"
    finally:
        scanned.close()
    assert facts["scanned_pages"] == facts["ruled_pages"]
    for name in ("report.doc", "form.xls"):
        kind = subprocess.run(["file", "-b", str(out / name)], capture_output=True, text=True).stdout
        assert "Composite Document File" in kind or "CDF" in kind, (name, kind)
        facts[name] = kind.strip()
    return facts


def pdf_fonts(pdf_path: Path) -> list[str]:
    return sorted({m.decode() for m in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", pdf_path.read_bytes())})


def deb_version(package: str) -> str:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return done.stdout.strip() or "not installed"


def write_made_with(out: Path, space_pt: float, facts: dict) -> None:
    from importlib.metadata import version

    lines = [
        "How the files in this folder were made: see tests/make_office_fixtures.py (its docstring).",
        f"Made on {dt.date.today().isoformat()} by: .venv/bin/python -m tests.make_office_fixtures",
        "",
        "soffice --version:",
        f"  {soffice_version()}",
        "",
        f"Python {sys.version.split()[0]}; "
        + ", ".join(f"{p} {version(p)}" for p in ("python-docx", "openpyxl", "pypdfium2", "pillow")),
        "",
        f"fonts-noto-cjk: {deb_version('fonts-noto-cjk')}",
        f"report_ruled.pdf fonts (as LibreOffice substituted and embedded them): {', '.join(pdf_fonts(out / 'report_ruled.pdf'))}",
        f"score table title spacing above: {space_pt:g} pt; report pages: {facts['ruled_pages']}",
        "score table rows -> page of report_ruled.pdf:",
        *(f"  {label}: {page}" for label, page in facts["rows"]),
        f"report_scanned.pdf: {facts['scanned_pages']} image-only pages, {SCAN_DPI} dpi greyscale JPEG q{SCAN_JPEG_QUALITY}",
        f"report.doc: {facts['report.doc']}",
        f"form.xls: {facts['form.xls']}",
        "",
    ]
    (out / "MADE_WITH.txt").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    from tests.make_formats import Table, parse_layout
    from tests.test_formats import REPORT

    if shutil.which("soffice") is None:
        raise SystemExit("soffice (LibreOffice) is needed")
    cjk = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    if "Noto Serif CJK SC" not in cjk:
        raise SystemExit("a CJK font is needed for the PDF: apt-get install fonts-noto-cjk")
    OUT.mkdir(parents=True, exist_ok=True)
    blocks = parse_layout(REPORT)
    table = next(b for b in blocks if isinstance(b, Table))

    with tempfile.TemporaryDirectory(prefix="office-fixtures-") as tmp:
        work = Path(tmp)
        docx_bytes, pdf, space = place_table_over_page_break(blocks, table, work)
        (OUT / "report_ruled.docx").write_bytes(docx_bytes)
        shutil.copyfile(pdf, OUT / "report_ruled.pdf")
        make_scanned(OUT / "report_ruled.pdf", OUT / "report_scanned.pdf")
        shutil.copyfile(soffice_convert(OUT / "report_ruled.docx", 'doc:MS Word 97', work), OUT / "report.doc")

        txt = FORM_TXT.read_text(encoding="utf-8")
        xlsx = build_form_xlsx()
        check_form_matches_txt(xlsx, txt)
        (OUT / "form.xlsx").write_bytes(xlsx)
        shutil.copyfile(soffice_convert(OUT / "form.xlsx", "xls", work), OUT / "form.xls")
        shutil.copyfile(FORM_TXT, OUT / "form_expected.txt")

    facts = verify(OUT, table)
    write_made_with(OUT, space, facts)
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>10}  {path.relative_to(ROOT)}")
    for label, page in facts["rows"]:
        print(f"  page {page}: {label}")


if __name__ == "__main__":
    main()
