"""The whole Dagster job in-process on a temporary data root (a copy of the sample corpus)."""

from decimal import Decimal as D

import dagster as dg
import pytest

from pipelines import definitions
from pipelines.assets import BpeData
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
        assert isinstance(definitions.raw_folder_sensor(ctx3), dg.RunRequest)


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
