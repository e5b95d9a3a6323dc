"""The extraction runner: every raw file whose (sha256, extractor version) is not cached yet is
extracted (`pipelines.process.process_bytes`) on all cores, its rows cached under
<data root>/.state/extract/; a no-op run reads nothing but the raw bytes' hashes. Files whose
normalized text repeats an earlier file's are marked duplicates (`mark_same_text`)."""

import json
import os
import pickle
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipelines.atomic import atomic_write_bytes
from pipelines.inventory import Entry
from pipelines.process import process_bytes
from pipelines.settings import EXTRACTOR_VERSION, Paths


def cache_path(paths: Paths, sha: str) -> Path:
    return paths.state / "extract" / f"{sha}-v{EXTRACTOR_VERSION}.pkl"


def _extract_one(args) -> tuple[str, str]:
    raw_path, rel, out = args
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
