"""Every report-level field of the 8 corpus reports, as read from the reports by a person."""

from decimal import Decimal as D

import pytest

from pipelines.process import process_text
from tests.conftest import FENGTAI, MUNICIPAL, SHIJINGSHAN, corpus_text

EXPECTED = {
    (MUNICIPAL, 1): dict(
        project_name="高精尖产业发展专项资金", department="北京市经济和信息化局", implementer="北京市经济和信息化局",
        district="北京市", admin_level="市级", report_year=2024, fiscal_year=2024, evaluation_type="财政评价",
        total_score=D("90.04"), grade="优", score_decision=D("14.50"), score_process=D("24.56"),
        score_output=D("34.60"), score_outcome=D("16.38"), budget_wan=D("128688.75"), received_wan=None,
        spent_wan=D("128688.75"), execution_rate_pct=D("100"), execution_rate_calc_pct=D("100"), n_indicators=None,
    ),
    (MUNICIPAL, 2): dict(
        project_name="北京市自然科学基金", department="北京市科学技术委员会、中关村科技园区管理委员会",
        implementer="北京市自然科学基金委员会办公室", district="北京市", admin_level="市级", report_year=2024,
        fiscal_year=2021, evaluation_type="财政评价", total_score=D("87.78"), grade="良", score_decision=D("12.82"),
        score_process=D("23.26"), score_output=D("36.7"), score_outcome=D("15"), budget_wan=D("30995.88"),
        received_wan=None, spent_wan=D("30936.21"), execution_rate_pct=D("99.81"),
        execution_rate_calc_pct=D("99.8075"), n_indicators=None,
    ),
    (MUNICIPAL, 3): dict(
        project_name="市属医院等优质医疗资源扩大辐射", department="北京市医院管理中心", district="北京市",
        admin_level="市级", report_year=2024, fiscal_year=2024, evaluation_type="财政评价", total_score=D("83.7"),
        grade="良", score_decision=D("12.83"), score_process=D("40.29"), score_output=D("17.18"),
        score_outcome=D("13.4"), budget_wan=D("230000"), received_wan=None, spent_wan=D("230000"),
        execution_rate_pct=None, execution_rate_calc_pct=D("100"), n_indicators=None,
    ),
    (FENGTAI, 1): dict(
        project_name="直属公立医院绩效考核", department="北京市丰台区卫生健康委员会",
        implementer="北京市丰台区卫生健康委员会", district="丰台区", admin_level="区级", report_year=2024,
        fiscal_year=2024, evaluation_type="财政评价", total_score=D("86.88"), grade="良", score_decision=D("8.10"),
        score_process=D("18.08"), score_output=D("37.70"), score_outcome=D("23.00"), budget_wan=D("1500"),
        received_wan=D("1415.35"), spent_wan=D("1415.35"), execution_rate_pct=None,
        execution_rate_calc_pct=D("100"),
    ),
    (FENGTAI, 2): dict(
        project_name="地下水“双源”监管建设体系服务项目(二期)", department="北京市丰台区生态环境局",
        implementer="北京市丰台区生态环境局", district="丰台区", admin_level="区级", report_year=2024,
        fiscal_year=2024, evaluation_type="财政评价", total_score=D("84.90"), grade="良", score_decision=D("8.09"),
        score_process=D("17.19"), score_output=D("35.52"), score_outcome=D("24.10"), budget_wan=D("2632.49"),
        received_wan=None, spent_wan=D("2626.68"), execution_rate_pct=D("99.78"),
        execution_rate_calc_pct=D("99.7793"),
    ),
    (FENGTAI, 3): dict(
        project_name="东铁营棚户区改造和环境整治项目", department="北京市丰台区住房和建设委员会",
        implementer="中铁建置业有限公司", district="丰台区", admin_level="区级", report_year=2024, fiscal_year=2024,
        evaluation_type="财政评价", total_score=D("82"), grade="良", score_decision=D("10"), score_process=D("18.90"),
        score_output=D("26.60"), score_outcome=D("26.50"), budget_wan=D("50000"), received_wan=D("50000"),
        spent_wan=D("50000"), execution_rate_pct=None, execution_rate_calc_pct=D("100"),
    ),
    (FENGTAI, 4): dict(
        project_name="丽泽金融商务区2023年重点区域综合整治提升项目", department="北京丽泽金融商务区管理委员会",
        implementer="北京丽泽金融商务区管理委员会", district="丰台区", admin_level="区级", report_year=2024,
        fiscal_year=2023, evaluation_type="财政评价", total_score=D("81.23"), grade="良", score_decision=D("7.26"),
        score_process=D("15.85"), score_output=D("34.62"), score_outcome=D("23.50"), budget_wan=D("3182.41"),
        received_wan=D("2493.76"), spent_wan=D("2424.11"), execution_rate_pct=None,
        execution_rate_calc_pct=D("97.2070"),
    ),
    (SHIJINGSHAN, 1): dict(
        project_name="2022年石景山区优化升级区域高精尖产业发展政策项目", department="北京市石景山区投资促进服务中心",
        implementer="北京市石景山区投资促进服务中心", district="石景山区", admin_level="区级", report_year=2022,
        fiscal_year=2022, evaluation_type="单位自评", total_score=D("91.5"), grade="优", score_decision=D("5"),
        score_process=D("57.58"), score_output=D("14.22"), score_outcome=D("14.7"), budget_wan=D("480"),
        received_wan=None, spent_wan=D("240"), execution_rate_pct=D("50"), execution_rate_calc_pct=D("50"),
    ),
}

_cache = {}


def report(path, seq):
    if path not in _cache:
        _cache[path] = process_text("doc", corpus_text(path))
    rows = _cache[path].rows["reports"]
    return next(r for r in rows if r["seq"] == seq)


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{p.name[:3]}-{s}" for p, s in EXPECTED])
def test_report_fields(key):
    got = report(*key)
    for field, want in EXPECTED[key].items():
        assert got[field] == want, f"{field}: {got[field]!r} != {want!r}"


def test_report_counts():
    assert [len(process_text("d", corpus_text(p)).rows["reports"]) for p in (MUNICIPAL, FENGTAI, SHIJINGSHAN)] == [3, 4, 1]


def test_government_wide_ex_ante_reductions():
    muni = process_text("d", corpus_text(MUNICIPAL)).rows["audit_reductions"]
    assert muni == [
        dict(district="北京市", province="北京市", city=None, adcode="110000", doc_id="d",
             report_year=2024, report_id=None, kind="事前绩效评估", n_items=1142,
             submitted_wan=D("895000.0000"), approved_wan=None, reduced_wan=D("78000.0000"),
             reduction_rate_pct=D("8.7151")),
    ]
    feng = [r for r in process_text("d", corpus_text(FENGTAI)).rows["audit_reductions"] if r["report_id"] is None]
    assert feng == [
        dict(district="丰台区", province="北京市", city=None, adcode="110106", doc_id="d",
             report_year=2024, report_id=None, kind="事前绩效评估", n_items=182,
             submitted_wan=None, approved_wan=None, reduced_wan=D("110400.0000"), reduction_rate_pct=None),
    ]


def test_project_level_final_accounts_review():
    rows = process_text("d", corpus_text(FENGTAI)).rows
    proj = [r for r in rows["audit_reductions"] if r["report_id"] is not None]
    assert len(proj) == 1
    r = proj[0]
    assert (r["kind"], r["submitted_wan"], r["approved_wan"], r["reduced_wan"], r["reduction_rate_pct"]) == (
        "决算评审", D("2945.5100"), D("2489.9500"), D("455.5600"), D("15.47"))


def test_same_amount_printed_twice_differently_is_a_discrepancy():
    rows = process_text("d", corpus_text(FENGTAI)).rows
    mism = [d for d in rows["discrepancies"] if d["check"] == "amount_mismatch"]
    assert [(d["expected"], d["found"]) for d in mism] == [("2945.51", "2945.52")]


STATED = ["total_score", "score_decision", "score_process", "score_output", "score_outcome", "budget_wan",
          "received_wan", "spent_wan", "execution_rate_pct"]


@pytest.mark.parametrize("path", [MUNICIPAL, FENGTAI, SHIJINGSHAN], ids=lambda p: p.name[:3])
def test_every_stated_number_has_a_fact_pointing_at_it(path):
    text = corpus_text(path)
    rows = process_text("doc", text).rows
    facts = {(f["subject_id"], f["field"]): f for f in rows["facts"]}
    checked = 0
    for r in rows["reports"]:
        for field in STATED:
            if r[field] is None:
                continue
            f = facts[(r["report_id"], field)]
            assert D(str(f["value"])) == r[field]
            span = text[f["char_start"] : f["char_end"]]
            assert span in f["evidence"] or span.strip() in f["evidence"]
            checked += 1
    for a in rows["audit_reductions"]:
        subject = a["report_id"] or "doc"
        for field in ("submitted_wan", "approved_wan", "reduced_wan"):
            if a[field] is not None:
                assert D(str(facts[(subject, field)]["value"])) == a[field]
                checked += 1
    assert checked >= 8
