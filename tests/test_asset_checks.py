"""The SQL asset checks on a warehouse built from a lake we write ourselves, with rows that must fail.

(On the sample corpus every check passes: tests/test_end_to_end.py::test_asset_checks_pass_on_the_corpus.)
"""

from decimal import Decimal as D

import pytest

from tests.conftest import warehouse_from_rows

from pipelines.orchestration import assets
from pipelines.settings import paths
from pipelines.warehouse import connect_read_only

REPORTS = [
    # a report with its project and figures
    {"report_id": "ok1", "doc_id": "d1", "seq": 1, "title": "甲项目绩效评价报告", "project_name": "甲项目",
     "district": "丰台区", "admin_level": "区级", "province": "北京市", "report_year": 2024,
     "total_score": D("88.00"), "grade": "良"},
    # the same report again, from another file (a copy in a bundle)
    {"report_id": "dup1", "doc_id": "d2", "seq": 2, "title": "甲项目绩效评价报告", "project_name": "甲项目",
     "district": "丰台区", "admin_level": "区级", "province": "北京市", "report_year": 2024,
     "total_score": D("88.00"), "grade": "良"},
    # a self-evaluation form: no title, no grade, only money — still evidence of its own
    {"report_id": "ok2", "doc_id": "d2", "seq": 1, "project_name": "乙项目", "report_kind": "self_evaluation_form",
     "district": "普陀区", "admin_level": "区县级", "province": "上海市", "report_year": 2024,
     "budget_wan": D("120.5")},
    # a title only: a heading mistaken for a report
    {"report_id": "bad1", "doc_id": "d1", "seq": 2, "title": "二、存在的问题", "district": "丰台区",
     "admin_level": "区级", "report_year": 2024},
    # figures but no project
    {"report_id": "bad2", "doc_id": "d1", "seq": 3, "district": "丰台区", "admin_level": "区级",
     "report_year": 2024, "spent_wan": D("10")},
]

DOCUMENTS = [
    {"doc_id": "d1", "path": "a.txt", "format": "txt", "status": "parsed", "doc_kind": "explanation", "text_method": "text"},
    {"doc_id": "d2", "path": "b.pdf", "format": "pdf", "status": "partial", "doc_kind": "self_evaluation_form",
     "text_method": "text_layer"},
    {"doc_id": "d3", "path": "c.txt", "format": "txt", "status": "parsed", "doc_kind": None},  # must fail
    {"doc_id": "d4", "path": "d.txt", "format": "txt", "status": "rejected", "reason": "空文件 / empty file"},
    {"doc_id": "d1", "path": "e.txt", "format": "txt", "status": "duplicate", "reason": "与 a.txt 相同"},
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = warehouse_from_rows(tmp_path_factory.mktemp("checks"), reports=REPORTS, documents=DOCUMENTS)
    con = connect_read_only(paths(root))
    try:
        return {r.check_name: r for r in assets.sql_checks(con)}
    finally:
        con.close()


def failing(result) -> list[list[str]]:
    return result.metadata["rows"].value


def test_every_sql_check_has_a_spec_on_its_asset():
    specs = {s.name: s.asset_key for s in assets.CHECK_SPECS}
    for name, asset, _, _ in assets.SQL_CHECKS:
        assert name in specs, name
        assert specs[name].path == ([asset] if isinstance(asset, str) else asset)
    assert {"reports_have_evidence", "documents_have_kind"} <= set(specs)


def test_reports_have_evidence_lists_reports_without_project_or_figure(results):
    r = results["reports_have_evidence"]
    assert not r.passed and r.metadata["failing"].value == 2
    by_id = {row[0]: row[3] for row in failing(r)}
    assert by_id == {
        "bad1": "no total_score, grade, budget_wan, received_wan or spent_wan",
        "bad2": "no project_name or title",
    }


def test_documents_have_kind_ignores_rejected_and_duplicate_files(results):
    r = results["documents_have_kind"]
    assert not r.passed
    assert failing(r) == [["c.txt", "parsed"]]


def test_other_checks_unaffected(results):
    # both 北京 and 上海 rows have a district and a year; the rejected file is listed
    assert results["report_has_district_and_year"].passed
    assert failing(results["no_rejected_files"]) == [["d.txt", "空文件 / empty file"]]


def test_duplicate_files_are_listed(results):
    r = results["duplicate_files"]
    assert not r.passed and failing(r) == [["e.txt", "与 a.txt 相同"]]


def test_the_same_report_in_two_files_is_listed(results):
    r = results["no_duplicate_reports"]
    assert not r.passed and r.metadata["failing"].value == 1
    assert failing(r)[0][:5] == ["甲项目绩效评价报告", "丰台区", "2024", "88.00", "2"]
