"""The lake: the cached extraction results of the raw files (`pipelines.extraction`), merged in path
order into Parquet tables under lake/<table>/, in 32 buckets by path so that one changed file
rewrites one bucket's parts (`land`).

A run's parts become visible together: `lake` is a link to a generation folder
(`.lake-gens/g<n>/`), and a run that changes anything writes a new generation (its changed
buckets written, the others hard-linked from the current one), then swaps the link in one
rename. A reader, or a run killed while landing, never sees buckets of two runs; the previous
generation is kept until the next landing, so a reader that listed it can still read it.

The inventory (`pipelines.inventory`) and the extraction runner are modules of their own;
their names are re-exported here for callers of the old layout."""

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import schema
from pipelines.atomic import atomic_write_bytes, read_json_dict, remove_tree, write_parquet_atomic  # noqa: F401 (re-exported)
from pipelines._deathsig import die_with_parent
from pipelines.extraction import (  # noqa: F401 (re-exported)
    Progress, cache_path, extract_all, forkserver_context, load_rows, mark_same_text,
)
from pipelines.inventory import (  # noqa: F401 (re-exported)
    EXCLUDED_PREFIX, HIDDEN_DIRS, clean_state_leftovers, MAX_SHRINK, R_BAD_NAME, Entry, RawFolderGuard, entries_from_json, entries_to_json,
    guard_inventory, hash_cache_path, inventory_signature, last_good_run, record_good_run, scan_raw,
)
from pipelines.settings import EXTRACTOR_VERSION, Paths
from pipelines.inventory import shown_path

PARQUET_NAME = "part-00.parquet"  # a single-part table (tests and tools that write a lake by hand)


def _quantize(v, scale: int):
    if v is None:
        return None
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if not d.is_finite():
        return None
    return d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    try:  # most rows convert as they are, in one call (the same conversion as column by column)
        return pa.Table.from_pylist(rows, schema=schema.arrow_schema(table))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):  # as before, column by column
        return _to_arrow_by_column(table, rows)


def _to_arrow_by_column(table: str, rows: list[dict]) -> pa.Table:
    """Column by column, a decimal column that does not fit its scale is quantized (half up) and a
    value with too many digits for its precision becomes null."""
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
    return int(hashlib.sha256(os.fsencode(rel_path)).hexdigest()[:8], 16) % N_BUCKETS


def part_name(bucket: int) -> str:
    return f"part-{bucket:02d}.parquet"


def bucket_signature(entries: list[Entry]) -> str:
    """What a bucket's parts are made from: its files (path, content, duplicate-of) and the code's versions."""
    h = hashlib.sha256(f"{LAKE_FORMAT}:{EXTRACTOR_VERSION}".encode())
    for e in entries:
        h.update(f"\n{e.rel_path}\t{e.sha256}\t{e.duplicate_of or ''}\t{e.duplicate_kind or ''}\t{e.error or ''}"
                 .encode("utf-8", "surrogateescape"))
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


def _suffix(rel_path: str) -> str | None:
    return Path(shown_path(rel_path)).suffix.lower().lstrip(".")[:16] or None


def _duplicate_row(e: Entry, doc: dict | None = None) -> dict:
    first = shown_path(e.duplicate_of or "")
    if doc is not None:  # the same text as another file: what this file is, and whose text it repeats
        return {**doc, "path": e.shown_path, "status": "duplicate", "n_reports": 0,
                "reason": f"与 {first} 文本相同（另一编码或格式）/ same text as {first} (another encoding or format)"}
    return schema.document_row(
        doc_id=e.sha256, path=e.shown_path, format=_suffix(e.rel_path),
        size_bytes=e.size, status="duplicate", reason=f"与 {first} 内容相同 / same bytes as {first}",
        ingested_at=datetime.now(timezone.utc),
    )


def _unread_row(e: Entry) -> dict:
    """The `documents` row of an entry that was not read (see `pipelines.inventory`)."""
    return schema.document_row(
        doc_id=e.sha256, path=e.shown_path, format=None if e.rel_path.endswith("/") else _suffix(e.rel_path),
        size_bytes=e.size or None, status="rejected", reason=e.error, ingested_at=datetime.now(timezone.utc),
    )


def _with_name_note(e: Entry, doc: dict) -> dict:
    """A name that is not UTF-8: the row says so (a parsed file becomes `partial`)."""
    if e.name_is_utf8:
        return doc
    doc = {**doc, "reason": f"{doc['reason']}；{R_BAD_NAME}" if doc.get("reason") else R_BAD_NAME}
    if doc.get("status") == "parsed":
        doc["status"] = "partial"
    return doc


def bucket_tables(paths: Paths, entries: list[Entry]) -> dict[str, pa.Table]:
    """The Arrow table of every landed table for one bucket's entries, from the cached extraction
    results (what `land_bucket` writes as the bucket's parts). An entry whose cached extraction is
    missing or damaged gets `error` set and a `documents` row that says so."""
    tables: dict[str, list[dict]] = {t: [] for t in schema.LANDED_TABLES}
    for e, rows in load_rows(paths, entries):
        if rows is None:
            tables["documents"].append(_with_name_note(e, _unread_row(e) if e.error else _duplicate_row(e)))
            continue
        if e.duplicate_kind == "text":
            tables["documents"].append(_with_name_note(e, _duplicate_row(e, rows["documents"][0])))
            continue
        for t, rs in rows.items():
            if t == "documents":
                tables[t].extend(_with_name_note(e, {**r, "path": e.shown_path}) for r in rs)
            elif t == "findings":
                tables[t].extend({**r, "tokens": r.get("_tokens")} for r in rs)
            else:
                tables[t].extend(rs)
    return {t: to_arrow(t, rows) for t, rows in tables.items()}


def land_bucket(paths: Paths, bucket: int, entries: list[Entry], lake_dir: Path | None = None) -> int:
    """Write one bucket's part of every table (under `lake_dir`, else the lake) from the cached
    extraction results (`bucket_tables`). Returns how many files had no usable cached extraction
    (their rows say so)."""
    errors_before = sum(1 for e in entries if e.error)
    root = lake_dir or paths.lake
    for t, table in bucket_tables(paths, entries).items():
        write_parquet_atomic(table, root / t / part_name(bucket))
    return sum(1 for e in entries if e.error) - errors_before


def _land_bucket_args(args) -> int:
    return land_bucket(*args)


GENERATIONS = ".lake-gens"


def _generations(paths: Paths) -> Path:
    return paths.root / GENERATIONS


def _current_generation(paths: Paths) -> Path | None:
    """The generation the lake link points at; a lake folder of the old layout becomes one."""
    lake = paths.lake
    if lake.is_symlink():
        target = Path(os.path.realpath(lake))
        return target if target.is_dir() else None
    if lake.is_dir():  # a real folder (old layout, or written by hand): adopt it as a generation
        gens = _generations(paths)
        gens.mkdir(parents=True, exist_ok=True)
        adopted = gens / f"g{time.time_ns()}"
        os.rename(lake, adopted)
        os.symlink(os.path.relpath(adopted, lake.parent), lake)
        return adopted
    return None


def _swap_link(paths: Paths, target: Path) -> None:
    tmp = paths.root / f".lake.{os.getpid()}.link.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, paths.root), tmp)
    os.replace(tmp, paths.lake)
    try:
        fd = os.open(paths.root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _prune_generations(paths: Paths, keep: set[Path]) -> None:
    """Drop generations other than `keep` (the current and the previous one), and leftovers of
    killed runs (we hold the run lock)."""
    gens = _generations(paths)
    for g in gens.iterdir() if gens.is_dir() else ():
        if g not in keep:
            remove_tree(g)
    for stale in paths.root.glob(".lake.*.link.tmp"):
        stale.unlink(missing_ok=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def land(paths: Paths, entries: list[Entry]) -> dict:
    """Bring the lake up to date with `entries`: a new generation in which only the buckets whose
    files changed are written, made visible in one rename (see the module's docstring).

    Memory is bounded by one bucket (about 1/32 of the corpus), not by the corpus. Returns
    {"buckets_written": n, "buckets": N_BUCKETS}; a no-op run writes nothing."""
    by_bucket: dict[int, list[Entry]] = {b: [] for b in range(N_BUCKETS)}
    for e in entries:
        by_bucket[bucket_of(e.rel_path)].append(e)
    current = _current_generation(paths)
    old_manifest = _read_manifest_in(current) if current else {}
    old = old_manifest.get("buckets", {}) if old_manifest.get("format") == LAKE_FORMAT else {}
    new = {str(b): bucket_signature(es) for b, es in by_bucket.items()}
    todo, keep = [], []
    for b, es in by_bucket.items():
        complete = current is not None and all((current / t / part_name(b)).is_file() for t in schema.LANDED_TABLES)
        (keep if old.get(str(b)) == new[str(b)] and complete else todo).append((b, es))
    if not todo and current is not None:
        _prune_generations(paths, {current} | _previous(paths, current))
        return {"buckets_written": 0, "buckets": N_BUCKETS}
    gen = _generations(paths) / f"g{time.time_ns()}"
    for t in schema.LANDED_TABLES:
        (gen / t).mkdir(parents=True, exist_ok=True)
        for b, _ in keep:
            _link_or_copy(current / t / part_name(b), gen / t / part_name(b))
    args = [(paths, b, es, gen) for b, es in todo]
    workers = min(os.cpu_count() or 1, 2) if len(args) >= 4 else 1
    if workers > 1:  # buckets are independent: write them on all cores
        with ProcessPoolExecutor(max_workers=workers, mp_context=forkserver_context(), initializer=die_with_parent) as pool:
            lost = list(pool.map(_land_bucket_args, args))
    else:
        lost = [_land_bucket_args(a) for a in args]
    for (b, _), n in zip(todo, lost):
        if n:  # a cached extraction was missing or damaged: land this bucket again next run
            new[str(b)] = "redo"
    atomic_write_bytes(gen / ".manifest.json", json.dumps(
        {"format": LAKE_FORMAT, "buckets": new, "previous": current.name if current else None}, sort_keys=True).encode())
    _swap_link(paths, gen)
    _prune_generations(paths, {gen} | ({current} if current else set()))
    return {"buckets_written": len(todo), "buckets": N_BUCKETS}


def _read_manifest_in(gen: Path) -> dict:
    return read_json_dict(gen / ".manifest.json")


def _previous(paths: Paths, current: Path) -> set[Path]:
    prev = _read_manifest_in(current).get("previous")
    return {_generations(paths) / prev} if isinstance(prev, str) and "/" not in prev else set()


def row_counts(paths: Paths) -> dict[str, int]:
    """Rows of every landed table, from the Parquet footers (no data read)."""
    out = {}
    for t in schema.LANDED_TABLES:
        out[t] = sum(pq.ParquetFile(f).metadata.num_rows for f in paths.table_dir(t).glob("*.parquet"))
    return out
