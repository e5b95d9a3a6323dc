"""Whole reports of our own writing — other districts, years, phrasing, units, encodings and table
layouts than the corpus. Expected values set by hand from the texts in tests/fixtures/variants/."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from pipelines.process import process_bytes

VARIANTS = Path(__file__).parent / "fixtures" / "variants"


def rows(name):
    return process_bytes(name, (VARIANTS / name).read_bytes()).rows


EXPECTED = {
    ("haidian_self_eval_pipe_table.txt", 1): dict(
        title="北京市海淀区城市管理委员会2023年度垃圾分类宣传服务项目绩效自评报告",
        department="北京市海淀区城市管理委员会", implementer="北京市海淀区垃圾分类指导中心",
        district="海淀区", admin_level="区级", report_year=2023, fiscal_year=2023, evaluation_type="单位自评",
        total_score=D("85.6"), grade="良",
        # dimensions only in a pipe table
        score_decision=D("13.5"), score_process=D("17.1"), score_output=D("34"), score_outcome=D("21"),
        budget_wan=D("358"), received_wan=D("358"), spent_wan=D("340.1"),
        execution_rate_pct=D("95"), execution_rate_calc_pct=D("95"),
    ),
    ("tongzhou_bundle_space_table.txt", 1): dict(
        title="北京市通州区财政局关于通州区公共文化设施运营项目的绩效评价报告",
        project_name="公共文化设施运营", department="北京市通州区文化和旅游局", implementer="北京市通州区文化馆",
        district="通州区", admin_level="区级", report_year=2025, fiscal_year=2025, evaluation_type="财政评价",
        total_score=D("76.4"), grade="中", score_decision=D("12"), score_process=D("14.4"),
        score_output=D("30"), score_outcome=D("20"), budget_wan=D("5000"), received_wan=D("4800"),
        spent_wan=D("4032"), execution_rate_pct=D("84"), execution_rate_calc_pct=D("84"), n_indicators=6,
    ),
    ("tongzhou_bundle_space_table.txt", 2): dict(
        project_name="老旧小区综合整治", department="北京市通州区住房和城乡建设委员会", district="通州区",
        report_year=2025, fiscal_year=2025, evaluation_type="财政评价", total_score=D("92"), grade="优",
        score_decision=D("18"), score_process=D("19"), score_output=D("35"), score_outcome=D("20"),
        budget_wan=D("18000"), received_wan=None, spent_wan=D("18000"), execution_rate_pct=None,
        execution_rate_calc_pct=D("100"), n_indicators=None,
    ),
    ("etdz_gb18030_fullwidth.txt", 1): dict(
        title="北京经济技术开发区科技创新局企业研发费用补贴项目部门评价报告",
        project_name="企业研发费用补贴", department="北京经济技术开发区科技创新局",
        district="北京经济技术开发区", admin_level="区级", report_year=2024, fiscal_year=2024,
        evaluation_type="部门评价", total_score=D("88.2"), grade="良", score_decision=D("16"),
        score_process=D("18.2"), score_output=D("34"), score_outcome=D("20"), budget_wan=D("12000"),
        spent_wan=D("11520"), execution_rate_pct=D("96"), execution_rate_calc_pct=D("96"),
    ),
    # funds only in the standard self-evaluation form (tab layout); 绩效评级为“优”
    ("xicheng_self_eval_form_only.txt", 1): dict(
        project_name="社区养老服务驿站运营补贴", department="北京市西城区民政局",
        implementer="北京市西城区养老服务指导中心", district="西城区", admin_level="区级", report_year=2023,
        fiscal_year=2023, evaluation_type="单位自评", total_score=D("93.5"), grade="优",
        budget_wan=D("480"), received_wan=None, spent_wan=D("456"), execution_rate_pct=D("95"),
        execution_rate_calc_pct=D("95"),
    ),
    # commissioned by the finance bureau to a firm; "X实施的“项目”进行了绩效评价"; 决策类指标
    ("daxing_commissioned.txt", 1): dict(
        title="大兴区2024年老旧小区综合整治项目绩效评价报告", project_name="老旧小区综合整治",
        department="北京市大兴区住房和城乡建设委员会", implementer="北京市大兴区住房和城乡建设委员会",
        district="大兴区", admin_level="区级", report_year=2024, fiscal_year=2024, evaluation_type="财政评价",
        total_score=D("87.5"), grade="良", score_decision=D("13.5"), score_process=D("18"),
        score_output=D("34"), score_outcome=D("22"), budget_wan=D("3256.8"), received_wan=D("3256.8"),
        spent_wan=D("3102.5"), execution_rate_pct=D("95.26"), execution_rate_calc_pct=D("95.2622"),
    ),
    # the form as a | table in 元; 评价总分 / 评价结果为“良好”; the report states no year at all
    ("changping_pipe_form.txt", 1): dict(
        project_name="农村公路养护", department="北京市昌平区交通局", district="昌平区",
        evaluation_type="财政评价", total_score=D("86"), grade="良", budget_wan=D("1250"),
        spent_wan=D("1187.5"), execution_rate_pct=D("95"), execution_rate_calc_pct=D("95"),
        report_year=None, fiscal_year=None,
    ),
}


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{n.split('_')[0]}-{s}" for n, s in EXPECTED])
def test_variant_report_fields(key):
    name, seq = key
    got = next(r for r in rows(name)["reports"] if r["seq"] == seq)
    for field, want in EXPECTED[key].items():
        assert got[field] == want, f"{field}: {got[field]!r} != {want!r}"


def test_variant_documents():
    assert [len(rows(n)["reports"]) for n in ("haidian_self_eval_pipe_table.txt", "tongzhou_bundle_space_table.txt",
                                               "etdz_gb18030_fullwidth.txt")] == [1, 2, 1]
    doc = rows("etdz_gb18030_fullwidth.txt")["documents"][0]
    assert (doc["status"], doc["encoding"]) == ("parsed", "gb18030")


def test_variant_bundle_ex_ante_figures():
    gov = [r for r in rows("tongzhou_bundle_space_table.txt")["audit_reductions"] if r["report_id"] is None]
    assert [{k: v for k, v in r.items() if k != "doc_id"} for r in gov] == [
        dict(district="通州区", province="北京市", city=None, adcode="110112", report_year=2025, report_id=None, kind="事前绩效评估", n_items=96,
             submitted_wan=D("123000.0000"), approved_wan=None, reduced_wan=D("12000.0000"),
             reduction_rate_pct=D("9.76")),
    ]


def test_variant_space_table_indicators_sum_to_total():
    r = rows("tongzhou_bundle_space_table.txt")
    rid = next(x["report_id"] for x in r["reports"] if x["seq"] == 1)
    ind = [i for i in r["indicator_scores"] if i["report_id"] == rid]
    assert [i["level3"] for i in ind][:3] == ["立项依据充分性", "绩效目标合理性", "预算执行率"]
    assert sum(i["max_score"] for i in ind) == 100 and sum(i["score"] for i in ind) == D("76.4")


def test_explanation_without_a_name_takes_the_district_its_reports_share():
    text = (VARIANTS / "tongzhou_bundle_space_table.txt").read_text(encoding="utf-8")
    unnamed = text.replace("关于通州区2025年预算绩效管理工作情况的说明", "关于2025年预算绩效管理工作情况的说明", 1)
    assert unnamed != text
    r = process_bytes("unnamed.txt", unnamed.encode("utf-8")).rows
    gov = [a for a in r["audit_reductions"] if a["report_id"] is None]
    assert [(a["district"], a["report_year"], a["n_items"]) for a in gov] == [("通州区", 2025, 96)]
    assert {x["district"] for x in r["reports"]} == {"通州区"}
