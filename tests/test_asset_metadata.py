"""What the Dagster UI shows of each asset (row counts, column schemas, previews, the chart) and the
shortcuts that compute it: one query for every column schema, the chart cached by what it is drawn
from, the raw folder listed by the check without a relpath per file."""

import base64
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import schema, warehouse
from pipelines import warehouse_checks as WC
from pipelines.orchestration import assets as A
from pipelines.orchestration import definitions
from pipelines.settings import paths
from tests.conftest import RAW


@pytest.fixture(scope="module")
def materialized(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(RAW, root / "raw")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(definitions.all_assets, instance=instance, resources={"bpe": A.BpeData(data_dir=str(root))})
    assert result.success
    meta = {e.materialization.asset_key.to_user_string(): e.materialization.metadata
            for e in result.get_asset_materialization_events()}
    return root, meta


def _columns(con, table: str) -> list[tuple]:
    return con.execute("select column_name, data_type, comment from duckdb_columns() where schema_name = 'main' "
                       "and table_name = ? order by column_index", [table]).fetchall()


def test_every_table_and_mart_shows_its_rows_and_columns_as_the_warehouse_has_them(materialized):
    root, meta = materialized
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        for t in schema.LANDED_TABLES + warehouse.MARTS:
            m = meta[f"warehouse/{t}" if t in schema.LANDED_TABLES else t]
            assert m["dagster/row_count"].value == con.execute(f"select count(*) from {t}").fetchone()[0], t
            shown = [(c.name, c.type, c.description) for c in m["dagster/column_schema"].schema.columns]
            assert shown == _columns(con, t) and shown, t
    finally:
        con.close()
    for t in schema.LANDED_TABLES:
        m = meta[f"lake/{t}"]
        assert [c.name for c in m["dagster/column_schema"].schema.columns] == [c.name for c in schema.TABLES[t][1]]
        assert m["dagster/row_count"].value >= 0


def test_every_mart_shows_a_preview_and_its_sql_and_the_district_mart_its_chart(materialized):
    _, meta = materialized
    for m in warehouse.MARTS:
        preview = meta[m]["preview"].value
        assert preview.startswith("| ") and "|---|" in preview.splitlines()[1], m
        assert meta[m]["sql"].value.endswith(f"{m}.sql")
    chart = meta["mart_district_year"]["chart"].value
    png = base64.b64decode(chart.split("base64,", 1)[1].rstrip(")"))
    assert chart.startswith("![") and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_schemas_of_one_query_are_those_of_a_query_per_table(materialized):
    root, _ = materialized
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        schemas = A._table_schemas_from_db(con)
        for t in schema.LANDED_TABLES + warehouse.MARTS + ["bpe_build_info"]:
            assert [(c.name, c.type, c.description) for c in schemas[t].columns] == _columns(con, t)
        assert not {"docs", "terms", "dict", "stats"} & set(schemas)  # the full-text index's tables are not assets
    finally:
        con.close()


def _mart(con, rows) -> None:
    con.execute("create or replace table mart_district_year (province varchar, city varchar, district varchar, "
                "report_year integer, avg_score double, exante_reduction_rate_pct double)")
    if rows:
        con.executemany("insert into mart_district_year values (?, ?, ?, ?, ?, ?)", rows)


def test_the_chart_is_drawn_again_only_when_what_it_shows_changes(tmp_path, monkeypatch):
    from pipelines import charts

    drawn = []
    real = charts.district_chart_png
    monkeypatch.setattr(charts, "district_chart_png", lambda rows, **kw: drawn.append(list(rows)) or real(rows, **kw))
    p = paths(tmp_path)
    con = duckdb.connect()
    _mart(con, [("北京市", None, "丰台区", 2024, 83.75, None), ("北京市", None, "北京市", 2024, 87.17, 8.72)])
    first = A._district_chart(con, p)
    assert A._district_chart(con, p) == first and len(drawn) == 1  # same figures: the cached chart
    _mart(con, [("北京市", None, "丰台区", 2024, 83.76, None), ("北京市", None, "北京市", 2024, 87.17, 8.72)])
    second = A._district_chart(con, p)
    assert second != first and len(drawn) == 2  # a figure changed: drawn again
    assert len(list((p.state / "charts").glob("district-*.md"))) == 1  # the old one is gone
    _mart(con, [])
    assert A._district_chart(con, p) == "（暂无数据 / no data yet）"


def _listing_by_relpath(raw_dir) -> set[str]:
    """The check's listing as it was written first (relpath of every path): the reference."""
    from pipelines.inventory import HIDDEN_DIRS

    out: set[str] = set()
    root = os.fsencode(raw_dir)

    def shown(p: bytes) -> str:
        return os.path.relpath(p, root).decode("utf-8", "backslashreplace")

    for d, dirs, files in os.walk(root, followlinks=False):
        for name in list(dirs):
            full = os.path.join(d, name)
            if os.path.islink(full):
                out.add(shown(full))
                dirs.remove(name)
            elif name.decode("utf-8", "surrogateescape") in HIDDEN_DIRS:
                out.add(shown(full) + "/")
                dirs.remove(name)
        out.update(shown(os.path.join(d, name)) for name in files)
    return out


def test_raw_listing_names_every_entry_as_relpath_does(tmp_path):
    raw = tmp_path / "raw"
    (raw / "a" / "b" / ".git" / "objects").mkdir(parents=True)
    (raw / "a" / "b" / "f.txt").write_text("x")
    (raw / "a" / ".state").mkdir()
    (raw / "link").symlink_to(raw / "a")
    (raw / "a" / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(raw / "fifo")
    bad = os.path.join(os.fsencode(raw), b"\xe4\xb8\xad", b"\xc3")
    os.makedirs(bad)
    Path(os.path.join(bad, b"\xff\xfe.txt").decode("utf-8", "surrogateescape")).write_text("y")
    want = _listing_by_relpath(raw)
    assert {"a/b/.git/", "a/.state/", "a/b/f.txt", "link", "a/dangling", "fifo"} <= want
    for form in (raw, f"{raw}/", f"{raw}/./", os.path.relpath(raw)):
        assert WC.raw_listing(form) == want, form
