"""The whole pipeline as plain functions, and the run lock that keeps two runs apart."""

import errno
import fcntl
import os
import time
from contextlib import contextmanager

from pipelines import lake, settings, warehouse
from pipelines.settings import Paths


class RunInProgress(RuntimeError):
    pass


_HELD: dict[str, int] = {}  # data root -> lock fd held by this process


def _holder(path) -> str:
    try:
        pid = int(open(path, encoding="ascii").read().strip() or 0)
    except (OSError, ValueError):
        return ""
    return f"（进程 {pid}）/ (process {pid})" if pid else ""


def acquire_lock(paths: Paths) -> None:
    """Only one pipeline run per data root at a time; a second one refuses with a clear message.

    The lock is a POSIX record lock (`lockf`) on <data root>/.state/run.lock. It belongs to the
    process that took it, not to its children: a forked worker does not inherit it (unlike an
    flock, which orphaned workers of a killed run would keep holding for good), and the OS drops
    it when that process dies, so a killed run never leaves a stale lock behind. The file names
    the holder's pid. Re-entrant within one process.
    """
    key = str(paths.root)
    if key in _HELD:
        return
    paths.state.mkdir(parents=True, exist_ok=True)
    lock = paths.state / "run.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EACCES, errno.EAGAIN):
            raise
        raise RunInProgress(
            f"另一个运行正在处理 {paths.root}{_holder(lock)}，请稍后再试 / another run is already working on {paths.root}"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    _HELD[key] = fd


def release_lock(paths: Paths) -> None:
    fd = _HELD.pop(str(paths.root), None)
    if fd is not None:
        os.close(fd)


@contextmanager
def run_lock(paths: Paths, wait: float = 0.0):
    """The run lock for a block (re-entrant). `wait`: seconds to wait for another run's step to
    finish before refusing (0: refuse at once)."""
    held_before = str(paths.root) in _HELD
    deadline = time.monotonic() + wait
    while True:
        try:
            acquire_lock(paths)
            break
        except RunInProgress:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
    try:
        yield
    finally:
        if not held_before:
            release_lock(paths)


def run_all(paths: Paths, workers: int | None = None, allow_shrink: bool | None = None) -> dict:
    with run_lock(paths):
        lake.clean_state_leftovers(paths)
        entries = lake.scan_raw(paths.raw, lake.hash_cache_path(paths))
        lake.guard_inventory(paths, entries, settings.allow_shrink() if allow_shrink is None else allow_shrink)
        extracted = lake.extract_all(paths, entries, workers=workers)
        extracted["same_text"] = lake.mark_same_text(paths, entries)
        landed = {**lake.land(paths, entries), **lake.row_counts(paths)}
        counts = warehouse.build_warehouse(paths)
        lake.record_good_run(paths, entries)
    return {"files": len(entries), **extracted, "landed": landed, "warehouse": counts}
