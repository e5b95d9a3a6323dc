"""Districts of the same name in different provinces and cities never merge in a mart.

A lake we write ourselves: 普陀区 of 上海市 (two years), 普陀区 of 舟山市 (浙江省), a 普陀区 the gazetteer
could not place (province null), and 丰台区 of 北京市. Built with the real `build_warehouse`.
"""

from decimal import Decimal as D

import duckdb
import pytest

from pipelines import lake, schema
from pipelines.settings import SQL_DIR, paths
from pipelines.warehouse import build_warehouse

SH = ("上海市", None, "普陀区", "310107", "区县级")
ZS = ("浙江省", "舟山市", "普陀区", "330903", "区县级")
UNPLACED = (None, None, "普陀区", None, "区县级")
BJ = ("北京市", None, "丰台区", "110106", "区级")

REPORTS = [  # report_id, place, year, total, budget, spent, department
    ("sh23", SH, 2023, "80.00", "100", "90", "区财政局"),
    ("sh24", SH, 2024, "90.00", "100", "100", "区财政局"),
    ("zs24", ZS, 2024, "70.00", "100", "50", "区财政局"),
    ("un24", UNPLACED, 2024, "60.00", None, None, "区教育局"),
    ("bj24", BJ, 2024, "85.00", "200", "180", "区财政局"),
]


def write_lake(root):
    rows = {t: [] for t in schema.LANDED_TABLES}
    for rid, (prov, city, district, adcode, level), year, total, budget, spent, dept in REPORTS:
        rows["reports"].append({
            "report_id": rid, "doc_id": "d" + rid, "seq": 1, "title": f"{rid}项目绩效评价报告", "project_name": f"{rid}项目",
            "department": dept, "district": district, "admin_level": level, "report_year": year,
            "province": prov, "city": city, "adcode": adcode, "report_kind": "evaluation_report", "scope": "项目",
            "total_score": D(total), "grade": None, "budget_wan": budget and D(budget), "spent_wan": spent and D(spent),
        })
        rows["indicator_scores"].append({"report_id": rid, "row_no": 1, "level1": "过程", "level2": "资金管理",
                                         "level3": "资金到位率", "max_score": D("10"), "score": D("5")})
        rows["findings"].append({"report_id": rid, "kind": "问题", "seq": 1, "heading": "绩效目标不够细化",
                                 "body": "部分指标缺少目标值。", "theme": "绩效目标与指标", "keywords": [],
                                 "finding_id": "f" + rid})
    for (prov, city, district, adcode, _), reduced in ((SH, "30"), (ZS, "20"), (BJ, "10")):
        rows["audit_reductions"].append({
            "district": district, "report_year": 2024, "report_id": None, "kind": "事前绩效评估", "n_items": 3,
            "submitted_wan": D("100"), "reduced_wan": D(reduced), "province": prov, "city": city, "adcode": adcode,
            "doc_id": "d0",
        })
    for t, rs in rows.items():
        lake.write_parquet_atomic(lake.to_arrow(t, rs), paths(root).table_dir(t) / lake.PARQUET_NAME)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("places")
    write_lake(root)
    build_warehouse(paths(root))
    c = duckdb.connect(str(paths(root).warehouse), read_only=True)
    yield c
    c.close()


def q(con, sql):
    return con.execute(sql).fetchall()


def test_district_year_keeps_each_putuo_apart(con):
    rows = q(con, "select province, city, district, report_year, adcode, n_reports, avg_score, exante_reduced_wan, "
                  "avg_score_delta from mart_district_year order by province nulls last, city, report_year")
    assert rows == [
        ("上海市", None, "普陀区", 2023, "310107", 1, 80.0, None, None),
        ("上海市", None, "普陀区", 2024, "310107", 1, 90.0, D("30.0000"), 10.0),
        ("北京市", None, "丰台区", 2024, "110106", 1, 85.0, D("10.0000"), None),
        ("浙江省", "舟山市", "普陀区", 2024, "330903", 1, 70.0, D("20.0000"), None),  # not 上海's previous year
        (None, None, "普陀区", 2024, None, 1, 60.0, None, None),
    ]


def test_audit_reductions_grouped_by_province(con):
    rows = q(con, "select province, city, district, reduced_wan, adcode from mart_audit_reductions order by adcode")
    assert rows == [
        ("北京市", None, "丰台区", D("10.0000"), "110106"),
        ("上海市", None, "普陀区", D("30.0000"), "310107"),
        ("浙江省", "舟山市", "普陀区", D("20.0000"), "330903"),
    ]


def test_indicator_loss_by_place_and_over_all(con):
    rows = q(con, "select district, province, city, adcode, n_reports from mart_indicator_loss order by adcode nulls last, district")
    assert rows == [
        ("丰台区", "北京市", None, "110106", 1),
        ("普陀区", "上海市", None, "310107", 2),
        ("普陀区", "浙江省", "舟山市", "330903", 1),
        ("全部", None, None, None, 5),  # the 全部 rows stay
        ("普陀区", None, None, None, 1),
    ]


def test_finding_themes_and_recurring_by_place(con):
    themes = q(con, "select province, city, district, report_year, n_findings from mart_finding_themes "
                    "order by province nulls last, city, report_year")
    assert [r[:4] for r in themes] == [
        ("上海市", None, "普陀区", 2023), ("上海市", None, "普陀区", 2024), ("北京市", None, "丰台区", 2024),
        ("浙江省", "舟山市", "普陀区", 2024), (None, None, "普陀区", 2024),
    ]
    # 区财政局 of 上海 recurs 2023 → 2024; 舟山's 区财政局 in 2024 is another department
    rec = q(con, "select level, subject, province, city, first_year, repeat_year, n_first, n_repeat "
                 "from recurring_findings order by level")
    assert rec == [
        ("department", "区财政局", "上海市", None, 2023, 2024, 1, 1),
        ("district", "普陀区", "上海市", None, 2023, 2024, 1, 1),
    ]


def test_report_marts_carry_kind_scope_and_place(con):
    for mart in ("mart_report_scores", "mart_execution"):
        rows = q(con, f"select report_id, report_kind, scope, province, city, adcode from {mart} where report_id = 'zs24'")
        assert rows == [("zs24", "evaluation_report", "项目", "浙江省", "舟山市", "330903")], mart


def test_added_columns_come_after_the_contract_columns(con):
    added = {"report_kind", "scope", "province", "city", "adcode"}
    for mart in ("mart_report_scores", "mart_district_year", "mart_audit_reductions", "mart_execution",
                 "mart_indicator_loss", "mart_finding_themes", "recurring_findings"):
        cols = [r[0] for r in q(con, f"select column_name from duckdb_columns() where table_name = '{mart}' order by column_index")]
        first_added = min(i for i, c in enumerate(cols) if c in added)
        assert all(c in added for c in cols[first_added:]), (mart, cols)
        comments = q(con, f"select column_name, comment from duckdb_columns() where table_name = '{mart}'")
        assert all(c for _, c in comments), mart


def test_examples_name_districts_outside_beijing_with_their_city_or_province(con):
    for name in ("05", "07"):
        sql = next((SQL_DIR / "examples").glob(f"{name}_*.sql")).read_text(encoding="utf-8")
        rel = con.sql(sql)
        rows = [dict(zip(rel.columns, r)) for r in rel.fetchall()]
        places = set("、".join(r["districts"] for r in rows).split("、"))
        assert places == {"上海市普陀区", "舟山市普陀区", "普陀区", "丰台区"}, name
    ranking = con.sql(next((SQL_DIR / "examples").glob("01_*.sql")).read_text(encoding="utf-8")).fetchall()
    assert [(r[2], r[7], r[8]) for r in ranking if r[0] == 2024] == [
        ("普陀区", "上海市", None), ("丰台区", "北京市", None), ("普陀区", "浙江省", "舟山市"), ("普陀区", None, None),
    ]
