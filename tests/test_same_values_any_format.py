"""One real report arriving as .txt (UTF-8, GB18030, UTF-16), .docx, .html and .pdf yields the same
extracted values (files built by the tests with the dev dependencies)."""

from decimal import Decimal as D

import pytest

from pipelines.process import process_bytes
from tests.make_formats import make_docx, make_html, make_pdf, parse_layout
from tests.test_formats import REPORT

FIELDS = ["title", "project_name", "department", "implementer", "district", "report_year", "fiscal_year",
          "evaluation_type", "total_score", "grade", "score_decision", "score_process", "score_output",
          "score_outcome", "budget_wan", "received_wan", "spent_wan", "execution_rate_pct",
          "execution_rate_calc_pct"]
# As read from the 地下水 report of the Fengtai bundle (standalone here: no bundle year, so the
# report year is the year of its funds).
EXPECTED = dict(department="北京市丰台区生态环境局", district="丰台区", report_year=2024, fiscal_year=2024,
                evaluation_type="财政评价", total_score=D("84.90"), grade="良", score_decision=D("8.09"),
                score_process=D("17.19"), score_output=D("35.52"), score_outcome=D("24.10"),
                budget_wan=D("2632.49"), spent_wan=D("2626.68"), execution_rate_pct=D("99.78"))

BLOCKS = parse_layout(REPORT)
FILES = {
    "utf8.txt": REPORT.encode("utf-8"),
    "gb18030.txt": REPORT.encode("gb18030"),
    "utf16.txt": REPORT.encode("utf-16"),
    "report.docx": make_docx(BLOCKS),
    "report.html": make_html(BLOCKS),
    "report.pdf": make_pdf(BLOCKS),
}


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for name, data in FILES.items():
        rows = process_bytes(name, data).rows
        assert rows["documents"][0]["status"] == "parsed", (name, rows["documents"][0]["reason"])
        out[name] = rows
    return out


def test_txt_values_are_the_reports(extracted):
    r = extracted["utf8.txt"]["reports"]
    assert len(r) == 1
    for k, v in EXPECTED.items():
        assert r[0][k] == v, k


@pytest.mark.parametrize("name", [n for n in FILES if n != "utf8.txt"])
def test_every_format_gives_the_same_report_values(extracted, name):
    base = extracted["utf8.txt"]["reports"][0]
    got = extracted[name]["reports"]
    assert len(got) == 1
    assert {k: got[0][k] for k in FIELDS} == {k: base[k] for k in FIELDS}


@pytest.mark.parametrize("name", ["gb18030.txt", "utf16.txt", "report.docx", "report.html"])
def test_score_table_and_findings_identical(extracted, name):
    def strip(rows):
        return [{k: v for k, v in r.items() if k != "report_id"} for r in rows]

    base, got = extracted["utf8.txt"], extracted[name]
    assert strip(got["indicator_scores"]) == strip(base["indicator_scores"])
    assert len(base["indicator_scores"]) == 17
    assert [(f["kind"], f["heading"]) for f in got["findings"]] == [(f["kind"], f["heading"]) for f in base["findings"]]


def test_pdf_score_table_comes_through_as_space_layout(extracted):
    """A PDF's table is rebuilt from character boxes (cells split at wide gaps, merged cells as
    indentation) and read by the space-run layout: the same rows as the text file."""
    pdf = extracted["report.pdf"]
    base = extracted["utf8.txt"]
    assert [(f["kind"], f["heading"]) for f in pdf["findings"]] == [(f["kind"], f["heading"]) for f in base["findings"]]
    got = [(r["level3"], r["max_score"], r["score"]) for r in pdf["indicator_scores"]]
    want = [(r["level3"], r["max_score"], r["score"]) for r in base["indicator_scores"]]
    assert got == want
