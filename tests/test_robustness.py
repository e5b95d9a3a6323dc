"""Bad input loses nothing; a killed run leaves the last good warehouse; two runs do not collide."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.run import RunInProgress, acquire_lock, release_lock, run_all
from pipelines.settings import paths
from tests.conftest import FENGTAI, ROOT, SHIJINGSHAN


def docs(root: Path) -> dict[str, tuple[str, str | None, int]]:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        return {p: (s, r, n) for p, s, r, n in con.execute("select path, status, reason, n_reports from documents").fetchall()}
    finally:
        con.close()


def n_reports(root: Path) -> int:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from reports").fetchone()[0]
    finally:
        con.close()


def test_duplicate_file_is_named_and_not_loaded_twice(data_root):
    shutil.copy(FENGTAI, data_root / "raw" / "zz_copy_of_fengtai.txt")
    run_all(paths(data_root))
    d = docs(data_root)
    status, reason, n = d["zz_copy_of_fengtai.txt"]
    assert status == "duplicate" and FENGTAI.name in reason and n == 0
    assert n_reports(data_root) == 8


def _marts(root: Path) -> dict[str, list]:
    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from information_schema.tables where table_name like 'mart_%' order by 1").fetchall()]
        return {n: sorted(map(repr, con.execute(f"select * from {n}").fetchall())) for n in names}
    finally:
        con.close()


def test_same_report_in_another_encoding_changes_no_mart(data_root, tmp_path):
    run_all(paths(data_root))
    before = _marts(data_root)
    # the Fengtai bundle again, as a GB18030 file under another name: other bytes, the same text
    (data_root / "raw" / "zz_fengtai_gb18030.txt").write_bytes(FENGTAI.read_text(encoding="utf-8").encode("gb18030"))
    run_all(paths(data_root))
    status, reason, n = docs(data_root)["zz_fengtai_gb18030.txt"]
    assert status == "duplicate" and FENGTAI.name in reason and "same text" in reason and n == 0
    assert n_reports(data_root) == 8
    assert _marts(data_root) == before
    # the first file gone, the copy is the report's only file: it is loaded
    (data_root / "raw" / FENGTAI.name).unlink()
    run_all(paths(data_root))
    assert docs(data_root)["zz_fengtai_gb18030.txt"][0] in ("parsed", "partial") and n_reports(data_root) == 8


@pytest.mark.parametrize(
    "name,content,reason_part",
    [
        ("empty.txt", b"", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "not text"),
        ("table.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000), "broken spreadsheet"),
        ("report.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000), "另存为 .docx"),
        ("table.et", os.urandom(3000), "另存为 .xlsx"),
        ("notice.txt", "关于召开预算工作会议的通知\n\n各单位：定于下周召开会议。".encode("utf-8"), "no report found"),
        ("binary.bin", os.urandom(3000), "unsupported format"),
    ],
)
def test_rejected_files_are_accounted_for_and_the_run_succeeds(data_root, name, content, reason_part):
    (data_root / "raw" / name).write_bytes(content)
    run_all(paths(data_root))
    status, reason, _ = docs(data_root)[name]
    assert status == "rejected" and reason_part in reason
    assert n_reports(data_root) == 8  # the good files still loaded


def test_fixing_a_rejected_file_loads_it_next_run(data_root):
    target = data_root / "raw" / "sub" / "later.txt"
    target.parent.mkdir()
    target.write_bytes(b"")
    run_all(paths(data_root))
    assert docs(data_root)["sub/later.txt"][0] == "rejected"
    target.write_bytes(SHIJINGSHAN.read_bytes().replace("2022年，安排".encode(), "2021年，安排".encode()))
    run_all(paths(data_root))
    assert docs(data_root)["sub/later.txt"][:1] == ("parsed",) and n_reports(data_root) == 9


def test_second_run_at_once_refuses_with_a_clear_message(data_root):
    p = paths(data_root)
    code = "import sys; from pipelines.run import run_all; from pipelines.settings import paths; run_all(paths(sys.argv[1]))"
    acquire_lock(p)
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(data_root)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        release_lock(p)
    assert proc.returncode != 0 and "another run is already working" in proc.stderr
    with pytest.raises(RunInProgress):
        # the lock is per data root, held by another process this time
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sys,time; from pipelines.run import acquire_lock; from pipelines.settings import paths; "
             "acquire_lock(paths(sys.argv[1])); print('held', flush=True); time.sleep(30)", str(data_root)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "held"
            run_all(p)
        finally:
            holder.kill()
            holder.wait()


def test_sigkill_mid_run_leaves_the_last_good_warehouse(data_root):
    p = paths(data_root)
    run_all(p)
    good = n_reports(data_root)
    # Many new distinct files make the next run long enough to be killed at different stages.
    text = FENGTAI.read_text(encoding="utf-8")
    for i in range(150):
        (data_root / "raw" / f"extra_{i:03d}.txt").write_text(text + f"\n附注{i}\n", encoding="utf-8")
    code = "import sys; from pipelines.run import run_all; from pipelines.settings import paths; run_all(paths(sys.argv[1]), workers=1)"
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen([sys.executable, "-c", code, str(data_root)], cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # The previous warehouse still answers, whole.
        assert n_reports(data_root) in (good, good + 600)
        assert docs(data_root)
    summary = run_all(p)
    assert summary["files"] == 153
    assert n_reports(data_root) == good + 600
    leftovers = [f for f in data_root.rglob("*.tmp*")]
    assert leftovers == []


def test_report_cut_short_makes_the_file_partial_and_says_what_is_missing(data_root):
    text = SHIJINGSHAN.read_text(encoding="utf-8")
    cut = text[: text.index("经过综合评价")]  # a half-downloaded file: the score sentence never arrives
    (data_root / "raw" / "half.txt").write_text(cut, encoding="utf-8")
    run_all(paths(data_root))
    status, reason, n = docs(data_root)["half.txt"]
    assert status == "partial" and n == 1
    assert "总分" in reason and "评价等级" in reason and "地区" not in reason


@pytest.mark.parametrize("damage", ["missing", "empty", "shrunk"])
def test_a_missing_empty_or_shrunken_raw_folder_keeps_the_last_warehouse(data_root, damage, monkeypatch):
    from pipelines.lake import RawFolderGuard

    monkeypatch.delenv("BPE_ALLOW_SHRINK", raising=False)
    run_all(paths(data_root))
    wh = data_root / "marts" / "warehouse.duckdb"
    before, n_before = wh.read_bytes(), n_reports(data_root)
    raw = data_root / "raw"
    if damage == "missing":
        shutil.rmtree(raw)  # an unmounted share, a mistyped BPE_DATA_DIR
    else:
        files = sorted(raw.iterdir())
        for f in files if damage == "empty" else files[:-1]:  # shrunk: 1 of 3 files left
            f.unlink()
    with pytest.raises(RawFolderGuard) as exc:
        run_all(paths(data_root))
    assert "the last warehouse is kept" in exc.value.args[0] and "上次的仓库保持不变" in exc.value.args[0]
    assert wh.read_bytes() == before and n_reports(data_root) == n_before
    if damage != "missing":  # an intended shrink is allowed with the flag
        monkeypatch.setenv("BPE_ALLOW_SHRINK", "1")
        run_all(paths(data_root))
        assert n_reports(data_root) < n_before


def test_extraction_reports_progress(data_root):
    from pipelines import lake

    seen = []
    p = paths(data_root)
    entries = lake.scan_raw(p.raw)
    lake.extract_all(p, entries, workers=1, progress=seen.append)
    assert seen[-1].startswith("extraction: 3/3 files (100%)") and "files/s, ETA 0m00s" in seen[-1]
