# No `from __future__ import annotations` here: Dagster 1.13 rejects string-annotated contexts.
"""The Dagster code location of bpe (named in pyproject's [tool.dagster])."""

import hashlib
import json
import os

import dagster as dg

from pipelines.orchestration import assets as A
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
    from pipelines.inventory import walk_raw

    h = hashlib.sha256()
    if raw_dir.exists():
        for rel, kind, detail in walk_raw(raw_dir):
            try:
                st = os.stat(detail) if kind == "file" else None
            except OSError:
                st = None
            h.update(json.dumps([rel, kind, st.st_size if st else None, st.st_mtime_ns if st else None]).encode())
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


defs = dg.Definitions(
    assets=all_assets,
    jobs=[bpe_job],
    schedules=[nightly],
    sensors=[raw_folder_sensor],
    resources={"bpe": A.BpeData()},
    executor=dg.in_process_executor,
)
