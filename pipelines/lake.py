"""The lake: the cached extraction results of the raw files (`pipelines.extraction`), merged in path
order into Parquet tables under lake/<table>/, in 32 buckets by path so that one changed file
rewrites one bucket's parts (`land`); each part is written to a temporary name and renamed into
place. The inventory (`pipelines.inventory`) and the extraction runner are modules of their own;
their names are re-exported here for callers of the old layout."""

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import schema
from pipelines.atomic import atomic_write_bytes, write_parquet_atomic  # noqa: F401 (re-exported)
from pipelines.extraction import (  # noqa: F401 (re-exported)
    Progress, cache_path, extract_all, load_rows, mark_same_text,
)
from pipelines.inventory import (  # noqa: F401 (re-exported)
    HIDDEN_DIRS, MAX_SHRINK, Entry, RawFolderGuard, guard_inventory, inventory_signature, last_good_run,
    record_good_run, scan_raw,
)
from pipelines.settings import EXTRACTOR_VERSION, Paths

PARQUET_NAME = "part-00.parquet"  # a single-part table (tests and tools that write a lake by hand)


def _quantize(v, scale: int):
    if v is None:
        return None
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if not d.is_finite():
        return None
    return d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    cols = schema.TABLES[table][1]
    arrays = []
    for c in cols:
        values = [r.get(c.name) for r in rows]
        if pa.types.is_decimal(c.type):
            try:  # most values already fit the column's scale: let Arrow convert them
                arrays.append(pa.array(values, type=c.type))
                continue
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                values = [_quantize(v, c.type.scale) for v in values]
                values = [v if v is None or len(v.as_tuple().digits) <= c.type.precision else None for v in values]
        arrays.append(pa.array(values, type=c.type))
    return pa.Table.from_arrays(arrays, schema=schema.arrow_schema(table))


N_BUCKETS = 32  # files are landed in buckets by path: one changed file rewrites one bucket's parts
LAKE_FORMAT = "2"  # bump when the layout of the lake's files changes


def bucket_of(rel_path: str) -> int:
    return int(hashlib.sha256(rel_path.encode()).hexdigest()[:8], 16) % N_BUCKETS


def part_name(bucket: int) -> str:
    return f"part-{bucket:02d}.parquet"


def bucket_signature(entries: list[Entry]) -> str:
    """What a bucket's parts are made from: its files (path, content, duplicate-of) and the code's versions."""
    h = hashlib.sha256(f"{LAKE_FORMAT}:{EXTRACTOR_VERSION}".encode())
    for e in entries:
        h.update(f"\n{e.rel_path}\t{e.sha256}\t{e.duplicate_of or ''}\t{e.duplicate_kind or ''}".encode())
    return h.hexdigest()


def _manifest_path(paths: Paths) -> Path:
    return paths.lake / ".manifest.json"


def read_manifest(paths: Paths) -> dict:
    try:
        return json.loads(_manifest_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def lake_signature(paths: Paths) -> str:
    """One hash of everything the lake holds (the warehouse records which lake it was built from)."""
    m = read_manifest(paths)
    return hashlib.sha256(json.dumps(m.get("buckets", {}), sort_keys=True).encode()).hexdigest()


def _duplicate_row(e: Entry, doc: dict | None = None) -> dict:
    if doc is not None:  # the same text as another file: what this file is, and whose text it repeats
        return {**doc, "path": e.rel_path, "status": "duplicate", "n_reports": 0,
                "reason": f"与 {e.duplicate_of} 文本相同（另一编码或格式）/ same text as {e.duplicate_of} (another encoding or format)"}
    return schema.document_row(
        doc_id=e.sha256, path=e.rel_path, format=Path(e.rel_path).suffix.lower().lstrip(".") or None,
        size_bytes=e.size, status="duplicate", reason=f"与 {e.duplicate_of} 内容相同 / same bytes as {e.duplicate_of}",
        ingested_at=datetime.now(timezone.utc),
    )


def land_bucket(paths: Paths, bucket: int, entries: list[Entry]) -> None:
    """Write one bucket's part of every table from the cached extraction results."""
    tables: dict[str, list[dict]] = {t: [] for t in schema.LANDED_TABLES}
    for e, rows in load_rows(paths, entries):
        if rows is None:
            tables["documents"].append(_duplicate_row(e))
            continue
        if e.duplicate_kind == "text":
            tables["documents"].append(_duplicate_row(e, rows["documents"][0]))
            continue
        for t, rs in rows.items():
            if t == "documents":
                tables[t].extend({**r, "path": e.rel_path} for r in rs)
            elif t == "findings":
                tables[t].extend({**r, "tokens": r.get("_tokens")} for r in rs)
            else:
                tables[t].extend(rs)
    for t, rows in tables.items():
        write_parquet_atomic(to_arrow(t, rows), paths.table_dir(t) / part_name(bucket))


def _land_bucket_args(args) -> None:
    land_bucket(*args)


def land(paths: Paths, entries: list[Entry]) -> dict:
    """Bring the lake up to date with `entries`: rewrite only the buckets whose files changed.

    Memory is bounded by one bucket (about 1/32 of the corpus), not by the corpus. Returns
    {"buckets_written": n, "buckets": N_BUCKETS}; a no-op run writes nothing."""
    by_bucket: dict[int, list[Entry]] = {b: [] for b in range(N_BUCKETS)}
    for e in entries:
        by_bucket[bucket_of(e.rel_path)].append(e)
    old = read_manifest(paths).get("buckets", {})
    new = {str(b): bucket_signature(es) for b, es in by_bucket.items()}
    expected = {part_name(b) for b in range(N_BUCKETS)}
    todo = []
    for b, es in by_bucket.items():
        complete = all((paths.table_dir(t) / part_name(b)).exists() for t in schema.LANDED_TABLES)
        if old.get(str(b)) != new[str(b)] or not complete:
            todo.append((paths, b, es))
    workers = min(os.cpu_count() or 1, 2) if len(todo) >= 4 else 1
    if workers > 1:  # buckets are independent: write them on all cores
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_land_bucket_args, todo))
    else:
        for args in todo:
            _land_bucket_args(args)
    written = len(todo)
    for t in schema.LANDED_TABLES:  # files of another layout or a killed run
        d = paths.table_dir(t)
        for f in d.glob("*.parquet"):
            if f.name not in expected:
                f.unlink()
        for stale in d.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
    atomic_write_bytes(_manifest_path(paths), json.dumps({"format": LAKE_FORMAT, "buckets": new}, sort_keys=True).encode())
    return {"buckets_written": written, "buckets": N_BUCKETS}


def row_counts(paths: Paths) -> dict[str, int]:
    """Rows of every landed table, from the Parquet footers (no data read)."""
    out = {}
    for t in schema.LANDED_TABLES:
        out[t] = sum(pq.ParquetFile(f).metadata.num_rows for f in paths.table_dir(t).glob("*.parquet"))
    return out
