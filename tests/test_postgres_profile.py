"""The production profile end to end against a real PostgreSQL (tests/pgserver.py): the Dagster
instance in PostgreSQL (deploy/postgres/dagster.yaml), the lakehouse in DuckLake with its catalog
there, partitioned runs through the run queue and the daemon, and time travel.

Without PostgreSQL's server binaries these tests fail with "apt-get install postgresql" (the
fixture never skips)."""

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines import lake

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
BIN = Path(sys.executable).parent
MODULE = "pipelines.orchestration.definitions"


def _bucket(name: str) -> str:
    return f"{lake.bucket_of(name):02d}"


@pytest.fixture(scope="module")
def profile(pg_server, tmp_path_factory):
    """A data root with the sample corpus, a DAGSTER_HOME with the production instance file, two
    databases (Dagster's and the lakehouse's catalog) and the environment a person sets."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(RAW, data / "raw")
    tag = f"t{os.getpid()}"
    dagster_db, lake_db = f"dagster_{tag}", f"lake_{tag}"
    pg_server.new_database(dagster_db)
    lake_dsn = pg_server.new_database(lake_db)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BPE_", "DAGSTER_"))},
        "BPE_PROFILE": "postgres",
        "BPE_PG_DSN": lake_dsn,
        "BPE_DAGSTER_PG_URL": f"postgresql+psycopg2://{pg_server.user}@{pg_server.host}:{pg_server.port}/{dagster_db}",
        "BPE_DATA_DIR": str(data),
        "DAGSTER_HOME": str(home),
        "TMPDIR": str(tmp_path_factory.mktemp("tmp")),
        "BPE_OCR": "0",
        # the daemon of the queue test launches only the runs the test queues (no sensor runs)
        "BPE_AUTOMATION": "off",
    }
    return {"env": env, "data": data, "home": home, "dsn": lake_dsn}


def _bpe(profile, *args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "bpe"), *args], env=profile["env"], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _cell(table: str) -> str:
    """The one value of a one-row, one-column table as `bpe query` prints it (DuckDB's box)."""
    import re

    rows = [line for line in table.splitlines() if re.match(r"^│\s*\d+\s*│$", line)]
    assert len(rows) == 1, table
    return rows[0].strip("│ ")


def _read_counts(dsn: str, data: Path, tables, **at) -> dict[str, int]:
    from pipelines import ducklake
    from pipelines.settings import paths

    con = ducklake.connect(paths(data), dsn, read_only=True, **at)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def first_run(profile, tmp_path_factory):
    """`bpe run` (what `make run` does) in the production profile: every partition in one run."""
    out = _bpe(profile, "run")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    after = datetime.now(timezone.utc)
    time.sleep(1.0)  # the next snapshot is strictly later
    # the same raw files through the embedded profile, for comparison
    from pipelines.run import run_all
    from pipelines.settings import paths

    emb = tmp_path_factory.mktemp("embedded")
    shutil.copytree(RAW, emb / "raw")
    run_all(paths(emb))
    import duckdb

    con = duckdb.connect(str(emb / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        reports = con.execute("select count(*) from mart_report_scores").fetchone()[0]
    finally:
        con.close()
    return {"stdout": out.stdout, "at": after, "embedded": emb, "reports": reports}


def test_whole_job_materializes_on_postgres(profile, first_run):
    import dagster as dg
    import duckdb

    from pipelines import schema, warehouse

    # the run is recorded in PostgreSQL, not in a SQLite file under DAGSTER_HOME
    assert not list(profile["home"].glob("**/*.db"))
    with _instance(profile) as instance:
        runs = instance.get_runs()
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    # the lakehouse holds what the embedded warehouse holds, table by table
    tables = schema.LANDED_TABLES + warehouse.MARTS
    got = _read_counts(profile["dsn"], profile["data"], tables)
    con = duckdb.connect(str(first_run["embedded"] / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        want = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
        scores = con.execute("select title, total_score, grade from mart_report_scores order by title").fetchall()
    finally:
        con.close()
    assert got == want
    assert want["documents"] == 3 and want["reports"] > 3
    from pipelines import ducklake
    from pipelines.settings import paths

    lk = ducklake.connect(paths(profile["data"]), profile["dsn"], read_only=True)
    try:
        assert lk.execute("select title, total_score, grade from mart_report_scores order by title").fetchall() == scores
        # every row knows its partition: the three sample files are in buckets 08, 30 and 08
        assert dict(lk.execute("select lake_bucket, count(*) from lake.documents group by 1").fetchall()) == {8: 2, 30: 1}
    finally:
        lk.close()
    assert "检查 / checks" in first_run["stdout"]


def _instance(profile):
    import dagster as dg

    old = dict(os.environ)
    os.environ.update({k: profile["env"][k] for k in ("BPE_DAGSTER_PG_URL", "DAGSTER_HOME")})
    try:
        return dg.DagsterInstance.from_config(str(profile["home"]))
    finally:
        os.environ.clear()
        os.environ.update(old)


def _launch(profile, partition: str, label: str) -> subprocess.Popen:
    tags = json.dumps({"dagster/partition": partition, "bpe/test": label})
    return subprocess.Popen([str(BIN / "dagster"), "job", "launch", "-m", MODULE, "-j", "bpe_job", "--tags", tags],
                            env=profile["env"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_partition_runs_overlap_and_same_partition_queues(profile, first_run):
    """Two runs on different partitions, started together, both succeed at the same time; a third
    on the first one's partition waits in the queue until that run is done, then succeeds."""
    import dagster as dg

    # a fourth file, in a bucket of its own, so that both partitions have work to do
    name = next(f"extra_{i}.txt" for i in range(1000) if _bucket(f"extra_{i}.txt") not in ("08", "30"))
    text = (RAW / "001_06df7a84ebc894a1.txt").read_text(encoding="utf-8") + "\n（本文件为测试副本。）\n"
    (profile["data"] / "raw" / name).write_text(text, encoding="utf-8")
    a, b = "08", _bucket(name)
    first = [_launch(profile, a, "a1"), _launch(profile, b, "b1")]
    for p in first:
        assert p.wait(timeout=300) == 0, p.stdout.read()
    third = _launch(profile, a, "a2")
    assert third.wait(timeout=300) == 0, third.stdout.read()
    with _instance(profile) as instance:
        queued = {r.tags["bpe/test"]: r.status for r in instance.get_runs() if "bpe/test" in r.tags}
    assert queued == {"a1": dg.DagsterRunStatus.QUEUED, "b1": dg.DagsterRunStatus.QUEUED, "a2": dg.DagsterRunStatus.QUEUED}

    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-m", MODULE], env=profile["env"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with _instance(profile) as instance:
                records = {r.dagster_run.tags["bpe/test"]: r for r in instance.get_run_records()
                           if "bpe/test" in r.dagster_run.tags}
            if all(r.dagster_run.is_finished for r in records.values()):
                break
            time.sleep(1.0)
        else:
            pytest.fail("runs did not finish in 10 minutes")
    finally:
        os.killpg(daemon.pid, 15)
        daemon.wait(timeout=60)
    statuses = {k: r.dagster_run.status for k, r in records.items()}
    assert statuses == {k: dg.DagsterRunStatus.SUCCESS for k in ("a1", "b1", "a2")}, _failures(profile, records)
    a1, b1, a2 = records["a1"], records["b1"], records["a2"]
    # different partitions ran at the same time ...
    assert a1.start_time < b1.end_time and b1.start_time < a1.end_time
    # ... the same partition did not: a2 waited for a1
    assert a2.start_time >= a1.end_time
    # both partitions are in the lakehouse, and the marts were rebuilt over all four files
    counts = _read_counts(profile["dsn"], profile["data"], ["documents", "mart_report_scores"])
    assert counts["documents"] == len(list((profile["data"] / "raw").iterdir())) >= 4
    from pipelines import ducklake
    from pipelines.settings import paths

    con = ducklake.connect(paths(profile["data"]), profile["dsn"], read_only=True)
    try:
        assert con.execute("select count(*) from documents where path = ?", [name]).fetchone()[0] == 1
        assert {a, b} <= {f"{x:02d}" for (x,) in con.execute("select distinct lake_bucket from lake.documents").fetchall()}
    finally:
        con.close()


def _failures(profile, records) -> str:
    with _instance(profile) as instance:
        out = []
        for k, r in records.items():
            if r.dagster_run.status.value != "SUCCESS":
                logs = instance.all_logs(r.dagster_run.run_id)
                out.append(f"{k}: " + " | ".join(str(e.message)[:300] for e in logs if e.is_dagster_event and "FAIL" in e.dagster_event_type_value)[:3000])
        return "\n".join(out)


def test_query_as_of_an_earlier_time_gives_the_earlier_counts(profile, first_run):
    """After more files are loaded, the lakehouse as of the first run still says 3."""
    at = first_run["at"].isoformat()
    # one more file since the first run (besides any the queue test added), through `bpe run`
    extra = profile["data"] / "raw" / "asof_extra.txt"
    extra.write_text((RAW / "003_c38f57d479bd6754.txt").read_text(encoding="utf-8") + "\n（另一测试副本。）\n", encoding="utf-8")
    assert _bpe(profile, "run").returncode == 0
    n_now = len(list((profile["data"] / "raw").iterdir()))
    assert n_now >= 4
    now = _bpe(profile, "query", "select count(*) as n from documents")
    then = _bpe(profile, "query", "select count(*) as n from documents", "--as-of", at)
    assert now.returncode == 0 and then.returncode == 0, now.stderr + then.stderr
    assert _cell(now.stdout) == str(n_now) and _cell(then.stdout) == "3"
    assert _read_counts(profile["dsn"], profile["data"], ["documents"], as_of=first_run["at"]) == {"documents": 3}
    assert _read_counts(profile["dsn"], profile["data"], ["documents"]) == {"documents": n_now}
    # the DuckDB CLI on the lakehouse (`bpe sql`), now and then, locked down like the embedded one
    cli_now = _bpe(profile, "sql", "--csv", "-c", "select count(*) as n from documents")
    cli_then = _bpe(profile, "sql", "--csv", "--as-of", at, "-c", "select count(*) as n from documents")
    assert (cli_now.stdout.split(), cli_then.stdout.split()) == (["n", str(n_now)], ["n", "3"]), cli_now.stderr + cli_then.stderr
    refused = _bpe(profile, "sql", "-c", "select * from read_csv('/etc/passwd')")
    assert refused.returncode != 0 and "file access is off" in refused.stderr
    # the marts as of then, exported; tables and search in this profile
    out_dir = profile["data"].parent / "export-then"
    exported = _bpe(profile, "export", "--format", "csv", "--as-of", at, str(out_dir))
    assert exported.returncode == 0, exported.stderr
    import csv

    with open(out_dir / "mart_report_scores.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) - 1 == first_run["reports"]
    tables = _bpe(profile, "tables")
    assert tables.returncode == 0 and any(line.startswith("documents ") and f" {n_now} rows" in line for line in tables.stdout.splitlines()), tables.stdout
    search = _bpe(profile, "search", "满意度")
    assert search.returncode == 2 and "embedded warehouse" in search.stderr
    snaps = _bpe(profile, "snapshots")
    assert snaps.returncode == 0, snaps.stderr
    assert len(snaps.stdout.strip().splitlines()) >= 3
    # the embedded profile keeps no history: --as-of says so instead of answering
    emb = {**profile["env"], "BPE_PROFILE": "embedded", "BPE_DATA_DIR": str(first_run["embedded"])}
    out = subprocess.run([str(BIN / "bpe"), "query", "select 1", "--as-of", at], env=emb, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "BPE_PROFILE=postgres" in out.stderr
