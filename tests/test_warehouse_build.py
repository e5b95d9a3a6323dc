"""The warehouse build: its full-text index is the FTS extension's, its keywords are the TF-IDF
definition's, and an update of the last warehouse (`plan_update` / `update_into`) gives the same
tables as a build from scratch — or falls back to one."""

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import lake, schema, warehouse
from pipelines.run import run_all
from pipelines.settings import paths
from tests.conftest import FENGTAI, SHIJINGSHAN, warehouse_from_rows

FTS_TABLES = ["stopwords", "fields", "docs", "terms", "dict", "stats"]
PRAGMA = ("pragma create_fts_index('findings', 'finding_id', 'search_text', stemmer = 'none', stopwords = 'none', "
          "ignore = '\\s+', strip_accents = 0, lower = 0, overwrite = 1)")
QUERIES = ["满意度 调查 满意度调查", "资金", "绩效 管理", "a", "中", "x y", "no such words", ""]

# The keywords as findings_keywords.sql defined them before (a window over all scored words):
# the build's shorter plan must give exactly these lists.
REFERENCE_KEYWORDS = """
with findings_in as (select * from findings),
n as (select count(*) as n from findings_in),
tokens as (select finding_id, unnest(tokens) as token from findings_in),
tf as (select finding_id, token, count(*) as tf from tokens where length(token) >= 2 group by all),
df as (select token, count(*) as df from tf group by token),
scored as (
    select tf.finding_id, tf.token, tf.tf * (ln((n.n + 1.0) / (df.df + 1.0)) + 1.0) as weight
    from tf join df using (token) cross join n
),
top5 as (select * from scored qualify row_number() over (partition by finding_id order by weight desc, token) <= 5),
ranked as (
    select finding_id, list_transform(list_sort(list({'neg_weight': -weight, 'token': token})), x -> x.token) as keywords
    from top5 group by finding_id
)
select f.report_id, f.kind, f.seq, coalesce(r.keywords, []::varchar[]) as keywords
from findings_in f left join ranked r using (finding_id)
order by all
"""


def finding(report_id: str, seq: int, search_text, tokens, kind: str = "问题", finding_id: str | None = "auto") -> dict:
    return {"report_id": report_id, "kind": kind, "seq": seq, "heading": f"h{seq}", "body": "b", "theme": None,
            "finding_id": f"{report_id}-{kind}-{seq}" if finding_id == "auto" else finding_id,
            "search_text": search_text, "tokens": tokens}


# Findings that exercise the index's tokenizer (a term is a run of characters between the whitespace
# \t \n \f \r and space) and the keywords' ties: equal weights are ordered by the word.
EDGE_FINDINGS = [
    finding("r2", 1, "资金 使用 效率 资金使用效率", ["资金", "使用", "效率", "资金使用效率"]),
    finding("r1", 2, "b a  b\tc\nd\re\ff\vg", ["bb", "aa", "cc", "dd", "ee", "ff", "gg", "bb"]),
    finding("r1", 1, "中\u3000文 e\u0301 😀😀", ["zz", "yy", "xx", "ww", "vv", "uu"], kind="建议"),
    finding("r3", 1, None, None),
    finding("r3", 2, "", []),
    finding("r3", 3, "   ", ["a", None, "长期", "长期"]),
    finding("r4", 1, "x", ["aa", "bb"], finding_id=None),
    finding("r4", 2, "y x", ["aa", "cc"], finding_id=None),
    finding("r5", 1, "满意度 调查 满意度调查", ["满意度调查", "调查", "满意度", "调查"]),
]


def _fts_state(con) -> dict:
    state = {t: sorted(con.execute(f"select * from fts_main_findings.{t}").fetchall(), key=repr) for t in FTS_TABLES}
    state["columns"] = con.execute(
        "select table_name, column_index, column_name, data_type, is_nullable, column_default from duckdb_columns() "
        "where schema_name = 'fts_main_findings' order by all").fetchall()
    state["tables"] = con.execute("select table_name from duckdb_tables() where schema_name = 'fts_main_findings' order by 1").fetchall()
    state["macros"] = con.execute(
        "select function_name, parameters, macro_definition from duckdb_functions() where schema_name = 'fts_main_findings' order by 1"
    ).fetchall()
    for q in QUERIES:
        for args in ("", ", conjunctive := true", ", k := 2.0, b := 0.5", ", fields := 'search_text'"):
            rows = con.execute(f"select finding_id, fts_main_findings.match_bm25(finding_id, ?{args}) from findings "
                               "where finding_id is not null", [q]).fetchall()
            state[f"{q}{args}"] = sorted((f, None if s is None else round(s, 9)) for f, s in rows)
    return state


def _index_by_sql_and_by_pragma(warehouse_file: Path, tmp: Path) -> tuple[dict, dict]:
    copy = tmp / "copy.duckdb"
    shutil.copy(warehouse_file, copy)
    con = duckdb.connect(str(copy), config={"threads": 1})
    try:
        warehouse.load_fts(con)
        mine = _fts_state(con)
        con.execute(PRAGMA)
        return mine, _fts_state(con)
    finally:
        con.close()


def test_full_text_index_is_the_one_create_fts_index_makes(corpus_root, tmp_path):
    mine, pragma = _index_by_sql_and_by_pragma(corpus_root / "marts" / "warehouse.duckdb", tmp_path)
    assert len(mine["terms"]) > 2_500 and len(mine["dict"]) > 300 and len(mine["docs"]) > 40
    # the terms are search_text's words, not its characters
    words = {t for _, t, _ in mine["dict"]}
    assert {"满意度", "调查", "满意度调查"} <= words
    assert sum(len(w) >= 2 for w in words) > 0.8 * len(words)
    assert mine["stats"][0][0] == len(mine["docs"])
    assert any(s is not None for s in mine["满意度 调查 满意度调查"])
    assert mine == pragma


def test_full_text_index_on_odd_texts_is_the_extensions(tmp_path):
    root = warehouse_from_rows(tmp_path / "root", findings=EDGE_FINDINGS)
    mine, pragma = _index_by_sql_and_by_pragma(root / "marts" / "warehouse.duckdb", tmp_path)
    terms = {t for _, t, _ in mine["dict"]}
    # words split on the whitespace \t \n \f \r and space only (RE2's \s): \v, U+3000 and a
    # combining accent stay inside their word
    assert {"中\u3000文", "e\u0301", "😀😀", "f\vg", "b", "a", "满意度调查"} <= terms
    assert not terms & {" ", "\t", "\n", "\r", "\f", "", "中", "😀"}
    docs = {name: n for _, name, n in mine["docs"] if name}
    assert docs["r1-问题-2"] == 7 and docs["r3-问题-1"] == 0 and docs["r3-问题-2"] == 0 and docs["r3-问题-3"] == 0
    assert mine == pragma


def test_keywords_are_the_tf_idf_definitions_with_ties_by_word(tmp_path):
    root = warehouse_from_rows(tmp_path / "root", findings=EDGE_FINDINGS)
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        got = con.execute("select report_id, kind, seq, keywords from findings order by all").fetchall()
        want = con.execute(REFERENCE_KEYWORDS).fetchall()
    finally:
        con.close()
    assert got == want
    kw = {(r, k, s): v for r, k, s, v in got}
    # bb twice (and in one other finding); dd…gg once and nowhere else: tied, by the word; aa and cc
    # are also in another finding (the two without finding_id count as one): lower weight, left out
    assert kw[("r1", "问题", 2)] == ["bb", "dd", "ee", "ff", "gg"]
    assert kw[("r1", "建议", 1)] == ["uu", "vv", "ww", "xx", "yy"]
    assert kw[("r3", "问题", 1)] == [] and kw[("r3", "问题", 3)] == ["长期"]
    assert kw[("r4", "问题", 1)] == [] == kw[("r4", "问题", 2)]  # no finding_id: no keywords (as before)


def test_keywords_on_the_corpus_are_the_definitions(corpus_root):
    con = duckdb.connect(str(corpus_root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        got = con.execute("select report_id, kind, seq, keywords from findings order by all").fetchall()
        want = con.execute(REFERENCE_KEYWORDS).fetchall()
        order = con.execute("select report_id, kind, seq from findings").fetchall()
    finally:
        con.close()
    assert len(got) >= 40 and got == want
    assert order == sorted(order)  # findings are stored in (report_id, kind, seq) order


# --------------------------------------------------------------------------- update == full build

def differences(a: Path, b: Path) -> list[str]:
    """Every difference between two warehouses: tables, columns, types, comments, macros, rows
    (as multisets), and the stored row order of findings and the marts."""
    con = duckdb.connect(config={"threads": 1})
    out = []
    try:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        for what, sql in {
            "tables": "select schema_name, table_name, comment from duckdb_tables() where database_name = '{db}' order by all",
            "columns": "select schema_name, table_name, column_index, column_name, data_type, comment from duckdb_columns() "
                       "where database_name = '{db}' order by all",
            "macros": "select schema_name, function_name, parameters, macro_definition from duckdb_functions() "
                      "where database_name = '{db}' and not internal order by all",
        }.items():
            if con.execute(sql.format(db="a")).fetchall() != con.execute(sql.format(db="b")).fetchall():
                out.append(what)
        for s, t in con.execute("select schema_name, table_name from duckdb_tables() where database_name = 'a' order by all").fetchall():
            cols = "signature, extractor_version" if t == "bpe_build_info" else "*"
            for x, y in (("a", "b"), ("b", "a")):
                n = con.execute(f"select count(*) from (select {cols} from {x}.{s}.{t} except all select {cols} from {y}.{s}.{t})").fetchone()[0]
                if n:
                    out.append(f"{s}.{t}: {n} rows only in {x}")
            if s == "main" and (t == "findings" or t in warehouse.MARTS):
                ha, hb = (con.execute(f"select hash(list(hash(t))) from {x}.{s}.{t} t").fetchone()[0] for x in ("a", "b"))
                if ha != hb:
                    out.append(f"{t}: other row order")
    finally:
        con.close()
    return out


def check_same_as_full_build(p, tmp_path: Path) -> None:
    tmp_path.mkdir(parents=True, exist_ok=True)
    updated = tmp_path / "updated.duckdb"
    shutil.copy(p.warehouse, updated)
    full = warehouse.build_warehouse(p, force=True)
    assert full["rebuilt"] == 1 and full["updated"] == 0
    assert differences(updated, p.warehouse) == []


@pytest.fixture
def built(data_root):
    p = paths(data_root)
    first = run_all(p)
    assert first["warehouse"]["rebuilt"] == 1 and first["warehouse"]["updated"] == 0
    return p


def new_file(p, name: str = "later/shijingshan_2021.txt") -> Path:
    path = p.raw / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SHIJINGSHAN.read_bytes().replace("2022年，安排".encode(), "2021年，安排".encode()))
    return path


def test_added_file_updates_the_warehouse_as_a_full_build_would(built, tmp_path):
    p = built
    new_file(p)
    out = run_all(p)["warehouse"]
    assert out["rebuilt"] == 1 and out["updated"] == 1 and out["reports"] == 9
    check_same_as_full_build(p, tmp_path)


def test_changed_and_removed_files_update_the_warehouse_as_a_full_build_would(built, tmp_path):
    p = built
    target = p.raw / FENGTAI.name
    target.write_bytes(target.read_bytes().replace("丰台".encode(), "通州".encode()))
    out = run_all(p)["warehouse"]
    assert out["updated"] == 1 and out["reports"] == 8
    check_same_as_full_build(p, tmp_path / "1")
    (p.raw / SHIJINGSHAN.name).unlink()
    out = run_all(p)["warehouse"]
    assert out["updated"] == 1 and out["reports"] == 7 and out["documents"] == 2
    check_same_as_full_build(p, tmp_path / "2")


def test_updates_in_a_row_match_a_full_build(built, tmp_path):
    p = built
    added = new_file(p)
    run_all(p)
    added.write_bytes(added.read_bytes() + "\n附注。\n".encode())
    assert run_all(p)["warehouse"]["updated"] == 1
    added.unlink()
    out = run_all(p)["warehouse"]
    assert out["updated"] == 1 and out["reports"] == 8
    check_same_as_full_build(p, tmp_path)


def test_file_without_findings_keeps_findings_and_index(built, tmp_path, monkeypatch):
    p = built
    rebuilt = []
    real = warehouse._build_findings
    monkeypatch.setattr(warehouse, "_build_findings", lambda con: rebuilt.append(1) or real(con))
    (p.raw / "empty.txt").write_bytes(b"")
    out = run_all(p)["warehouse"]
    assert out["updated"] == 1 and out["documents"] == 4 and rebuilt == []
    check_same_as_full_build(p, tmp_path)
    assert rebuilt == [1]  # the full build made them


# --------------------------------------------------------------------------- when not to update

def test_no_update_without_a_record_of_the_last_build(built):
    p = built
    (p.state / warehouse.BUILD_STATE).unlink()
    new_file(p)
    assert run_all(p)["warehouse"]["updated"] == 0
    new_file(p, "later/again.txt")
    assert run_all(p)["warehouse"]["updated"] == 1  # the full build left a record


def test_warehouse_written_by_another_program_is_built_afresh(built, tmp_path):
    p = built
    con = duckdb.connect(str(p.warehouse))
    con.execute("delete from reports where seq = 1")  # an analyst's read-write session
    con.close()
    new_file(p)
    out = run_all(p)["warehouse"]
    assert out["updated"] == 0 and out["reports"] == 9


def test_part_removed_from_the_last_generation_means_a_full_build(built):
    p = built
    old_gen = warehouse.lake_generation(p)
    new_file(p)
    victim = next((old_gen / "reports").glob("part-*.parquet"))
    entries = lake.scan_raw(p.raw, lake.hash_cache_path(p))
    lake.extract_all(p, entries)
    lake.mark_same_text(p, entries)
    lake.land(p, entries)
    victim.unlink()  # the generation the warehouse was built from lost a part
    assert warehouse.plan_update(p, warehouse.lake_generation(p)) is None
    out = warehouse.build_warehouse(p)
    assert out["updated"] == 0 and out["reports"] == 9


def test_too_many_changed_parts_mean_a_full_build(built, monkeypatch):
    p = built
    monkeypatch.setattr(warehouse, "MAX_CHANGED_SHARE", 0.01)  # one bucket of 32 is 3 %
    new_file(p)
    assert run_all(p)["warehouse"]["updated"] == 0


def test_a_full_build_after_max_updates_in_a_row(built, monkeypatch):
    p = built
    monkeypatch.setattr(warehouse, "MAX_UPDATES", 2)
    got = []
    for i in range(4):
        new_file(p, f"later/n{i}.txt").write_bytes(FENGTAI.read_bytes() + f"\n附注{i}\n".encode())
        got.append(run_all(p)["warehouse"]["updated"])
    assert got == [1, 1, 0, 1]


def test_rows_not_found_exactly_in_the_copy_fall_back_to_a_full_build(built, monkeypatch, tmp_path):
    p = built
    monkeypatch.setattr(warehouse, "_parquet_rows", lambda files: -1)
    new_file(p)
    out = run_all(p)["warehouse"]
    assert out["rebuilt"] == 1 and out["updated"] == 0 and out["reports"] == 9
    check_same_as_full_build(p, tmp_path)


def test_killed_update_leaves_the_last_warehouse(built, monkeypatch):
    p = built
    before = warehouse.table_counts(p), warehouse.current_signature(p)

    def crash(*args):
        raise KeyboardInterrupt  # a kill mid-update
    monkeypatch.setattr(warehouse, "update_into", crash)
    new_file(p)
    with pytest.raises(KeyboardInterrupt):
        run_all(p)
    assert (warehouse.table_counts(p), warehouse.current_signature(p)) == before
    assert list(p.marts.glob(".*.tmp*")) == []
    monkeypatch.undo()
    out = run_all(p)["warehouse"]
    assert out["rebuilt"] == 1 and out["reports"] == 9


def test_every_table_and_comment_survives_an_update(built):
    p = built
    new_file(p)
    run_all(p)
    con = warehouse.connect_read_only(p)
    try:
        tables = {t for t, in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
        uncommented = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'main' and not internal and comment is null "
            "and table_name <> 'bpe_build_info'").fetchall()
    finally:
        con.close()
    assert tables == set(schema.LANDED_TABLES) | set(warehouse.MARTS) | {"bpe_build_info"}
    assert uncommented == []
