# No `from __future__ import annotations` here: Dagster 1.13 rejects string-annotated contexts.
"""Dagster assets: thin wiring over `pipelines.lake` and `pipelines.warehouse`, plus metadata."""

import atexit
import gc
from pathlib import Path
from datetime import timedelta
from collections import Counter

import dagster as dg
import duckdb

from pipelines import lake, schema, settings, warehouse
from pipelines import warehouse_checks as WC
from pipelines.run import RunInProgress, run_lock
from pipelines.settings import Paths, paths

OWNERS = ["team:bpe-data"]

# A process that has loaded Dagster and run the job holds a few hundred thousand long-lived objects;
# at exit the interpreter's last garbage collections walk them all (1.3 s after every `bpe run` on
# this machine, longer than the no-op run's own work). Frozen first, they are left to the exit as
# they are. This runs at interpreter exit only, after every `with` block and `close()` of the run.
atexit.register(gc.freeze)


class BpeData(dg.ConfigurableResource):
    """Where the data root is. Empty means BPE_DATA_DIR, else the project's data/."""

    data_dir: str = ""

    def paths(self) -> Paths:
        return paths(self.data_dir or None)


# Every asset that writes takes the run lock for its own body (`run_lock`); between two steps another
# run may take it. So each run keeps its own listing of the raw folder (by run id): a step never reads
# another run's. A later step waits this long for another run's step before refusing.
LOCK_WAIT_SECONDS = 600
KEEP_INVENTORIES = 5


def _inventory_path(p: Paths, run_id: str) -> Path:
    return p.state / "inventories" / f"{run_id}.json"


def _load_inventory(p: Paths, run_id: str | None = None) -> list[lake.Entry]:
    """This run's listing; for a check executed on its own (another run), the newest listing."""
    path = _inventory_path(p, run_id) if run_id else None
    if path is None or not path.exists():
        found = sorted((p.state / "inventories").glob("*.json"), key=lambda f: f.stat().st_mtime)
        if not found:
            return []
        path = found[-1]
    return lake.entries_from_json(path.read_bytes())  # JSON, never a pickle: a state file cannot run code


def _prune_inventories(p: Paths) -> None:
    found = sorted((p.state / "inventories").glob("*.json"), key=lambda f: f.stat().st_mtime)
    for f in found[:-KEEP_INVENTORIES] + list((p.state / "inventories").glob("*.pkl")):
        f.unlink(missing_ok=True)


# `bpe_job`'s executor, and the one `execute_in_process` (`bpe run`, `dg.materialize`) runs a job with
IN_PROCESS_EXECUTORS = {"in_process", "execute_in_process_executor"}


def _start_extraction_workers_early(context, p: Paths, entries) -> None:
    """When files are to be extracted and the steps run in this process (the in-process executor of
    `bpe_job`), start the extraction workers' forkserver now: it imports the extraction code (about
    1 s, in a process of its own) while this step ends and the next begins, instead of after
    `parsed_reports` has asked for its first worker. Nothing is started for a run with nothing to
    extract (a no-op run, a removed file)."""
    try:
        in_process = context.job_def.executor_def.name in IN_PROCESS_EXECUTORS
    except Exception:  # noqa: BLE001 - no job (an asset executed on its own): nothing to gain
        return
    if not in_process:
        return
    todo = (e for e in entries if e.duplicate_of is None and not e.error)
    if any(not lake.cache_path(p, e.sha256).exists() for e in todo):
        from multiprocessing import forkserver

        lake.forkserver_context()  # the preload and the parent's pid the forkserver dies with
        forkserver.ensure_running()


def _published(p: Paths, entries) -> dict:
    return {"inventory": lake.inventory_signature(entries), "code": warehouse.code_signature(),
            "warehouse": warehouse.current_signature(p)}


@dg.asset(
    group_name="ingest",
    kinds={"python", "file"},
    owners=OWNERS,
    output_required=False,
    description="Every file under <data root>/raw/ (recursively) with its sha256; identical files are marked duplicates. "
    "When the raw folder, the code and the warehouse are those of the last published build, nothing is "
    "materialized and the run does nothing more (a no-op run records no new materializations).",
)
def raw_documents(context: dg.AssetExecutionContext, bpe: BpeData):
    p = bpe.paths()
    try:
        with run_lock(p):  # another run working on this data root: refuse now, with one clear message
            lake.clean_state_leftovers(p)
            entries = lake.scan_raw(p.raw, lake.hash_cache_path(p))
            # a missing, empty or shrunken raw folder stops the run here: nothing downstream replaces the warehouse
            lake.guard_inventory(p, entries, settings.allow_shrink())
            last = lake.last_good_run(p)
            if last.get("warehouse") and {k: last.get(k) for k in ("inventory", "code", "warehouse")} == _published(p, entries):
                context.log.info(f"nothing changed since the last build ({len(entries)} raw files): the warehouse is current")
                return
            _start_extraction_workers_early(context, p, entries)
            lake.atomic_write_bytes(_inventory_path(p, context.run.run_id), lake.entries_to_json(entries))
    except (lake.RawFolderGuard, RunInProgress) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    by_ext = Counter((e.shown_path.rsplit(".", 1)[-1].lower() if "." in e.shown_path else "(none)") for e in entries)
    context.log.info(f"{len(entries)} raw files under {p.raw}")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(entries),
            "raw_dir": str(p.raw),
            "bytes": sum(e.size for e in entries),
            "duplicates": sum(1 for e in entries if e.duplicate_of),
            "not_read": sum(1 for e in entries if e.error),
            "by_extension": dict(by_ext),
        }
    )


@dg.asset(
    group_name="ingest",
    deps=[raw_documents],
    kinds={"python", "jieba"},
    owners=OWNERS,
    description="Reports found in each raw file and the values extracted from them (jieba + rules), "
    "cached per file by content hash and extractor version: unchanged files are not read again.",
)
def parsed_reports(context: dg.AssetExecutionContext, bpe: BpeData) -> dg.MaterializeResult:
    p = bpe.paths()
    with run_lock(p, wait=LOCK_WAIT_SECONDS):
        entries = _load_inventory(p, context.run.run_id)
        stats = lake.extract_all(p, entries, progress=context.log.info)
        stats["same_text"] = lake.mark_same_text(p, entries)  # a copy in another encoding or format
        lake.atomic_write_bytes(_inventory_path(p, context.run.run_id), lake.entries_to_json(entries))
    context.log.info(f"extraction: {stats}")
    return dg.MaterializeResult(metadata={k: int(v) for k, v in stats.items()})


def _table_specs(layer: str, kind: str, where: str, upstream) -> list[dg.AssetSpec]:
    """One asset per landed table of a layer (lake or warehouse), described by its Chinese name."""
    return [
        dg.AssetSpec([layer, t], group_name=layer, kinds={kind}, owners=OWNERS,
                     description=f"{schema.TABLES[t][0]} — {where.format(t=t)}", deps=upstream(t))
        for t in schema.LANDED_TABLES
    ]


LAKE_SPECS = _table_specs("lake", "parquet", "Parquet at <data root>/lake/{t}/ (contract table `{t}`).", lambda t: [parsed_reports])


def _column_schema(table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(c.name, str(c.type), description=c.comment) for c in schema.TABLES[table][1]]
    )


@dg.multi_asset(specs=LAKE_SPECS, name="lake_tables")
def lake_tables(context: dg.AssetExecutionContext, bpe: BpeData):
    p = bpe.paths()
    with run_lock(p, wait=LOCK_WAIT_SECONDS):
        landed = lake.land(p, _load_inventory(p, context.run.run_id))
    context.log.info(f"lake: {landed['buckets_written']} of {landed['buckets']} buckets rewritten")
    counts = lake.row_counts(p)
    for t in schema.LANDED_TABLES:
        yield dg.MaterializeResult(
            asset_key=["lake", t],
            metadata={
                "dagster/row_count": counts[t],
                "buckets_rewritten": landed["buckets_written"],
                "dagster/column_schema": _column_schema(t),
                "path": str(p.table_dir(t)),
            },
        )


WAREHOUSE_SPECS = _table_specs("warehouse", "duckdb", "table `{t}` in marts/warehouse.duckdb, copied from the lake.", lambda t: [["lake", t]])
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=50), warn_window=timedelta(hours=26))
MART_SPECS = [
    dg.AssetSpec(
        m,
        group_name="marts",
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        description=" — ".join(x for x in (
            warehouse.mart_comment(m),
            (warehouse.SQL_DIR / "marts" / f"{m}.sql").read_text(encoding="utf-8").split("\n", 1)[0].lstrip("- "),
        ) if x),
        # the tables its SQL reads, derived from the SQL (sql/marts/<mart>.sql)
        deps=[["warehouse", t] if t in schema.LANDED_TABLES else [t] for t in sorted(warehouse.mart_reads(m))],
        # the nightly schedule runs at 02:00: a mart not refreshed for a day and a bit is late, two days stale
        freshness_policy=NIGHTLY_FRESHNESS,
    )
    for m in warehouse.MARTS
]
CHECK_SPECS = [
    dg.AssetCheckSpec("dimension_scores_add_up", asset="mart_report_scores", description="一级指标得分之和等于总分 / dimension scores add up to the total"),
    dg.AssetCheckSpec("grade_matches_band", asset="mart_report_scores", description="评价等级与分数档一致 / grade matches the score band"),
    dg.AssetCheckSpec("report_has_district_and_year", asset="mart_report_scores", description="每份报告都有地区和年度 / no report without a district or year"),
    dg.AssetCheckSpec("every_raw_file_has_document_row", asset=["warehouse", "documents"], description="每个原始文件都有documents记录 / every raw file is accounted for"),
    dg.AssetCheckSpec("no_rejected_files", asset=["warehouse", "documents"], description="未能加载的文件清单 / files that could not be loaded (warning)"),
    dg.AssetCheckSpec("no_duplicate_reports", asset=["warehouse", "reports"], description="同一报告出现在两个文件中 / the same report (title, place, year, score) in two files (warning)"),
    dg.AssetCheckSpec("duplicate_files", asset=["warehouse", "documents"], description="重复文件清单（相同字节或相同文本）/ files that repeat another (warning)"),
    dg.AssetCheckSpec("reports_have_evidence", asset=["warehouse", "reports"], description="每份报告都有项目名称或标题，并至少有一个自身的数值（总分、等级、预算、到位或支出） / every report names its project and has a figure of its own"),
    dg.AssetCheckSpec("documents_have_kind", asset=["warehouse", "documents"], description="每个已加载的文件都有文件类型 / every loaded document has a doc_kind"),
]


def _md_preview(con: duckdb.DuckDBPyConnection, table: str, n: int = 10) -> str:
    rel = con.execute(f"select * from {table} limit {n}")
    cols = [d[0] for d in rel.description]
    rows = rel.fetchall()

    def cell(v):
        s = "" if v is None else str(v)
        return s.replace("|", "\\|").replace("\n", " ")[:60]

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def _table_schemas_from_db(con) -> dict[str, dg.TableSchema]:
    """The column schema (name, type, comment) of every table of the warehouse, from one query
    (one `duckdb_columns()` per table took ~15 ms each: half a second for the 29 assets)."""
    columns: dict[str, list[dg.TableColumn]] = {}
    for table, name, dtype, comment in con.execute(
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'main' order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(dg.TableColumn(name, dtype, description=comment))
    return {t: dg.TableSchema(columns=cols) for t, cols in columns.items()}


CHART_MAX_BARS = 40  # the most recent district-years; the full table is in the mart


def _chart_key(rows: list, title: str) -> str:
    """What the chart is drawn from: its rows and title, the drawing code (pipelines/charts.py,
    read without importing it: that would import matplotlib), matplotlib's and the font's versions."""
    import hashlib
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    def installed(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return ""

    h = hashlib.sha256(repr((rows, title, installed("matplotlib"), installed("paperang-p2-fonts-cjk"))).encode("utf-8"))
    h.update(Path(importlib.util.find_spec("pipelines.charts").origin).read_bytes())
    return h.hexdigest()


def _district_chart(con, p: Paths) -> str:
    """Average score and ex-ante reduction rate by district and year, as a PNG inside Markdown.

    Cached by what it is drawn from (its rows, title and code), not by the build: a build that
    leaves the district-years' figures as they were (a no-op run, most single added files) does
    not import matplotlib or draw it again (about 1 s)."""
    # Districts outside Beijing are labelled with their city or province (上海市普陀区, 舟山市普陀区).
    rows = con.execute(
        "select case when province is null or province = '北京市' or district in (province, city) then district "
        "else coalesce(city, province) || district end, report_year, avg_score, exante_reduction_rate_pct "
        "from mart_district_year order by report_year desc, province, city, district limit ?",
        [CHART_MAX_BARS],
    ).fetchall()
    if not rows:
        return "（暂无数据 / no data yet）"
    rows.reverse()
    title = "各地区平均得分与事前绩效评估审减率" + ("（最近40个地区年度）" if len(rows) == CHART_MAX_BARS else "")
    cache = p.state / "charts" / f"district-{_chart_key(rows, title)}.md"
    if cache.exists():
        return cache.read_text(encoding="utf-8")
    from pipelines import charts  # matplotlib: imported only to draw

    md = charts.png_markdown(charts.district_chart_png(rows, title=title), "各地区平均得分与事前评估审减率 / score and ex-ante reduction by district")
    for old in cache.parent.glob("district-*.md") if cache.parent.exists() else []:
        old.unlink(missing_ok=True)
    lake.atomic_write_bytes(cache, md.encode("utf-8"))
    return md


def _check(con, sql: str):
    return con.execute(sql).fetchall()


@dg.multi_asset(specs=WAREHOUSE_SPECS + MART_SPECS, name="warehouse_and_marts")
def warehouse_and_marts(context: dg.AssetExecutionContext, bpe: BpeData):
    """Rebuilds marts/warehouse.duckdb in a temporary file and swaps it in atomically."""
    p = bpe.paths()
    with run_lock(p, wait=LOCK_WAIT_SECONDS):
        try:
            counts = warehouse.build_warehouse(p)
        except warehouse.NotEnoughDisk as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        entries = _load_inventory(p, context.run.run_id)
        lake.record_good_run(p, entries, _published(p, entries))
        _prune_inventories(p)
    con = warehouse.connect_read_only(p)
    try:
        schemas = _table_schemas_from_db(con)
        for t in schema.LANDED_TABLES:
            yield dg.MaterializeResult(
                asset_key=["warehouse", t],
                metadata={"dagster/row_count": counts[t], "dagster/column_schema": schemas[t]},
            )
        for m in warehouse.MARTS:
            metadata = {
                "dagster/row_count": counts[m],
                "dagster/column_schema": schemas[m],
                "preview": dg.MetadataValue.md(_md_preview(con, m)),
                "sql": dg.MetadataValue.path(str(warehouse.SQL_DIR / "marts" / f"{m}.sql")),
            }
            if m == "mart_district_year":
                metadata["chart"] = dg.MetadataValue.md(_district_chart(con, p))
            yield dg.MaterializeResult(asset_key=m, metadata=metadata)
    finally:
        con.close()


# Checks answered by one SQL query (pipelines/warehouse_checks.py, shared with `bpe status`).
_SEVERITY = {"WARN": dg.AssetCheckSeverity.WARN, "ERROR": dg.AssetCheckSeverity.ERROR}
SQL_CHECKS = [(name, asset, _SEVERITY[sev], sql) for name, asset, sev, sql in WC.SQL_CHECKS]


def _same_key(asset):
    return asset


def sql_checks(con, key=_same_key):
    """The checks of SQL_CHECKS on an open warehouse, one AssetCheckResult each. `key` maps a
    check's asset to the asset it is reported on (the production profile's lake tables)."""
    for name, asset, severity, sql in SQL_CHECKS:
        bad = _check(con, sql)
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=key(asset),
            passed=not bad,
            severity=severity,
            metadata={"failing": len(bad), "rows": dg.MetadataValue.json([list(map(str, r)) for r in bad[:200]])},
        )


def asset_checks(con, p: Paths, run_id: str | None = None, key=_same_key):
    yield from sql_checks(con, key)
    raw = WC.raw_listing(p.raw)  # listed again, independently of the run's own listing
    rows = {r[0] for r in _check(con, "select path from documents")}
    missing = sorted(raw - rows)
    yield dg.AssetCheckResult(
        check_name="every_raw_file_has_document_row",
        asset_key=key(["warehouse", "documents"]),
        passed=not missing,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"raw_entries": len(raw), "document_rows": len(rows), "missing": dg.MetadataValue.json(missing[:50]),
                  "not_in_raw": dg.MetadataValue.json(sorted(rows - raw)[:50])},
    )


@dg.multi_asset_check(specs=CHECK_SPECS, name="warehouse_checks", can_subset=True)
def warehouse_checks(context: dg.AssetCheckExecutionContext, bpe: BpeData):
    """Every check of the warehouse, on the warehouse as it is: they run after each build, and
    each can be executed on its own from the UI (or `dagster asset check`)."""
    p = bpe.paths()
    con = warehouse.connect_read_only(p)
    try:
        selected = {k.name for k in context.selected_asset_check_keys}
        for result in asset_checks(con, p, context.run.run_id):
            if result.check_name in selected:
                yield result
    finally:
        con.close()
