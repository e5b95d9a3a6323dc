"""`bpe` — the command line of the warehouse.

  bpe status                 what the warehouse holds (files by status, reports by district/year)
  bpe explain FILE           every report found in one raw file, every value with its evidence
  bpe query "SQL"            run read-only SQL against the warehouse and print a table
                             (the warehouse only: no other files unless --allow-files)
  bpe export --format xlsx|csv|parquet DIR   write every mart to DIR (xlsx with Chinese headers)
  bpe search "满意度调查"     ranked full-text search over problems and suggestions
"""

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from pipelines.settings import paths


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _fact_line(f: dict) -> str:
    """One evidence line: field = value unit, offsets (and PDF page), the rule that found it, the sentence."""
    where = f"{f['char_start']}:{f['char_end']}"
    if f.get("page") is not None:
        where = f"p.{f['page']} {where}"
    return f"{f['field']} = {_exact(f['value'])} {f['unit']}  [{where}]  {f.get('source') or '—'}  «{f['evidence']}»"


def _exact(v) -> str:
    """A value as extracted, every digit of it (a float is never rounded to 6 significant digits)."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else format(Decimal(repr(v)).normalize(), "f")
    return _fmt(v)


def _place(row: dict) -> str:
    return f"province={_fmt(row.get('province'))} city={_fmt(row.get('city'))} adcode={_fmt(row.get('adcode'))}"


def cmd_explain(args) -> int:
    from pipelines.process import process_bytes

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    res = process_bytes(path.name, path.read_bytes())
    doc = res.rows["documents"][0]
    print(f"# {path}")
    print(f"status={doc['status']} doc_kind={_fmt(doc.get('doc_kind'))} text_method={_fmt(doc.get('text_method'))} "
          f"format={doc['format']} encoding={doc['encoding']} chars={doc['n_chars']} reports={doc['n_reports']}")
    if doc["reason"]:
        print(f"reason: {doc['reason']}")
    facts_by_subject: dict[str, list[dict]] = {}
    for f in res.rows["facts"]:
        facts_by_subject.setdefault(f["subject_id"], []).append(f)
    doc_facts = facts_by_subject.get(doc["doc_id"], [])
    if res.rows["audit_reductions"]:
        print("\n## 政府整体审减 / government-wide reductions")
        for a in res.rows["audit_reductions"]:
            if a["report_id"] is None:
                print(f"  {a['district']} {a['report_year']} {a['kind']}: 项目数={_fmt(a['n_items'])} 涉及={_fmt(a['submitted_wan'])}万元 "
                      f"审减={_fmt(a['reduced_wan'])}万元 审减率={_fmt(a['reduction_rate_pct'])}%  ({_place(a)})")
        for f in doc_facts:
            print(f"    {_fact_line(f)}")
    for r in res.rows["reports"]:
        print(f"\n## 报告 {r['seq']}: {r['title']}")
        for k in ("report_kind", "scope", "project_name", "department", "implementer", "district", "admin_level",
                  "province", "city", "adcode", "report_year", "fiscal_year", "evaluation_type", "total_score", "grade", "score_decision", "score_process", "score_output",
                  "score_outcome", "budget_wan", "received_wan", "spent_wan", "execution_rate_pct",
                  "execution_rate_calc_pct", "n_indicators"):
            print(f"  {k:<24} {_fmt(r.get(k))}")
        facts = facts_by_subject.get(r["report_id"], [])
        if facts:
            print("  evidence:")
            for f in facts:
                print(f"    {_fact_line(f)}")
        dims = [d for d in res.rows["dimension_scores"] if d["report_id"] == r["report_id"]]
        if dims:
            print("  dimensions: " + "; ".join(f"{d['dimension']}({d['source']})={_fmt(d['score'])}/{_fmt(d['max_score'])}" for d in dims))
        n_ind = sum(1 for i in res.rows["indicator_scores"] if i["report_id"] == r["report_id"])
        n_tgt = sum(1 for i in res.rows["targets"] if i["report_id"] == r["report_id"])
        print(f"  indicator rows: {n_ind}   target rows: {n_tgt}")
        for a in res.rows["audit_reductions"]:
            if a["report_id"] == r["report_id"]:
                print(f"  reduction {a['kind']}: 送审={_fmt(a['submitted_wan'])} 审定={_fmt(a['approved_wan'])} "
                      f"核减={_fmt(a['reduced_wan'])} 万元, 率={_fmt(a['reduction_rate_pct'])}%")
        for d in res.rows["discrepancies"]:
            if d["report_id"] == r["report_id"]:
                print(f"  discrepancy {d['check']}: expected {d['expected']} found {d['found']} — {d['detail']}")
        for f in res.rows["findings"]:
            if f["report_id"] == r["report_id"]:
                print(f"  {f['kind']} {f['seq']} [{f['theme']}] {f['heading']}")
    return 0


def _as_of(args) -> tuple:
    """`--as-of` (a date or an ISO time; a date alone means the end of that day, UTC unless the
    value names its offset) and `--snapshot` of a command, as (datetime | None, int | None)."""
    from datetime import datetime, time, timezone

    text, snap = getattr(args, "as_of", None), getattr(args, "snapshot", None)
    if not text:
        return None, snap
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"错误 / error: --as-of {text!r}: expected a date (2026-12-01) or a time (2026-12-01T20:30:00+08:00)") from None
    if len(text) <= 10:  # a date: what the lakehouse said at the end of that day
        when = datetime.combine(when.date(), time(23, 59, 59, 999999))
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)), snap


def _connect(fts: bool = False, allow_files: bool = False, args=None):
    """A read-only connection to the warehouse: the DuckDB file (embedded profile) or the DuckLake
    lakehouse (BPE_PROFILE=postgres), there optionally at an earlier snapshot (`--as-of`/`--snapshot`)."""
    from pipelines import settings

    p = paths()
    as_of, snapshot = _as_of(args) if args is not None else (None, None)
    if settings.profile() == "postgres":
        from pipelines import ducklake

        dsn = ducklake.catalog_dsn()
        if not dsn:
            print("错误 / error: BPE_PROFILE=postgres needs BPE_PG_DSN (the lakehouse's PostgreSQL catalog)", file=sys.stderr)
            return None
        return ducklake.connect(p, dsn, read_only=True, as_of=as_of, snapshot=snapshot, allow_files=allow_files)
    if as_of is not None or snapshot is not None:
        print("错误 / error: --as-of/--snapshot read the lakehouse's earlier snapshots: they need the production "
              "profile (BPE_PROFILE=postgres, DuckLake); the embedded warehouse keeps no history", file=sys.stderr)
        return None
    from pipelines.warehouse import connect_read_only

    if not p.warehouse.exists():
        print(f"no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return None
    return connect_read_only(p, fts=fts, allow_files=allow_files)


def _where() -> str:
    """What `bpe status` names as the warehouse it read."""
    from pipelines import settings

    if settings.profile() != "postgres":
        return str(paths().warehouse)
    import re

    from pipelines import ducklake

    dsn = re.sub(r"password=\S+", "password=…", ducklake.catalog_dsn() or "")
    return f"DuckLake {ducklake.CATALOG} (catalog: postgres {dsn}; data: {ducklake.data_path(paths())})"


def cmd_snapshots(args) -> int:
    """The lakehouse's snapshots: id, time, what each changed (production profile)."""
    from pipelines import ducklake, settings

    if settings.profile() != "postgres":
        print("错误 / error: snapshots are kept by the lakehouse of the production profile (BPE_PROFILE=postgres)", file=sys.stderr)
        return 2
    con = _connect()
    if con is None:
        return 2
    try:
        for s in ducklake.snapshots(con)[-args.limit:]:
            print(f"{s['id']:>6}  {s['time']:%Y-%m-%d %H:%M:%S%z}  {s['changes']}")
    finally:
        con.close()
    return 0


# The DuckDB CLI's own refusals in safe mode (`.shell`, `.output`, `.open`, `.read`, …).
_CLI_SAFE_MODE = "cannot be used in -safe mode"


def refusal_line(message: str, command: str) -> str | None:
    """One line for an analyst when DuckDB refused file access (or a SET) because the connection
    is locked down (`warehouse.lock_down`), naming the flag that turns file access on; None for
    any other error."""
    from pipelines.warehouse import REFUSED_MARKERS

    if not any(m in message for m in REFUSED_MARKERS + (_CLI_SAFE_MODE,)):
        return None
    reason = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return (f"错误 / error: 文件访问已关闭 / file access is off: `bpe {command}` reads the warehouse and nothing "
            f"else (no COPY … TO, read_csv of other files, ATTACH, INSTALL or SET); "
            f"`bpe {command} --allow-files` turns it on — DuckDB: {reason}")


def cmd_query(args) -> int:
    con = _connect(fts=True, allow_files=args.allow_files, args=args)  # FTS loaded, so example 10 runs here too
    if con is None:
        return 2
    try:
        rel = con.sql(args.sql)
        if rel is None:
            return 0
        rel.show(max_width=args.width, max_rows=args.max_rows)
    except Exception as exc:  # show the SQL error plainly
        print(refusal_line(str(exc), "query") or f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def duckdb_cli() -> str | None:
    """The `duckdb` command of the duckdb-cli wheel (beside this Python), else one on PATH."""
    import shutil

    here = Path(sys.executable).parent / "duckdb"
    return str(here) if here.exists() else shutil.which("duckdb")


def cmd_sql(args) -> int:
    """The DuckDB CLI on the warehouse, read-only, with the FTS extension loaded from its wheel
    (so full-text search, example 10, runs as written; nothing is downloaded).

    Then, unless --allow-files, the CLI's safe mode: DuckDB's enable_external_access off and the
    configuration locked (no COPY … TO, read_csv of other files, ATTACH, INSTALL, SET), and no
    dot command that touches files or the shell (.shell, .system, .output, .once, .open, .read,
    .import, .log). It is switched on after the LOAD, which needs file access."""
    import os
    import subprocess

    from pipelines.warehouse import fts_extension_path

    from pipelines import settings

    p = paths()
    lakehouse = settings.profile() == "postgres"
    if not lakehouse and not p.warehouse.exists():
        print(f"没有仓库 / no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    cli = duckdb_cli()
    if cli is None:
        print("找不到 duckdb 命令 / the duckdb command is missing: `make install` installs duckdb-cli", file=sys.stderr)
        return 2
    # (-readonly opens the warehouse file read-only; the DuckLake is attached READ_ONLY instead)
    cmd = [cli, *([] if lakehouse else ["-readonly"]), "-cmd", "SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;"]
    if lakehouse:  # the DuckLake, read-only (at --as-of / --snapshot), in memory: no database file
        from pipelines import ducklake

        dsn = ducklake.catalog_dsn()
        if not dsn:
            print("错误 / error: BPE_PROFILE=postgres needs BPE_PG_DSN (the lakehouse's PostgreSQL catalog)", file=sys.stderr)
            return 2
        as_of, snapshot = _as_of(args)
        cmd += ["-cmd", " ".join(f"LOAD '{ducklake.extension_path(pkg, name).as_posix()}';" for pkg, name in ducklake.EXTENSIONS),
                "-cmd", f"ATTACH '{'ducklake:postgres:' + dsn}' AS {ducklake.CATALOG} "
                f"({ducklake.attach_options(p, read_only=True, as_of=as_of, snapshot=snapshot)}); USE {ducklake.CATALOG};"]
        if not args.allow_files:  # the DuckLake's own Parquet stays readable (ducklake.lock_down)
            cmd += ["-cmd", f"SET allowed_directories = ['{ducklake.data_path(p).as_posix()}/'];"]
    else:
        cmd += ["-cmd", f"LOAD '{fts_extension_path().as_posix()}';"]
    if not args.allow_files:
        cmd += ["-cmd", ".safe_mode"]
    if args.csv:
        cmd.append("-csv")
    if not lakehouse:
        cmd.append(str(p.warehouse))
    if args.command:
        cmd += ["-c", args.command]
    elif args.file:
        cmd += ["-c", Path(args.file).read_text(encoding="utf-8")]
    if not args.command and not args.file and sys.stdin.isatty():
        if not args.allow_files:
            print("文件访问已关闭 / file access is off: this session reads the warehouse only "
                  "(`bpe sql --allow-files` turns file access on)", file=sys.stderr)
        os.execv(cli, cmd)  # an interactive session: the CLI takes over the terminal
    if args.allow_files:
        return subprocess.run(cmd).returncode
    # The CLI's refusals become the one line of `refusal_line` (without DuckDB's "LINE 1: … ^"
    # context under it); its other messages pass as they are.
    done = subprocess.run(cmd, stderr=subprocess.PIPE)
    context = False
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        if context and (not line.strip() or line.startswith("LINE ") or line.strip() == "^"):
            continue
        refused = refusal_line(line, "sql")
        context = refused is not None
        print(refused or line, file=sys.stderr)
    return done.returncode


def cmd_export(args) -> int:
    from pipelines import settings
    from pipelines.export import export, export_from

    p = paths()
    if settings.profile() == "postgres":  # the lakehouse's marts (file access on: the files are written here)
        con = _connect(allow_files=True, args=args)
        if con is None:
            return 2
        try:
            for f in export_from(con, Path(args.dir), args.format):
                print(f)
        finally:
            con.close()
        return 0
    if not p.warehouse.exists():
        print(f"no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    for f in export(p.warehouse, Path(args.dir), args.format):
        print(f)
    return 0


def cmd_search(args) -> int:
    from pipelines import search as S
    from pipelines import settings
    from pipelines.warehouse import connect_read_only

    if settings.profile() == "postgres":
        print("错误 / error: full-text search needs the embedded warehouse's index (fts_main_findings), which the "
              "lakehouse cannot hold (DuckLake 1.5.5 stores no macro with a NULL default); search the text with "
              "bpe query \"select … from findings where search_text like '%满意度%'\"", file=sys.stderr)
        return 2
    p = paths()
    if not p.warehouse.exists():
        print(f"no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    con = connect_read_only(p, fts=True)
    try:
        hits = S.search(con, args.query, args.limit)
    finally:
        con.close()
    if not hits:
        print(f"没有找到 / no finding contains “{args.query}”")
        return 1
    for i, h in enumerate(hits, 1):
        print(f"{i:>2}. [{h['score']}] {h['district']} {h['report_year']} · {h['kind']}{h['seq']} · {h['theme']}")
        print(f"    {S.squash(h['title'], 70)}")
        print(f"    {S.squash(h['heading'], 70)}")
        if h["sentence"] and h["sentence"] != h["heading"]:
            print(f"    «{S.squash(h['sentence'], 100)}»")
    return 0


def status_text(con, warehouse_path, max_listed: int = 20) -> str:
    """The one screen `make run` ends with: files by status (the rejected and partial ones with
    their reasons), what was loaded, the checks that fail, and where the warehouse is."""
    from pipelines import warehouse_checks as WC

    out = []
    built = con.execute("select built_at from bpe_build_info").fetchone() if _has(con, "bpe_build_info") else None
    out.append(f"仓库 / warehouse: {warehouse_path}" + (f"  (built {built[0]:%Y-%m-%d %H:%M:%S} UTC)" if built and built[0] else ""))
    by_status = dict(con.execute("select status, count(*) from documents group by status").fetchall())
    total = sum(by_status.values())
    order = ["parsed", "partial", "rejected", "duplicate"]
    out.append(f"原始文件 / files: {total}  " + " · ".join(f"{s} {by_status.get(s, 0)}" for s in order))
    for status, title in (("rejected", "未加载 / rejected"), ("partial", "部分缺失 / partial"), ("duplicate", "重复 / duplicates")):
        rows = con.execute("select path, reason from documents where status = ? order by path", [status]).fetchall()
        if rows:
            out.append(f"{title} ({len(rows)}):")
            out += [f"  {path} — {reason or ''}" for path, reason in rows[:max_listed]]
            if len(rows) > max_listed:
                out.append(f"  … {len(rows) - max_listed} more: bpe query \"select path, reason from documents where status = '{status}'\"")
    n_reports = con.execute("select count(*) from reports").fetchone()[0]
    n_audit = con.execute("select count(*) from audit_reductions").fetchone()[0]
    n_ocr = con.execute("select count(*) from pages where method = 'ocr'").fetchone()[0] if _has(con, "pages") else 0
    out.append(f"已加载 / loaded: {n_reports} reports, {n_audit} audit-reduction rows" + (f", {n_ocr} PDF pages read by OCR" if n_ocr else ""))
    bad = WC.failing(con)
    if not bad:
        out.append("检查 / checks: all passed")
    else:
        out.append("检查 / checks that fail:")
        for name, severity, n, first in bad:
            out.append(f"  {severity:<5} {name}: {n} row(s), e.g. {_short(' · '.join(map(str, first[0])))}")
    return "\n".join(out)


def _short(text: str, limit: int = 200) -> str:
    """One line of the status screen: a value listing thousands of paths is cut, saying how much."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit:,} characters)"


def _has(con, table: str) -> bool:
    return bool(con.execute("select 1 from information_schema.tables where table_name = ?", [table]).fetchone())


def cmd_status(args) -> int:
    con = _connect(args=args)
    if con is None:
        return 2
    try:
        print(status_text(con, _where()))
        print()
        con.sql("select province, district, report_year, n_reports, avg_score, exante_reduction_rate_pct "
                "from mart_district_year").show()
    finally:
        con.close()
    return 0


def cmd_run(args) -> int:
    """`make run`: the Dagster job `bpe_job`, in this process, on the instance of $DAGSTER_HOME (the
    run, its steps and materializations are recorded there, as `dagster job execute` records them),
    then the status screen — one interpreter for both (Dagster's import and start are paid once)."""
    import gc
    import os

    if not os.environ.get("DAGSTER_HOME"):
        print("错误 / error: DAGSTER_HOME is not set (`make run` sets it to .dagster/)", file=sys.stderr)
        return 2
    import dagster as dg

    from pipelines import settings
    from pipelines.orchestration.definitions import defs

    # Dagster's modules and the definitions are here for the whole run: out of the collector's
    # sight, so its full collections during the run do not walk them again (about 0.5 s of a no-op)
    gc.freeze()
    tags = None
    if settings.profile() == "postgres":  # every partition, in one run
        from pipelines.orchestration.lakehouse import ALL_PARTITIONS_TAGS as tags
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("bpe_job").execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    if not result.success:
        print(f"运行失败 / the run failed (run {result.run_id}); the last good warehouse is kept:", file=sys.stderr)
    rc = cmd_status(args)
    return 1 if not result.success else rc


def cmd_tables(args) -> int:
    """Every table of the warehouse (the landed tables of the contract and the marts) with its
    Chinese name and, when the warehouse exists, its row count."""
    from pipelines import schema, warehouse

    from pipelines import settings

    counts = {}
    p = paths()
    if settings.profile() == "postgres" or p.warehouse.exists():
        con = _connect()
        if con is None:
            return 2
        try:
            counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in schema.LANDED_TABLES + warehouse.MARTS}
        finally:
            con.close()
    rows = [(t, schema.TABLES[t][0]) for t in schema.LANDED_TABLES] + [(m, warehouse.mart_comment(m) or "") for m in warehouse.MARTS]
    width = max(len(t) for t, _ in rows)
    for t, comment in rows:
        n = counts.get(t)
        print(f"{t:<{width}}  {'' if n is None else f'{n:>8,} rows'}  {comment}")
    if not counts:
        print(f"(no warehouse at {p.warehouse} yet: `make run` builds it)")
    return 0


def cmd_describe(args) -> int:
    """The columns of one table: name, type, Chinese name (the data dictionary, from the code)."""
    from pipelines import schema, warehouse

    t = args.table
    if t in schema.TABLES:
        comment, cols = schema.TABLES[t]
        print(f"{t} — {comment}")
        for c in cols:
            print(f"  {c.name:<28} {str(c.type):<16} {c.comment}")
        return 0
    if t in warehouse.MARTS:
        p = paths()
        print(f"{t} — {warehouse.mart_comment(t) or ''}  (sql/marts/{t}.sql)")
        if not p.warehouse.exists():
            print(f"  (its columns are in the warehouse: no warehouse at {p.warehouse} yet)")
            return 0
        con = warehouse.connect_read_only(p)
        try:
            for name, dtype, comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() where table_name = ? order by column_index", [t]
            ).fetchall():
                print(f"  {name:<28} {dtype:<16} {comment or ''}")
        finally:
            con.close()
        return 0
    print(f"没有这个表 / no table {t!r}: `bpe tables` lists them", file=sys.stderr)
    return 2


EPILOG = """examples / 示例:
  bpe run                                      # what `make run` does: the Dagster job, then bpe status / 运行
  bpe status                                   # what the warehouse holds / 仓库概况
  bpe explain data/raw/<file>                  # every value of one file, with its evidence / 核对单个文件
  bpe sql -c "select district, avg_score from mart_district_year"
  bpe search 满意度调查                         # ranked search over problems and suggestions / 检索问题与建议
  bpe export --format xlsx data/exports         # one workbook of every mart / 导出
  bpe tables ; bpe describe reports             # the data dictionary / 数据字典
bpe query and bpe sql read the warehouse and no other file; --allow-files lets the SQL read or
write files (COPY … TO, read_csv, ATTACH) / 默认不能读写其他文件，--allow-files 打开。
every command takes --data-dir DIR (default: $BPE_DATA_DIR, else data/)."""


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="the data root (raw/, lake/, marts/); default $BPE_DATA_DIR, else data/ / 数据目录")
    ap = argparse.ArgumentParser(
        prog="bpe", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="bpe — 预算绩效评价数据仓库 / budget-performance evaluation warehouse: "
        "look into the warehouse that `make run` builds, check one file, query, search, export.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def _time_travel(p):
        p.add_argument("--as-of", metavar="WHEN", help="read the lakehouse as it was at this date or time "
                       "(production profile; e.g. 2026-12-01 or 2026-12-01T20:30:00+08:00) / 按时间点查询")
        p.add_argument("--snapshot", type=int, metavar="ID", help="read the lakehouse at this snapshot id (`bpe snapshots`)")

    def add(name, help_, fn, **kw):
        p = sub.add_parser(name, help=help_, parents=[common], **kw)
        p.set_defaults(fn=fn)
        return p

    add("tables", "every table with its Chinese name and row count / 所有表", cmd_tables)
    p = add("describe", "the columns of one table (name, type, Chinese name) / 表结构", cmd_describe)
    p.add_argument("table")
    p = sub.add_parser("explain", help="show every report and value extracted from one raw file, with evidence", parents=[common])
    p.add_argument("file")
    p.set_defaults(fn=cmd_explain)
    p = sub.add_parser("query", parents=[common], help="run read-only SQL against the warehouse")
    p.add_argument("sql")
    p.add_argument("--width", type=int, default=200)
    p.add_argument("--max-rows", type=int, default=100)
    p.add_argument("--allow-files", action="store_true",
                   help="let the SQL read and write other files (COPY … TO, read_csv, ATTACH); off by default / 允许访问文件")
    _time_travel(p)
    p.set_defaults(fn=cmd_query)
    p = sub.add_parser("sql", parents=[common], help="the DuckDB CLI on the warehouse (read-only, full-text search loaded) / 打开DuckDB命令行",
                       description="Open the DuckDB CLI on marts/warehouse.duckdb read-only, with the FTS extension "
                       "loaded from its wheel. Examples: `bpe sql` (interactive); `bpe sql -c \"select count(*) from reports\"`; "
                       "`bpe sql -f sql/examples/10_fulltext_search_findings.sql`.")
    p.add_argument("-c", "--command", help="run this SQL and exit")
    p.add_argument("-f", "--file", help="run the SQL in this file and exit")
    p.add_argument("--csv", action="store_true", help="print results as CSV")
    p.add_argument("--allow-files", action="store_true",
                   help="let the SQL and dot commands read and write other files (COPY … TO, read_csv, ATTACH, .output, "
                   ".shell); off by default / 允许访问文件")
    _time_travel(p)
    p.set_defaults(fn=cmd_sql)
    p = sub.add_parser("export", parents=[common], help="write every mart as xlsx, csv or parquet files")
    p.add_argument("--format", choices=["xlsx", "csv", "parquet"], default="xlsx")
    p.add_argument("dir")
    _time_travel(p)
    p.set_defaults(fn=cmd_export)
    p = sub.add_parser("search", parents=[common], help="ranked full-text search over findings (问题/建议)")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(fn=cmd_search)
    p = sub.add_parser("status", parents=[common], help="summary of what the warehouse holds")
    _time_travel(p)
    p.set_defaults(fn=cmd_status)
    p = sub.add_parser("snapshots", parents=[common], help="the lakehouse's snapshots, for --as-of (production profile) / 快照")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(fn=cmd_snapshots)
    p = sub.add_parser("run", parents=[common], help="run the Dagster job bpe_job on $DAGSTER_HOME, then bpe status (what `make run` does)")
    p.set_defaults(fn=cmd_run)
    args = ap.parse_args(argv)
    if getattr(args, "data_dir", None):
        import os

        os.environ["BPE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `bpe tables | head`: the reader has gone
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a person reads this, not a traceback (BPE_DEBUG=1 shows it)
        import os

        if os.environ.get("BPE_DEBUG"):
            raise
        print(f"错误 / error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
