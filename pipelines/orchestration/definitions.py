# No `from __future__ import annotations` here: Dagster 1.13 rejects string-annotated contexts.
"""The Dagster code location of bpe (named in pyproject's [tool.dagster])."""

import hashlib
import json
import os

import dagster as dg

from pipelines.orchestration import assets as A
from pipelines import settings
from pipelines.settings import paths

all_assets = [A.raw_documents, A.parsed_reports, A.lake_tables, A.warehouse_and_marts, A.warehouse_checks]

bpe_job = dg.define_asset_job(
    "bpe_job",
    selection=dg.AssetSelection.all(),
    description="The whole pipeline: raw files -> extraction -> lake (Parquet) -> warehouse and marts (DuckDB).",
    executor_def=dg.in_process_executor,
    # INFO and above on the console (`make run`): progress and results, not Dagster's DEBUG events
    config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
)

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=bpe_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Beijing time.",
)


def raw_fingerprint(raw_dir) -> str:
    """A cheap fingerprint of the raw folder: every entry as the run lists it (`walk_raw`: links
    never followed, nothing opened), with the size and modification time of the files."""
    from pipelines.inventory import stat_listing

    h = hashlib.sha256()
    for _rel, line in stat_listing(raw_dir):
        h.update(line)
    return h.hexdigest()


@dg.sensor(
    job=bpe_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when files in the raw folder are added, removed or changed.",
)
def raw_folder_sensor(context: dg.SensorEvaluationContext):
    """The cursor holds the fingerprint last seen and how many changes there have been; the run key
    is both, so a folder that returns to an earlier state (a revert) is a new change, not a run key
    Dagster already completed."""
    fp = raw_fingerprint(paths().raw)
    try:
        cur = json.loads(context.cursor) if context.cursor else {}
    except ValueError:
        cur = {"fp": context.cursor}  # a cursor of the old form: the fingerprint alone
    if cur.get("fp") == fp:
        return dg.SkipReason("raw folder unchanged")
    n = int(cur.get("n", 0)) + 1
    context.update_cursor(json.dumps({"fp": fp, "n": n}))
    return dg.RunRequest(run_key=f"{fp}:{n}")


def embedded_definitions() -> dg.Definitions:
    """The default: one DuckDB file, a SQLite Dagster instance, one run at a time, in process."""
    return dg.Definitions(
        assets=all_assets,
        jobs=[bpe_job],
        schedules=[nightly],
        sensors=[raw_folder_sensor],
        resources={"bpe": A.BpeData()},
        executor=dg.in_process_executor,
    )


def _executor():
    """The production profile's executor: each step in its own process on this machine
    (`multiprocess`), or each step in its own Kubernetes Job (BPE_EXECUTOR=k8s, dagster-k8s)."""
    kind = os.environ.get("BPE_EXECUTOR", "multiprocess").strip().lower()
    if kind == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if kind != "multiprocess":
        raise ValueError(f"BPE_EXECUTOR={kind!r}: expected multiprocess or k8s")
    return dg.multiprocess_executor.configured({"max_concurrent": 2})


def postgres_definitions() -> dg.Definitions:
    """The production profile (BPE_PROFILE=postgres): the lakehouse on DuckLake with its catalog in
    PostgreSQL, extraction partitioned by raw-path bucket, the instance of deploy/postgres/."""
    from pipelines.orchestration import lakehouse as L

    job = dg.define_asset_job(
        "bpe_job",
        selection=dg.AssetSelection.all(),
        description="Raw files of the selected partitions -> extraction -> DuckLake tables (one snapshot per run) "
        "-> marts over every partition. Without a partition: every partition, in one run.",
        config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )

    on = settings.automation_on()

    @dg.schedule(job=job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
                 default_status=dg.DefaultScheduleStatus.RUNNING if on else dg.DefaultScheduleStatus.STOPPED, name="nightly",
                 description="Every night at 02:00 Beijing time: every partition, in one run.")
    def nightly_all(context: dg.ScheduleEvaluationContext):
        return dg.RunRequest(tags=L.ALL_PARTITIONS_TAGS)

    @dg.sensor(job=job, minimum_interval_seconds=60,
               default_status=dg.DefaultSensorStatus.RUNNING if on else dg.DefaultSensorStatus.STOPPED,
               name="raw_folder_sensor",
               description="One run per partition whose raw files were added, removed or changed.")
    def partition_sensor(context: dg.SensorEvaluationContext):
        try:
            cur = json.loads(context.cursor) if context.cursor else {}
        except ValueError:
            cur = {}
        before, n = cur.get("buckets", {}), int(cur.get("n", 0)) + 1
        now = L.bucket_fingerprints(paths().raw)
        changed = L.changed_partitions(before, now)
        if not changed:
            return dg.SkipReason("raw folder unchanged")
        context.update_cursor(json.dumps({"buckets": now, "n": n}))
        return [dg.RunRequest(run_key=f"{k}:{now.get(k, 'empty')}:{n}", partition_key=k) for k in changed]

    return dg.Definitions(
        assets=L.ASSETS,
        jobs=[job],
        schedules=[nightly_all],
        sensors=[partition_sensor],
        resources={"bpe": A.BpeData(), "lakehouse": L.Lakehouse()},
        executor=_executor(),
    )


def build_definitions(profile: str | None = None) -> dg.Definitions:
    return postgres_definitions() if (profile or settings.profile()) == "postgres" else embedded_definitions()


defs = build_definitions()
