"""Full-text search over findings: `bpe search` and the SQL route return the findings with the term."""

import duckdb
import pytest

from pipelines import search as S
from pipelines.cli import main
from pipelines.warehouse import load_fts


@pytest.fixture(scope="module")
def root(corpus_root):
    return corpus_root


def con_for(root):
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    load_fts(con)
    return con


@pytest.mark.parametrize("term", ["满意度调查", "绩效指标", "三重一大", "预算编制"])
def test_search_returns_exactly_the_findings_containing_the_term(root, term):
    con = con_for(root)
    try:
        hits = S.search(con, term, limit=100)
        literal = con.execute(
            "select count(*) from findings where contains(coalesce(heading, '') || coalesce(body, ''), ?)", [term]
        ).fetchone()[0]
    finally:
        con.close()
    assert literal > 0
    assert len(hits) == literal
    assert all(term in (h["heading"] or "") + (h["body"] or "") for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_for_absent_term_finds_nothing(root):
    con = con_for(root)
    try:
        assert S.search(con, "航天发射", limit=10) == []
    finally:
        con.close()


def test_satisfaction_survey_hits_name_district_year_and_sentence(root):
    con = con_for(root)
    try:
        hits = S.search(con, "满意度调查", limit=100)
    finally:
        con.close()
    assert len(hits) == 7
    assert {h["district"] for h in hits} == {"丰台区", "北京市"}
    assert all(h["report_year"] == 2024 and "满意度调查" in h["sentence"] for h in hits)


def test_bpe_search_cli(root, monkeypatch, capsys):
    monkeypatch.setenv("BPE_DATA_DIR", str(root))
    assert main(["search", "满意度调查"]) == 0
    out = capsys.readouterr().out
    assert out.count("满意度调查") >= 7 and "丰台区 2024" in out


def test_every_finding_has_theme_and_keywords(root):
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select theme, keywords from findings").fetchall()
        kinds = con.execute("select kind, count(*) from findings group by kind order by kind").fetchall()
    finally:
        con.close()
    # counted by hand: 000 3+3, 3+3, 2+2; 001 4+4, 4+4, 2+2, 4+4; 003 3+3
    assert len(rows) == 50 and kinds == [("建议", 25), ("问题", 25)]
    assert all(theme and theme != "其他" for theme, _ in rows)
    assert all(kw and 1 <= len(kw) <= 5 for _, kw in rows)
