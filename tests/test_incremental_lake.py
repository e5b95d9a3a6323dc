"""The lake and warehouse do only the work that changed: buckets, manifest, build signature."""


import duckdb

from pipelines import inventory
from pipelines.run import run_all
from pipelines.settings import paths
from tests.conftest import SHIJINGSHAN


def test_noop_run_writes_nothing_and_keeps_the_warehouse(data_root):
    p = paths(data_root)
    first = run_all(p)
    assert first["landed"]["buckets_written"] >= 1 and first["warehouse"]["rebuilt"] == 1
    before = {f: f.stat().st_mtime_ns for f in p.lake.rglob("*.parquet")} | {p.warehouse: p.warehouse.stat().st_mtime_ns}
    second = run_all(p)
    assert second["extracted"] == 0 and second["landed"]["buckets_written"] == 0
    assert second["warehouse"]["rebuilt"] == 0 and second["warehouse"]["reports"] == 8
    after = {f: f.stat().st_mtime_ns for f in p.lake.rglob("*.parquet")} | {p.warehouse: p.warehouse.stat().st_mtime_ns}
    assert before == after


def test_one_new_file_rewrites_one_bucket(data_root):
    p = paths(data_root)
    run_all(p)
    new = data_root / "raw" / "later" / "shijingshan_2021.txt"
    new.parent.mkdir()
    new.write_bytes(SHIJINGSHAN.read_bytes().replace("2022年，安排".encode(), "2021年，安排".encode()))
    out = run_all(p)
    assert out["extracted"] == 1 and out["landed"]["buckets_written"] == 1 and out["warehouse"]["rebuilt"] == 1
    assert out["warehouse"]["reports"] == 9 and out["landed"]["reports"] == 9


def test_removed_file_leaves_the_lake_and_warehouse(data_root):
    p = paths(data_root)
    run_all(p)
    (data_root / "raw" / SHIJINGSHAN.name).unlink()
    out = run_all(p)
    assert out["landed"]["buckets_written"] == 1 and out["warehouse"]["documents"] == 2
    assert out["warehouse"]["reports"] == 7


def test_lost_part_file_is_rewritten(data_root):
    p = paths(data_root)
    run_all(p)
    victim = next(p.table_dir("reports").glob("part-*.parquet"))
    victim.unlink()
    out = run_all(p)
    assert out["landed"]["buckets_written"] == 1 and out["warehouse"]["reports"] == 8


def test_keywords_are_computed_over_the_whole_warehouse(data_root):
    p = paths(data_root)
    run_all(p)
    con = duckdb.connect(str(p.warehouse), read_only=True)
    try:
        rows = con.execute("select tokens, keywords from findings").fetchall()
        lake_kw = con.execute(
            "select count(*) from read_parquet(?) where keywords is not null", [str(p.table_dir("findings") / "*.parquet")]
        ).fetchone()[0]
    finally:
        con.close()
    assert lake_kw == 0  # derived in the warehouse, over all findings
    for tokens, keywords in rows:
        assert keywords and set(keywords) <= set(tokens) and all(len(k) >= 2 for k in keywords)
        assert len(keywords) == min(5, len({t for t in tokens if len(t) >= 2}))


def test_changed_sql_rebuilds_the_warehouse(data_root, monkeypatch):
    p = paths(data_root)
    run_all(p)
    from pipelines import warehouse

    real = warehouse.build_signature
    monkeypatch.setattr(warehouse, "build_signature", lambda paths: real(paths) + "-sql-changed")
    assert run_all(p)["warehouse"]["rebuilt"] == 1
    assert run_all(p)["warehouse"]["rebuilt"] == 0


def test_hash_cache_is_used_and_a_rewritten_file_is_rehashed(data_root, monkeypatch):
    p = paths(data_root)
    run_all(p)
    calls = []
    real = inventory._sha256_file
    monkeypatch.setattr(inventory, "_sha256_file", lambda path: calls.append(path.name) or real(path))
    run_all(p)
    assert calls == []  # nothing changed: no file read
    target = data_root / "raw" / SHIJINGSHAN.name
    target.write_bytes(target.read_bytes() + "\n附注".encode())
    out = run_all(p)
    assert calls == [SHIJINGSHAN.name] and out["extracted"] == 1
