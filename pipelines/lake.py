"""raw/ -> per-file extraction (cached by content hash) -> Parquet tables in lake/.

- `scan_raw` lists every file under raw/ (recursively, path order) with its sha256; a file
  whose bytes equal an earlier file's is marked as that file's duplicate.
- `extract_all` extracts every file whose (sha256, extractor version) is not cached yet, on
  all cores; a no-op run reads nothing but the raw bytes' hashes.
- `land` merges the cached results in path order and writes one Parquet file per table,
  each written to a temporary name and renamed into place.
"""

import hashlib
import json
import os
import pickle
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import schema
from pipelines.settings import EXTRACTOR_VERSION, Paths

PARQUET_NAME = "part-00.parquet"  # a single-part table (tests and tools that write a lake by hand)
HIDDEN_DIRS = {".state", ".git", "__pycache__"}


@dataclass
class Entry:
    rel_path: str
    sha256: str
    size: int
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # "bytes" (same file) or "text" (same text, another encoding or format)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scan_raw(raw_dir: Path, hash_cache: Path | None = None) -> list[Entry]:
    """Every file under `raw_dir` in path order with its sha256; later copies marked duplicates.

    With `hash_cache`, a file whose size, modification and change times and inode are those
    recorded last time keeps its recorded hash (as git's index does), so a no-op run reads no bytes."""
    entries: list[Entry] = []
    first_by_sha: dict[str, str] = {}
    if not raw_dir.exists():
        return entries
    known: dict = {}
    if hash_cache is not None:
        try:
            known = pickle.loads(hash_cache.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            known = {}
    seen: dict = {}
    files = sorted(
        (p for p in raw_dir.rglob("*") if p.is_file() and not any(part in HIDDEN_DIRS or part.startswith(".~") for part in p.relative_to(raw_dir).parts)),
        key=lambda p: p.relative_to(raw_dir).as_posix(),
    )
    for p in files:
        rel = p.relative_to(raw_dir).as_posix()
        st = p.stat()
        stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        cached = known.get(rel)
        sha = cached[1] if cached and cached[0] == stamp else _sha256_file(p)
        seen[rel] = (stamp, sha)
        first = first_by_sha.get(sha)
        entries.append(Entry(rel, sha, st.st_size, first, "bytes" if first else None))
        first_by_sha.setdefault(sha, rel)
    if hash_cache is not None and seen != known:
        atomic_write_bytes(hash_cache, pickle.dumps(seen, protocol=pickle.HIGHEST_PROTOCOL))
    return entries


class RawFolderGuard(RuntimeError):
    """The raw folder is missing, empty or has lost too many files: the last warehouse is kept."""


MAX_SHRINK = 0.5  # a run that sees fewer than half of the last good run's files refuses to publish


def _last_run_path(paths: Paths) -> Path:
    return paths.state / "last-good-run.json"


def guard_inventory(paths: Paths, entries: list[Entry], allow_shrink: bool = False) -> None:
    """Refuse (RawFolderGuard) to go on when the raw folder is missing or empty, or holds fewer
    than (1 - MAX_SHRINK) of the files of the last run that published a warehouse: an unmounted
    share or a mistyped BPE_DATA_DIR must not replace a good warehouse with an empty one.
    `allow_shrink` (BPE_ALLOW_SHRINK=1) accepts an intended shrink, not a missing folder."""
    keep = f"上次的仓库保持不变 / the last warehouse is kept ({paths.warehouse})"
    if not paths.raw.is_dir():
        raise RawFolderGuard(f"原始文件夹不存在：{paths.raw}（BPE_DATA_DIR 是否正确？共享盘是否已挂载？）/ the raw folder does not exist: {paths.raw}; {keep}")
    if not entries and not allow_shrink:
        raise RawFolderGuard(f"原始文件夹为空：{paths.raw} / the raw folder is empty: {paths.raw}; {keep}. "
                             "有意清空请设置 BPE_ALLOW_SHRINK=1 / set BPE_ALLOW_SHRINK=1 if that is intended")
    try:
        last = int(json.loads(_last_run_path(paths).read_text(encoding="utf-8")).get("files", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        last = 0
    if last and len(entries) < (1 - MAX_SHRINK) * last and not allow_shrink:
        raise RawFolderGuard(
            f"原始文件从上次的 {last} 个减少到 {len(entries)} 个（超过 {MAX_SHRINK:.0%}）/ the raw folder went from {last} files "
            f"to {len(entries)} (more than {MAX_SHRINK:.0%} fewer); {keep}. 有意缩减请设置 BPE_ALLOW_SHRINK=1 / "
            "set BPE_ALLOW_SHRINK=1 if that is intended")


def inventory_signature(entries: list[Entry]) -> str:
    """One hash of the raw folder as listed: every path with its content hash and duplicate mark."""
    h = hashlib.sha256(f"{LAKE_FORMAT}:{EXTRACTOR_VERSION}".encode())
    for e in entries:
        h.update(f"\n{e.rel_path}\t{e.sha256}\t{e.duplicate_of or ''}".encode())
    return h.hexdigest()


def record_good_run(paths: Paths, entries: list[Entry], published: dict | None = None) -> None:
    """After a warehouse was published: how many raw files it was built from (for `guard_inventory`),
    and what it was built from (`published`: the inventory, code and warehouse signatures)."""
    atomic_write_bytes(_last_run_path(paths), json.dumps({"files": len(entries), **(published or {})}).encode())


def last_good_run(paths: Paths) -> dict:
    try:
        got = json.loads(_last_run_path(paths).read_text(encoding="utf-8"))
        return got if isinstance(got, dict) else {}
    except (OSError, ValueError):
        return {}


def cache_path(paths: Paths, sha: str) -> Path:
    return paths.state / "extract" / f"{sha}-v{EXTRACTOR_VERSION}.pkl"


def _extract_one(args) -> tuple[str, str]:
    raw_path, rel, out = args
    from pipelines.process import process_bytes

    data = Path(raw_path).read_bytes()
    res = process_bytes(rel, data)
    atomic_write_bytes(Path(out), pickle.dumps(res.rows, protocol=pickle.HIGHEST_PROTOCOL))
    return rel, res.rows["documents"][0]["status"]


def _text_keys_path(paths: Paths) -> Path:
    return paths.state / f"text-keys-v{EXTRACTOR_VERSION}.json"


def mark_same_text(paths: Paths, entries: list[Entry]) -> int:
    """Mark as duplicates the files whose normalized text equals an earlier file's (a GB18030 copy
    of a UTF-8 report, the .docx of a .txt): their reports are loaded once, from the first file in
    path order. Needs the files extracted (`extract_all`). Returns how many were marked.

    The text hash of each extracted file is kept in a small JSON index beside the cache, so a
    run reads no cached extraction to find them."""
    index_path = _text_keys_path(paths)
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        index = index if isinstance(index, dict) else {}
    except (OSError, ValueError):
        index = {}
    changed = False
    first_by_text: dict[str, str] = {}
    marked = 0
    for e in entries:
        if e.duplicate_kind == "text":
            e.duplicate_of, e.duplicate_kind = None, None  # decided again below
        if e.duplicate_of is not None:
            continue
        if e.sha256 not in index:
            try:
                with open(cache_path(paths, e.sha256), "rb") as fh:
                    doc = pickle.load(fh)["documents"][0]
            except (OSError, KeyError, IndexError, pickle.UnpicklingError, EOFError):
                continue
            index[e.sha256] = doc.get("text_sha256") if doc.get("status") != "rejected" else None
            changed = True
        key = index.get(e.sha256)
        if not key:
            continue
        if key in first_by_text:
            e.duplicate_of, e.duplicate_kind = first_by_text[key], "text"
            marked += 1
        else:
            first_by_text[key] = e.rel_path
    if changed:
        atomic_write_bytes(index_path, json.dumps(index, sort_keys=True).encode())
    return marked


class Progress:
    """Files done of a total, reported every 5% or 10 seconds: done/total, rate and ETA."""

    def __init__(self, total: int, report, every_s: float = 10.0):
        self.total, self.report, self.every_s = total, report, every_s
        self.done = 0
        self.t0 = self.last = time.monotonic()
        self.step = max(1, total // 20)

    def tick(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done == self.total or self.done % self.step == 0 or now - self.last >= self.every_s:
            self.last = now
            rate = self.done / max(now - self.t0, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0
            self.report(f"extraction: {self.done}/{self.total} files ({self.done / self.total:.0%}), "
                        f"{rate:.1f} files/s, ETA {int(eta // 60)}m{int(eta % 60):02d}s")


def extract_all(paths: Paths, entries: list[Entry], workers: int | None = None, progress=None) -> dict:
    """Extract what is not cached yet. Returns counts: extracted, cached, by status.
    `progress(message)` is called as files are done (every 5% or 10 s)."""
    for stale in (paths.state / "extract").glob(".*.tmp"):  # left by a killed run (we hold the lock)
        stale.unlink(missing_ok=True)
    todo = []
    cached = 0
    for e in entries:
        if e.duplicate_of is not None:
            continue
        if cache_path(paths, e.sha256).exists():
            cached += 1
            continue
        todo.append((str(paths.raw / e.rel_path), e.rel_path, str(cache_path(paths, e.sha256))))
    statuses: Counter = Counter()
    meter = Progress(len(todo), progress) if progress and todo else None
    if todo:
        (paths.state / "extract").mkdir(parents=True, exist_ok=True)
        workers = workers or min(os.cpu_count() or 1, 2 if len(todo) >= 8 else 1)
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for _, status in pool.map(_extract_one, todo, chunksize=max(1, len(todo) // (workers * 8))):
                    statuses[status] += 1
                    if meter:
                        meter.tick()
        else:
            for args in todo:
                statuses[_extract_one(args)[1]] += 1
                if meter:
                    meter.tick()
    return {"extracted": len(todo), "cached": cached, **{f"status_{k}": v for k, v in statuses.items()}}


def load_rows(paths: Paths, entries: list[Entry]):
    """Yield (entry, rows) in path order; duplicates yield a `documents` row only."""
    for e in entries:
        if e.duplicate_kind == "bytes":
            yield e, None
            continue
        with open(cache_path(paths, e.sha256), "rb") as fh:
            yield e, pickle.load(fh)


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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    return {
        "doc_id": e.sha256,
        "path": e.rel_path,
        "format": Path(e.rel_path).suffix.lower().lstrip(".") or None,
        "encoding": None,
        "size_bytes": e.size,
        "n_chars": None,
        "status": "duplicate",
        "reason": f"与 {e.duplicate_of} 内容相同 / same bytes as {e.duplicate_of}",
        "n_reports": 0,
        "ingested_at": datetime.now(timezone.utc),
    }


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
