"""Files made the way governments make them (tests/fixtures/office/, made once by
tests/make_office_fixtures.py): a .docx with a ruled score table over a page break, the PDF that
LibreOffice makes of it, the same pages scanned (images only), the report as Word 97 .doc, and a
自评表 as .xlsx and .xls. Each gives the same reports, score-table rows and form funds as the
text version (the scanned PDF through OCR)."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from pipelines.ingest import formats
from pipelines.process import process_bytes
from tests.test_formats import REPORT

OFFICE = Path(__file__).parent / "fixtures" / "office"
FORM_TXT = Path(__file__).parent / "fixtures" / "real_shapes" / "02_form_cell_per_line_wrapped_labels.txt"

FIELDS = ["title", "project_name", "department", "implementer", "district", "report_year", "fiscal_year",
          "evaluation_type", "total_score", "grade", "score_decision", "score_process", "score_output",
          "score_outcome", "budget_wan", "received_wan", "spent_wan", "execution_rate_pct"]
INDICATOR = ["level1", "level2", "level3", "max_score", "score"]


def _rows(name: str) -> dict:
    return process_bytes(name, (OFFICE / name).read_bytes()).rows


@pytest.fixture(scope="module")
def text_version():
    return process_bytes("report.txt", REPORT.encode("utf-8")).rows


def _indicators(rows) -> list[tuple]:
    return [tuple(str(i.get(k)) for k in INDICATOR if k in i) for i in rows["indicator_scores"]]


@pytest.mark.parametrize("name", ["report_ruled.docx", "report_ruled.pdf", "report.doc"])
def test_office_file_gives_the_text_versions_values(text_version, name):
    rows = _rows(name)
    assert rows["documents"][0]["status"] == "parsed", rows["documents"][0]["reason"]
    base = text_version["reports"][0]
    assert len(rows["reports"]) == 1
    assert {k: rows["reports"][0][k] for k in FIELDS} == {k: base[k] for k in FIELDS}
    # the ruled score table (over a page break in the PDF) gives the same 17 rows
    assert len(text_version["indicator_scores"]) == 17
    assert _indicators(rows) == _indicators(text_version)


def test_pdf_table_stitched_over_the_page_break_adds_up_to_its_total():
    rows = _rows("report_ruled.pdf")
    scores = [i["score"] for i in rows["indicator_scores"]]
    assert len(scores) == 17 and sum(scores) == D("84.90") == rows["reports"][0]["total_score"]


def test_pdf_pages_and_the_page_of_each_fact():
    rows = _rows("report_ruled.pdf")
    pages = rows["pages"]
    assert [p["page"] for p in pages] == list(range(1, 11))
    assert {p["method"] for p in pages} == {"text_layer"} and rows["documents"][0]["text_method"] == "text_layer"
    page_of = {f["field"]: f["page"] for f in rows["facts"] if f["subject_id"] == rows["reports"][0]["report_id"]}
    # 综合评价得分 84.90 is stated on page 1 of the PDF; the other formats have no pages
    assert page_of["total_score"] == 1
    assert all(f["page"] is None for f in _rows("report_ruled.docx")["facts"])


def test_pdf_running_header_and_page_numbers_are_dropped():
    text = formats.read_pdf((OFFICE / "report_ruled.pdf").read_bytes())
    assert "丰台区财政局绩效评价报告" not in text
    assert "第 9 页" not in text and "第 10 页" not in text


@pytest.mark.parametrize("name", ["form.xlsx", "form.xls"])
def test_spreadsheet_form_gives_the_text_forms_values(name):
    want = process_bytes(FORM_TXT.name, FORM_TXT.read_bytes()).rows
    rows = _rows(name)
    assert rows["documents"][0]["status"] == "parsed", rows["documents"][0]["reason"]
    r, w = rows["reports"][0], want["reports"][0]
    assert (r["project_name"], r["department"], r["implementer"], r["report_year"]) == (
        "实训楼屋面防水及外墙维修经费", "沧州市教育局", "沧州市机电工程学校", 2021)
    assert (r["budget_wan"], r["spent_wan"], r["execution_rate_pct"]) == (D("56.8"), D("51.12"), D("90"))
    assert {k: r[k] for k in FIELDS if k != "title"} == {k: w[k] for k in FIELDS if k != "title"}
    assert [i["score"] for i in rows["indicator_scores"]] == [i["score"] for i in want["indicator_scores"]]


def test_spreadsheet_values_as_displayed():
    from pipelines.ingest.sheet import display

    assert display(0.9, "0%") == "90%" and display(0.9, "0.00%") == "90.00%"
    assert display(56.800000000000004, "General") == "56.8" and display(51.12, "0.00") == "51.12"
    assert display(1234.5, "#,##0.00") == "1,234.50" and display(3.0, None) == "3"


def test_unsupported_formats_say_what_to_do(tmp_path):
    from pipelines.ingest.read import Rejected, read_raw

    for name, hint in (("报告.wps", "另存为 .docx"), ("表.et", "另存为 .xlsx"), ("件.ofd", "另存为 .pdf")):
        with pytest.raises(Rejected) as exc:
            read_raw(Path(name), b"\x00\x01binary" * 10)
        assert hint in exc.value.reason, name


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    import os

    cache = tmp_path_factory.mktemp("ocr")
    old = os.environ.get("BPE_OCR_CACHE")
    os.environ["BPE_OCR_CACHE"] = str(cache)
    try:
        yield _rows("report_scanned.pdf"), cache
    finally:
        if old is None:
            os.environ.pop("BPE_OCR_CACHE", None)
        else:
            os.environ["BPE_OCR_CACHE"] = old


def test_scanned_pdf_is_read_by_ocr(scanned, text_version):
    rows, cache = scanned
    doc = rows["documents"][0]
    assert doc["status"] == "parsed" and doc["text_method"] == "ocr"
    assert [p["method"] for p in rows["pages"]] == ["ocr"] * 10
    assert all(p["ocr_confidence"] > 0.9 for p in rows["pages"])
    r, base = rows["reports"][0], text_version["reports"][0]
    for k in ("total_score", "grade", "score_decision", "score_process", "score_output", "score_outcome",
              "budget_wan", "spent_wan", "execution_rate_pct", "district", "report_year"):
        assert r[k] == base[k], k
    # at least 98% of the score table's numbers (weights and scores of its 17 rows)
    want = [(i["max_score"], i["score"]) for i in text_version["indicator_scores"]]
    got = [(i["max_score"], i["score"]) for i in rows["indicator_scores"]]
    same = sum(a == b for a, b in zip(got, want)) * 2
    assert len(got) == len(want) and same >= 0.98 * 2 * len(want)
    # OCR results are cached by page image: a second read does no OCR
    assert any(cache.rglob("*.json"))
    again = formats.read_pdf_pages((OFFICE / "report_scanned.pdf").read_bytes(), formats.Limits(ocr_cache=str(cache)))
    assert all(p.get("cached") for p in again)


def test_scanned_pdf_with_ocr_off_is_rejected_with_the_reason(monkeypatch):
    monkeypatch.setenv("BPE_OCR", "0")
    rows = _rows("report_scanned.pdf")
    assert rows["documents"][0]["status"] == "rejected"
    assert rows["documents"][0]["reason"] == formats.R_PDF_OCR_OFF


USABLE = [
    pytest.param("一、基本情况\n该项目综合评价得分84.90分，绩效级别评定为良。", True, id="chinese-text"),
    pytest.param("指标  分值  得分\n12  10  9.5\n13  20  18.0", True, id="numbers-of-a-table"),
    pytest.param("3", False, id="page-number-only"),
    pytest.param("(cid:123)(cid:456)(cid:789)(cid:1011)(cid:1213)得分", False, id="cid-codes"),
    pytest.param("\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009\ue00a\ue00b项目", False, id="private-use"),
    pytest.param("\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd项目评价", False, id="replacement-chars"),
    pytest.param("Ã¤Â¸Â­Ã¦â€“â€¡ Ã©Â¡Â¹Ã§â€ºÂ® Ã¨Â¯â€žÃ¤Â»Â·", False, id="letters-not-chinese"),
]


@pytest.mark.parametrize("text, ok", USABLE)
def test_a_page_text_layer_is_usable_only_when_it_reads(text, ok):
    from pipelines.ingest.pdf import usable

    assert usable(text) is ok
