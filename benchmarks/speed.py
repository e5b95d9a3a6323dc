"""The speed targets of `make bench`: the whole `make run` on 10,000 reports against a bare
`jieba.lcut` over the same files, side by side in one invocation.

The corpus is 1,250 copies of the three sample disclosures (`benchmarks/copies.py`: one line
changed in each, so every file has its own hash; 3,750 files, 10,000 reports, ~128 MB). For each
repetition, in turn:

  - the jieba baseline: a fresh interpreter reads every file and runs `jieba.Tokenizer().lcut` on
    its whole text (the dictionary load is timed apart and not counted);
  - a full `make -C <project> run` on a fresh data root (raw/ holds hard links to the copies; no
    extraction cache, a fresh DAGSTER_HOME), timed as a whole command: Dagster's start, the job,
    `bpe status`.

Then, on the first root: a no-op `make run` and `make run` after adding one new copy (repeated),
every query of sql/examples/ (median of 5), and a check that the warehouse holds every report:
each copy's reports must equal its sample's (values, not ids). Peak memory is sampled from /proc
every 50 ms: the sum over the run's whole process tree, and its largest process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.copies import changed, make_copies, samples

PROJECT = Path(__file__).resolve().parent.parent
N_COPIES = 1250

TARGETS = {"ratio_x": 5.0, "mb_s": 10.0, "add_one_s": 8.0, "noop_s": 5.0, "peak_mb": 1024.0, "query_ms": 50.0}

JIEBA_CHILD = r"""
import json, sys, time
from pathlib import Path
import jieba
tk = jieba.Tokenizer()
tk.tmp_dir = sys.argv[2]
t0 = time.perf_counter()
tk.initialize()
init_s = time.perf_counter() - t0
files = [Path(p) for p in Path(sys.argv[1]).read_text().split("\n") if p]
t0 = time.perf_counter()
n = 0
for p in files:
    n += len(tk.lcut(p.read_text(encoding="utf-8")))
print(json.dumps({"init_s": init_s, "wall_s": time.perf_counter() - t0, "tokens": n}))
"""


def log(msg: str) -> None:
    print(f"[speed {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------- memory of a process tree


def _tree_rss(root: int) -> tuple[int, int]:
    """(sum, largest) resident bytes of `root` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{d}/statm", "rb") as fh:
                rss[int(d)] = int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        parent[int(d)] = int(stat[stat.rfind(b")") + 2 :].split()[1])
    tree, todo = set(), [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        p = todo.pop()
        if p in tree:
            continue
        tree.add(p)
        todo.extend(children.get(p, []))
    sizes = [rss.get(p, 0) for p in tree]
    return sum(sizes), max(sizes, default=0)


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_sum = self.peak_one = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            s, one = _tree_rss(self.pid)
            self.peak_sum, self.peak_one = max(self.peak_sum, s), max(self.peak_one, one)
            self.stop.wait(self.every)


def timed(cmd: list[str], log_path: Path, env: dict | None = None, capture: bool = False) -> dict:
    with open(log_path, "ab") as fh:
        fh.write(f"\n===== {' '.join(cmd[:3])} {time.strftime('%H:%M:%S')}\n".encode())
        fh.flush()
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=PROJECT, stdout=subprocess.PIPE if capture else fh, stderr=fh)
        sampler = Sampler(proc.pid)
        sampler.start()
        out = proc.stdout.read() if capture else b""
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        sampler.stop.set()
        sampler.join()
    return {"wall_s": wall, "rc": os.waitstatus_to_exitcode(status), "maxrss_mb": ru.ru_maxrss / 1024,
            # CPU of the command and the processes it waited for: for `make run`, the main process
            # (the extraction workers belong to the forkserver and are not counted)
            "cpu_s": ru.ru_utime + ru.ru_stime, "started": started, "ended": started + wall,
            "tree_peak_mb": sampler.peak_sum / 2**20, "largest_mb": sampler.peak_one / 2**20,
            "stdout": out.decode("utf-8", "replace")}


def make_run(root: Path, home: Path, log_path: Path) -> dict:
    env = {**os.environ, "BPE_DATA_DIR": str(root), "DAGSTER_HOME": str(home)}
    r = timed(["make", "-C", str(PROJECT), "run"], log_path, env=env)
    if r["rc"] != 0:
        raise RuntimeError(f"make run failed on {root} (see {log_path})")
    try:
        r["split"] = dagster_split(home, r["started"], r["ended"])
    except Exception as exc:  # noqa: BLE001 - the split is a detail of the report, never a failure of the run
        r["split"] = {"error": f"{type(exc).__name__}: {exc}"}
    return r


SPLIT_CHILD = r"""
import json, sys
import dagster as dg
home, started, ended = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
with dg.DagsterInstance.from_config(home) as instance:
    run = instance.get_runs(limit=1)[0]
    events = [e for e in instance.all_logs(run.run_id)]
first, last = events[0].timestamp, events[-1].timestamp
out = {"start (imports, instance, run record)": first - started}
starts = {e.step_key: e.timestamp for e in events if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"}
ends = {e.step_key: e.timestamp for e in events if e.dagster_event and e.dagster_event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE")}
out["planned events, run start"] = min(starts.values(), default=last) - first
for k in sorted(starts, key=starts.get):
    out[f"step {k}"] = ends.get(k, last) - starts[k]
out["between steps, run end"] = (last - first) - out["planned events, run start"] - sum(ends.get(k, last) - starts[k] for k in starts)
out["after the run (status screen, exit)"] = ended - last
out["events"] = len(events)
print(json.dumps(out))
"""


def dagster_split(home: Path, started: float, ended: float) -> dict:
    """Where one `make run` spent its time, from the run's own event log in DAGSTER_HOME: the start
    (Python, Dagster's import, the instance, the run record) until the first event, the planned
    materializations, each step (its own work and the events it writes), and what follows the run."""
    p = subprocess.run([sys.executable, "-c", SPLIT_CHILD, str(home), repr(started), repr(ended)],
                       capture_output=True, text=True, cwd=PROJECT, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-500:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def jieba_run(files: list[Path], work: Path, log_path: Path) -> dict:
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    r = timed([sys.executable, "-c", JIEBA_CHILD, str(listing), str(work)], log_path, capture=True)
    if r["rc"] != 0:
        raise RuntimeError(f"jieba baseline failed (see {log_path})")
    return {**json.loads(r["stdout"].strip().splitlines()[-1]), "process_s": r["wall_s"]}


def link_tree(src: Path, dst: Path) -> None:
    for p in src.rglob("*"):
        if p.is_file():
            q = dst / p.relative_to(src)
            q.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, q)


# ---------------------------------------------------------------- checks on the warehouse


def _values(con, doc_path: str) -> list[tuple]:
    cols = ("seq, title, district, report_year, total_score, grade, score_decision, score_process, "
            "score_output, score_outcome, budget_wan, received_wan, spent_wan, execution_rate_pct")
    return con.execute(
        f"select {cols} from reports r join documents d using (doc_id) where d.path = ? order by seq", [doc_path]
    ).fetchall()


def check_warehouse(warehouse: Path, files: list[Path], copies: Path) -> dict:
    """Every copy's reports equal its sample's copy number 0 (the copies differ by one narrative line)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        n_reports = con.execute("select count(*) from reports").fetchone()[0]
        status = dict(con.execute("select status, count(*) from documents group by status").fetchall())
        first = {}
        same = 0
        for p in files:
            rel = p.relative_to(copies).as_posix()
            sample = p.name.split("_", 2)[2]
            vals = _values(con, rel)
            if sample not in first:
                first[sample] = vals
            same += vals == first[sample] and bool(vals)
    finally:
        con.close()
    return {"reports": n_reports, "status": status, "files_alike": same, "files": len(files)}


QUERY_CHILD = r"""
import json, sys, time, statistics
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
from pipelines.warehouse import load_fts
load_fts(con)
out = []
for f in sys.argv[2:]:
    sql = open(f, encoding="utf-8").read()
    arrow, rows = [], []
    for _ in range(6):  # in turn: the whole result in DuckDB (as Arrow), then as Python tuples
        t0 = time.perf_counter()
        n = con.execute(sql).to_arrow_table().num_rows
        arrow.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        con.execute(sql).fetchall()
        rows.append((time.perf_counter() - t0) * 1000)
    out.append({"query": f.rsplit("/", 1)[-1], "median_ms": statistics.median(arrow[1:]), "max_ms": max(arrow[1:]),
                "first_ms": arrow[0], "python_ms": statistics.median(rows[1:]), "rows": n})
print(json.dumps(out))
"""


def time_queries(warehouse: Path) -> list[dict]:
    files = sorted(str(p) for p in (PROJECT / "sql" / "examples").glob("*.sql"))
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    p = subprocess.run([sys.executable, "-c", QUERY_CHILD, str(warehouse), *files], capture_output=True, text=True,
                       env=env, cwd=PROJECT, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- where the time goes

STAGES_CHILD = r"""
import json, sys, time
def main():
    from pipelines import lake, warehouse, settings
    from pipelines.run import run_lock
    p = settings.paths(sys.argv[1])
    out, t0 = {}, time.perf_counter()
    def tick(k):
        nonlocal t0
        t = time.perf_counter(); out[k] = t - t0; t0 = t
    with run_lock(p):
        lake.clean_state_leftovers(p)
        entries = lake.scan_raw(p.raw, lake.hash_cache_path(p)); tick("list and hash the raw files")
        lake.guard_inventory(p, entries, True)
        lake.extract_all(p, entries); tick("extract (worker processes)")
        lake.mark_same_text(p, entries); tick("mark files of the same text")
        lake.land(p, entries); tick("land the lake (Parquet)")
        warehouse.build_warehouse(p); tick("build the warehouse (DuckDB)")
        lake.record_good_run(p, entries); tick("record the run")
    print(json.dumps(out))
if __name__ == "__main__":
    main()
"""

PROFILE_CHILD = r"""
import cProfile, io, json, pstats, sys, time
from pathlib import Path
from pipelines.process import process_bytes
files = [Path(p) for p in Path(sys.argv[1]).read_text().split("\n") if p]
process_bytes(files[0].name, files[0].read_bytes())  # warm: rule tables, gazetteer, segmenter
pr = cProfile.Profile()
t0 = time.process_time()
pr.enable()
for f in files[1:]:
    process_bytes(f.name, f.read_bytes())
pr.disable()
cpu = time.process_time() - t0
st = pstats.Stats(pr)
rows = []
for (file, line, fn), (cc, nc, tt, ct, callers) in st.stats.items():
    if "/pipelines/" in file or "jieba" in file or fn.startswith("<method") or fn.startswith("<built-in"):
        name = (file.split("/pipelines/")[-1] + ":" + str(line) + " " + fn) if "/pipelines/" in file else fn
        rows.append({"name": name, "calls": nc, "own_s": tt, "cum_s": ct})
print(json.dumps({"files": len(files) - 1, "cpu_s": cpu, "rows": rows}))
"""


def stages(copies: Path, work: Path) -> dict:
    """The stages of one fresh run (`run_all`'s steps, timed apart) on its own root."""
    root = work / "root-stages"
    link_tree(copies, root / "raw")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    p = subprocess.run([sys.executable, "-c", STAGES_CHILD, str(root)], capture_output=True, text=True, env=env, cwd=PROJECT)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def profile(files: list[Path], work: Path, n: int = 150) -> dict:
    """cProfile of extraction on one core, in-process, over `n` distinct copies (no worker)."""
    listing = work / "profile-files.txt"
    step = max(1, len(files) // n)
    listing.write_text("\n".join(map(str, files[::step][: n + 1])))
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    p = subprocess.run([sys.executable, "-c", PROFILE_CHILD, str(listing)], capture_output=True, text=True, env=env, cwd=PROJECT)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the benchmark


def run(work: Path, reps: int = 3, extra: int = 3, n_copies: int = N_COPIES) -> dict:
    copies = work / "copies"
    t0 = time.perf_counter()
    files = make_copies(copies, n_copies)
    res: dict = {"n_files": len(files), "n_copies": n_copies, "raw_bytes": sum(p.stat().st_size for p in files), "reps": reps,
                 "generate_s": time.perf_counter() - t0}
    log(f"{len(files)} files, {res['raw_bytes'] / 1e6:.1f} MB in {res['generate_s']:.1f} s")
    logf = work / "speed.log"
    full, base = [], []
    for i in range(reps):
        b = jieba_run(files, work, logf)
        base.append(b)
        log(f"#{i + 1} jieba baseline {b['wall_s']:.1f} s (+{b['init_s']:.1f} s dictionary)")
        root, home = work / f"root{i}", work / f"home{i}"
        link_tree(copies, root / "raw")
        r = make_run(root, home, logf)
        full.append(r)
        log(f"#{i + 1} make run, full {r['wall_s']:.1f} s, peak {r['tree_peak_mb']:.0f} MB (largest process {r['largest_mb']:.0f} MB)")
    res["full"], res["baseline"] = full, base
    res["full_s"] = statistics.median(r["wall_s"] for r in full)
    res["baseline_s"] = statistics.median(b["wall_s"] for b in base)
    res["ratio_x"] = res["baseline_s"] / res["full_s"]
    res["ratios"] = [b["wall_s"] / r["wall_s"] for b, r in zip(base, full)]
    res["mb_s"] = res["raw_bytes"] / 1e6 / res["full_s"]
    res["check"] = check_warehouse(work / "root0" / "marts" / "warehouse.duckdb", files, copies)
    log(f"warehouse: {res['check']}")

    root, home = work / "root0", work / "home0"
    noops, adds = [], []
    for k in range(extra):
        noops.append(make_run(root, home, logf))
        sample = samples()[k % len(samples())]
        new = root / "raw" / "added" / f"copy_{n_copies + k:05d}_{sample.name}"
        new.parent.mkdir(parents=True, exist_ok=True)
        tmp = root / f"{new.name}.tmp"  # written outside raw/, then renamed in whole
        tmp.write_text(changed(sample.read_text(encoding="utf-8"), n_copies + k), encoding="utf-8")
        os.replace(tmp, new)
        adds.append(make_run(root, home, logf))
        log(f"no-op {noops[-1]['wall_s']:.1f} s, add one file ({new.name}) {adds[-1]['wall_s']:.1f} s")
    res["noop"], res["add_one"] = noops, adds
    res["noop_s"] = statistics.median(r["wall_s"] for r in noops)
    res["add_one_s"] = statistics.median(r["wall_s"] for r in adds)
    runs = full + noops + adds
    res["peak_mb"] = max(r["tree_peak_mb"] for r in runs)
    res["largest_mb"] = max(r["largest_mb"] for r in runs)
    res["queries"] = time_queries(root / "marts" / "warehouse.duckdb")
    log("queries: " + ", ".join(f"{q['query']} {q['median_ms']:.1f} ms" for q in res["queries"]))
    res["stages"] = stages(copies, work)
    log("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in res["stages"].items()))
    res["profile"] = profile(files, work)
    res["baseline_ms_per_file"] = res["baseline_s"] / len(files) * 1000
    return res


def _range(xs) -> str:
    return f"{min(xs):.1f}–{max(xs):.1f}"


def markdown(r: dict) -> list[str]:
    q_worst = max(q["median_ms"] for q in r["queries"])
    fulls = [x["wall_s"] for x in r["full"]]
    bases = [x["wall_s"] for x in r["baseline"]]

    def ok(b):
        return "met" if b else "**missed**"

    lines = [
        "## Speed targets: 10,000 reports, the whole `make run` against a bare `jieba.lcut`",
        "",
        f"{r['n_files']:,} files ({r['n_copies']:,} copies of the 3 sample disclosures, one line changed in each; "
        f"{r['check']['reports']:,} reports in the warehouse; {r['raw_bytes'] / 1e6:.1f} MB). "
        f"{r['reps']} repetitions side by side (baseline, then a full run, in turn); medians, range in brackets.",
        "",
        "| target | goal | measured | |",
        "| --- | --- | --- | --- |",
        f"| full `make run` vs bare `jieba.lcut` | ≥ 5× (aim 10 MB/s) | **{r['ratio_x']:.1f}×** — {r['full_s']:.1f} s [{_range(fulls)}] "
        f"against {r['baseline_s']:.1f} s [{_range(bases)}]; per repetition {', '.join(f'{x:.1f}×' for x in r['ratios'])}; "
        f"{r['mb_s']:.1f} MB/s | {ok(r['ratio_x'] >= TARGETS['ratio_x'])}{'' if r['mb_s'] >= TARGETS['mb_s'] else ' (aim of 10 MB/s not reached)'} |",
        f"| add one file | ≤ 8 s | {r['add_one_s']:.1f} s [{_range([x['wall_s'] for x in r['add_one']])}] | {ok(r['add_one_s'] <= TARGETS['add_one_s'])} |",
        f"| no-op run | ≤ 5 s | {r['noop_s']:.1f} s [{_range([x['wall_s'] for x in r['noop']])}] | {ok(r['noop_s'] <= TARGETS['noop_s'])} |",
        f"| peak memory (whole process tree, sampled every 50 ms) | ≤ 1 GB | {r['peak_mb']:,.0f} MB (largest process {r['largest_mb']:,.0f} MB) | {ok(r['peak_mb'] <= TARGETS['peak_mb'])} |",
        f"| every example query at 10,000 reports | ≤ 50 ms | slowest {q_worst:.1f} ms (the whole result in DuckDB, as Arrow; median of 5 after a first run) | {ok(q_worst <= TARGETS['query_ms'])} |",
        f"| every report in the warehouse | all | {r['check']['reports']:,} reports; {r['check']['files_alike']:,}/{r['check']['files']:,} copies give their sample's values; "
        f"documents {', '.join(f'{k} {v:,}' for k, v in sorted(r['check']['status'].items()))} | {ok(r['check']['files_alike'] == r['check']['files'])} |",
        "",
        "Each query's whole result is fetched as an Arrow table (what DuckDB's CLI, Polars and pandas take); the last",
        "column fetches it again as Python tuples (`fetchall()`), which adds Python's conversion of every value:",
        "",
        "| query | median | max | first run | as Python tuples | rows |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for q in r["queries"]:
        py = f"{q['python_ms']:.1f} ms" if "python_ms" in q else "—"
        lines.append(f"| {q['query']} | {q['median_ms']:.1f} ms | {q['max_ms']:.1f} ms | {q['first_ms']:.1f} ms | {py} | {q['rows']:,} |")
    lines.append("")
    if r.get("stages"):
        total = sum(r["stages"].values())
        lines += ["### Where a full run's time goes", "",
                  "One more fresh run, its steps timed apart in one process (`run_all`, without Dagster). It is another "
                  f"run than the medians above ({r['full_s']:.1f} s against {total:.1f} s here): the difference holds Dagster's "
                  "side and the extraction's run-to-run spread on this shared machine; Dagster's side is split below, "
                  "from the median run's own event log:", "",
                  "| step | seconds | share |", "| --- | --- | --- |"]
        lines += [f"| {k} | {v:.1f} | {v / total:.0%} |" for k, v in r["stages"].items()]
        lines.append("")
    full = sorted(r["full"], key=lambda x: x["wall_s"])[len(r["full"]) // 2]
    split = full.get("split") or {}
    if split and "error" not in split:
        steps = {k: v for k, v in split.items() if k != "events"}
        lines += ["### Where the median full `make run` spent its time (its own Dagster event log)", "",
                  f"{full['wall_s']:.1f} s in all, {full['cpu_s']:.1f} s of CPU in the main process (the workers not counted), "
                  f"{split.get('events', 0)} events written; a step's time is its work plus the events it writes:", "",
                  "| part | seconds |", "| --- | --- |"]
        lines += [f"| {k} | {v:.1f} |" for k, v in steps.items()]
        lines.append("")
    if r.get("profile"):
        pr = r["profile"]
        per_file = pr["cpu_s"] / pr["files"] * 1000
        lines += ["### Profile of the extraction (cProfile, one core)", "",
                  f"{pr['files']} distinct copies extracted in one process: {per_file:.1f} ms of CPU per file under the profiler "
                  f"(the bare `jieba.lcut` takes {r['baseline_ms_per_file']:.1f} ms per file in the baseline). Top 25 by own time:", "",
                  "| function | calls | own | cumulative |", "| --- | --- | --- | --- |"]
        for row in sorted(pr["rows"], key=lambda x: -x["own_s"])[:25]:
            lines.append(f"| `{row['name']}` | {row['calls']:,} | {row['own_s'] / pr['cpu_s']:.1%} | {row['cum_s'] / pr['cpu_s']:.1%} |")
        lines += ["", "Top 20 of our functions by cumulative time:", "", "| function | calls | cumulative |", "| --- | --- | --- |"]
        ours = [x for x in pr["rows"] if ".py:" in x["name"]]
        for row in sorted(ours, key=lambda x: -x["cum_s"])[:20]:
            lines.append(f"| `{row['name']}` | {row['calls']:,} | {row['cum_s'] / pr['cpu_s']:.1%} |")
        lines.append("")
    return lines
