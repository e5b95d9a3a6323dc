"""pipelines.export: every mart to xlsx (Chinese headers), csv and parquet, read back and checked."""

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import warehouse_from_rows
from openpyxl import load_workbook

from pipelines.export import column_headers, export
from pipelines.settings import paths


# Rows typed in from the sample corpus (not produced by the extractor, so these tests check the
# export alone): 000_*.txt — 高精尖 90.04 优, 自然科学基金 87.78 良, 市属医院 83.7 良; 事前绩效评估
# 项目 1142 个，涉及资金 89.5 亿元，审减资金 7.8 亿元; 003_*.txt — 石景山区 2022, 91.5 优,
# 安排预算资金480.00万元, 实际支出240.00万元, 预算资金执行率为50%.
REPORTS = [
    {"report_id": "b1", "district": "北京市", "report_year": 2024, "title": "高精尖产业发展专项资金绩效评价报告",
     "total_score": D("90.04"), "grade": "优"},
    {"report_id": "b2", "district": "北京市", "report_year": 2024, "title": "北京市自然科学基金绩效评价报告",
     "total_score": D("87.78"), "grade": "良"},
    {"report_id": "b3", "district": "北京市", "report_year": 2024, "title": "市属医院等优质医疗资源扩大辐射项目绩效评价报告",
     "total_score": D("83.7"), "grade": "良"},
    {"report_id": "s1", "district": "石景山区", "report_year": 2022, "title": "高精尖产业发展政策课题项目支出绩效评价的报告",
     "total_score": D("91.5"), "grade": "优", "budget_wan": D("480"), "spent_wan": D("240"),
     "execution_rate_pct": D("50"), "execution_rate_calc_pct": D("50")},
]
AUDIT = [
    {"district": "北京市", "report_year": 2024, "report_id": None, "kind": "事前绩效评估", "n_items": 1142,
     "submitted_wan": D("895000"), "reduced_wan": D("78000"), "reduction_rate_pct": D("8.7151")},
    {"district": "丰台区", "report_year": 2024, "report_id": None, "kind": "事前绩效评估", "n_items": 182,
     "reduced_wan": D("110400")},
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = warehouse_from_rows(tmp_path_factory.mktemp("export"), reports=REPORTS, audit_reductions=AUDIT)
    return paths(root).warehouse


def query(wh: Path, sql: str, params=None):
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def marts_in(wh: Path) -> list[str]:
    rows = query(wh, "select table_name from duckdb_tables() where schema_name = 'main' order by table_name")
    return [t for (t,) in rows if t.startswith("mart_") or t == "recurring_findings"]


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_xlsx_one_workbook_with_every_mart_and_chinese_headers(warehouse, tmp_path):
    written = export(warehouse, tmp_path, "xlsx")
    assert [p.name for p in written] == ["bpe_marts.xlsx"]
    wb = load_workbook(written[0], read_only=True)
    assert wb.sheetnames == ["说明"] + marts_in(warehouse)
    wb.close()
    assert set(marts_in(warehouse)) >= {
        "mart_report_scores", "mart_district_year", "mart_audit_reductions", "mart_execution",
        "mart_indicator_loss", "mart_finding_themes", "recurring_findings",
    }
    rows = sheet_rows(tmp_path / "bpe_marts.xlsx", "mart_district_year")
    header = rows[0]
    assert header[:4] == ("地区", "报告年度", "报告数", "平均得分")
    assert "事前评估审减率（%）" in header and "平均得分较上一年度变化" in header
    assert not any(h.isascii() for h in header), f"an English header slipped through: {header}"
    by_district = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    # 000_*.txt: 事前绩效评估项目 1142 个，涉及资金 89.5 亿元，审减资金 7.8 亿元
    assert by_district["北京市"]["事前评估审减率（%）"] == pytest.approx(8.72)
    assert by_district["北京市"]["事前绩效评估项目数"] == 1142
    assert by_district["北京市"]["事前评估涉及资金（万元）"] == pytest.approx(895000)
    assert by_district["北京市"]["平均得分"] == pytest.approx(87.17)  # (90.04 + 87.78 + 83.7) / 3
    assert by_district["石景山区"]["平均得分"] == pytest.approx(91.5)
    assert by_district["石景山区"]["报告年度"] == 2022


def test_xlsx_headers_are_the_column_comments_and_rows_are_complete(warehouse, tmp_path):
    export(warehouse, tmp_path, "xlsx")
    for table in marts_in(warehouse):
        comments = query(
            warehouse,
            "select coalesce(comment, column_name) from duckdb_columns() where table_name = ? order by column_index",
            [table],
        )
        (n,) = query(warehouse, f"select count(*) from {table}")[0]
        rows = sheet_rows(tmp_path / "bpe_marts.xlsx", table)
        assert rows[0] == tuple(c for (c,) in comments), table
        assert len(rows) - 1 == n, table


def test_xlsx_numbers_and_booleans_keep_their_type(warehouse, tmp_path):
    export(warehouse, tmp_path, "xlsx")
    rows = sheet_rows(tmp_path / "bpe_marts.xlsx", "mart_execution")
    header = rows[0]
    shijingshan = next(dict(zip(header, r)) for r in rows[1:] if r[header.index("地区")] == "石景山区")
    # 003_*.txt: 安排预算资金480.00万元 … 实际支出240.00万元 … 预算资金执行率为50%
    assert shijingshan["预算金额（万元）"] == 480 and isinstance(shijingshan["预算金额（万元）"], (int, float))
    assert shijingshan["实际支出（万元）"] == 240
    assert shijingshan["执行率低于90%"] is True


def test_csv_has_column_names_and_values(warehouse, tmp_path):
    written = export(warehouse, tmp_path, "csv")
    assert [p.suffix for p in written] == [".csv"] * len(marts_in(warehouse))
    assert (tmp_path / "mart_district_year.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    with open(tmp_path / "mart_district_year.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:4] == ["district", "report_year", "n_reports", "avg_score"]
    beijing = next(r for r in rows if r["district"] == "北京市")
    assert float(beijing["exante_reduction_rate_pct"]) == 8.72
    assert beijing["exante_submitted_wan"] == "895000.0000"
    fengtai = next(r for r in rows if r["district"] == "丰台区")
    assert fengtai["exante_submitted_wan"] == ""  # not in the report: stays empty, not 0
    assert fengtai["exante_reduced_wan"] == "110400.0000"


def test_parquet_keeps_names_types_and_rows(warehouse, tmp_path):
    written = export(warehouse, tmp_path, "parquet")
    for path in written:
        (n,) = query(warehouse, f"select count(*) from {path.stem}")[0]
        assert pq.read_metadata(path).num_rows == n
    t = pq.read_table(tmp_path / "mart_district_year.parquet")
    money = t.schema.field("budget_wan").type
    assert pa.types.is_decimal(money) and money.scale == 4  # money stays exact, in 万元
    beijing = next(r for r in t.to_pylist() if r["district"] == "北京市")
    assert beijing["exante_reduced_wan"] == D("78000.0000")
    assert beijing["n_reports"] == 3


def test_export_overwrites_and_leaves_no_temporary_files(warehouse, tmp_path):
    export(warehouse, tmp_path, "xlsx")
    export(warehouse, tmp_path, "xlsx")
    export(warehouse, tmp_path, "csv")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
    assert len(names) == 1 + len(marts_in(warehouse))  # the workbook and a csv per mart


@pytest.fixture
def odd_warehouse(tmp_path) -> Path:
    """A tiny warehouse with the awkward cases: shared comments, no comment, formula-like text,
    lists, time zones, a view named mart_*, and a table that is not a mart."""
    wh = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(wh))
    con.execute(
        """
        create table mart_odd (a decimal(18,4), b decimal(18,4), c varchar, d varchar[], e timestamptz, f boolean);
        insert into mart_odd values
            (1.5, 2.25, '=HYPERLINK("http://example.invalid","点我")', ['绩效', '目标'],
             '2024-05-06 07:08:09+00', true),
            (null, 0, 'bell' || chr(7) || '字', [], null, false);
        comment on column mart_odd.a is '金额';
        comment on column mart_odd.b is '金额';
        comment on column mart_odd.c is '标题';
        comment on column mart_odd.d is '关键词';
        comment on column mart_odd.f is '标记';
        create view mart_view as select c as title from mart_odd;
        create table reports_not_a_mart as select 1 as x;
        create table mart_empty (district varchar);
        comment on column mart_empty.district is '地区';
        """
    )
    con.close()
    return wh


def test_header_rules(odd_warehouse):
    con = duckdb.connect(str(odd_warehouse), read_only=True)
    try:
        assert column_headers(con, "mart_odd") == [
            ("a", "金额（a）"),
            ("b", "金额（b）"),
            ("c", "标题"),
            ("d", "关键词"),
            ("e", "e"),
            ("f", "标记"),
        ]
    finally:
        con.close()


def test_xlsx_awkward_values(odd_warehouse, tmp_path):
    written = export(odd_warehouse, tmp_path / "out", "xlsx")
    assert [p.name for p in written] == ["bpe_marts.xlsx"]
    assert load_workbook(written[0]).sheetnames == ["说明", "mart_empty", "mart_odd", "mart_view"]
    assert sheet_rows(written[0], "mart_empty") == [("地区",)]
    wb = load_workbook(written[0])
    ws = wb["mart_odd"]
    assert ws.title == "mart_odd"
    assert ws.freeze_panes == "A2"
    title = ws["C2"]
    assert title.value == '=HYPERLINK("http://example.invalid","点我")'
    assert title.data_type == "s"  # text, not a live formula
    assert [c.value for c in ws[2]] == [
        1.5, 2.25, '=HYPERLINK("http://example.invalid","点我")', "绩效、目标", dt.datetime(2024, 5, 6, 7, 8, 9), True,
    ]
    assert [c.value for c in ws[3]] == [None, 0, "bell字", None, None, False]


def test_bad_format_and_missing_warehouse(tmp_path, odd_warehouse):
    with pytest.raises(ValueError, match="xlsx"):
        export(odd_warehouse, tmp_path, "json")
    with pytest.raises(FileNotFoundError):
        export(tmp_path / "nope.duckdb", tmp_path, "csv")
    assert [p.name for p in export(odd_warehouse, tmp_path / "p", ".PARQUET")][:1] == ["mart_empty.parquet"]


def test_xlsx_formats_filters_widths_and_the_dictionary_sheet(warehouse, tmp_path):
    (path,) = export(warehouse, tmp_path, "xlsx")
    wb = load_workbook(path)
    ws = wb["mart_district_year"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    money = ws.cell(2, header.index("事前评估涉及资金（万元）") + 1)
    rate = ws.cell(2, header.index("事前评估审减率（%）") + 1)
    assert money.number_format == "#,##0.00" and rate.number_format == '0.00"%"'
    width = ws.column_dimensions[ws.cell(1, header.index("事前评估审减率（%）") + 1).column_letter].width
    assert width >= len("事前评估审减率（%）") * 2 - 4  # fitted to the Chinese header
    d = [tuple(c.value for c in r) for r in wb["说明"].iter_rows()]
    assert d[0] == ("表", "表说明", "列", "类型", "中文名", "单位")
    row = next(r for r in d if r[0] == "mart_district_year" and r[2] == "exante_reduced_wan")
    assert row[1] == "地区年度对比：得分、资金、执行率与事前评估审减" and row[5] == "万元"
    assert any(r[0] == "reports" and r[2] == "total_score" for r in d)  # the landed tables too
