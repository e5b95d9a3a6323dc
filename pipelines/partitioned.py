"""The production profile's pipeline as plain functions: raw files -> extraction -> a DuckLake
lakehouse (`pipelines.ducklake`), one partition (a raw-path bucket, `lake.bucket_of`) at a time.

A partition run lists the whole raw folder (so a file with the same bytes as a file of another
bucket is still marked a duplicate), extracts only its buckets' files (cached by content hash in
<data root>/.state, shared with every other run), and replaces its buckets' rows of every landed
table in one DuckLake transaction: one snapshot per run. Runs on different buckets proceed at
once: no run lock is taken (DuckLake's snapshot isolation keeps them apart); runs on the same
bucket are kept apart by the Dagster run queue (a tag limit on `dagster/partition`).

Limitation: a file whose *text* (not bytes) repeats a file of another bucket is marked a
duplicate only when that other file has been extracted already; a run over every partition is
exact, as the embedded profile is."""

import time
from pathlib import Path

from pipelines import ducklake, lake, settings
from pipelines.settings import Paths

PARTITION_KEYS = [f"{b:02d}" for b in range(lake.N_BUCKETS)]


def bucket_keys(keys) -> list[int]:
    """Partition keys ('00'..'31') as bucket numbers; anything else is refused."""
    out = []
    for k in keys:
        if k not in PARTITION_KEYS:
            raise ValueError(f"not a partition of the lakehouse: {k!r} (expected 00..{lake.N_BUCKETS - 1:02d})")
        out.append(int(k))
    return sorted(set(out))


def listing_path(paths: Paths, run_id: str) -> Path:
    """Where a run keeps the listing its extraction step made, for its commit step."""
    return paths.state / "partition-listings" / f"{run_id}.json"


def extract_partitions(paths: Paths, buckets: list[int], progress=None, workers: int | None = None) -> tuple[list, dict]:
    """List the whole raw folder and extract the files of `buckets` (cached by content hash).
    Returns (the entries of those buckets, counts: files, extracted, cached, by status). Refuses
    (RawFolderGuard) a missing or empty raw folder before anything is replaced."""
    entries = lake.scan_raw(paths.raw, lake.hash_cache_path(paths))
    lake.guard_inventory(paths, entries, settings.allow_shrink())
    wanted = set(buckets)
    mine = [e for e in entries if lake.bucket_of(e.rel_path) in wanted]
    stats = lake.extract_all(paths, mine, workers=workers, progress=progress, exclusive=False)
    stats["same_text"] = lake.mark_same_text(paths, entries)
    return mine, {"files": len(mine), **stats}


def commit_partitions(paths: Paths, dsn: str, buckets: list[int], entries: list) -> dict:
    """Replace the rows of `buckets` in the lakehouse with those of `entries` (extracted), in one
    snapshot. Returns rows per table and the snapshot id."""
    tables = {b: lake.bucket_tables(paths, [e for e in entries if lake.bucket_of(e.rel_path) == b]) for b in buckets}
    con = ducklake.connect(paths, dsn)
    try:
        ducklake.ensure_tables(con)
        snapshot = ducklake.replace_buckets(con, tables)
    finally:
        con.close()
    rows = {t: sum(ts[t].num_rows for ts in tables.values()) for t in next(iter(tables.values()), {})}
    return {"rows": rows, "snapshot_id": snapshot}


def land_partitions(paths: Paths, dsn: str, buckets: list[int], progress=None, workers: int | None = None) -> dict:
    """Extract the raw files of `buckets` and replace those buckets' rows in the lakehouse (one
    snapshot): both steps of a partition run, without Dagster."""
    t0 = time.perf_counter()
    entries, stats = extract_partitions(paths, buckets, progress=progress, workers=workers)
    return {**stats, **commit_partitions(paths, dsn, buckets, entries), "seconds": round(time.perf_counter() - t0, 3)}


def build_marts(paths: Paths, dsn: str) -> dict[str, int]:
    """Every mart (and the derived tables they read) in the lakehouse, in one snapshot."""
    con = ducklake.connect(paths, dsn)
    try:
        ducklake.ensure_tables(con)
        return ducklake.build_marts(con)
    finally:
        con.close()


def run_all_partitions(paths: Paths, dsn: str, progress=None) -> dict:
    """Every partition, then the marts: the whole production pipeline without Dagster."""
    landed = land_partitions(paths, dsn, list(range(lake.N_BUCKETS)), progress=progress)
    return {"landed": landed, "marts": build_marts(paths, dsn)}
