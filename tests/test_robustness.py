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
