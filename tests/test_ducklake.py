"""The production profile's core (pipelines/ducklake.py) on a real PostgreSQL catalog.

The server is the session's throwaway one (`pg_server`, tests/pgserver.py); each test has a
database of its own, so no two tests share a catalog. The rows are those of the sample corpus:
its three files fall in two raw-path buckets (8: 000_ and 001_, two documents; 30: 003_, one).
"""

import multiprocessing
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from pipelines import ducklake, lake, schema, warehouse
from pipelines.run import run_all
from pipelines.settings import paths
from tests import pgserver
from tests.conftest import RAW

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sample corpus run through the embedded pipeline (lake folder and warehouse.duckdb),
    and the Arrow tables of each of its buckets (`lake.bucket_tables`) from the same extraction."""
    root = tmp_path_factory.mktemp("ducklake_corpus")
    shutil.copytree(RAW, root / "raw")
    p = paths(root)
    run_all(p)
    entries = lake.scan_raw(p.raw, lake.hash_cache_path(p))
    lake.extract_all(p, entries)  # cached by run_all: nothing is extracted again
    lake.mark_same_text(p, entries)
    by_bucket = {b: es for b, es in ducklake.bucket_entries(entries).items() if es}
    assert {b: len(es) for b, es in by_bucket.items()} == {8: 2, 30: 1}
    tables = {b: lake.bucket_tables(p, es) for b, es in by_bucket.items()}
    return {"paths": p, "by_bucket": by_bucket, "tables": tables}


@pytest.fixture
def lakehouse(pg_server, tmp_path):
    """A data root of its own and a catalog database of its own: (paths, dsn)."""
    dsn = pg_server.new_database(f"t_{uuid.uuid4().hex[:12]}")
    return paths(tmp_path / "root"), dsn


def empty_tables() -> dict[str, pa.Table]:
    return {t: schema.arrow_schema(t).empty_table() for t in schema.LANDED_TABLES}


def lengths(*bucket_tables: dict[str, pa.Table]) -> dict[str, int]:
    return {t: sum(bt[t].num_rows for bt in bucket_tables) for t in schema.LANDED_TABLES}


def test_replace_buckets_round_trip_and_replace_again(corpus, lakehouse):
    p, dsn = lakehouse
    t8, t30 = corpus["tables"][8], corpus["tables"][30]
    con = ducklake.connect(p, dsn)
    try:
        assert ducklake.ensure_tables(con) == schema.LANDED_TABLES
        assert ducklake.ensure_tables(con) == []  # all there: nothing to do
        first = ducklake.replace_buckets(con, {8: t8, 30: t30})
        assert ducklake.row_counts(con) == lengths(t8, t30)
        assert ducklake.row_counts(con)["reports"] == 8 and ducklake.row_counts(con)["facts"] == 124
        assert ducklake.bucket_counts(con, "documents") == {8: 2, 30: 1}
        # the values come back as they went in (decimals, lists, timestamps)
        for t in ("reports", "findings", "documents"):
            got = con.execute(f"select * exclude (lake_bucket) from lake.{t}").arrow().read_all()
            want = pa.concat_tables([t8[t], t30[t]])
            key = schema.columns(t)[0]
            assert got.sort_by(key).to_pylist() == want.sort_by(key).to_pylist()
        # the columns are the contract's, with its types, plus lake_bucket
        cols = con.execute("select column_name, data_type from duckdb_columns() where database_name = 'bpe' "
                           "and schema_name = 'lake' and table_name = 'reports' order by column_index").fetchall()
        assert [c for c, _ in cols] == schema.columns("reports") + ["lake_bucket"]
        assert dict(cols)["total_score"] == "DECIMAL(6,2)" and dict(cols)["lake_bucket"] == "SMALLINT"

        # bucket 8 again with one of its two files: replaced, not appended; bucket 30 untouched
        fewer = lake.bucket_tables(corpus["paths"], corpus["by_bucket"][8][:1])
        second = ducklake.replace_buckets(con, {8: fewer})
        assert second > first
        assert ducklake.row_counts(con) == lengths(fewer, t30)
        assert ducklake.bucket_counts(con, "documents") == {8: 1, 30: 1}
        # an emptied bucket has no rows left
        ducklake.replace_buckets(con, {8: empty_tables()})
        assert ducklake.row_counts(con) == lengths(t30)
        # the rows are Parquet files under <data root>/ducklake/ (no rows inlined in the catalog),
        # one folder per bucket, and a replaced bucket's files end whole (no delete files)
        files = sorted(ducklake.data_path(p).rglob("*.parquet"))
        assert files and all("lake_bucket=" in f.parent.name for f in files)
        assert con.execute("select count(*) from __ducklake_metadata_bpe.ducklake_delete_file").fetchone()[0] == 0
        changes = [s["message"] for s in ducklake.snapshots(con)]
        assert changes[-3:] == ["replace buckets 8, 30", "replace buckets 8", "replace buckets 8"]
    finally:
        con.close()


def test_replace_buckets_refuses_tables_of_another_shape(corpus, lakehouse):
    p, dsn = lakehouse
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        partial = {t: v for t, v in corpus["tables"][8].items() if t != "pages"}
        with pytest.raises(ValueError, match="not the landed tables"):
            ducklake.replace_buckets(con, {8: partial})
        with pytest.raises(ValueError, match="not a bucket"):
            ducklake.replace_buckets(con, {32: corpus["tables"][8]})
        wrong = {**corpus["tables"][8], "reports": pa.table({"report_id": ["x"]})}
        with pytest.raises(ValueError, match="contract's columns"):
            ducklake.replace_buckets(con, {8: wrong})
        assert sum(ducklake.row_counts(con).values()) == 0  # nothing was written
    finally:
        con.close()


def test_ensure_tables_adds_the_columns_the_contract_gains(corpus, lakehouse, monkeypatch):
    p, dsn = lakehouse
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        ducklake.replace_buckets(con, {30: corpus["tables"][30]})
        comment, cols = schema.TABLES["reports"]
        monkeypatch.setitem(schema.TABLES, "reports", (comment, cols + [schema.Column("reviewer", pa.string(), "评审人")]))
        assert ducklake.ensure_tables(con) == ["reports.reviewer"]
        assert ducklake.ensure_tables(con) == []
        grown = corpus["tables"][8]["reports"].append_column("reviewer", pa.array(["某某"] * 4, pa.string()))
        ducklake.replace_buckets(con, {8: {**corpus["tables"][8], "reports": grown}})
        rows = con.execute("select lake_bucket, count(*), count(reviewer) from lake.reports group by all order by 1").fetchall()
        assert rows == [(8, 4, 4), (30, 4, 0)]  # rows landed before have it null
        ducklake.build_marts(con)
        assert con.execute("select column_name from duckdb_columns() where schema_name = 'main' and table_name = 'reports'"
                           " order by column_index").fetchall()[-1] == ("reviewer",)
    finally:
        con.close()


class CommitTogether:
    """A connection whose first COMMIT waits for the other process's: both transactions have
    done their work on the same snapshot, so one of the two commits must conflict."""

    def __init__(self, con, barrier):
        self._con, self._barrier, self._waited = con, barrier, False

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, sql, *args):
        if sql == "commit" and not self._waited:
            self._waited = True
            self._barrier.wait(120)
        return self._con.execute(sql, *args)


def _counting_conflicts() -> list[int]:
    seen = [0]
    real = ducklake._is_conflict

    def counting(exc):
        found = real(exc)
        seen[0] += found
        return found

    ducklake._is_conflict = counting
    return seen


def _writer(root: str, dsn: str, job: str, bucket: int | None, tables, barrier, results) -> None:
    """A writer process: attach (and ensure the tables) or replace a bucket, or build the marts,
    with its commit held until the other writer's (see CommitTogether)."""
    try:
        conflicts = _counting_conflicts()
        if job == "ensure":
            barrier.wait(120)
            con = ducklake.connect(paths(root), dsn)
            out = ducklake.ensure_tables(con)
        else:
            con = ducklake.connect(paths(root), dsn)
            together = CommitTogether(con, barrier)
            out = (ducklake.replace_buckets(together, {bucket: tables}) if job == "replace"
                   else ducklake.build_marts(together)["snapshot"])
        con.close()
        results.put((job, bucket, "ok", out, conflicts[0]))
    except BaseException as exc:  # reported to the test, which fails on it
        barrier.abort()
        results.put((job, bucket, f"{type(exc).__name__}: {exc}", None, None))


def run_writers(root: Path, dsn: str, jobs: list[tuple]) -> list[tuple]:
    barrier, results = SPAWN.Barrier(len(jobs)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_writer, args=(str(root), dsn, job, bucket, tables, barrier, results))
             for job, bucket, tables in jobs]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    return sorted(out, key=lambda r: (r[0], r[1] or 0))


def test_two_processes_create_the_lakehouse_at_once(lakehouse):
    p, dsn = lakehouse
    out = run_writers(p.root, dsn, [("ensure", 1, None), ("ensure", 2, None)])
    assert [r[2] for r in out] == ["ok", "ok"]
    made = [r[3] for r in out]
    assert sorted(made, key=len) == [[], schema.LANDED_TABLES]  # one created them all, the other none
    con = ducklake.connect(p, dsn, read_only=True)
    try:
        assert ducklake.row_counts(con) == dict.fromkeys(schema.LANDED_TABLES, 0)
    finally:
        con.close()


def test_two_writer_processes_replace_different_buckets_at_once(corpus, lakehouse):
    p, dsn = lakehouse
    t8, t30 = corpus["tables"][8], corpus["tables"][30]
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        ducklake.replace_buckets(con, {8: t30, 30: t8})  # each bucket holds the other's rows first
    finally:
        con.close()
    out = run_writers(p.root, dsn, [("replace", 8, t8), ("replace", 30, t30)])
    assert [r[2] for r in out] == ["ok", "ok"], out
    assert sorted(r[4] for r in out) == [0, 1]  # one committed first, the other conflicted once and ran again
    assert len({r[3] for r in out}) == 2  # two snapshots
    con = ducklake.connect(p, dsn, read_only=True)
    try:
        assert ducklake.row_counts(con) == lengths(t8, t30)
        assert ducklake.bucket_counts(con, "documents") == {8: 2, 30: 1}
        assert ducklake.bucket_counts(con, "reports") == {8: t8["reports"].num_rows, 30: t30["reports"].num_rows}
        ids = {b: sorted(r[0] for r in con.execute("select report_id from lake.reports where lake_bucket = ?", [b]).fetchall())
               for b in (8, 30)}
        assert ids == {8: sorted(t8["reports"]["report_id"].to_pylist()), 30: sorted(t30["reports"]["report_id"].to_pylist())}
    finally:
        con.close()


def _ordered(con, table: str) -> list[tuple]:
    return con.execute(f"select * from {table} order by all").fetchall()


def test_build_marts_gives_the_embedded_warehouse(corpus, lakehouse):
    p, dsn = lakehouse
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        ducklake.replace_buckets(con, corpus["tables"])
        counts = ducklake.build_marts(con)
        embedded = warehouse.table_counts(corpus["paths"])
        assert {k: v for k, v in counts.items() if k != "snapshot"} == embedded
        assert embedded["mart_report_scores"] == 8 and embedded["mart_indicator_loss"] == 66
        emb = duckdb.connect(str(corpus["paths"].warehouse), read_only=True)
        try:
            scores = "select * from mart_report_scores order by report_id"
            assert con.execute(scores).fetchall() == emb.execute(scores).fetchall()
            for table in warehouse.MARTS + schema.LANDED_TABLES:  # every table, every value
                assert _ordered(con, table) == _ordered(emb, table), table
            for table in warehouse.MARTS + ["reports"]:  # the same Chinese comments
                q = f"select comment from duckdb_tables() where table_name = '{table}' and schema_name = 'main'"
                assert con.execute(q).fetchone() == emb.execute(q).fetchone()
        finally:
            emb.close()
        # the examples analysts run work on it unchanged (not 10: no full-text index here)
        ranking = con.sql((warehouse.SQL_DIR / "examples" / "01_district_ranking_by_year.sql").read_text(encoding="utf-8"))
        assert len(ranking.fetchall()) == 3
        assert con.execute("select count(*) from duckdb_schemas() where schema_name = 'fts_main_findings'").fetchone()[0] == 0
    finally:
        con.close()


def test_two_builds_at_once_leave_one_warehouse(corpus, lakehouse):
    p, dsn = lakehouse
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        ducklake.replace_buckets(con, corpus["tables"])
    finally:
        con.close()
    out = run_writers(p.root, dsn, [("build", 1, None), ("build", 2, None)])
    assert [r[2] for r in out] == ["ok", "ok"], out
    assert sorted(r[4] for r in out) == [0, 1]
    con = ducklake.connect(p, dsn, read_only=True)
    try:
        assert ducklake.row_counts(con, "warehouse") == warehouse.table_counts(corpus["paths"])
        assert [s["message"] for s in ducklake.snapshots(con)][-2:] == ["build the warehouse"] * 2
    finally:
        con.close()


def test_time_travel_and_read_only(corpus, lakehouse):
    p, dsn = lakehouse
    t8, t30 = corpus["tables"][8], corpus["tables"][30]
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        first = ducklake.replace_buckets(con, {8: t8, 30: t30})
        ducklake.build_marts(con)
        before = ducklake.row_counts(con)
        second = ducklake.replace_buckets(con, {30: empty_tables()})
        ducklake.build_marts(con)
        assert ducklake.row_counts(con) == lengths(t8)
        times = {s["id"]: s["time"] for s in ducklake.snapshots(con)}
    finally:
        con.close()
    assert second == first + 2  # the build after the first replace is snapshot first + 1
    between = times[first] + (times[first + 1] - times[first]) / 2
    for pinned in (ducklake.connect(p, dsn, as_of=between), ducklake.connect(p, dsn, snapshot=first)):
        try:
            assert ducklake.row_counts(pinned) == before == lengths(t8, t30)
            assert ducklake.last_snapshot(pinned) == first
            with pytest.raises(duckdb.Error, match="read-only"):
                pinned.execute("delete from lake.reports")
        finally:
            pinned.close()
    # the warehouse as of then, too: its marts were built after the first replace
    at_build = ducklake.connect(p, dsn, snapshot=first + 1)
    try:
        assert at_build.execute("select count(*) from mart_report_scores").fetchone()[0] == 8
    finally:
        at_build.close()
    reader = ducklake.connect(p, dsn, read_only=True)
    try:
        assert reader.execute("select count(*) from mart_report_scores").fetchone()[0] == t8["reports"].num_rows
        with pytest.raises(duckdb.Error, match="read-only"):
            reader.execute("insert into lake.reports select * from lake.reports")
        with pytest.raises(duckdb.Error, match="read-only"):
            reader.execute("create table x as select 1")
        # locked down: nothing outside the DuckLake's data path, no SET
        with pytest.raises(duckdb.Error) as refused:
            reader.execute("select * from read_csv('/etc/passwd')")
        assert warehouse.refused_by_lock(refused.value)
        with pytest.raises(duckdb.Error) as refused:
            reader.execute("set enable_external_access = true")
        assert warehouse.refused_by_lock(refused.value)
    finally:
        reader.close()


def test_maintain_expires_old_snapshots(corpus, lakehouse):
    p, dsn = lakehouse
    t8, t30 = corpus["tables"][8], corpus["tables"][30]
    con = ducklake.connect(p, dsn)
    try:
        ducklake.ensure_tables(con)
        first = ducklake.replace_buckets(con, {8: t8, 30: t30})
        ducklake.replace_buckets(con, {30: empty_tables()})
        files_before = len(list(ducklake.data_path(p).rglob("*.parquet")))
        done = ducklake.maintain(con, keep=timedelta(0))
        assert done["snapshots_expired"] >= 2 and done["files_removed"] >= 1
        assert len(list(ducklake.data_path(p).rglob("*.parquet"))) < files_before
        assert ducklake.row_counts(con) == lengths(t8)
    finally:
        con.close()
    with pytest.raises(duckdb.Error, match="No snapshot found"):  # time travel reaches no further back
        ducklake.connect(p, dsn, snapshot=first).close()


def test_extension_files_come_from_the_wheels():
    for package, name in ducklake.EXTENSIONS:
        path = ducklake.extension_path(package, name)
        assert path.name == f"{name}.duckdb_extension" and path.stat().st_size > 1_000_000
    with pytest.raises(RuntimeError, match="not installed"):
        ducklake.extension_path("duckdb_extension_nonexistent", "nothing")


def test_catalog_dsn_from_the_environment(monkeypatch):
    monkeypatch.delenv(ducklake.DSN_ENV, raising=False)
    assert ducklake.catalog_dsn() is None
    monkeypatch.setenv(ducklake.DSN_ENV, "host=db port=5432 dbname=bpe user=bpe")
    assert ducklake.catalog_dsn() == "host=db port=5432 dbname=bpe user=bpe"


def test_the_server_fixture_fails_plainly_without_postgresql(monkeypatch):
    monkeypatch.setattr(pgserver, "find_bin_dir", lambda *a, **k: None)
    with pytest.raises(pgserver.PostgresMissing, match="PostgreSQL server binaries not found: apt-get install postgresql"):
        pgserver.start()
    # the fixture fails the tests (pytest's Failed, not a skip)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL server binaries not found: apt-get install postgresql"):
        pgserver.server_or_fail()


def test_the_highest_debian_version_is_chosen(tmp_path, monkeypatch):
    for version in ("9.6", "15", "16"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        for tool in ("initdb", "pg_ctl"):
            (bin_dir / tool).write_text("#!/bin/sh\n")
            (bin_dir / tool).chmod(0o755)
    (tmp_path / "17" / "bin").mkdir(parents=True)  # a version without its server binaries
    assert pgserver.find_bin_dir(str(tmp_path)) == tmp_path / "16" / "bin"
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert pgserver.find_bin_dir(str(tmp_path / "none")) is None


def test_the_server_serves_databases_of_their_own(pg_server):
    assert pg_server.dsn == f"host=127.0.0.1 port={pg_server.port} dbname=bpe user=bpe"
    dsn = pg_server.new_database(f"own_{uuid.uuid4().hex[:8]}")
    assert "dbname=own_" in dsn
    assert pg_server.execute("select current_user, current_database()") == [("bpe", "bpe")]
    assert 0 < pg_server.start_seconds < 60
    with pytest.raises(ValueError):
        pg_server.new_database("x; drop database bpe")
