"""Hostile input against the analyst's tools: formula text in a CSV export, and SQL that reaches
for files through `bpe query` / `bpe sql` (COPY … TO, read_csv, ATTACH, INSTALL, SET).

Two warehouses: `hostile`, built with the real `build_warehouse` from a lake we write ourselves
(report titles and names that a spreadsheet would run as formulas, a negative amount, a score that
falls from one year to the next); and the sample corpus (`corpus_root`), for the examples.
"""

import csv
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from tests.conftest import warehouse_from_rows
from openpyxl import load_workbook

from pipelines.cli import main
from pipelines.export import export
from pipelines.settings import SQL_DIR, paths
from pipelines.warehouse import connect_read_only

HYPERLINK = '=HYPERLINK("http://x")'
REPORTS = [
    {"report_id": "h1", "district": "海淀区", "report_year": 2023, "title": HYPERLINK, "project_name": "@SUM(A1)",
     "department": "\tcmd", "total_score": D("90"), "grade": "优", "budget_wan": D("-480"), "spent_wan": D("-240")},
    {"report_id": "h2", "district": "海淀区", "report_year": 2024, "title": "+1", "project_name": "-2+3",
     "department": "\rcr", "total_score": D("80"), "grade": "良", "budget_wan": D("100"), "spent_wan": D("50")},
    {"report_id": "h3", "district": "海淀区", "report_year": 2024, "title": "a=b 正常标题", "project_name": "项目-1",
     "department": "财政局", "total_score": D("80"), "grade": "良"},
]
FINDINGS = [
    {"report_id": "h2", "kind": "问题", "seq": 1, "heading": "满意度调查样本量偏少", "body": None,
     "theme": "满意度调查", "keywords": [], "finding_id": "h2-问题-1", "search_text": "满意度 调查 满意度调查 样本量 偏少",
     "tokens": ["满意度", "调查", "满意度调查", "样本量", "偏少"]},
]


@pytest.fixture(autouse=True)
def _restore_data_dir(monkeypatch):
    """`bpe --data-dir` sets BPE_DATA_DIR for the process; put it back after each test."""
    monkeypatch.setenv("BPE_DATA_DIR", "/nonexistent/bpe-data")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A data root whose warehouse holds the hostile rows above."""
    return warehouse_from_rows(tmp_path_factory.mktemp("hostile"), reports=REPORTS, findings=FINDINGS)


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- CSV injection


def test_csv_export_escapes_formula_text(hostile, tmp_path):
    export(paths(hostile).warehouse, tmp_path, "csv")
    raw = (tmp_path / "mart_report_scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM stays
    by_id = {r["report_id"]: r for r in csv_rows(tmp_path / "mart_report_scores.csv")}
    assert (by_id["h1"]["title"], by_id["h1"]["project_name"], by_id["h1"]["department"]) == (
        "'" + HYPERLINK, "'@SUM(A1)", "'\tcmd")
    assert (by_id["h2"]["title"], by_id["h2"]["project_name"], by_id["h2"]["department"]) == ("'+1", "'-2+3", "'\rcr")
    # text with "=" or "-" inside, not first, is left as it is
    assert (by_id["h3"]["title"], by_id["h3"]["project_name"], by_id["h3"]["department"]) == (
        "a=b 正常标题", "项目-1", "财政局")
    assert by_id["h1"]["district"] == "海淀区" and by_id["h1"]["grade"] == "优"


def test_csv_export_keeps_negative_numbers_numeric(hostile, tmp_path):
    export(paths(hostile).warehouse, tmp_path, "csv")
    text = (tmp_path / "mart_report_scores.csv").read_text(encoding="utf-8-sig")
    h1 = next(line for line in text.splitlines() if line.startswith("h1,"))
    assert ",-480.0000,-240.0000," in h1 and "'-480" not in text  # unquoted, no leading '
    by_id = {r["report_id"]: r for r in csv_rows(tmp_path / "mart_report_scores.csv")}
    assert (D(by_id["h1"]["budget_wan"]), D(by_id["h1"]["spent_wan"])) == (D("-480"), D("-240"))
    assert D(by_id["h1"]["total_score"]) == D("90")
    # 海淀区: 2023 avg 90, 2024 avg (80 + 80) / 2 = 80 -> a change of -10, a number
    years = {r["report_year"]: r for r in csv_rows(tmp_path / "mart_district_year.csv") if r["district"] == "海淀区"}
    assert float(years["2024"]["avg_score_delta"]) == -10.0 and years["2023"]["avg_score_delta"] == ""
    line_2024 = next(line for line in (tmp_path / "mart_district_year.csv").read_text(encoding="utf-8-sig").splitlines()
                     if line.startswith("海淀区,2024,"))
    assert ",-10.0," in line_2024 and "'" not in line_2024


def test_xlsx_keeps_formula_text_exact_and_quote_prefixed(hostile, tmp_path):
    (path,) = export(paths(hostile).warehouse, tmp_path, "xlsx")
    wb = load_workbook(path)
    ws = wb["mart_report_scores"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: dict(zip(header, r)) for r in ws.iter_rows(min_row=2)}
    title = rows["h1"]["报告标题"]
    assert (title.value, title.data_type, title.quotePrefix) == (HYPERLINK, "s", True)
    assert (rows["h2"]["项目名称"].value, rows["h2"]["项目名称"].quotePrefix) == ("-2+3", True)
    assert (rows["h3"]["报告标题"].value, rows["h3"]["报告标题"].quotePrefix) == ("a=b 正常标题", False)
    budget = rows["h1"]["预算金额（万元）"]
    assert budget.value == -480 and budget.data_type == "n"
    wb.close()


# ---------------------------------------------------------------- file access from bpe query


def query_err(capsys) -> str:
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("错误 / error: 文件访问已关闭 / file access is off") and "--allow-files" in err
    return err


def test_bpe_query_copy_to_is_refused_and_writes_nothing(hostile, tmp_path, capsys):
    target = tmp_path / "x.csv"
    assert main(["--data-dir", str(hostile), "query", f"COPY (SELECT 1) TO '{target}'"]) == 1
    err = query_err(capsys)
    assert "`bpe query --allow-files` turns it on" in err and str(target) in err
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_bpe_query_read_csv_of_another_file_is_refused(hostile, tmp_path, capsys):
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    assert main(["--data-dir", str(hostile), "query", f"select * from read_csv('{secret}')"]) == 1
    err = query_err(capsys)
    assert str(secret) in err and "hunter2" not in err
    assert "hunter2" not in capsys.readouterr().out


@pytest.mark.parametrize("sql", [
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL httpfs",
    "select * from glob('{tmp}/*')",
    "select * from read_text('{tmp}/secret.txt')",
    "EXPORT DATABASE '{tmp}/dump'",
], ids=["attach", "install", "glob", "read_text", "export_database"])
def test_bpe_query_refuses_other_file_access(hostile, tmp_path, capsys, sql):
    (tmp_path / "secret.txt").write_text("hunter2", encoding="utf-8")
    assert main(["--data-dir", str(hostile), "query", sql.format(tmp=tmp_path)]) == 1
    query_err(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]  # nothing attached, dumped or created


def test_set_enable_external_access_is_refused(hostile, tmp_path, capsys):
    assert main(["--data-dir", str(hostile), "query", "SET enable_external_access = true"]) == 1
    err = query_err(capsys)
    assert "configuration has been locked" in err
    # and on the connection itself: the lock holds, file access stays off after the attempt
    con = connect_read_only(paths(hostile))
    try:
        with pytest.raises(duckdb.Error, match="configuration has been locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error, match="configuration has been locked"):
            con.execute("RESET lock_configuration")
        assert con.execute("select current_setting('enable_external_access'), "
                           "current_setting('lock_configuration')").fetchone() == (False, True)
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute(f"COPY (SELECT 1) TO '{tmp_path / 'y.csv'}'")
    finally:
        con.close()
    assert not (tmp_path / "y.csv").exists()


def test_allow_files_allows_the_copy(hostile, tmp_path, capsys):
    target = tmp_path / "x.csv"
    sql = f"COPY (SELECT 1 AS one, 'a' AS two) TO '{target}' (HEADER)"
    assert main(["--data-dir", str(hostile), "query", "--allow-files", sql]) == 0
    assert capsys.readouterr().err == ""
    assert target.read_text(encoding="utf-8").splitlines() == ["one,two", "1,a"]
    con = connect_read_only(paths(hostile), allow_files=True)
    try:
        assert con.execute(f"select * from read_csv('{target}')").fetchall() == [(1, "a")]
    finally:
        con.close()


def test_locked_connection_still_reads_the_warehouse_and_searches(hostile, capsys):
    con = connect_read_only(paths(hostile), fts=True)
    try:
        assert con.execute("select report_id, title from reports order by report_id").fetchall() == [
            ("h1", HYPERLINK), ("h2", "+1"), ("h3", "a=b 正常标题")]
        hits = con.execute("select finding_id, fts_main_findings.match_bm25(finding_id, '满意度') as s "
                           "from findings").fetchall()
        assert len(hits) == 1 and hits[0][0] == "h2-问题-1" and hits[0][1] > 0
    finally:
        con.close()
    assert main(["--data-dir", str(hostile), "query", "select title from reports where report_id = 'h2'"]) == 0
    assert "+1" in capsys.readouterr().out
    assert main(["--data-dir", str(hostile), "search", "满意度调查"]) == 0
    assert "满意度调查样本量偏少" in capsys.readouterr().out


# ---------------------------------------------------------------- file access from bpe sql (the DuckDB CLI)


def test_bpe_sql_refuses_copy_and_shell_and_allow_files_allows(hostile, tmp_path, capfd):
    target = tmp_path / "x.csv"
    assert main(["--data-dir", str(hostile), "sql", "-c", f"COPY (SELECT 1) TO '{target}'"]) != 0
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith("错误 / error: 文件访问已关闭 / file access is off")
    assert "`bpe sql --allow-files` turns it on" in err and not target.exists()
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    assert main(["--data-dir", str(hostile), "sql", "-c", f"select * from read_csv('{secret}')"]) != 0
    out, err = capfd.readouterr()
    assert err.count("\n") == 1 and "file access is off" in err and str(secret) in err  # no "LINE 1: …" under it
    assert "hunter2" not in out + err
    marker = tmp_path / "shell-ran"
    main(["--data-dir", str(hostile), "sql", "-c", f".shell touch {marker}"])
    assert "file access is off" in capfd.readouterr().err and not marker.exists()
    main(["--data-dir", str(hostile), "sql", "-c", f".output {tmp_path / 'out.txt'}"])
    assert "file access is off" in capfd.readouterr().err and not (tmp_path / "out.txt").exists()
    # the FTS extension is still loaded (before the lock), and the warehouse reads as before
    assert main(["--data-dir", str(hostile), "sql", "--csv", "-c",
                 "select current_setting('enable_external_access') as ext, count(*) as n, "
                 "max(fts_main_findings.match_bm25(finding_id, '满意度')) > 0 as hit from findings"]) == 0
    assert capfd.readouterr().out.splitlines() == ["ext,n,hit", "false,1,true"]
    assert main(["--data-dir", str(hostile), "sql", "--allow-files", "-c", f"COPY (SELECT 7 AS n) TO '{target}'"]) == 0
    assert target.read_text(encoding="utf-8").splitlines() == ["n", "7"]


# ---------------------------------------------------------------- the examples need no file access


@pytest.mark.parametrize("path", sorted((SQL_DIR / "examples").glob("*.sql")), ids=lambda p: p.name)
def test_examples_run_on_the_locked_connection_with_the_same_answers(corpus_root, path):
    sql = path.read_text(encoding="utf-8")
    locked = connect_read_only(paths(corpus_root), fts=True)
    try:
        assert locked.execute("select current_setting('enable_external_access')").fetchone() == (False,)
        got = locked.sql(sql).fetchall()
    finally:
        locked.close()
    con = connect_read_only(paths(corpus_root), fts=True, allow_files=True)
    try:
        assert con.execute("select current_setting('enable_external_access')").fetchone() == (True,)
        assert got == con.sql(sql).fetchall()
    finally:
        con.close()
    # answers read from the corpus (tests/test_examples.py): 1142 个，涉及资金 89.5 亿元，审减资金 7.8 亿元
    if path.name.startswith("03_"):
        assert got[0][:6] == ("北京市", 2024, 1142, D("895000.0000"), D("78000.0000"), 8.72)
    if path.name.startswith("01_"):
        assert [(y, rank, d, n) for y, rank, d, n, *_ in got] == [
            (2024, 1, "北京市", 3), (2024, 2, "丰台区", 4), (2022, 1, "石景山区", 1)]
    if path.name[:2] in ("04", "05", "06", "09", "10"):
        assert got, f"{path.name} answers nothing on the corpus"


def test_readme_query_runs_in_bpe_query(corpus_root, capsys):
    sql = ("select province, district, report_year, n_reports, avg_score, exante_reduction_rate_pct "
           "from mart_district_year")
    assert main(["--data-dir", str(corpus_root), "query", sql]) == 0
    out = capsys.readouterr().out
    assert "北京市" in out and "8.72" in out and "石景山区" in out
    example10 = (SQL_DIR / "examples" / "10_fulltext_search_findings.sql").read_text(encoding="utf-8")
    assert main(["--data-dir", str(corpus_root), "query", example10]) == 0
    assert "满意度" in capsys.readouterr().out
