"""The production profile's configuration files (deploy/) against Dagster's own config schemas:
the PostgreSQL instance, the queue and pools, the Kubernetes run launcher and step executor, and
`dagster definitions validate` in both profiles. No PostgreSQL or cluster is needed for these."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PG_URL = "postgresql+psycopg2://bpe:secret@db.example.org:5432/dagster"


@pytest.fixture
def pg_env(monkeypatch):
    monkeypatch.setenv("BPE_DAGSTER_PG_URL", PG_URL)


@pytest.mark.parametrize("folder", ["postgres", "k8s"])
def test_instance_config_is_valid_and_queues_per_partition(folder, pg_env):
    config, _cls = dagster_instance_config(str(DEPLOY / folder))
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    runs = config["concurrency"]["runs"]
    assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in runs["tag_concurrency_limits"]
    assert config["concurrency"]["pools"]["default_limit"] == 1
    # the storage block is what dagster-postgres reads, with the URL from the environment
    from dagster_postgres import DagsterPostgresStorage

    got = process_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert got.success, got.errors
    assert got.value["postgres_url"] == PG_URL


def test_k8s_run_launcher_config_is_valid(pg_env):
    from dagster_k8s import K8sRunLauncher

    config, _ = dagster_instance_config(str(DEPLOY / "k8s"))
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    got = process_config(K8sRunLauncher.config_type(), launcher["config"])
    assert got.success, got.errors
    assert got.value["job_namespace"] == "bpe"
    assert got.value["volume_mounts"][0]["mountPath"] == "/data"
    # a misspelt field is refused by the same schema (the check can fail)
    bad = process_config(K8sRunLauncher.config_type(), {**launcher["config"], "job_namespaces": "x"})
    assert not bad.success


def _defs(monkeypatch, executor: str):
    monkeypatch.setenv("BPE_PROFILE", "postgres")
    monkeypatch.setenv("BPE_EXECUTOR", executor)
    from pipelines.orchestration.definitions import build_definitions

    return build_definitions()


def test_k8s_executor_run_config_is_valid(monkeypatch):
    defs = _defs(monkeypatch, "k8s")
    job = defs.resolve_job_def("bpe_job")
    assert job.executor_def.name == "k8s"
    run_config = yaml.safe_load((DEPLOY / "k8s" / "run_config.yaml").read_text())
    dg.validate_run_config(job, run_config)
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(job, {"execution": {"config": {"max_concurent": 4}}})


def test_postgres_profile_definitions(monkeypatch):
    defs = _defs(monkeypatch, "multiprocess")
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("bpe_job")
    assert job.executor_def.name == "multiprocess"
    graph = defs.resolve_asset_graph()
    lake_docs = graph.get(dg.AssetKey(["lake", "documents"]))
    assert lake_docs.partitions_def.get_partition_keys()[:3] == ["00", "01", "02"]
    assert len(lake_docs.partitions_def.get_partition_keys()) == 32
    marts = graph.get(dg.AssetKey("mart_report_scores"))
    assert marts.partitions_def is None
    assert graph.get(dg.AssetKey("mart_report_scores")).pools == {"bpe_marts"}
    # extraction runs at once across partitions; one step at a time writes the lake's tables
    assert graph.get(dg.AssetKey("parsed_buckets")).pools == set()
    assert graph.get(dg.AssetKey("parsed_buckets")).partitions_def == lake_docs.partitions_def
    assert lake_docs.pools == {"bpe_lake"}


def test_unknown_profile_or_executor_refused(monkeypatch):
    from pipelines import settings

    monkeypatch.setenv("BPE_PROFILE", "cluster")
    with pytest.raises(ValueError, match="BPE_PROFILE='cluster'"):
        settings.profile()
    monkeypatch.setenv("BPE_PROFILE", "postgres")
    monkeypatch.setenv("BPE_EXECUTOR", "celery")
    from pipelines.orchestration.definitions import build_definitions

    with pytest.raises(ValueError, match="BPE_EXECUTOR='celery'"):
        build_definitions()


@pytest.mark.parametrize("env", [{}, {"BPE_PROFILE": "postgres"}, {"BPE_PROFILE": "postgres", "BPE_EXECUTOR": "k8s"}],
                         ids=["embedded", "postgres", "postgres-k8s"])
def test_dagster_definitions_validate(env, tmp_path):
    """`dagster definitions validate` as a person runs it, in each profile."""
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("BPE_PROFILE", "BPE_EXECUTOR", "DAGSTER_HOME"))}
    run_env.update(env, TMPDIR=str(tmp_path))
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run([str(dagster), "definitions", "validate", "-m", "pipelines.orchestration.definitions"],
                          cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Validation successful" in proc.stdout + proc.stderr


def test_sensor_requests_one_run_per_changed_partition(monkeypatch, tmp_path):
    """The production profile's sensor: a run for each partition whose files changed, none when
    nothing did; with BPE_AUTOMATION=off it starts stopped."""
    import shutil

    from pipelines import lake

    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    monkeypatch.setenv("BPE_DATA_DIR", str(tmp_path))
    defs = _defs(monkeypatch, "multiprocess")
    sensor = defs.resolve_sensor_def("raw_folder_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    repo = defs.get_repository_def()
    with dg.DagsterInstance.ephemeral() as instance:
        ctx = dg.build_sensor_context(instance=instance, repository_def=repo)
        first = list(sensor.evaluate_tick(ctx).run_requests)
        # the three sample files are in buckets 08, 30 and 08 (lake.bucket_of of their names)
        assert sorted(r.partition_key for r in first) == ["08", "30"]
        ctx2 = dg.build_sensor_context(instance=instance, cursor=ctx.cursor, repository_def=repo)
        assert list(sensor.evaluate_tick(ctx2).run_requests) == []
        (raw / "001_06df7a84ebc894a1.txt").write_text("改动", encoding="utf-8")
        ctx3 = dg.build_sensor_context(instance=instance, cursor=ctx2.cursor or ctx.cursor, repository_def=repo)
        third = list(sensor.evaluate_tick(ctx3).run_requests)
        assert [r.partition_key for r in third] == [f"{lake.bucket_of('001_06df7a84ebc894a1.txt'):02d}"] == ["30"]
    monkeypatch.setenv("BPE_AUTOMATION", "off")
    from pipelines.orchestration.definitions import build_definitions

    stopped = build_definitions()
    assert stopped.resolve_sensor_def("raw_folder_sensor").default_status == dg.DefaultSensorStatus.STOPPED
    assert stopped.resolve_schedule_def("nightly").default_status == dg.DefaultScheduleStatus.STOPPED
