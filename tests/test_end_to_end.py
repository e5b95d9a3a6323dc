"""The whole Dagster job in-process on a temporary data root (a copy of the sample corpus)."""

from decimal import Decimal as D

import dagster as dg
import pytest

from pipelines.orchestration import definitions
from pipelines.orchestration.assets import BpeData
from tests.conftest import query


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import shutil

    from tests.conftest import RAW

    root = tmp_path_factory.mktemp("root")
    shutil.copytree(RAW, root / "raw")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            definitions.all_assets, instance=instance, resources={"bpe": BpeData(data_dir=str(root))}
        )
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert result.success
    return root, checks


def q(root, sql):
    return query(root, sql)


def test_eight_reports_with_district_year_score_grade(built):
    root, _ = built
    rows = q(root, "select district, report_year, total_score, grade from reports order by district, total_score")
    assert rows == [
        ("丰台区", 2024, D("81.23"), "良"),
        ("丰台区", 2024, D("82.00"), "良"),
        ("丰台区", 2024, D("84.90"), "良"),
        ("丰台区", 2024, D("86.88"), "良"),
        ("北京市", 2024, D("83.70"), "良"),
        ("北京市", 2024, D("87.78"), "良"),
        ("北京市", 2024, D("90.04"), "优"),
        ("石景山区", 2022, D("91.50"), "优"),
    ]


def test_three_documents_parsed(built):
    root, _ = built
    assert q(root, "select path, status, n_reports from documents order by path") == [
        ("000_01c7e19edd1216e8.txt", "parsed", 3),
        ("001_06df7a84ebc894a1.txt", "parsed", 4),
        ("003_c38f57d479bd6754.txt", "parsed", 1),
    ]


def test_district_year_mart(built):
    root, _ = built
    rows = q(
        root,
        "select district, report_year, n_reports, exante_items, exante_submitted_wan, exante_reduced_wan, "
        "exante_reduction_rate_pct from mart_district_year order by district",
    )
    assert rows == [
        ("丰台区", 2024, 4, 182, None, D("110400.0000"), None),
        ("北京市", 2024, 3, 1142, D("895000.0000"), D("78000.0000"), 8.72),
        ("石景山区", 2022, 1, None, None, None, None),
    ]


def test_asset_checks_pass_on_the_corpus(built):
    _, checks = built
    assert checks == {
        "dimension_scores_add_up": True,
        "grade_matches_band": True,
        "report_has_district_and_year": True,
        "every_raw_file_has_document_row": True,
        "no_rejected_files": True,
        "reports_have_evidence": True,
        "documents_have_kind": True,
        "no_duplicate_reports": True,
        "duplicate_files": True,
    }


def test_lake_has_parquet_per_table(built):
    root, _ = built
    from pipelines.schema import LANDED_TABLES

    for t in LANDED_TABLES:
        parts = sorted(f.name for f in (root / "lake" / t).glob("*.parquet"))
        assert parts == [f"part-{b:02d}.parquet" for b in range(32)], t


def test_columns_have_chinese_comments(built):
    root, _ = built
    rows = dict(q(root, "select column_name, comment from duckdb_columns() where table_name = 'reports'"))
    assert rows["total_score"] == "综合得分" and rows["department"] == "主管部门"


def test_definitions_load_and_schedule_is_nightly_in_beijing():
    dg.Definitions.validate_loadable(definitions.defs)
    sched = definitions.nightly
    assert sched.cron_schedule == "0 2 * * *" and sched.execution_timezone == "Asia/Shanghai"


def test_sensor_requests_a_run_only_when_raw_changes(tmp_path, monkeypatch):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text("x", encoding="utf-8")
    monkeypatch.setenv("BPE_DATA_DIR", str(tmp_path))
    with dg.DagsterInstance.ephemeral() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        first = definitions.raw_folder_sensor(ctx)
        assert isinstance(first, dg.RunRequest)
        ctx2 = dg.build_sensor_context(instance=instance, cursor=ctx.cursor)
        assert isinstance(definitions.raw_folder_sensor(ctx2), dg.SkipReason)
        (tmp_path / "raw" / "b.txt").write_text("y", encoding="utf-8")
        ctx3 = dg.build_sensor_context(instance=instance, cursor=ctx.cursor)
        third = definitions.raw_folder_sensor(ctx3)
        assert isinstance(third, dg.RunRequest)
        # a revert (b.txt removed again) is a change too, with a run key never used before
        (tmp_path / "raw" / "b.txt").unlink()
        ctx4 = dg.build_sensor_context(instance=instance, cursor=ctx3.cursor)
        fourth = definitions.raw_folder_sensor(ctx4)
        assert isinstance(fourth, dg.RunRequest)
        assert len({first.run_key, third.run_key, fourth.run_key}) == 3


def test_duckdb_cli_from_pypi_opens_the_warehouse(built):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root, _ = built
    cli = Path(sys.executable).parent / "duckdb"
    cli = str(cli) if cli.exists() else shutil.which("duckdb")
    assert cli, "the duckdb-cli package installs a `duckdb` command beside python"
    out = subprocess.run(
        [cli, "-readonly", "-csv", str(root / "marts" / "warehouse.duckdb"),
         "-c", "select count(*) as n, sum(total_score) as s from reports"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    assert out.split() == ["n,s", "8,688.03"]


def test_job_on_a_missing_raw_folder_fails_and_keeps_the_warehouse(tmp_path):
    import shutil

    from tests.conftest import RAW

    shutil.copytree(RAW, tmp_path / "raw")
    res = {"bpe": BpeData(data_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        assert dg.materialize(definitions.all_assets, instance=instance, resources=res).success
        before = (tmp_path / "marts" / "warehouse.duckdb").read_bytes()
        shutil.rmtree(tmp_path / "raw")  # the share is not mounted tonight
        result = dg.materialize(definitions.all_assets, instance=instance, resources=res, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "the raw folder does not exist" in str(failure.event_specific_data.error)
    assert (tmp_path / "marts" / "warehouse.duckdb").read_bytes() == before


def test_each_marts_upstream_is_the_tables_its_sql_reads():
    import re

    from pipelines import schema, warehouse

    graph = definitions.defs.resolve_asset_graph()
    for m in warehouse.MARTS:
        sql = (warehouse.SQL_DIR / "marts" / f"{m}.sql").read_text(encoding="utf-8")
        body = re.sub(r"--[^\n]*", "", sql).lower()
        named = {t for t in schema.LANDED_TABLES if re.search(rf"\b(?:from|join)\s+{t}\b", body)}
        upstream = {k.path[-1] for k in graph.get(dg.AssetKey(m)).parent_keys}
        assert upstream == named, m
        assert named, m  # every mart reads something
    assert graph.get(dg.AssetKey("mart_report_scores")).description.startswith("报告得分一览")
    # the nightly schedule's freshness: late after 26 hours, stale after 50
    policy = graph.get(dg.AssetKey("mart_district_year")).freshness_policy
    assert policy is not None and policy.fail_window.to_timedelta().total_seconds() == 50 * 3600


def test_bpe_sql_runs_the_fulltext_example_as_written(built, capfd, monkeypatch):
    from pipelines import cli, warehouse

    root, _ = built
    monkeypatch.setenv("BPE_DATA_DIR", str(root))
    sql = (warehouse.SQL_DIR / "examples" / "10_fulltext_search_findings.sql").read_text(encoding="utf-8")
    assert cli.main(["sql", "--csv", "-c", sql]) == 0
    out = capfd.readouterr().out.strip().splitlines()
    assert len(out) >= 2 and "score" in out[0]  # a header and at least one finding
    assert "满意度" in "\n".join(out[1:])


def test_a_noop_run_records_no_materialization(tmp_path):
    import shutil

    from tests.conftest import RAW

    shutil.copytree(RAW, tmp_path / "raw")
    res = {"bpe": BpeData(data_dir=str(tmp_path))}
    with dg.DagsterInstance.ephemeral() as instance:
        first = dg.materialize(definitions.all_assets, instance=instance, resources=res)
        assert first.success and len(first.get_asset_materialization_events()) > 20
        second = dg.materialize(definitions.all_assets, instance=instance, resources=res)
        assert second.success and second.get_asset_materialization_events() == []
        # a change is a run again
        (tmp_path / "raw" / "zz.txt").write_text("关于召开会议的通知。", encoding="utf-8")
        third = dg.materialize(definitions.all_assets, instance=instance, resources=res)
        assert third.success and len(third.get_asset_materialization_events()) > 20
        # and so is a warehouse that is gone
        (tmp_path / "marts" / "warehouse.duckdb").unlink()
        fourth = dg.materialize(definitions.all_assets, instance=instance, resources=res)
        assert fourth.success and (tmp_path / "marts" / "warehouse.duckdb").exists()


def test_a_check_runs_on_its_own(built):
    root, _ = built
    key = dg.AssetCheckKey(dg.AssetKey(["warehouse", "documents"]), "no_rejected_files")
    job = dg.define_asset_job("one_check", selection=dg.AssetSelection.checks(key))
    defs = dg.Definitions(assets=definitions.all_assets, jobs=[job], resources={"bpe": BpeData(data_dir=str(root))})
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("one_check").execute_in_process(instance=instance)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("no_rejected_files", True)]
    assert result.get_asset_materialization_events() == []  # nothing was rebuilt to run it


def test_a_second_run_is_refused_with_one_clear_message(tmp_path):
    import shutil
    import subprocess
    import sys

    from tests.conftest import RAW

    shutil.copytree(RAW, tmp_path / "raw")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from pipelines.run import acquire_lock; from pipelines.settings import paths; "
         "acquire_lock(paths(sys.argv[1])); print('held', flush=True); time.sleep(60)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with dg.DagsterInstance.ephemeral() as instance:
            result = dg.materialize(definitions.all_assets, instance=instance,
                                    resources={"bpe": BpeData(data_dir=str(tmp_path))}, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert failure.step_key == "raw_documents"
        assert "another run is already working" in str(failure.event_specific_data.error)
        assert not (tmp_path / "marts" / "warehouse.duckdb").exists()
    finally:
        holder.kill()
        holder.wait()


def test_bpe_run_records_the_job_on_dagster_home_then_prints_the_status(tmp_path, monkeypatch, capsys):
    """`make run` is `bpe run`: the job through Dagster's Python API on $DAGSTER_HOME, then the status."""
    import shutil
    from pathlib import Path

    from pipelines.cli import main
    from tests.conftest import RAW

    shutil.copytree(RAW, tmp_path / "root" / "raw")
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("BPE_DATA_DIR", str(tmp_path / "root"))
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "files: 3  parsed 3" in out and "loaded: 8 reports" in out
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert [(r.job_name, r.status) for r in runs] == [("bpe_job", dg.DagsterRunStatus.SUCCESS)]
        assert instance.get_latest_materialization_event(dg.AssetKey(["warehouse", "reports"])) is not None
    assert (tmp_path / "root" / "marts" / "warehouse.duckdb").exists()
    monkeypatch.delenv("DAGSTER_HOME")
    assert main(["run"]) == 2  # without an instance it says so rather than run on a throwaway one
