"""mart_indicator_loss on the four Fengtai score tables, and the analyst commands bpe query / bpe export."""

from decimal import Decimal as D

import pytest

from pipelines.cli import main
from pipelines.process import process_bytes
from tests.conftest import query


@pytest.fixture(scope="module")
def root(corpus_root):
    return corpus_root


def q(root, sql):
    return query(root, sql)


def test_indicator_loss_ranks_the_fengtai_indicators(root):
    rows = q(root, "select level1, level2, level3, n_reports, max_score_sum, score_sum, loss_rate_pct "
                   "from mart_indicator_loss where district = '丰台区'")
    # 73 indicator rows in 4 tables; distinct (level1, level2, level3) keys
    assert len(rows) == len({r[:3] for r in rows})
    # computed by hand from the four tables:
    # 东铁营 资金使用合规性 2 -> 0 is the worst (100 %)
    assert rows[0][:4] == ("过程", "资金使用管理", "资金使用合规性", 1) and rows[0][6] == 100
    by_key = {r[:3]: r for r in rows}
    # 绩效指标明确性 in all four: max 2 + 2.5 + 4.5 + 1.5 = 10.5, score 1.46 + 1.86 + 1.50 + 1.00 = 5.82
    r = by_key[("决策", "绩效目标", "绩效指标明确性")]
    assert (r[3], r[4], r[5], r[6]) == (4, D("10.50"), D("5.82"), 44.57)
    # 制度执行有效性: max 4 + 5 + 4 + 5 = 18, score 3.5 + 4.40 + 2 + 3.40 = 13.3
    r = by_key[("过程", "组织实施", "制度执行有效性")]
    assert (r[3], r[4], r[5], r[6]) == (4, D("18.00"), D("13.30"), 26.11)
    everywhere = q(root, "select count(*) from mart_indicator_loss where district = '全部'")[0][0]
    assert everywhere == len(rows)  # only Fengtai prints score tables in the corpus


def test_bpe_query_prints_a_table(root, monkeypatch, capsys):
    monkeypatch.setenv("BPE_DATA_DIR", str(root))
    assert main(["query", "select district, count(*) as n from reports group by district order by district"]) == 0
    out = capsys.readouterr().out
    assert "丰台区" in out and "北京市" in out and "石景山区" in out and "│" in out
    assert main(["query", "select * from no_such_table"]) == 1


def test_bpe_export_writes_every_mart(root, monkeypatch, capsys, tmp_path):
    import openpyxl

    monkeypatch.setenv("BPE_DATA_DIR", str(root))
    assert main(["export", "--format", "xlsx", str(tmp_path / "x")]) == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["bpe_marts.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "x" / "bpe_marts.xlsx")
    assert wb.sheetnames == ["说明", "mart_audit_reductions", "mart_district_year", "mart_execution",
                             "mart_finding_themes", "mart_indicator_loss", "mart_report_scores", "recurring_findings"]
    header = [c.value for c in wb["mart_district_year"][1]]
    assert header[:4] == ["地区", "报告年度", "报告数", "平均得分"]
    assert main(["export", "--format", "csv", str(tmp_path / "c")]) == 0
    csv_text = (tmp_path / "c" / "mart_report_scores.csv").read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbf") and csv_text.decode("utf-8-sig").count("\n") == 9


def test_too_large_file_is_rejected_with_its_size(tmp_path):
    from tests.conftest import SHIJINGSHAN

    rows = process_bytes("big.txt", SHIJINGSHAN.read_bytes(), max_bytes=1000).rows
    doc = rows["documents"][0]
    assert doc["status"] == "rejected" and "too large" in doc["reason"] and rows["reports"] == []


def test_bpe_explain_prints_values_exactly_as_extracted(capsys):
    from tests.conftest import RAW

    path = next(p for p in sorted(RAW.iterdir()) if "128688.75" in p.read_text(encoding="utf-8"))
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "= 128688.75 万元" in out and "128689 万元" not in out


def test_bpe_tables_and_describe_with_data_dir(root, capsys):
    assert main(["tables", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "reports" in out and "绩效评价报告：每份报告一行" in out and "8 rows" in out
    assert "mart_district_year" in out and "地区年度对比" in out
    assert main(["--data-dir", str(root), "describe", "mart_district_year"]) == 0
    out = capsys.readouterr().out
    assert "exante_reduction_rate_pct" in out and "事前评估审减率（%）" in out
    assert main(["describe", "pages"]) == 0 and "ocr_confidence" in capsys.readouterr().out
    assert main(["describe", "no_such_table"]) == 2


def test_bpe_errors_are_one_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "warehouse.duckdb").write_bytes(b"not a database")
    assert main(["--data-dir", str(tmp_path), "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误 / error:") and "Traceback" not in err


def test_status_line_of_a_failing_check_is_cut_at_200_characters():
    from pipelines.cli import _short

    paths = " | ".join(f"batch_{i:03d}/copy_{i:05d}.txt" for i in range(500))
    line = _short(paths)
    assert line.startswith(paths[:200]) and len(line) < 240
    assert line.endswith(f"… (+{len(paths) - 200:,} characters)")
    assert _short("丰台区 · 2024 · 81.23") == "丰台区 · 2024 · 81.23"
