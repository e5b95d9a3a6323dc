"""Readers for .docx / .pdf / .html: a real corpus report rebuilt as each format must read back
in the corpus layout; hostile and broken files are rejected with a reason, never hang."""

import io
import zipfile
from pathlib import Path

import pytest

from pipelines.ingest import formats
from pipelines.ingest.formats import Limits, RejectedFile, detect_format, read_docx, read_html, read_pdf
from pipelines.text import normalize
from tests.conftest import FENGTAI
from tests.make_formats import (
    Table,
    docx_from_body,
    make_docx,
    make_encrypted_pdf,
    make_html,
    make_pdf,
    make_scanned_pdf,
    p,
    parse_layout,
    patch_declared_size,
    set_encrypted_flag,
    tc,
)

# --------------------------------------------------------------------------- the real report

_RAW = FENGTAI.read_text(encoding="utf-8")
_START = _RAW.index("北京市丰台区生态环境局\n地下水")
_END = _RAW.index("\t84.90\n", _START) + len("\t84.90\n")
REPORT = _RAW[_START:_END]  # the 地下水 report, title to the end of its score table
BLOCKS = parse_layout(REPORT)

# Copied from the report (001_…txt, 地下水“双源”监管建设体系服务项目（二期）).
SCORE_SENTENCE = "经专家评议，该项目综合评价得分84.90分，绩效级别评定为“良”。"
SCORE = "综合评价得分84.90分"
GRADE = "绩效级别评定为“良”"
TABLE_TITLE = normalize("地下水“双源”监管建设体系服务项目（二期）\n绩效评价指标体系及评分情况表\n")
TABLE = "\n".join(
    [
        "\t一级指标\n\t二级指标\n\t三级指标\n\t分值\n\t专家评分\n",
        "\t决策\n\t项目立项\n\t立项依据充分性\n\t1\n\t1.00\n",
        "\t\n\t\n\t立项程序规范性\n\t1\n\t0.88\n",
        "\t\n\t绩效目标\n\t绩效目标合理性\n\t2.5\n\t2.00\n",
        "\t\n\t\n\t绩效指标明确性\n\t2.5\n\t1.86\n",
        "\t\n\t资金投入\n\t预算编制科学性\n\t1.5\n\t1.00\n",
        "\t\n\t\n\t资金分配合理性\n\t1.5\n\t1.35\n",
        "\t过程\n\t资金管理\n\t资金到位率\n\t2\n\t2.00\n",
        "\t\n\t\n\t预算执行率\n\t3\n\t2.99\n",
        "\t\n\t\n\t资金使用合规性\n\t5\n\t4.00\n",
        "\t\n\t组织实施\n\t管理制度健全性\n\t5\n\t3.80\n",
        "\t\n\t\n\t制度执行有效性\n\t5\n\t4.40\n",
        "\t产出\n\t产出数量\n\t实际完成率\n\t15\n\t13.22\n",
        "\t\n\t产出质量\n\t质量达标率\n\t10\n\t8.90\n",
        "\t\n\t产出时效\n\t完成及时性\n\t10\n\t9.80\n",
        "\t\n\t产出成本\n\t成本节约率\n\t5\n\t3.60\n",
        "\t效益\n\t项目效益\n\t实施效益\n\t20\n\t17.40\n",
        "\t\n\t\n\t满意度\n\t10\n\t6.70\n",
        "\t合计\n\t100\n\t84.90\n",
    ]
)
# PDF: a table is positioned text; each row is one line of its non-empty cells, in order.
# Rows of the score table as the PDF reader gives them: cells rebuilt from character boxes and
# separated by two spaces; a row whose first cells are merged (empty) is indented.
PDF_TABLE_ROWS = [
    "一级指标  二级指标  三级指标  分值  专家评分",
    "决策  项目立项  立项依据充分性  1  1.00",
    "    立项程序规范性  1  0.88",
    "    绩效目标  绩效目标合理性  2.5  2.00",
    "过程  资金管理  资金到位率  2  2.00",
    "产出  产出数量  实际完成率  15  13.22",
    "    满意度  10  6.70",
    "合计  100  84.90",
]


def _nonblank_lines(text: str) -> list[str]:
    return [ln.strip(" ") for ln in text.split("\n") if ln.strip()]


def test_the_snippets_are_the_report():
    corpus = normalize(REPORT)
    assert SCORE_SENTENCE in corpus and TABLE_TITLE + TABLE in corpus
    assert [type(b) for b in BLOCKS].count(Table) == 1


@pytest.fixture(scope="module")
def docx_bytes():
    return make_docx(BLOCKS)


@pytest.fixture(scope="module")
def pdf_bytes():
    return make_pdf(BLOCKS)


# --------------------------------------------------------------------------- docx


def test_docx_real_report_reads_back_in_the_corpus_layout(docx_bytes):
    # the built file has real Word merges, not empty cells
    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml").decode()
    assert xml.count('<w:vMerge w:val="restart"/>') == 10 and '<w:gridSpan w:val="3"/>' in xml
    out = read_docx(docx_bytes)
    text = normalize(out)
    assert SCORE_SENTENCE in text
    assert TABLE_TITLE + TABLE in text  # merged cells: vMerge -> "\t", gridSpan -> one cell
    assert "\t立项程序规范性\n\t1\n\t0.88" in text
    assert "[bookmark" not in text and "_Toc" not in text
    # every paragraph and cell, in order, exactly as in the .txt
    assert _nonblank_lines(text) == _nonblank_lines(normalize(REPORT))
    # no paragraph line is mistaken for a table cell
    assert sum(1 for ln in text.split("\n") if ln.startswith("\t")) == TABLE.count("\t")


def test_docx_in_process_reads_the_same(docx_bytes):
    assert read_docx(docx_bytes, Limits(isolate=False)) == read_docx(docx_bytes)


def test_docx_pad_colspan_writes_continuation_cells(docx_bytes):
    text = read_docx(docx_bytes, Limits(isolate=False), pad_colspan=True)
    assert text.endswith("\t合计\n\t\n\t\n\t100\n\t84.90\n")


def test_docx_word_features():
    body = "".join(
        [
            p("一、项目基本情况"),
            # a paragraph starting with a tab and holding a line break
            '<w:p><w:r><w:tab/><w:t>该项目综合评价得分</w:t></w:r><w:r><w:t>91.5分</w:t></w:r>'
            "<w:r><w:br/><w:t>评价等级为“优”。</w:t></w:r></w:p>",
            # tracked changes: deleted text dropped, inserted text kept; field code dropped
            '<w:p><w:r><w:t>预算执行率</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>50%</w:delText></w:r></w:del>'
            '<w:ins w:id="2" w:author="a"><w:r><w:t>98.5%</w:t></w:r></w:ins>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
            # content control around a paragraph
            "<w:sdt><w:sdtContent>" + p("（一）项目背景") + "</w:sdtContent></w:sdt>",
            # a text box: DrawingML choice and VML fallback hold the same text, read once
            "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic>"
            "<a:graphicData><wps:wsp><wps:txbx><w:txbxContent>" + p("文本框内容") +
            "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
            "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>" + p("文本框内容") +
            "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
            # a table: header, a vMerge restart/continue pair, a legacy hMerge, a nested table
            "<w:tbl>"
            "<w:tr>" + tc("评价内容") + tc("标准分值") + tc("评价得分") + "</w:tr>"
            "<w:tr>" + tc("投入指标", '<w:vMerge w:val="restart"/>') + tc("10") + tc("5") + "</w:tr>"
            "<w:tr>" + tc("", "<w:vMerge/>") + tc("60") + tc("57.58") + "</w:tr>"
            "<w:tr>" + tc("综合得分", '<w:hMerge w:val="restart"/>') + tc("", "<w:hMerge/>") + tc("91.5") + "</w:tr>"
            "<w:tr>" + tc("备注") + "<w:tc>" + p("第一段") + p("第二段") +
            "<w:tbl><w:tr>" + tc("内") + tc("表") + "</w:tr></w:tbl><w:p/></w:tc>" + tc("") + "</w:tr>"
            "</w:tbl>",
            p("评价结论"),
        ]
    )
    text = read_docx(docx_from_body(body), Limits(isolate=False))
    assert text == (
        "一、项目基本情况\n"
        "该项目综合评价得分91.5分\n"
        "评价等级为“优”。\n"
        "预算执行率98.5%\n"
        "（一）项目背景\n"
        "\n"  # the paragraph that only anchors the text box
        "文本框内容\n"
        "\t评价内容\n\t标准分值\n\t评价得分\n\n"
        "\t投入指标\n\t10\n\t5\n\n"
        "\t\n\t60\n\t57.58\n\n"
        "\t综合得分\n\t91.5\n\n"
        "\t备注\n\t第一段第二段内表\n\t\n"
        "\n\n"
        "评价结论\n"
    )


def test_docx_main_part_found_through_relationships():
    data = docx_from_body(p("经专家评议，该项目综合评价得分86.88分。"), doc_name="word/document2.xml")
    assert detect_format("a.docx", data) == "docx"
    assert read_docx(data, Limits(isolate=False)) == "经专家评议，该项目综合评价得分86.88分。\n"


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 40 + b"not a zip at all",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    ],
    ids=["garbage-after-magic", "truncated-header"],
)
def test_corrupt_zip_is_rejected(data):
    with pytest.raises(RejectedFile) as exc:
        read_docx(data)
    assert exc.value.reason == formats.R_ZIP_BROKEN
    assert "zip损坏" in exc.value.reason


def test_truncated_docx_is_rejected(docx_bytes):
    data = docx_bytes[: len(docx_bytes) // 2]
    assert detect_format("report.docx", data) == "docx"
    with pytest.raises(RejectedFile) as exc:
        read_docx(data)
    assert exc.value.reason == formats.R_ZIP_BROKEN


def test_corrupted_deflate_stream_is_rejected(docx_bytes):
    zf = zipfile.ZipFile(io.BytesIO(docx_bytes))
    info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(docx_bytes)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    with pytest.raises(RejectedFile) as exc:
        read_docx(bytes(data), Limits(isolate=False))
    assert exc.value.reason in (formats.R_ZIP_BROKEN, formats.R_XML_BROKEN)


def _no_inflating(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "read", refuse)


def test_zip_bomb_declared_size_rejected_without_inflating(monkeypatch):
    small = docx_from_body(p("综合评价得分84.90分"))
    bomb = patch_declared_size(small, "word/document.xml", 4_000_000_000)
    _no_inflating(monkeypatch)
    with pytest.raises(RejectedFile) as exc:
        read_docx(bomb)
    assert "压缩炸弹" in exc.value.reason and "4000000" in exc.value.reason


def test_zip_bomb_real_inflation_over_limit_rejected(monkeypatch):
    filler = "<w:p/>" * 400_000  # 2.4 MB of XML that deflates to a few KB
    data = docx_from_body(p("综合评价得分84.90分") + filler)
    assert len(data) < 50_000
    _no_inflating(monkeypatch)
    with pytest.raises(RejectedFile) as exc:
        read_docx(data, Limits(max_docx_uncompressed=1024 * 1024))
    assert "压缩炸弹" in exc.value.reason


def test_member_larger_than_declared_is_not_read_past_its_size():
    data = docx_from_body(p("综合评价得分84.90分"))
    lying = patch_declared_size(data, "word/document.xml", 100)
    with pytest.raises(RejectedFile) as exc:
        read_docx(lying, Limits(isolate=False))
    assert exc.value.reason in (formats.R_ZIP_BROKEN, formats.R_XML_BROKEN)


def test_encrypted_zip_and_ole_container_rejected():
    data = set_encrypted_flag(docx_from_body(p("正文")))
    with pytest.raises(RejectedFile) as exc:
        read_docx(data)
    assert exc.value.reason == formats.R_ZIP_ENCRYPTED
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert detect_format("加密报告.docx", ole) == "docx"
    assert detect_format("旧报告.doc", ole) == "unknown"
    with pytest.raises(RejectedFile) as exc:
        read_docx(ole)
    assert exc.value.reason == formats.R_OLE


def test_docx_with_doctype_entities_refused():
    laughs = '<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = docx_from_body(p("&b;"), prolog=laughs)
    with pytest.raises(RejectedFile) as exc:
        read_docx(data)
    assert exc.value.reason == formats.R_XML_DTD


def test_docx_without_document_part_rejected():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    # a workbook is a spreadsheet (read by the sheet reader), never a Word document
    assert detect_format("表.xlsx", buf.getvalue()) == "sheet"
    with pytest.raises(RejectedFile) as exc:
        read_docx(buf.getvalue())
    assert exc.value.reason == formats.R_NOT_DOCX
    with pytest.raises(RejectedFile) as exc:
        formats.read_sheet(buf.getvalue())
    assert exc.value.reason == formats.R_SHEET_BROKEN


@pytest.mark.parametrize("isolate", [True, False], ids=["worker", "in-process"])
def test_docx_nested_too_deeply_rejected(isolate):
    depth = 3000
    body = "<w:tbl><w:tr><w:tc>" * depth + p("得分") + "</w:tc></w:tr></w:tbl>" * depth
    with pytest.raises(RejectedFile) as exc:
        read_docx(docx_from_body(body), Limits(isolate=isolate))
    assert exc.value.reason == formats.R_DEPTH


def test_docx_parse_over_time_limit_rejected(docx_bytes):
    with pytest.raises(RejectedFile) as exc:
        read_docx(docx_bytes, Limits(max_seconds=0.01))
    assert exc.value.reason.startswith("解析超时")


def test_docx_parse_over_memory_cap_rejected():
    # 30 MB of XML, well inside the size limits, cannot be parsed in 64 MiB of address space
    data = docx_from_body(p("综合评价得分84.90分") * 300_000)
    with pytest.raises(RejectedFile) as exc:
        read_docx(data, Limits(max_memory=64 * 1024 * 1024))
    assert exc.value.reason in (formats.R_MEMORY, formats.R_WORKER) or exc.value.reason.startswith(formats.R_WORKER)


# --------------------------------------------------------------------------- html


@pytest.mark.parametrize(
    "charset,encoding",
    [("utf-8", "utf-8"), ("gb2312", "gb18030"), ("GBK", "gbk"), (None, "gb18030"), (None, "utf-16"), ("utf-8", "gb18030")],
    ids=["utf8-meta", "gb2312-meta", "gbk-meta", "gb18030-no-meta", "utf16-bom", "meta-lies"],
)
def test_html_real_report_reads_back_in_the_corpus_layout(charset, encoding):
    data = make_html(BLOCKS, charset=charset, encoding=encoding)
    text = normalize(read_html(data))
    assert SCORE_SENTENCE in text
    assert TABLE_TITLE + TABLE in text  # rowspan -> "\t" continuation cells, colspan -> one cell
    assert "\t立项程序规范性\n\t1\n\t0.88" in text
    for noise in ("脚本文字", "脚本段落", "首页", "政务公开", "样式文字", "var s"):
        assert noise not in text
    assert _nonblank_lines(text) == _nonblank_lines(normalize(REPORT))


def test_html_pad_colspan_writes_continuation_cells():
    text = read_html(make_html(BLOCKS), pad_colspan=True)
    assert text.endswith("\t合计\n\t\n\t\n\t100\n\t84.90\n")


def test_html_blocks_breaks_and_whitespace():
    page = """<html><body>
    <h1>石景山区优化升级区域高精尖产业发展政策课题
    项目绩效评价报告</h1>
    <div>经过综合评价，该项目得分<b>91.5</b>分，<span>评价等级为“优”。</span></div>
    <p>第一行<br>第二行<br/>第三行</p>
    <p>Budget&nbsp;execution rate
       was 98.5%</p>
    <ul><li>一是……</li><li>二是……</li></ul>
    <pre>  预算数\t100
  执行数\t98</pre>
    <p hidden>隐藏文字</p><div style="display: none">也隐藏</div>
    <p>\t以制表符开头的段落</p>
    </body></html>"""
    text = read_html(page.encode("utf-8"))
    assert text == (
        "石景山区优化升级区域高精尖产业发展政策课题项目绩效评价报告\n"
        "经过综合评价，该项目得分91.5分，评价等级为“优”。\n"
        "第一行\n第二行\n第三行\n"
        "Budget\u00a0execution rate was 98.5%\n"
        "一是……\n二是……\n"
        "预算数 100\n"
        "执行数 98\n"
        "以制表符开头的段落\n"
    )


def test_html_table_spans_headers_and_layout_tables():
    page = """<html><body>
    <table><tr><td>
      <h2>绩效评价报告</h2>
      <p>具体情况见下表：</p>
      <table border="1">
        <thead><tr><th>一级指标</th><th>二级指标</th><th>分值</th><th>得分</th></tr></thead>
        <tbody>
          <tr><td rowspan="2">决策</td><td>项目立项</td><td>3</td><td>2.5</td></tr>
          <tr><td>绩效目标</td><td>5</td><td>4</td></tr>
          <tr><td rowspan="2">产出</td><td>产出数量</td><td rowspan="2">20</td><td>18</td></tr>
          <tr><td>产出质量</td><td>17.5</td></tr>
          <tr><td>&nbsp;</td><td></td><td> </td><td></td></tr>
          <tr><td colspan="2">合计</td><td>28</td><td>24.5</td></tr>
        </tbody>
      </table>
      <p>评价等级为“良”。</p>
    </td></tr></table>
    </body></html>"""
    text = read_html(page.encode("utf-8"))
    assert text == (
        "绩效评价报告\n"
        "具体情况见下表：\n"
        "\t一级指标\n\t二级指标\n\t分值\n\t得分\n\n"
        "\t决策\n\t项目立项\n\t3\n\t2.5\n\n"
        "\t\n\t绩效目标\n\t5\n\t4\n\n"
        "\t产出\n\t产出数量\n\t20\n\t18\n\n"
        "\t\n\t产出质量\n\t\n\t17.5\n\n"
        "\t合计\n\t28\n\t24.5\n"
        "\n\n"
        "评价等级为“良”。\n"
    )
    padded = read_html(page.encode("utf-8"), pad_colspan=True)
    assert "\t合计\n\t\n\t28\n\t24.5\n" in padded


def test_html_charset_detection_order():
    body = "<html><head><meta charset='gb2312'></head><body><p>综合评价得分84.90分</p></body></html>"
    assert formats.html_charset(body.encode("gb18030")) == "gb18030"
    assert formats.html_charset(body.encode("utf-8")) == "utf-8"  # the meta lies: UTF-8 decodes
    assert formats.html_charset(b"\xef\xbb\xbf" + body.encode("utf-8")) == "utf-8-sig"
    xml = '<?xml version="1.0" encoding="gbk"?><html><body><p>得分84.90分</p></body></html>'
    assert read_html(xml.encode("gbk")) == "得分84.90分\n"


def test_html_without_text_rejected():
    with pytest.raises(RejectedFile) as exc:
        read_html(b"<html><head><script>var a=1;</script></head><body><nav>menu</nav></body></html>")
    assert exc.value.reason == formats.R_HTML_EMPTY


# --------------------------------------------------------------------------- pdf


def test_pdf_real_report_text_layer(pdf_bytes):
    out = read_pdf(pdf_bytes)
    text = normalize(out)
    assert SCORE in text and GRADE in text
    assert SCORE_SENTENCE in text  # the sentence starts a paragraph, so it is on one line
    lines = text.split("\n")
    at = [lines.index(row) for row in PDF_TABLE_ROWS]  # each row whole on its own line …
    assert at == sorted(at)  # … in the order of the report
    assert not any(ln.startswith("\t") for ln in lines)
    assert "\n\n" in out  # pages joined by a blank line


def test_pdf_pages_joined_by_blank_line():
    # page 1 ends with a finished sentence: the pages are joined by a blank line
    data = make_pdf(["第一页：该项目综合评价得分84.90分。"] + ["填充行。"] * 60 + ["第二页：绩效级别评定为“良”"])
    pages = read_pdf(data).split("\n\n")
    assert len(pages) == 2
    assert pages[0].startswith("第一页：该项目综合评价得分84.90分。\n")
    assert pages[1].endswith("\n第二页：绩效级别评定为“良”\n")
    assert (pages[0] + pages[1]).count("填充行") == 60


def test_pdf_sentence_cut_by_a_page_break_is_joined():
    # the last line of page 1 stops mid-sentence: page 2 continues it with no break between
    per_page = len(formats.read_pdf_pages(make_pdf(["说明。"] * 200))[0]["text"].split("\n"))
    data = make_pdf(["说明。"] * (per_page - 1) + ["该项目综合评价得分"] + ["84.90分，绩效级别评定为“良”。"])
    pages = formats.read_pdf_pages(data)
    assert pages[0]["text"].endswith("该项目综合评价得分") and pages[1]["text"].startswith("84.90分")
    assert "该项目综合评价得分84.90分，绩效级别评定为“良”。" in read_pdf(data)


JOIN_CASES = [
    # (pages, joined text): page numbers and repeated headers/footers dropped, cut sentences joined
    pytest.param(["甲。\n- 1 -", "乙。\n- 2 -"], "甲。\n\n乙。\n", id="page-numbers"),
    pytest.param(["某某报告\n该项目得分\n第1页 共3页", "某某报告\n90分。\n第2页 共3页", "某某报告\n完。\n第3页 共3页"],
                 "该项目得分90分。\n\n完。\n", id="running-header-and-footer"),
    pytest.param(["指标  分值  得分\n产出  40  38", "效益  30  28\n合计  100  92"],
                 "指标  分值  得分\n产出  40  38\n效益  30  28\n合计  100  92\n", id="table-runs-on"),
    pytest.param(["一、基本情况", "二、评价结论。"], "一、基本情况\n\n二、评价结论。\n", id="heading-starts-a-page"),
]


@pytest.mark.parametrize("pages, want", JOIN_CASES)
def test_join_pages(pages, want):
    from pipelines.ingest import pdf

    parts, starts = pdf.join_pages(pages)
    assert "".join(parts) == want
    assert starts == [sum(len(p) for p in parts[:i]) for i in range(len(parts))]


def test_pdf_in_process_reads_the_same(pdf_bytes):
    assert read_pdf(pdf_bytes, Limits(isolate=False)) == read_pdf(pdf_bytes)


@pytest.mark.parametrize("page_numbers", [False, True], ids=["image-only", "image-and-page-number"])
def test_scanned_pdf_without_text_is_rejected_after_ocr(page_numbers):
    # pages of pixel lines and nothing else: OCR is tried on every page and finds no text
    data = make_scanned_pdf(pages=3, page_number_text=page_numbers)
    assert detect_format("scan.pdf", data) == "pdf"
    pages = formats.read_pdf_pages(data)
    assert [p["method"] for p in pages] == ["ocr"] * 3 and not any(p["usable"] for p in pages)
    with pytest.raises(RejectedFile) as exc:
        read_pdf(data)
    assert exc.value.reason == formats.R_PDF_OCR_EMPTY


def test_scanned_pdf_with_ocr_turned_off_says_so():
    with pytest.raises(RejectedFile) as exc:
        read_pdf(make_scanned_pdf(pages=2), Limits(ocr=False))
    assert exc.value.reason == formats.R_PDF_OCR_OFF


def test_encrypted_pdf_rejected():
    with pytest.raises(RejectedFile) as exc:
        read_pdf(make_encrypted_pdf("综合评价得分84.90分"))
    assert exc.value.reason == formats.R_PDF_ENCRYPTED


def test_broken_pdf_rejected(pdf_bytes):
    for data in (b"%PDF-1.7\n%garbage only\n", pdf_bytes[:200]):
        with pytest.raises(RejectedFile) as exc:
            read_pdf(data)
        assert exc.value.reason == formats.R_PDF_BROKEN


def test_pdf_page_limit_and_time_limit(pdf_bytes):
    with pytest.raises(RejectedFile) as exc:
        read_pdf(pdf_bytes, Limits(max_pdf_pages=1))
    assert exc.value.reason.startswith("PDF页数过多")
    with pytest.raises(RejectedFile) as exc:
        read_pdf(pdf_bytes, Limits(max_seconds=0.01))
    assert exc.value.reason.startswith("解析超时")


def test_size_limits_checked_first(pdf_bytes, docx_bytes):
    small = Limits(max_bytes=1000)
    for reader, data in ((read_pdf, pdf_bytes), (read_docx, docx_bytes), (read_html, make_html(BLOCKS))):
        with pytest.raises(RejectedFile) as exc:
            reader(data, small)
        assert exc.value.reason.startswith("文件过大")
        with pytest.raises(RejectedFile) as exc:
            reader(b"", small)
        assert exc.value.reason == formats.R_EMPTY


# --------------------------------------------------------------------------- detection

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.mark.parametrize(
    "name,data,expected",
    [
        ("report.pdf", PNG, "unknown"),
        ("report.txt", PNG, "unknown"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "unknown"),
        ("report.txt", "该项目综合评价得分84.90分。".encode("utf-8"), "txt"),
        ("report.txt", "该项目综合评价得分84.90分。".encode("gb18030"), "txt"),
        ("report.txt", "该项目综合评价得分84.90分。".encode("utf-16"), "txt"),
        ("report", "该项目综合评价得分84.90分。".encode("utf-8"), "txt"),
        ("page.txt", b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("page.bin", "<html>\n<head><meta charset=gbk></head>".encode(), "html"),
        ("page.htm", "<p>综合评价得分</p>".encode("utf-8"), "html"),
        ("page.html", "<!doctype html><p>得分</p>".encode("utf-16"), "html"),
        ("scan.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 26, "unknown"),
        ("empty.txt", b"", "txt"),
        ("noise.pdf", bytes(range(256)) * 8, "unknown"),
    ],
)
def test_detect_format(name, data, expected):
    assert detect_format(name, data) == expected


def test_detect_format_of_built_files(docx_bytes, pdf_bytes):
    assert detect_format("附件.docx", docx_bytes) == "docx"
    assert detect_format("附件", docx_bytes) == "docx"
    assert detect_format("附件.pdf", pdf_bytes) == "pdf"
    assert detect_format("附件.html", make_html(BLOCKS, encoding="gb18030", charset="gb2312")) == "html"
    assert detect_format("001.txt", REPORT.encode("utf-8")) == "txt"


def test_read_raw_uses_the_readers(docx_bytes, pdf_bytes):
    from pipelines.ingest.read import Rejected, read_raw

    raw = read_raw(Path("附件.docx"), docx_bytes)
    assert raw.format == "docx" and TABLE in normalize(raw.text)
    assert read_raw(Path("附件.pdf"), pdf_bytes).format == "pdf"
    assert read_raw(Path("附件.html"), make_html(BLOCKS)).format == "html"
    with pytest.raises(Rejected):
        read_raw(Path("附件.pdf"), PNG)
    with pytest.raises(Rejected) as exc:
        read_raw(Path("scan.pdf"), make_scanned_pdf(pages=1))
    assert exc.value.reason == formats.R_PDF_OCR_EMPTY
