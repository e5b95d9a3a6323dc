"""The extraction runner: every raw file whose (sha256, extractor version) is not cached yet is
extracted (`pipelines.process.process_bytes`) in worker processes, its rows cached as JSON under
<data root>/.state/extract/; a no-op run reads nothing but the raw bytes' hashes. Files whose
normalized text repeats an earlier file's are marked duplicates (`mark_same_text`).

Every file is extracted in a worker of its own pool (`WorkerPool`): a worker is started by the
`forkserver` (it inherits no descriptor of the run, not the run lock), dies with the run, and is
killed when one file takes longer than `file_seconds()` or more memory than `worker_memory()`.
A worker that dies or is killed costs its one file (`rejected`, with the cause), never the run.

The worker reads the file's bytes once and extracts exactly those bytes: the cache is keyed by
their hash, so a file rewritten during the run can never file the new text under the old hash.
A file that vanished or cannot be read since the listing is `rejected` with that reason."""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from multiprocessing.connection import wait
from pathlib import Path

import orjson
import pyarrow as pa

from pipelines import schema
from pipelines._deathsig import die_with_parent
from pipelines.atomic import atomic_write_bytes, read_json_dict
from pipelines.ingest.common import R_TOO_BIG
from pipelines.ingest.read import DEFAULT_MAX_BYTES
from pipelines.inventory import R_UNREADABLE, R_VANISHED, Entry, shown_path
from pipelines.settings import EXTRACTOR_VERSION, Paths

MiB = 1 << 20
R_WORKER_DIED = "抽取进程意外终止（{cause}）/ the extraction worker died ({cause})"
R_WORKER_TIME = "抽取超时（超过 {s} 秒，进程已终止）/ extraction took longer than {s} s (its worker was killed)"
R_WORKER_MEMORY = "抽取占用内存超过 {m} MiB（进程已终止）/ extraction used more than {m} MiB of memory (its worker was killed)"


def file_seconds() -> float:
    """Wall clock for one file's extraction (BPE_MAX_FILE_SECONDS): above the readers' own caps
    (a parse, and the OCR of every page of a scanned PDF)."""
    return float(os.environ.get("BPE_MAX_FILE_SECONDS") or 2400)


def worker_memory() -> int:
    """Resident memory one extraction worker may use (BPE_MAX_WORKER_MEMORY_MB, in MiB)."""
    return int(float(os.environ.get("BPE_MAX_WORKER_MEMORY_MB") or 1536) * MiB)


def max_bytes() -> int:
    """The largest raw file read (bigger ones are `rejected` from their size, never read)."""
    return DEFAULT_MAX_BYTES


def cache_path(paths: Paths, sha: str) -> Path:
    return paths.state / "extract" / f"{sha}-v{EXTRACTOR_VERSION}.json"


# --------------------------------------------------------------------------- the cache as JSON

def _json_default(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        return v.isoformat()
    raise TypeError(f"not JSON: {type(v).__name__}")


def dump_rows(rows: dict) -> bytes:
    """The rows as UTF-8 JSON. orjson writes them in a fifth of the time json takes (about 1.1 ms of
    a worker's 16–20 ms per file); decimals and timestamps go through `_json_default` as before, so
    json.loads reads the same values from either. What orjson refuses (an integer beyond 64 bits,
    a key that is not a string) is written by json."""
    try:
        return orjson.dumps(rows, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:
        return json.dumps(rows, default=_json_default, ensure_ascii=False).encode("utf-8")


def _typed(table: str) -> tuple[list[str], list[str]]:
    cols = schema.TABLES[table][1]
    return ([c.name for c in cols if pa.types.is_decimal(c.type)],
            [c.name for c in cols if pa.types.is_timestamp(c.type)])


def load_rows_json(data: bytes) -> dict:
    """Rows from the cache, with decimals and timestamps typed again by the contract's columns.
    A cache file is data, never code: a crafted one can give wrong rows, not run anything."""
    rows = orjson.loads(data)  # (orjson.JSONDecodeError is a ValueError: a damaged file)
    if not isinstance(rows, dict):
        raise ValueError("not a cached extraction")
    for table, rs in rows.items():
        if table not in schema.TABLES or not isinstance(rs, list):
            raise ValueError(f"not a cached extraction: {table!r}")
        decimals, stamps = _typed(table)
        for r in rs:
            for c in decimals:
                v = r.get(c)
                if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    try:
                        r[c] = Decimal(str(v))
                    except InvalidOperation:
                        r[c] = None
            for c in stamps:
                if isinstance(r.get(c), str):
                    r[c] = datetime.fromisoformat(r[c])
    return rows


def read_cached(paths: Paths, sha: str) -> dict | None:
    try:
        return load_rows_json(cache_path(paths, sha).read_bytes())
    except (OSError, ValueError, TypeError, AttributeError):
        return None


# --------------------------------------------------------------------------- one file, in a worker

@dataclass
class Task:
    path: str  # where to read the file
    rel: str  # its path under raw/ as the file system names it
    state: str  # <data root>/.state
    version: str = EXTRACTOR_VERSION  # the cache file's version (the parent's)
    env: dict | None = None  # the parent's BPE_* settings (a worker may be older than a change to them)


def _fault(rel: str) -> None:
    """Fault injection for the attack suite: BPE_FAULT=kill:<name> — the worker that extracts a
    file whose path contains <name> kills itself, as the OOM killer would; hog:<name> — it takes
    memory until it is stopped."""
    kind, _, name = os.environ.get("BPE_FAULT", "").partition(":")
    if not name or name not in rel:
        return
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "hog":
        hoard = []
        for _ in range(1024):
            block = bytearray(16 * MiB)
            block[::4096] = b"\1" * (16 * MiB // 4096)  # touched: the pages are really resident
            hoard.append(block)
            time.sleep(0.02)


def extract_one(task: Task) -> dict:
    """Read the file once, extract those bytes, cache the rows under their hash. Returns
    {"rel", "sha256", "size", "status"} or {"rel", "error"} when the file could not be read."""
    from pipelines.process import process_bytes

    if task.env is not None:
        for k in [k for k in os.environ if k.startswith("BPE_") and k not in task.env]:
            del os.environ[k]
        os.environ.update(task.env)
    _fault(task.rel)
    try:
        with open(task.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes():  # stat first: a huge file is never read into memory
                return {"rel": task.rel, "error": R_TOO_BIG.format(n=size, m=max_bytes())}
            data = fh.read(max_bytes() + 1)
        if len(data) > max_bytes():  # it grew while being read
            return {"rel": task.rel, "error": R_TOO_BIG.format(n=len(data), m=max_bytes())}
    except FileNotFoundError:
        return {"rel": task.rel, "error": R_VANISHED}
    except OSError as exc:
        return {"rel": task.rel, "error": R_UNREADABLE.format(e=exc.strerror or type(exc).__name__)}
    sha = hashlib.sha256(data).hexdigest()
    res = process_bytes(shown_path(task.rel), data)
    atomic_write_bytes(Path(task.state) / "extract" / f"{sha}-v{task.version}.json", dump_rows(res.rows))
    doc = res.rows["documents"][0]
    return {"rel": task.rel, "sha256": sha, "size": len(data), "status": doc["status"],
            "text_sha256": doc.get("text_sha256") if doc["status"] != "rejected" else None}


def _worker_main(conn, state: str) -> None:  # pragma: no cover - runs in the worker
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run, which stops its workers
    from pipelines import nlp

    nlp.set_cache_dir(Path(state) / "jieba")
    frozen = False
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(extract_one(task))
        except (BrokenPipeError, OSError):
            return
        if not frozen:
            # The first file built the rule tables, the gazetteer and the segmenter, which last as
            # long as the worker: out of the collector's sight, its collections no longer walk them
            # (0.45 → 0.1 ms of collection a file)
            gc.freeze()
            frozen = True


def forkserver_context():
    """The start method of every worker of a run: the forkserver (a clean process started by exec,
    so a worker inherits no descriptor of the run — not its lock — and no thread), which dies with
    the run (`pipelines._forkserver_init`) and has the extraction code imported once."""
    ctx = multiprocessing.get_context("forkserver")
    os.environ["BPE_FORKSERVER_PARENT"] = str(os.getpid())  # read by the forkserver as it starts
    ctx.set_forkserver_preload(["pipelines._forkserver_init", "pipelines.process"])
    return ctx


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class WorkerPool:
    """Extraction workers, one file at a time each, watched for time, memory and death."""

    def __init__(self, n: int, state: Path, seconds: float | None = None, memory: int | None = None):
        self.ctx = forkserver_context()
        self.n, self.state = max(1, n), str(state)
        self.seconds = file_seconds() if seconds is None else seconds
        self.memory = worker_memory() if memory is None else memory
        self.slots: list[dict] = []

    def _start(self) -> dict:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(child, self.state), daemon=True, name="bpe-extract")
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "task": None, "t0": 0.0}

    def _stop(self, slot: dict) -> None:
        proc = slot["proc"]
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        slot["conn"].close()

    def close(self) -> None:
        for slot in self.slots:
            try:
                slot["conn"].send(None)
            except OSError:
                pass
        for slot in self.slots:
            slot["proc"].join(2)
            self._stop(slot)
        self.slots = []

    def run(self, tasks: list[Task]):
        """Yield one result per task (in the order they finish)."""
        todo = list(reversed(tasks))
        while todo or any(s["task"] for s in self.slots):
            while todo and len(self.slots) < min(self.n, len(todo) + sum(1 for s in self.slots if s["task"])):
                self.slots.append(self._start())
            for slot in self.slots:
                if slot["task"] is None and todo:
                    slot["task"], slot["t0"] = todo.pop(), time.monotonic()
                    try:
                        slot["conn"].send(slot["task"])
                    except OSError:
                        pass  # a dead worker: noticed below
            busy = [s for s in self.slots if s["task"]]
            ready = wait([s["conn"] for s in busy] + [s["proc"].sentinel for s in busy], timeout=0.25)
            now = time.monotonic()
            for slot in busy:
                failure = None
                if slot["conn"] in ready:
                    try:
                        yield slot["conn"].recv()
                        slot["task"] = None
                        continue
                    except (EOFError, OSError):
                        failure = self._death(slot)
                elif slot["proc"].sentinel in ready or not slot["proc"].is_alive():
                    failure = self._death(slot)
                elif now - slot["t0"] > self.seconds:
                    failure = R_WORKER_TIME.format(s=f"{self.seconds:g}")
                elif self.memory and _rss(slot["proc"].pid) > self.memory:
                    failure = R_WORKER_MEMORY.format(m=self.memory // MiB)
                if failure:
                    yield {"rel": slot["task"].rel, "error": failure, "worker": True}
                    self._stop(slot)
                    self.slots.remove(slot)

    def _death(self, slot: dict) -> str:
        proc = slot["proc"]
        proc.join(5)
        code = proc.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            cause = f"{name}{'，可能内存不足 / out of memory?' if -code == signal.SIGKILL else ''}"
        else:
            cause = f"exit code {code}"
        return R_WORKER_DIED.format(cause=cause)


# --------------------------------------------------------------------------- the run

def _text_keys_path(paths: Paths) -> Path:
    return paths.state / f"text-keys-v{EXTRACTOR_VERSION}.json"


def _read_text_keys(paths: Paths) -> dict:
    return read_json_dict(_text_keys_path(paths))


def record_text_keys(paths: Paths, keys: dict[str, str | None]) -> None:
    """Add the text hashes of files just extracted to the index `mark_same_text` reads."""
    if keys:
        index = _read_text_keys(paths)
        index.update(keys)
        atomic_write_bytes(_text_keys_path(paths), json.dumps(index, sort_keys=True).encode())


def mark_same_text(paths: Paths, entries: list[Entry]) -> int:
    """Mark as duplicates the files whose normalized text equals an earlier file's (a GB18030 copy
    of a UTF-8 report, the .docx of a .txt): their reports are loaded once, from the first file in
    path order. Needs the files extracted (`extract_all`). Returns how many were marked.

    The text hash of each extracted file is kept in a small JSON index beside the cache (written
    by `extract_all` from what the workers return), so a run reads no cached extraction to find them."""
    index_path = _text_keys_path(paths)
    index = _read_text_keys(paths)
    changed = False
    first_by_text: dict[str, str] = {}
    marked = 0
    for e in entries:
        if e.duplicate_kind == "text":
            e.duplicate_of, e.duplicate_kind = None, None  # decided again below
        if e.duplicate_of is not None or e.error:
            continue
        if e.sha256 not in index:
            rows = read_cached(paths, e.sha256)
            try:
                doc = rows["documents"][0]
            except (TypeError, KeyError, IndexError):
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


def extract_all(paths: Paths, entries: list[Entry], workers: int | None = None, progress=None,
                exclusive: bool = True) -> dict:
    """Extract what is not cached yet, in worker processes. Returns counts: extracted, cached, by
    status. `progress(message)` is called as files are done (every 5% or 10 s). `exclusive`: this
    run holds the data root's run lock, so temporary files a killed run left in the cache are
    removed; runs that share the cache at once (the production profile's partitions) pass False.

    Entries are updated in place: a file whose bytes changed since the listing gets the hash and
    size of the bytes extracted; one that vanished, cannot be read or killed its worker gets
    `error` (landed as `rejected`; a worker's death is not cached, so the next run tries again)."""
    extract_dir = paths.state / "extract"
    for stale in extract_dir.glob(".*.tmp") if exclusive else ():  # left by a killed run (we hold the lock)
        stale.unlink(missing_ok=True)
    todo: list[Task] = []
    cached = 0
    statuses: Counter = Counter()
    by_rel = {e.rel_path: e for e in entries}
    env = {k: v for k, v in os.environ.items() if k.startswith("BPE_")}
    for e in entries:
        if e.duplicate_of is not None or e.error:
            continue
        if e.size > max_bytes():  # from the listing's stat: not read at all
            e.error = R_TOO_BIG.format(n=e.size, m=max_bytes())
            statuses["rejected"] += 1
            continue
        if cache_path(paths, e.sha256).exists():
            cached += 1
            continue
        todo.append(Task(str(paths.raw / e.rel_path), e.rel_path, str(paths.state), EXTRACTOR_VERSION, env))
    meter = Progress(len(todo), progress) if progress and todo else None
    if todo:  # (each worker sets the tokenizer's cache folder itself: `_worker_main`)
        extract_dir.mkdir(parents=True, exist_ok=True)
        workers = workers or min(os.cpu_count() or 1, 2 if len(todo) >= 8 else 1)
        pool = WorkerPool(workers, paths.state)
        keys: dict[str, str | None] = {}
        try:
            for got in pool.run(todo):
                e = by_rel[got["rel"]]
                if "error" in got:
                    e.error = got["error"]
                    statuses["rejected"] += 1
                else:
                    if got["sha256"] != e.sha256:  # rewritten since the listing: these bytes were read
                        e.sha256, e.size, e.duplicate_of, e.duplicate_kind = got["sha256"], got["size"], None, None
                    statuses[got["status"]] += 1
                    keys[got["sha256"]] = got.get("text_sha256")
                if meter:
                    meter.tick()
        finally:
            pool.close()
            record_text_keys(paths, keys)
    return {"extracted": len(todo), "cached": cached, **{f"status_{k}": v for k, v in statuses.items()}}


def load_rows(paths: Paths, entries: list[Entry]):
    """Yield (entry, rows) in path order; duplicates and entries not read yield None (a
    `documents` row is made for them). A cache file that is missing or unreadable (deleted or
    damaged by hand) yields None with `entry.error` set."""
    for e in entries:
        if e.duplicate_kind == "bytes" or e.error:
            yield e, None
            continue
        rows = read_cached(paths, e.sha256)
        if rows is None:
            cache_path(paths, e.sha256).unlink(missing_ok=True)
            e.error = "抽取缓存缺失或损坏，下次运行将重新抽取 / the cached extraction is missing or damaged (re-extracted next run)"
        yield e, rows
