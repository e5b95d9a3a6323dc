"""The raw folder as a list: every entry under raw/ (recursively, path order) with its sha256,
later copies of the same bytes marked duplicates (`scan_raw`), and the guard that refuses to go
on from a missing, empty or shrunken folder (`guard_inventory`), with the record of the last run
that published a warehouse.

Every entry of the raw folder is listed, whatever it is: a file that cannot be read, a link that
is broken or points outside the raw folder (never followed), a FIFO or socket (never opened), a
folder that cannot be listed, a version-control or cache folder (one entry for the whole folder,
not read), an editor's lock file. Such an entry carries `error` (the reason) and is landed as a
`rejected` documents row without being read. A name that is not valid UTF-8 is kept as the
file system gives it (`rel_path`, for reading) and shown with its bytes escaped (`shown_path`)."""

import hashlib
import json
import os
import stat as st_mod
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.atomic import atomic_write_bytes, read_json_dict, remove_tree
from pipelines.ingest.common import R_TOO_BIG
from pipelines.ingest.read import DEFAULT_MAX_BYTES
from pipelines.settings import EXTRACTOR_VERSION, Paths

# Folders that are not documents: listed as one entry each, never read.
HIDDEN_DIRS = {".state", ".git", ".svn", ".hg", "__pycache__"}
EXCLUDED_PREFIX = "已排除"  # reasons of entries that are not read by design (the checks tell them apart)
R_EXCLUDED_DIR = EXCLUDED_PREFIX + "：版本库或缓存文件夹，其中 {n} 项未读取 / excluded: a version-control or cache folder ({n} entries not read)"
R_LOCK_FILE = EXCLUDED_PREFIX + "：编辑器的锁定或临时文件 / excluded: an editor's lock or temporary file"
R_UNREADABLE = "无法读取文件（{e}）/ the file cannot be read ({e})"
R_UNLISTABLE = "无法列出文件夹（{e}）/ the folder cannot be listed ({e})"
R_VANISHED = "文件在运行中消失 / the file vanished during the run"
R_DANGLING = "链接指向不存在的文件 / a broken link (its target does not exist)"
R_OUTSIDE = "链接指向原始文件夹之外，未读取 / a link that points outside the raw folder (not followed)"
R_LINK_DIR = "链接指向文件夹，未读取 / a link to a folder (not followed)"
R_SPECIAL = "不是普通文件（{kind}），未读取 / not a regular file ({kind}); not read"
R_BAD_NAME = "文件名不是有效的UTF-8，路径中以\\x转义显示 / the file name is not valid UTF-8 (shown with \\x escapes)"


@dataclass
class Entry:
    rel_path: str  # as the file system names it (a name that is not UTF-8 keeps its bytes as surrogates)
    sha256: str
    size: int
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # "bytes" (same file) or "text" (same text, another encoding or format)
    error: str | None = None  # why this entry is not read (it is landed as `rejected`)

    @property
    def shown_path(self) -> str:
        return shown_path(self.rel_path)

    @property
    def name_is_utf8(self) -> bool:
        return shown_path(self.rel_path) == self.rel_path


def fs_bytes(rel_path: str) -> bytes:
    """The path's bytes as the file system has them (undoing Python's surrogate escapes)."""
    return os.fsencode(rel_path)


def shown_path(rel_path: str) -> str:
    """A path as valid UTF-8 text: bytes that are not UTF-8 shown as `\\xNN`."""
    return fs_bytes(rel_path).decode("utf-8", "backslashreplace")


def path_id(rel_path: str) -> str:
    """The doc_id of an entry that was not read: the SHA-256 of `path:` and its path's bytes."""
    return hashlib.sha256(b"path:" + fs_bytes(rel_path)).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _kind(mode: int) -> str:
    return ("FIFO" if st_mod.S_ISFIFO(mode) else "socket" if st_mod.S_ISSOCK(mode)
            else "device" if st_mod.S_ISCHR(mode) or st_mod.S_ISBLK(mode) else "special file")


def _count(path: str) -> int:
    n = 0
    for _, dirs, files in os.walk(path, followlinks=False):
        n += len(dirs) + len(files)
    return n


def _is_lock_file(name: str) -> bool:
    return name.startswith((".~", "~$")) or (name.startswith(".~lock.") and name.endswith("#"))


def stat_listing(raw_dir: Path):
    """Yield (rel_path, fingerprint line) for every entry as the run lists it (`walk_raw`), the line
    holding its kind and, for a file, its size and modification time: what the sensors compare."""
    if not raw_dir.exists():
        return
    for rel, kind, detail in walk_raw(raw_dir):
        try:
            st = os.stat(detail) if kind == "file" else None
        except OSError:
            st = None
        yield rel, json.dumps([rel, kind, st.st_size if st else None, st.st_mtime_ns if st else None]).encode()


def walk_raw(raw_dir: Path):
    """Yield (rel_path, kind, detail) for every entry under `raw_dir`, in path order, never
    following a link and never opening anything: kind is `file` (detail: the path to read, a
    link's target when it is a file inside the raw folder), or `error` (detail: the reason)."""
    root = os.path.realpath(raw_dir)

    def walk(abs_dir: str, rel_dir: str):
        try:
            with os.scandir(abs_dir) as it:
                items = sorted(it, key=lambda d: os.fsencode(d.name))
        except OSError as exc:
            yield rel_dir + "/", "error", R_UNLISTABLE.format(e=exc.strerror or type(exc).__name__)
            return
        for d in items:
            rel = f"{rel_dir}/{d.name}" if rel_dir else d.name
            try:
                if d.is_dir(follow_symlinks=False):
                    if d.name in HIDDEN_DIRS:
                        yield rel + "/", "error", R_EXCLUDED_DIR.format(n=_count(d.path))
                    else:
                        yield from walk(d.path, rel)
                    continue
                if d.is_symlink():
                    target = os.path.realpath(d.path)
                    if not os.path.lexists(target) or not os.path.exists(d.path):
                        yield rel, "error", R_DANGLING
                    elif os.path.commonpath([root, target]) != root:
                        yield rel, "error", R_OUTSIDE
                    elif os.path.isdir(target):
                        yield rel, "error", R_LINK_DIR
                    elif not os.path.isfile(target):
                        yield rel, "error", R_SPECIAL.format(kind=_kind(os.stat(target).st_mode))
                    else:
                        yield rel, "file", target
                    continue
                mode = d.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                yield rel, "error", R_UNREADABLE.format(e=exc.strerror or type(exc).__name__)
                continue
            if not st_mod.S_ISREG(mode):
                yield rel, "error", R_SPECIAL.format(kind=_kind(mode))
            elif _is_lock_file(d.name):
                yield rel, "error", R_LOCK_FILE
            else:
                yield rel, "file", d.path

    yield from walk(str(raw_dir), "")


def scan_raw(raw_dir: Path, hash_cache: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Entry]:
    """Every entry under `raw_dir` in path order with its sha256; later copies marked duplicates.
    Entries that are not read (see the module's docstring) carry `error` and a path-based id.

    With `hash_cache` (a JSON file), a file whose size, modification and change times and inode
    are those recorded last time keeps its recorded hash (as git's index does), so a no-op run
    reads no bytes."""
    entries: list[Entry] = []
    first_by_sha: dict[str, str] = {}
    if not raw_dir.exists():
        return entries
    known = read_json_dict(hash_cache)
    seen: dict = {}
    for rel, kind, detail in walk_raw(raw_dir):
        if kind == "error":
            entries.append(Entry(rel, path_id(rel), 0, error=detail))
            continue
        try:
            st = os.stat(detail)
            if st.st_size > max_bytes:  # never read (nor hashed): its size is reason enough
                entries.append(Entry(rel, path_id(rel), st.st_size, error=R_TOO_BIG.format(n=st.st_size, m=max_bytes)))
                continue
            stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
            cached = known.get(rel)
            ok = isinstance(cached, list) and len(cached) == 2 and cached[0] == stamp and isinstance(cached[1], str)
            sha = cached[1] if ok else _sha256_file(Path(detail))
        except FileNotFoundError:
            entries.append(Entry(rel, path_id(rel), 0, error=R_VANISHED))
            continue
        except OSError as exc:
            entries.append(Entry(rel, path_id(rel), 0, error=R_UNREADABLE.format(e=exc.strerror or type(exc).__name__)))
            continue
        seen[rel] = [stamp, sha]
        first = first_by_sha.get(sha)
        entries.append(Entry(rel, sha, st.st_size, first, "bytes" if first else None))
        first_by_sha.setdefault(sha, rel)
    if hash_cache is not None and seen != known:
        atomic_write_bytes(hash_cache, json.dumps(seen).encode())
    return entries


def entries_to_json(entries: list[Entry]) -> bytes:
    """A listing as JSON (the per-run inventories; never a pickle: a state file cannot run code)."""
    return json.dumps([asdict(e) for e in entries]).encode()


def entries_from_json(data: bytes) -> list[Entry]:
    fields = set(Entry.__dataclass_fields__)
    return [Entry(**{k: v for k, v in d.items() if k in fields}) for d in json.loads(data)]


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
        h.update(f"\n{e.rel_path}\t{e.sha256}\t{e.duplicate_of or ''}\t{e.error or ''}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def record_good_run(paths: Paths, entries: list[Entry], published: dict | None = None) -> None:
    """After a warehouse was published: how many raw files it was built from (for `guard_inventory`),
    and what it was built from (`published`: the inventory, code and warehouse signatures)."""
    atomic_write_bytes(_last_run_path(paths), json.dumps({"files": len(entries), **(published or {})}).encode())


def last_good_run(paths: Paths) -> dict:
    return read_json_dict(_last_run_path(paths))


def hash_cache_path(paths: Paths) -> Path:
    return paths.state / "hashes.json"


def clean_state_leftovers(paths: Paths) -> None:
    """Temporary files a killed run left in the state folder (callers hold the run lock)."""
    for folder in (paths.state, paths.state / "inventories"):
        for stale in folder.glob(".*.tmp"):
            remove_tree(stale)
