"""Readers in another process never see a half-built warehouse while it is rebuilt.

`build_warehouse` writes a temporary DuckDB file and `os.replace`s it onto marts/warehouse.duckdb.
Two reader processes query the warehouse read-only for ~5 s while this process rebuilds it again
and again, alternating between two versions of the lake (different row counts and sums):

- `reopen`: a new read-only connection per query — must only ever see version A or version B
  whole (never a mix, never an error), and must see the rebuilt file (both versions).
- `hold`: one read-only connection kept open — keeps reading the file it opened (the version
  current at its start), unaffected by the swaps.
Rebuilds must never fail because of the readers.
"""

import json
import subprocess
import sys
import time
from decimal import Decimal as D
from pathlib import Path

import pytest

from pipelines import lake, schema
from pipelines.settings import paths
from pipelines.warehouse import build_warehouse

# Two versions of the reports table: (count, sum of total_score as DuckDB prints it).
VERSIONS = {
    "A": [("a1", "海淀区", "80.00"), ("a2", "海淀区", "90.00"), ("a3", "朝阳区", "80.00")],
    "B": [("b1", "海淀区", "81.25"), ("b2", "海淀区", "90.00"), ("b3", "朝阳区", "70.25"), ("b4", "丰台区", "89.00")],
}
EXPECTED = {"A": [3, "250.00", 3], "B": [4, "330.50", 4]}

READER = r'''
import json, sys, time
import duckdb

path, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
expected = json.loads(sys.argv[4])
by_value = {json.dumps(v): k for k, v in expected.items()}
SQL = ("select (select count(*) from reports), (select sum(total_score) from reports)::varchar, "
       "(select count(*) from mart_report_scores)")
seen, failures, errors, n = {}, [], [], 0
con = duckdb.connect(path, read_only=True) if mode == "hold" else None
first = True
deadline = None
while deadline is None or time.monotonic() < deadline:
    try:
        c = con if mode == "hold" else duckdb.connect(path, read_only=True)
        try:
            row = list(c.execute(SQL).fetchone())
        finally:
            if mode != "hold":
                c.close()
        version = by_value.get(json.dumps(row))
        if version is None:
            failures.append(row)
            print("FAIL inconsistent", row, flush=True)
        else:
            seen[version] = seen.get(version, 0) + 1
    except Exception as exc:  # any error is a failure of the design
        errors.append(f"{type(exc).__name__}: {exc}")
        print("FAIL error", errors[-1], flush=True)
    n += 1
    if first:
        first = False
        deadline = time.monotonic() + seconds
        print("READY", flush=True)
if con is not None:
    con.close()
print("RESULT " + json.dumps({"n": n, "seen": seen, "failures": failures, "errors": errors[:20]}), flush=True)
'''


def write_version(root: Path, version: str) -> None:
    rows = [
        {"report_id": rid, "district": d, "report_year": 2024, "total_score": D(s), "grade": "良"}
        for rid, d, s in VERSIONS[version]
    ]
    lake.write_parquet_atomic(lake.to_arrow("reports", rows), paths(root).table_dir("reports") / lake.PARQUET_NAME)


@pytest.fixture
def root(tmp_path) -> Path:
    for t in schema.LANDED_TABLES:
        lake.write_parquet_atomic(lake.to_arrow(t, []), paths(tmp_path).table_dir(t) / lake.PARQUET_NAME)
    write_version(tmp_path, "A")
    build_warehouse(paths(tmp_path))
    return tmp_path


def start_reader(warehouse: Path, mode: str, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), mode, str(seconds), json.dumps(EXPECTED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    start = time.monotonic()
    line = proc.stdout.readline()
    assert line.strip() == "READY", (line, proc.stderr.read() if proc.poll() is not None else "")
    assert time.monotonic() - start < timeout


def result_of(proc: subprocess.Popen) -> tuple[dict, list[str]]:
    out, err = proc.communicate(timeout=30)
    lines = out.splitlines()
    result_lines = [ln for ln in lines if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and len(result_lines) == 1, (proc.returncode, out[-2000:], err[-2000:])
    return json.loads(result_lines[0][len("RESULT "):]), [ln for ln in lines if ln.startswith("FAIL")]


def test_rebuilds_under_concurrent_readers(root):
    wh = paths(root).warehouse
    readers = {mode: start_reader(wh, mode, seconds=5.0) for mode in ("reopen", "hold")}
    rebuilds: list[tuple[str, int]] = []
    rebuild_errors: list[str] = []
    try:
        for proc in readers.values():
            wait_ready(proc)
        started = time.monotonic()
        i = 0
        while time.monotonic() - started < 4.0 or i < 6:
            version = "B" if i % 2 == 0 else "A"
            write_version(root, version)
            try:
                counts = build_warehouse(paths(root), force=True)
                rebuilds.append((version, counts["reports"]))
            except Exception as exc:  # recorded, asserted below once the readers are done
                rebuild_errors.append(f"{type(exc).__name__}: {exc}")
            i += 1
            time.sleep(0.05)
        results = {mode: result_of(proc) for mode, proc in readers.items()}
    finally:
        for proc in readers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    assert rebuild_errors == []
    assert len(rebuilds) >= 6
    assert all(n == EXPECTED[v][0] for v, n in rebuilds)

    reopen, reopen_fail_lines = results["reopen"]
    assert reopen["errors"] == [] and reopen["failures"] == [] and reopen_fail_lines == []
    assert reopen["n"] >= 20
    assert set(reopen["seen"]) == {"A", "B"}, reopen["seen"]  # it did read the swapped-in files

    hold, hold_fail_lines = results["hold"]
    assert hold["errors"] == [] and hold["failures"] == [] and hold_fail_lines == []
    assert hold["n"] >= 20
    assert hold["seen"] == {"A": hold["n"]}  # the file it opened, whatever was swapped in since

    # And after all that, the warehouse holds the last version built.
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        last = rebuilds[-1][0]
        row = con.execute("select count(*), sum(total_score)::varchar from reports").fetchone()
        assert list(row) == EXPECTED[last][:2]
    finally:
        con.close()
    leftovers = [p.name for p in wh.parent.iterdir() if p.name != wh.name]
    assert leftovers == []
