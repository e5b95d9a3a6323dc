"""Every analyst query in sql/examples/ runs against a real warehouse and answers its question.

Two warehouses:
- `corpus`: built from a copy of the sample corpus (data/raw). Expected values were read
  from the reports themselves (e.g. 000_*.txt line 9: 事前绩效评估项目 1142 个，涉及资金 89.5 亿元，
  审减资金 7.8 亿元 → 8.72 %; 003_*.txt: 石景山区 得分 91.5, 预算 480.00 万元, 支出 240.00 万元 → 50 %).
  Tables that are not filled on the corpus yet (indicator_scores, findings) are only checked for
  "runs and returns the right columns" there.
- `synthetic`: a lake we write ourselves (two years for one district, indicator rows, findings),
  built with the real `build_warehouse`, so the examples over those tables are checked on values.
"""

import re
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from pipelines import lake, schema
from pipelines.settings import SQL_DIR, paths
from pipelines.warehouse import build_warehouse

EXAMPLES_DIR = SQL_DIR / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.sql"))

EXPECTED_COLUMNS = {
    "01": ["report_year", "score_rank", "district", "n_reports", "avg_score", "min_score", "max_score",
           "province", "city"],
    "02": ["level1", "level2", "level3", "n_reports", "max_score_sum", "score_sum", "lost_points", "loss_rate_pct"],
    "03": ["district", "report_year", "exante_items", "exante_submitted_wan", "exante_reduced_wan",
           "exante_reduction_rate_pct", "province", "city"],
    "04": ["district", "report_year", "title", "budget_wan", "received_wan", "spent_wan", "execution_rate_pct",
           "execution_rate_calc_pct", "has_discrepancy", "province", "city"],
    "05": ["report_year", "grade", "n_reports", "share_pct", "districts"],
    "06": ["district", "report_year", "avg_score", "previous_avg_score", "avg_score_delta", "province", "city"],
    "07": ["theme", "n_findings", "n_reports", "n_districts", "districts"],
    "08": ["district", "report_year", "title", "kind", "seq", "theme", "heading", "snippet", "province", "city"],
    "09": ["district", "report_year", "title", "check", "expected", "found", "detail", "report_id", "province",
           "city"],
    "10": ["district", "report_year", "kind", "heading", "theme", "score", "province", "city"],
}


def example(prefix: str) -> Path:
    matches = [p for p in EXAMPLES if p.name.startswith(prefix + "_")]
    assert len(matches) == 1, f"exactly one example {prefix}_*.sql expected, found {matches}"
    return matches[0]


def run(warehouse: Path, prefix: str) -> tuple[list[str], list[tuple]]:
    from pipelines.warehouse import load_fts

    con = duckdb.connect(str(warehouse), read_only=True)
    load_fts(con)  # example 10 uses the full-text index
    try:
        rel = con.sql(example(prefix).read_text(encoding="utf-8"))
        return rel.columns, rel.fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(corpus_root) -> Path:
    """The warehouse built from the sample corpus (shared fixture in conftest)."""
    return paths(corpus_root).warehouse


# ---------------------------------------------------------------- a lake we control

R = {  # report_id -> (district, year, title, total, grade, budget, received, spent, calc rate)
    "a1": ("海淀区", 2023, "甲项目绩效评价报告", "80.00", "良", "100", None, "95", "95.0000"),
    "a2": ("海淀区", 2023, "乙项目绩效评价报告", "90.00", "优", "200", "200", "190", "95.0000"),
    "a3": ("海淀区", 2024, "丙项目绩效评价报告", "88.00", "良", "50", None, "50", "100.0000"),
    "b1": ("朝阳区", 2024, "丁项目绩效评价报告", "70.00", "中", "100", None, "80", "80.0000"),
    "b2": ("朝阳区", 2024, "戊项目绩效评价报告", None, None, None, None, None, None),
}

INDICATORS = [  # report_id, row_no, level1, level2, level3, max, score
    ("a1", 1, "决策", "项目立项", "立项依据充分性", "5", "5"),
    ("a1", 2, "过程", "资金管理", "资金到位率", "5", "3"),
    ("a1", 3, "产出", "产出质量", "验收合格率", "10", "9"),
    ("a2", 1, "决策", "项目立项", "立项依据充分性", "5", "5"),
    ("a2", 2, "过程", "资金管理", "资金到位率", "5", "4"),
]

LONG_PREFIX = "该项目开展了问卷调查工作，共发放问卷十份，回收十份，调查对象包括主管部门、实施单位和公众代表，"

FINDINGS = [  # report_id, kind, seq, heading, body, theme
    ("a1", "问题", 1, "绩效目标设置不够细化", "部分产出指标缺少目标值。", "绩效目标"),
    ("a1", "问题", 2, "满意度调查样本量偏少", None, "满意度调查"),
    ("a2", "问题", 1, "绩效指标不够量化", LONG_PREFIX + "服务对象满意度指标未设置。", "绩效目标"),
    ("a2", "建议", 1, "完善绩效目标", "细化量化绩效指标。", "绩效目标"),
    ("b1", "问题", 1, "档案资料不完整", "验收资料缺失。", None),
]


def write_lake(root: Path) -> None:
    rows: dict[str, list[dict]] = {t: [] for t in schema.LANDED_TABLES}
    for rid, (district, year, title, total, grade, budget, received, spent, calc) in R.items():
        rows["reports"].append(
            {
                "report_id": rid, "doc_id": "d0", "seq": 1, "title": title, "district": district,
                "admin_level": "区级", "report_year": year, "total_score": total and D(total), "grade": grade,
                "budget_wan": budget and D(budget), "received_wan": received and D(received),
                "spent_wan": spent and D(spent), "execution_rate_calc_pct": calc and D(calc),
            }
        )
    for rid, row_no, l1, l2, l3, mx, sc in INDICATORS:
        rows["indicator_scores"].append(
            {"report_id": rid, "row_no": row_no, "level1": l1, "level2": l2, "level3": l3,
             "max_score": D(mx), "score": D(sc)}
        )
    for rid, kind, seq, heading, body, theme in FINDINGS:
        rows["findings"].append(
            {"report_id": rid, "kind": kind, "seq": seq, "heading": heading, "body": body, "theme": theme,
             "keywords": []}
        )
    rows["discrepancies"].append(
        {"report_id": "a1", "check": "grade_band", "expected": "优", "found": "良", "detail": "80 分应为良"}
    )
    for t, rs in rows.items():
        lake.write_parquet_atomic(lake.to_arrow(t, rs), paths(root).table_dir(t) / lake.PARQUET_NAME)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    write_lake(root)
    build_warehouse(paths(root))
    return paths(root).warehouse


# ---------------------------------------------------------------- the files themselves


def test_at_least_nine_examples_one_per_question():
    prefixes = sorted(p.name[:2] for p in EXAMPLES)
    assert len(EXAMPLES) >= 9
    assert set(EXPECTED_COLUMNS) <= set(prefixes)
    assert len(prefixes) == len(set(prefixes)), "two example files share a number"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_has_chinese_and_english_header(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    header_text = "\n".join(header)
    assert re.search(r"[\u4e00-\u9fff]{4,}", header_text), "no Chinese in the comment header"
    assert re.search(r"\bQuestion:", header_text), "no English 'Question:' in the comment header"
    assert "问题：" in header_text, "no Chinese '问题：' in the comment header"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs_on_the_corpus_with_its_columns(corpus, path):
    cols, _ = run(corpus, path.name[:2])
    if path.name[:2] in EXPECTED_COLUMNS:
        assert cols == EXPECTED_COLUMNS[path.name[:2]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs_on_the_synthetic_lake(synthetic, path):
    cols, _ = run(synthetic, path.name[:2])
    if path.name[:2] in EXPECTED_COLUMNS:
        assert cols == EXPECTED_COLUMNS[path.name[:2]]


# ---------------------------------------------------------------- answers on the corpus


def test_01_ranking_on_corpus(corpus):
    _, rows = run(corpus, "01")
    # 北京市: (90.04 + 87.78 + 83.7) / 3 = 87.17; 丰台区: (86.88 + 84.90 + 82 + 81.23) / 4 = 83.75
    assert [(y, rank, d, n, avg, prov, city) for y, rank, d, n, avg, _, _, prov, city in rows] == [
        (2024, 1, "北京市", 3, 87.17, "北京市", None),
        (2024, 2, "丰台区", 4, 83.75, "北京市", None),
        (2022, 1, "石景山区", 1, 91.5, "北京市", None),
    ]
    assert rows[0][5:7] == (D("83.70"), D("90.04"))


def test_03_exante_rates_on_corpus(corpus):
    _, rows = run(corpus, "03")
    assert rows == [
        # 1142 个，涉及资金 89.5 亿元，审减资金 7.8 亿元 → 7.8 / 89.5 = 8.72 %
        ("北京市", 2024, 1142, D("895000.0000"), D("78000.0000"), 8.72, "北京市", None),
        # 事前绩效评估项目182个，审减金额11.04亿元 — no amount assessed, so no rate
        ("丰台区", 2024, 182, None, D("110400.0000"), None, "北京市", None),
    ]


def test_04_below_90_on_corpus(corpus):
    _, rows = run(corpus, "04")
    # 安排预算资金480.00万元 … 实际支出240.00万元 … 预算资金执行率为50%
    assert [(r[0], r[1], r[3], r[5], r[6], r[7]) for r in rows] == [
        ("石景山区", 2022, D("480.0000"), D("240.0000"), D("50.0000"), D("50.0000"))
    ]
    assert "高精尖产业发展政策课题" in rows[0][2]


def test_05_grades_on_corpus(corpus):
    _, rows = run(corpus, "05")
    assert rows == [
        (2024, "优", 1, 14.29, "北京市"),
        (2024, "良", 6, 85.71, "丰台区、北京市"),
        (2022, "优", 1, 100.0, "石景山区"),
    ]


def test_06_single_year_districts_have_no_delta(corpus):
    _, rows = run(corpus, "06")
    assert sorted((d, y, avg, prev, delta) for d, y, avg, prev, delta, _, _ in rows) == [
        ("丰台区", 2024, 83.75, None, None),
        ("北京市", 2024, 87.17, None, None),
        ("石景山区", 2022, 91.5, None, None),
    ]


def test_09_contradictions_on_corpus(corpus):
    _, rows = run(corpus, "09")
    # 001_*.txt: 决算送审金额为2,945.51万元 … 决算评审送审金额2,945.52万元
    by_check = {(r[0], r[1], r[3], r[4], r[5]) for r in rows}
    assert ("丰台区", 2024, "amount_mismatch", "2945.51", "2945.52") in by_check
    row = next(r for r in rows if r[3] == "amount_mismatch")
    assert row[2].startswith("北京丽泽金融商务区管理委员会")


# ---------------------------------------------------------------- answers on the synthetic lake


def test_01_ranking_ties_and_years(synthetic):
    _, rows = run(synthetic, "01")
    assert [(y, rank, d, avg) for y, rank, d, _, avg, *_ in rows] == [
        (2024, 1, "海淀区", 88.0),
        (2024, 2, "朝阳区", 70.0),
        (2023, 1, "海淀区", 85.0),
    ]


def test_02_indicator_loss(synthetic):
    _, rows = run(synthetic, "02")
    assert rows == [
        ("过程", "资金管理", "资金到位率", 2, D("10.00"), D("7.00"), D("3.00"), 30.0),
        ("产出", "产出质量", "验收合格率", 1, D("10.00"), D("9.00"), D("1.00"), 10.0),
        ("决策", "项目立项", "立项依据充分性", 2, D("10.00"), D("10.00"), D("0.00"), 0.0),
    ]


def test_04_below_90_synthetic(synthetic):
    _, rows = run(synthetic, "04")
    assert [(r[0], r[2], r[7]) for r in rows] == [("朝阳区", "丁项目绩效评价报告", D("80.0000"))]


def test_05_ungraded_reports_come_last(synthetic):
    _, rows = run(synthetic, "05")
    assert rows == [
        (2024, "良", 1, 33.33, "海淀区"),
        (2024, "中", 1, 33.33, "朝阳区"),
        (2024, "未评级", 1, 33.33, "朝阳区"),
        (2023, "优", 1, 50.0, "海淀区"),
        (2023, "良", 1, 50.0, "海淀区"),
    ]


def test_06_year_on_year_delta(synthetic):
    _, rows = run(synthetic, "06")
    # 海淀区 2023: (80 + 90) / 2 = 85; 2024: 88 → +3
    assert rows[0] == ("海淀区", 2024, 88.0, 85.0, 3.0, None, None)
    assert {(d, y): delta for d, y, _, _, delta, *_ in rows} == {
        ("海淀区", 2024): 3.0,
        ("海淀区", 2023): None,
        ("朝阳区", 2024): None,
    }


def test_07_problem_themes(synthetic):
    _, rows = run(synthetic, "07")
    assert rows == [
        ("绩效目标", 2, 2, 1, "海淀区"),  # the 建议 on a2 is not counted
        ("未分类", 1, 1, 1, "朝阳区"),
        ("满意度调查", 1, 1, 1, "海淀区"),
    ]


def test_08_search_heading_and_body(synthetic):
    _, rows = run(synthetic, "08")
    assert [(d, y, t, k, s, h) for d, y, t, k, s, _, h, *_ in rows] == [
        ("海淀区", 2023, "乙项目绩效评价报告", "问题", 1, "绩效指标不够量化"),  # found in the body
        ("海淀区", 2023, "甲项目绩效评价报告", "问题", 2, "满意度调查样本量偏少"),  # heading only, no body
    ]
    body_hit, heading_hit = rows
    assert "满意度" in body_hit[7] and len(body_hit[7]) <= 80 and not body_hit[7].startswith(LONG_PREFIX[:5])
    assert heading_hit[7] is None


def test_09_contradictions_synthetic(synthetic):
    _, rows = run(synthetic, "09")
    assert rows == [("海淀区", 2023, "甲项目绩效评价报告", "grade_band", "优", "良", "80 分应为良", "a1", None, None)]
