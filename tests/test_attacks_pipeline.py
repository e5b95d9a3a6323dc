"""The attack suite, pipeline side: hostile raw entries, odd names, dying workers, kills at several
moments, crafted state files and a full disk. Each test builds the hostile input itself and
asserts the file's `documents` row, its reason, and that the other files still loaded."""

import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import extraction, inventory, lake, warehouse
from pipelines import warehouse_checks as WC
from pipelines.run import acquire_lock, release_lock, run_all
from pipelines.settings import EXTRACTOR_VERSION, paths
from tests.conftest import FENGTAI, ROOT

GOOD_REPORTS = 8  # the three sample files


def rows(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def doc(root: Path, path: str) -> tuple:
    got = rows(root, f"select status, reason, n_reports, doc_id from documents where path = '{path}'")
    assert len(got) == 1, (path, got)
    return got[0]


def n_reports(root: Path) -> int:
    return rows(root, "select count(*) from reports")[0][0]


def coverage_gaps(root: Path) -> set[str]:
    """Entries of an independent listing of raw/ without a documents row (the check's question)."""
    listed = WC.raw_listing(root / "raw")
    have = {r[0] for r in rows(root, "select path from documents")}
    return listed - have


# --------------------------------------------------------------------------- the four that blocked every later run

def test_killing_only_the_main_process_leaves_no_lock_behind(data_root):
    """The OOM killer kills the main process, not its workers. Before: two orphaned pool workers
    had inherited the run lock and every later run refused, for good."""
    code = ("import os, sys, time; from pipelines.run import acquire_lock; from pipelines.settings import paths\n"
            "acquire_lock(paths(sys.argv[1]))\n"
            "if os.fork() == 0:\n"
            "    time.sleep(60); os._exit(0)\n"  # a child (a worker) that outlives its parent
            "print('held', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(data_root)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        acquire_lock(paths(data_root))  # the orphan does not hold it
        release_lock(paths(data_root))
    finally:
        subprocess.run(["pkill", "-f", f"sys.argv\\[1\\]\\)\\).*{data_root}"], check=False)


def test_main_process_killed_during_extraction_with_workers_then_the_next_run_works(data_root):
    text = FENGTAI.read_text(encoding="utf-8")
    for i in range(60):
        (data_root / "raw" / f"extra_{i:03d}.txt").write_text(text + f"\n附注{i}\n", encoding="utf-8")
    code = "import sys; from pipelines.run import run_all; from pipelines.settings import paths; run_all(paths(sys.argv[1]), workers=2)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(data_root)], cwd=ROOT)
    deadline = time.monotonic() + 120
    extract = data_root / ".state" / "extract"
    while time.monotonic() < deadline and len(list(extract.glob("*.json"))) < 4:  # extraction under way
        time.sleep(0.05)
    helpers = _descendants(proc.pid)
    assert helpers, "no worker was running"
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as the OOM killer does
    proc.wait()
    summary = run_all(paths(data_root))  # not refused
    assert summary["files"] == 63 and n_reports(data_root) == GOOD_REPORTS + 60 * 4
    assert _gone(helpers), "the killed run's workers outlived it"


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _descendants(pid: int) -> set[int]:
    """Every live process under `pid` (its forkserver and workers)."""
    procs = [int(d) for d in os.listdir("/proc") if d.isdigit()]
    parent = {p: _parent(p) for p in procs}
    out, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in out}
        out |= frontier
    return out


def _gone(pids: set[int], wait: float = 30) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        alive = {p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]}
        if not alive:
            return True
        time.sleep(0.2)
    return False


def test_file_name_that_is_not_utf8_is_landed_with_escaped_bytes(data_root):
    name = "国家".encode("gbk") + b"_report.txt"  # a GBK name, as unzip leaves it from a Windows zip
    with open(os.path.join(os.fsencode(data_root / "raw"), name), "wb") as fh:
        fh.write(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州").encode("utf-8"))
    run_all(paths(data_root))
    shown = "\\xb9\\xfa\\xbc\\xd2_report.txt"
    status, reason, n, _ = doc(data_root, shown)
    assert status == "partial" and "not valid UTF-8" in reason and n == 4
    assert n_reports(data_root) == GOOD_REPORTS + 4
    assert coverage_gaps(data_root) == set()
    assert run_all(paths(data_root))["extracted"] == 0  # and the next run is a normal one


def _without_read_override(cmd: list[str]) -> list[str]:
    """Root reads any file: run `cmd` without the capabilities that let it (setpriv, util-linux)."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: an unreadable file cannot be made")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *cmd]


def test_unreadable_file_is_rejected_and_the_others_load(data_root):
    secret = data_root / "raw" / "secret.txt"
    secret.write_text("预算执行率100%。", encoding="utf-8")
    os.chmod(secret, 0)
    code = "import sys; from pipelines.run import run_all; from pipelines.settings import paths; print(run_all(paths(sys.argv[1]))['files'])"
    proc = subprocess.run(_without_read_override([sys.executable, "-c", code, str(data_root)]), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]  # before: PermissionError while hashing, every run
    assert proc.stdout.strip().splitlines()[-1] == "4"
    status, reason, n, _ = doc(data_root, "secret.txt")
    assert status == "rejected" and "cannot be read" in reason and "Permission denied" in reason and n == 0
    assert n_reports(data_root) == GOOD_REPORTS


def test_spill_folder_left_by_a_killed_build_is_removed_as_a_tree(data_root):
    run_all(paths(data_root))
    spill = data_root / "marts" / f".warehouse.duckdb.{os.getpid() + 7}.tmp.tmp"
    (spill / "sub").mkdir(parents=True)
    (spill / "sub" / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1000)
    (data_root / "marts" / f".warehouse.duckdb.{os.getpid() + 7}.tmp").write_bytes(b"half a database")
    (data_root / "raw" / "new.txt").write_text(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州"), encoding="utf-8")
    run_all(paths(data_root))  # before: IsADirectoryError here, and in every later run
    assert not spill.exists() and list((data_root / "marts").glob(".*.tmp*")) == []
    assert n_reports(data_root) == GOOD_REPORTS + 4


# --------------------------------------------------------------------------- every raw entry gets one row

def test_every_kind_of_raw_entry_gets_exactly_one_documents_row(data_root):
    raw = data_root / "raw"
    (raw / "dangling.txt").symlink_to(raw / "no-such-file.txt")
    (raw / "passwd.txt").symlink_to("/etc/passwd")  # outside the raw folder: never followed
    (raw / "inside.txt").symlink_to(raw / FENGTAI.name)  # inside: read, and a duplicate of its target
    (raw / "etc").symlink_to("/etc")
    (raw / "folder_link").symlink_to(raw / "__pycache__")
    os.mkfifo(raw / "pipe.txt")  # opening it would block the run for ever
    for hidden in (".git", "__pycache__", ".state"):
        (raw / hidden / "sub").mkdir(parents=True)
        (raw / hidden / "sub" / "x.txt").write_text("预算执行率100%。", encoding="utf-8")
    (raw / ".~lock.report.docx#").write_text("lock", encoding="utf-8")
    (raw / "~$report.docx").write_bytes(b"owner")
    run_all(paths(data_root))
    expect = {
        "dangling.txt": "broken link", "passwd.txt": "outside the raw folder", "etc": "outside the raw folder", "folder_link": "link to a folder",
        "pipe.txt": "not a regular file (FIFO)", ".git/": "version-control or cache folder (2 entries",
        "__pycache__/": "version-control or cache folder", ".state/": "version-control or cache folder",
        ".~lock.report.docx#": "lock or temporary file", "~$report.docx": "lock or temporary file",
    }
    for path, words in expect.items():
        status, reason, n, doc_id = doc(data_root, path)
        assert status == "rejected" and words in reason and n == 0, (path, reason)
        assert len(doc_id) == 64
    status, reason, _, _ = doc(data_root, "inside.txt")
    assert status == "duplicate" and FENGTAI.name in reason
    assert "root:x:0:0" not in " ".join(r[0] or "" for r in rows(data_root, "select body from findings"))
    assert coverage_gaps(data_root) == set()
    assert n_reports(data_root) == GOOD_REPORTS
    # the lock files and excluded folders are not "rejected files" to fix; the broken ones are
    warned = {r[0] for r in rows(data_root, WC.SQL_CHECKS[[c[0] for c in WC.SQL_CHECKS].index("no_rejected_files")][3])}
    assert warned == {"dangling.txt", "passwd.txt", "etc", "folder_link", "pipe.txt"}


def test_coverage_check_fails_when_an_entry_has_no_row(data_root):
    run_all(paths(data_root))
    (data_root / "raw" / "late.txt").write_text("x", encoding="utf-8")
    os.mkfifo(data_root / "raw" / "late.fifo")
    assert coverage_gaps(data_root) == {"late.txt", "late.fifo"}


def test_file_that_vanished_after_the_listing_is_rejected_and_the_run_goes_on(data_root):
    p = paths(data_root)
    victim = data_root / "raw" / "vanishing.txt"
    victim.write_text(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州"), encoding="utf-8")
    entries = lake.scan_raw(p.raw)
    victim.unlink()
    lake.extract_all(p, entries)
    lake.land(p, entries)
    warehouse.build_warehouse(p)
    status, reason, n, _ = doc(data_root, "vanishing.txt")
    assert status == "rejected" and "vanished" in reason and n == 0
    assert n_reports(data_root) == GOOD_REPORTS


def test_file_rewritten_mid_run_is_cached_under_the_bytes_it_was_read_from(data_root):
    p = paths(data_root)
    f = data_root / "raw" / "changing.txt"
    old_text = FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州")
    new_text = FENGTAI.read_text(encoding="utf-8").replace("丰台", "顺义")
    f.write_text(old_text, encoding="utf-8")
    entries = lake.scan_raw(p.raw)  # listed with the old bytes
    old_sha = hashlib.sha256(old_text.encode("utf-8")).hexdigest()
    new_sha = hashlib.sha256(new_text.encode("utf-8")).hexdigest()
    f.write_text(new_text, encoding="utf-8")  # rewritten before extraction reads it
    lake.extract_all(p, entries)
    assert not extraction.cache_path(p, old_sha).exists()  # before: the new rows filed under the old hash
    assert extraction.cache_path(p, new_sha).exists()
    lake.land(p, entries)
    warehouse.build_warehouse(p)
    assert doc(data_root, "changing.txt")[3] == new_sha
    assert {r[0] for r in rows(data_root, "select distinct district from reports")} >= {"顺义区"}
    f.write_text(old_text, encoding="utf-8")  # reverted: really extracted again, from the old bytes
    run_all(p)
    assert doc(data_root, "changing.txt")[3] == old_sha
    assert "通州区" in {r[0] for r in rows(data_root, "select distinct district from reports")}
    assert "顺义区" not in {r[0] for r in rows(data_root, "select distinct district from reports")}


def test_huge_file_is_refused_from_its_size_without_being_read(data_root):
    huge = data_root / "raw" / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(3 * 1024**3)  # 3 GiB, sparse
    code = ("import resource, sys; from pipelines.run import run_all; from pipelines.settings import paths\n"
            "run_all(paths(sys.argv[1]))\n"
            "print(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))")
    proc = subprocess.run([sys.executable, "-c", code, str(data_root)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    peak_kib = int(proc.stdout.split()[-1])
    assert peak_kib < 1024 * 1024, f"peak RSS {peak_kib} KiB: the file was read"  # before: 3.4 GB
    status, reason, n, _ = doc(data_root, "huge.txt")
    assert status == "rejected" and "file too large" in reason and str(3 * 1024**3) in reason
    assert n_reports(data_root) == GOOD_REPORTS


# --------------------------------------------------------------------------- a dying worker costs one file

def test_worker_killed_mid_file_costs_that_file_only(data_root, monkeypatch):
    text = FENGTAI.read_text(encoding="utf-8")
    for i in range(10):
        (data_root / "raw" / f"more_{i:02d}.txt").write_text(text.replace("丰台", "通州") + f"\n附注{i}\n", encoding="utf-8")
    (data_root / "raw" / "victim.txt").write_text(text.replace("丰台", "顺义"), encoding="utf-8")
    monkeypatch.setenv("BPE_FAULT", "kill:victim")
    summary = run_all(paths(data_root), workers=2)  # before: BrokenProcessPool, the whole run failed
    status, reason, n, _ = doc(data_root, "victim.txt")
    assert status == "rejected" and "worker died (SIGKILL" in reason and n == 0
    assert summary["files"] == 14 and n_reports(data_root) == GOOD_REPORTS + 40
    monkeypatch.delenv("BPE_FAULT")
    run_all(paths(data_root))  # a death is not cached: the next run tries the file again
    assert doc(data_root, "victim.txt")[0] == "parsed"


def test_worker_over_its_time_cap_is_killed_and_the_file_named(tmp_path):
    fifo = tmp_path / "stuck.txt"
    os.mkfifo(fifo)  # opening it blocks for ever: a stand-in for any file that hangs its worker
    pool = extraction.WorkerPool(1, tmp_path, seconds=8, memory=0)
    ok = tmp_path / "ok.txt"
    ok.write_text(FENGTAI.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        got = {g["rel"]: g for g in pool.run([extraction.Task(str(fifo), "stuck.txt", str(tmp_path)),
                                              extraction.Task(str(ok), "ok.txt", str(tmp_path))])}
    finally:
        pool.close()
    assert got["stuck.txt"] == {"rel": "stuck.txt", "error": extraction.R_WORKER_TIME.format(s="8"), "worker": True}
    assert got["ok.txt"]["status"] == "parsed"


def test_worker_over_its_memory_cap_is_killed_and_the_file_named(tmp_path, monkeypatch):
    monkeypatch.setenv("BPE_FAULT", "hog:fat")  # the worker of this file takes memory until stopped
    f = tmp_path / "fat.txt"
    f.write_text("x", encoding="utf-8")
    pool = extraction.WorkerPool(1, tmp_path, seconds=120, memory=400 << 20)
    try:
        env = {k: v for k, v in os.environ.items() if k.startswith("BPE_")}
        got = list(pool.run([extraction.Task(str(f), "fat.txt", str(tmp_path), env=env)]))
    finally:
        pool.close()
    assert got == [{"rel": "fat.txt", "error": extraction.R_WORKER_MEMORY.format(m=400), "worker": True}]


# --------------------------------------------------------------------------- caches that cannot lie

def test_crafted_state_pickles_never_run(data_root):
    p = paths(data_root)
    run_all(p)
    marker = data_root / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Evil())
    sha = hashlib.sha256(FENGTAI.read_bytes()).hexdigest()
    for place in (p.state / "hashes.pkl", p.state / "extract" / f"{sha}-v{EXTRACTOR_VERSION}.pkl",
                  p.state / "inventories" / "someone.pkl"):
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_bytes(payload)
    (data_root / "raw" / "new.txt").write_text(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州"), encoding="utf-8")
    run_all(p)
    from pipelines.orchestration import assets

    assets._load_inventory(p)
    assert not marker.exists()
    assert n_reports(data_root) == GOOD_REPORTS + 4


def test_crafted_json_cache_gives_rows_not_code_and_a_damaged_one_is_redone(data_root):
    p = paths(data_root)
    run_all(p)
    sha = hashlib.sha256(FENGTAI.read_bytes()).hexdigest()
    cache = extraction.cache_path(p, sha)
    assert json.loads(cache.read_bytes())["documents"][0]["doc_id"] == sha  # JSON, readable by anyone
    cache.write_bytes(b"\x80\x04garbage")
    lake.remove_tree(Path(os.path.realpath(p.lake)))  # so that every bucket is landed again
    run_all(p)
    status, reason, _, _ = doc(data_root, FENGTAI.name)
    assert status == "rejected" and "damaged" in reason
    run_all(p)  # re-extracted
    assert doc(data_root, FENGTAI.name)[0] == "parsed" and n_reports(data_root) == GOOD_REPORTS


def test_tokenizer_cache_lives_under_the_state_folder_named_by_the_dictionary(data_root):
    import tempfile

    from pipelines import nlp

    shared = Path(tempfile.gettempdir()) / "jieba.cache"  # jieba's default, shared by every user
    before = shared.stat().st_mtime_ns if shared.exists() else None
    run_all(paths(data_root))
    # the extraction cuts findings with rjieba, which needs no cache file: a run writes none
    assert list(data_root.rglob("*.cache")) == []
    assert (shared.stat().st_mtime_ns if shared.exists() else None) == before
    # jieba's own tokenizer (search queries) keeps its cache where the run says, named by its dictionary
    nlp.reset()
    nlp.set_cache_dir(data_root / ".state" / "jieba")
    try:
        nlp.get_tokenizer()
        caches = list((data_root / ".state" / "jieba").glob("jieba-*.cache"))
        assert len(caches) == 1 and len(caches[0].name) == len("jieba-") + 16 + len(".cache")
        assert (shared.stat().st_mtime_ns if shared.exists() else None) == before
    finally:
        nlp.reset()
        nlp._CACHE_DIR = None


# --------------------------------------------------------------------------- a lake readers can trust

def _lake_doc_ids(root: Path) -> set[str]:
    con = duckdb.connect()
    try:
        return {r[0] for r in con.execute(f"select doc_id from read_parquet('{root}/lake/documents/*.parquet')").fetchall()}
    finally:
        con.close()


def test_kill_during_landing_never_leaves_buckets_of_two_runs(data_root):
    p = paths(data_root)
    raw = data_root / "raw"
    text = FENGTAI.read_text(encoding="utf-8")
    names = [f"f_{i:03d}.txt" for i in range(64)]

    def write(tag: str):
        for i, n in enumerate(names):
            (raw / n).write_text(text + f"\n附注{tag}{i}\n", encoding="utf-8")

    write("B")
    run_all(p)  # caches both versions, so that a run is almost all landing
    b_ids = _lake_doc_ids(data_root)
    write("A")
    run_all(p)
    a_ids = _lake_doc_ids(data_root)
    code = "import sys; from pipelines.run import run_all; from pipelines.settings import paths; run_all(paths(sys.argv[1]))"
    outcomes = []
    for delay in (0.5, 0.8, 1.1, 1.4, 1.8, 2.4):
        write("B")
        proc = subprocess.Popen([sys.executable, "-c", code, str(data_root)], cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ids = _lake_doc_ids(data_root)
        assert ids in (a_ids, b_ids), f"killed after {delay} s: the lake mixes buckets of two runs"
        outcomes.append(ids == b_ids)
        write("A")
        run_all(p)  # the next run is never blocked, and lands A again
        assert _lake_doc_ids(data_root) == a_ids


def test_lake_is_a_link_to_one_generation_and_old_generations_are_pruned(data_root):
    p = paths(data_root)
    run_all(p)
    assert p.lake.is_symlink() and lake.read_manifest(p)["format"] == lake.LAKE_FORMAT
    for i in range(3):
        (data_root / "raw" / f"n{i}.txt").write_text(FENGTAI.read_text(encoding="utf-8") + f"\n附注{i}\n", encoding="utf-8")
        run_all(p)
    gens = sorted((data_root / lake.GENERATIONS).iterdir())
    assert len(gens) == 2  # the current one and the one before it (a reader may still be reading it)
    assert Path(os.path.realpath(p.lake)) in gens
    before = os.path.realpath(p.lake)
    run_all(p)  # nothing changed: no new generation
    assert os.path.realpath(p.lake) == before


# --------------------------------------------------------------------------- a full disk

def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0


def test_full_disk_keeps_the_last_warehouse_and_the_next_run_works(tmp_path):
    root = tmp_path / "small"
    if not _mount_tmpfs(root, "64m"):
        pytest.skip("needs root and a tmpfs mount to fill a disk (not available here)")
    try:
        (root / "raw").mkdir()
        for src in sorted((ROOT / "data" / "raw").glob("*.txt")):
            shutil.copy(src, root / "raw" / src.name)
        run_all(paths(root))
        good = n_reports(root)
        (root / "raw" / "new.txt").write_text(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州"), encoding="utf-8")
        free = shutil.disk_usage(root).free
        (root / "filler").write_bytes(b"\0" * (free - 200_000))
        with pytest.raises((warehouse.NotEnoughDisk, OSError)):
            run_all(paths(root))
        assert n_reports(root) == good  # the last warehouse answers, whole
        (root / "filler").unlink()
        run_all(paths(root))  # nothing left behind blocks the next run
        assert n_reports(root) == good + 4
        assert list((root / "marts").glob(".*.tmp*")) == []
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True)


def test_disk_check_refuses_before_building_when_space_is_short(data_root, monkeypatch):
    p = paths(data_root)
    run_all(p)
    need = warehouse.space_needed(p)
    assert need > warehouse.MIN_FREE_BYTES
    monkeypatch.setattr(warehouse.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10**12, 10**12 - need + 1, need - 1))
    (data_root / "raw" / "new.txt").write_text(FENGTAI.read_text(encoding="utf-8").replace("丰台", "通州"), encoding="utf-8")
    with pytest.raises(warehouse.NotEnoughDisk, match="not enough disk space"):
        run_all(p)
    assert n_reports(data_root) == GOOD_REPORTS


def test_listing_never_opens_special_files(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    os.mkfifo(raw / "a.fifo")
    (raw / "ok.txt").write_text("预算", encoding="utf-8")
    got = {e.rel_path: e.error for e in inventory.scan_raw(raw)}
    assert got["ok.txt"] is None and "FIFO" in got["a.fifo"]


def test_sensor_fingerprint_never_follows_links_or_opens_fifos(tmp_path):
    from pipelines.orchestration.definitions import raw_fingerprint

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("预算", encoding="utf-8")
    (raw / "loop").symlink_to(raw)  # a link back to itself: rglob would walk it again and again
    (raw / "etc").symlink_to("/etc")
    os.mkfifo(raw / "p.fifo")
    first = raw_fingerprint(raw)
    assert first == raw_fingerprint(raw)
    (raw / "a.txt").write_text("预算资金", encoding="utf-8")
    assert raw_fingerprint(raw) != first
