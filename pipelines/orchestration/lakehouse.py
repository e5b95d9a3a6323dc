# No `from __future__ import annotations` here: Dagster 1.13 rejects string-annotated contexts.
"""Dagster assets of the production profile (BPE_PROFILE=postgres): thin wiring over
`pipelines.partitioned` and `pipelines.ducklake`.

- `parsed_buckets`: the raw files of some partitions (raw-path buckets, 32 static partitions
  '00'..'31') extracted; runs on different partitions extract at once.
- `lakehouse_buckets`: the landed tables of the contract as DuckLake tables; a run replaces its
  partitions' rows in one snapshot, in the concurrency pool `bpe_lake` (one slot: one step at a
  time writes the lake's tables). A run over a range of partitions (a backfill, or `bpe run`) is
  one run (`BackfillPolicy.single_run`).
- `lakehouse_marts`: every mart, rebuilt over all partitions in one snapshot, in the concurrency
  pool `bpe_marts` (the instance gives every pool one slot: only one step at a time rewrites the
  marts; runs queue for it instead of conflicting).
- `lakehouse_checks`: the warehouse's checks, answered by the lakehouse."""

import dagster as dg

from pipelines import ducklake, lake, partitioned, schema, warehouse
from pipelines.orchestration import assets as A
from pipelines.orchestration.assets import OWNERS, BpeData

BUCKETS = dg.StaticPartitionsDefinition(partitioned.PARTITION_KEYS)
MARTS_POOL = "bpe_marts"
ALL_PARTITIONS_TAGS = {
    "dagster/asset_partition_range_start": partitioned.PARTITION_KEYS[0],
    "dagster/asset_partition_range_end": partitioned.PARTITION_KEYS[-1],
}


class Lakehouse(dg.ConfigurableResource):
    """The DuckLake catalog: a libpq connection string. Empty means BPE_PG_DSN."""

    dsn: str = ""

    def catalog(self) -> str:
        dsn = self.dsn or ducklake.catalog_dsn()
        if not dsn:
            raise dg.Failure(description="BPE_PG_DSN is not set: the production profile needs the PostgreSQL "
                             "catalog of the lakehouse (README: Scaling out / 扩展部署)", allow_retries=False)
        return dsn


@dg.asset(name="parsed_buckets", group_name="lakehouse", kinds={"python", "jieba"}, owners=OWNERS,
          partitions_def=BUCKETS, backfill_policy=dg.BackfillPolicy.single_run(),
          description="The raw files of the partitions' buckets, extracted (cached per file by content hash "
          "in <data root>/.state, shared by every run). Runs on different partitions extract at once.")
def parsed_buckets(context: dg.AssetExecutionContext, bpe: BpeData) -> dg.MaterializeResult:
    p = bpe.paths()
    buckets = partitioned.bucket_keys(context.partition_keys)
    try:
        entries, stats = partitioned.extract_partitions(p, buckets, progress=context.log.info)
    except lake.RawFolderGuard as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    lake.atomic_write_bytes(partitioned.listing_path(p, context.run.run_id), lake.entries_to_json(entries))
    context.log.info(f"buckets {','.join(context.partition_keys)}: {stats}")
    return dg.MaterializeResult(metadata={k: int(v) for k, v in stats.items()})


LAKE_SPECS = [
    dg.AssetSpec(["lake", t], group_name="lakehouse", kinds={"ducklake", "parquet"}, owners=OWNERS, deps=[parsed_buckets],
                 description=f"{schema.TABLES[t][0]} — DuckLake table `lake.{t}` (Parquet under <data root>/ducklake/, "
                 "catalog in PostgreSQL), partitioned by raw-path bucket (column lake_bucket).")
    for t in schema.LANDED_TABLES
]
LAKE_POOL = "bpe_lake"
KEEP_LISTINGS = 20


@dg.multi_asset(specs=LAKE_SPECS, name="lakehouse_buckets", partitions_def=BUCKETS,
                backfill_policy=dg.BackfillPolicy.single_run(), pool=LAKE_POOL)
def lakehouse_buckets(context: dg.AssetExecutionContext, bpe: BpeData, lakehouse: Lakehouse):
    """The partitions' rows of every landed table replaced in one snapshot. In the pool bpe_lake
    (one slot): one step at a time writes the lake's tables, so commits queue instead of conflicting."""
    p = bpe.paths()
    buckets = partitioned.bucket_keys(context.partition_keys)
    listing = partitioned.listing_path(p, context.run.run_id)
    entries = lake.entries_from_json(listing.read_bytes())
    stats = partitioned.commit_partitions(p, lakehouse.catalog(), buckets, entries)
    listing.unlink(missing_ok=True)
    for old in sorted(listing.parent.glob("*.json"), key=lambda f: f.stat().st_mtime)[:-KEEP_LISTINGS]:
        old.unlink(missing_ok=True)  # left by runs that failed between their two steps
    context.log.info(f"buckets {','.join(context.partition_keys)}: snapshot {stats['snapshot_id']}")
    for t in schema.LANDED_TABLES:
        yield dg.MaterializeResult(
            asset_key=["lake", t],
            metadata={"dagster/row_count": stats["rows"].get(t, 0), "snapshot_id": stats["snapshot_id"]},
        )


MART_SPECS = [
    dg.AssetSpec(
        m, group_name="marts", kinds={"ducklake", "sql"}, owners=OWNERS,
        description=(warehouse.mart_comment(m) or m) + " — DuckLake table, rebuilt over every partition.",
        deps=[["lake", t] if t in schema.LANDED_TABLES else [t] for t in sorted(warehouse.mart_reads(m))],
        freshness_policy=A.NIGHTLY_FRESHNESS,
    )
    for m in warehouse.MARTS
]


@dg.multi_asset(specs=MART_SPECS, name="lakehouse_marts", pool=MARTS_POOL)
def lakehouse_marts(context: dg.AssetExecutionContext, bpe: BpeData, lakehouse: Lakehouse):
    counts = partitioned.build_marts(bpe.paths(), lakehouse.catalog())
    for m in warehouse.MARTS:
        yield dg.MaterializeResult(asset_key=m, metadata={"dagster/row_count": counts.get(m, 0)})


def _lake_key(asset) -> dg.AssetKey:
    """A check's asset in the embedded profile (`["warehouse", t]` or a mart) in this one."""
    path = asset.path if isinstance(asset, dg.AssetKey) else asset if isinstance(asset, list) else [asset]
    return dg.AssetKey(["lake", path[1]] if path[0] == "warehouse" else path)


# the embedded profile's checks, on the lake's tables instead of the warehouse file's
CHECK_SPECS = [dg.AssetCheckSpec(s.name, asset=_lake_key(s.asset_key), description=s.description) for s in A.CHECK_SPECS]


@dg.multi_asset_check(specs=CHECK_SPECS, name="lakehouse_checks", can_subset=True)
def lakehouse_checks(context: dg.AssetCheckExecutionContext, bpe: BpeData, lakehouse: Lakehouse):
    """The warehouse's checks on the lakehouse's latest snapshot."""
    p = bpe.paths()
    selected = {k.name for k in context.selected_asset_check_keys}
    con = ducklake.connect(p, lakehouse.catalog(), read_only=True)
    try:
        for result in A.asset_checks(con, p, context.run.run_id, key=_lake_key):
            if result.check_name in selected:
                yield result
    finally:
        con.close()


ASSETS = [parsed_buckets, lakehouse_buckets, lakehouse_marts, lakehouse_checks]


def bucket_fingerprints(raw_dir) -> dict[str, str]:
    """Per partition, a cheap fingerprint of its raw files (path, size, modification time)."""
    import hashlib

    from pipelines.inventory import stat_listing

    hashes: dict = {}
    for rel, line in stat_listing(raw_dir):
        hashes.setdefault(f"{lake.bucket_of(rel):02d}", hashlib.sha256()).update(line)
    return {k: h.hexdigest() for k, h in sorted(hashes.items())}


def changed_partitions(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The partitions whose files were added, removed or changed (a bucket emptied counts)."""
    return sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
