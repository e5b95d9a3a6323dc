"""The raw folder as a list: every file under raw/ (recursively, path order) with its sha256,
later copies of the same bytes marked duplicates (`scan_raw`), and the guard that refuses to go
on from a missing, empty or shrunken folder (`guard_inventory`), with the record of the last run
that published a warehouse."""

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from pipelines.atomic import atomic_write_bytes
from pipelines.settings import EXTRACTOR_VERSION, Paths

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
    h = hashlib.sha256(f"inventory:{EXTRACTOR_VERSION}".encode())
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
