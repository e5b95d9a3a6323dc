"""`bpe` — the command line of the warehouse.

  bpe status                 what the warehouse holds (files by status, reports by district/year)
  bpe explain FILE           every report found in one raw file, every value with its evidence
  bpe query "SQL"            run read-only SQL against the warehouse and print a table
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
    return f"{f['field']} = {f['value']:g} {f['unit']}  [{where}]  {f.get('source') or '—'}  «{f['evidence']}»"


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


def _connect():
    from pipelines.warehouse import connect_read_only

    p = paths()
    if not p.warehouse.exists():
        print(f"no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return None
    return connect_read_only(p)


def cmd_query(args) -> int:
    con = _connect()
    if con is None:
        return 2
    try:
        rel = con.sql(args.sql)
        if rel is None:
            return 0
        rel.show(max_width=args.width, max_rows=args.max_rows)
    except Exception as exc:  # show the SQL error plainly
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def cmd_export(args) -> int:
    from pipelines.export import export

    p = paths()
    if not p.warehouse.exists():
        print(f"no warehouse at {p.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    for f in export(p.warehouse, Path(args.dir), args.format):
        print(f)
    return 0


def cmd_search(args) -> int:
    from pipelines import search as S
    from pipelines.warehouse import connect_read_only

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


def cmd_status(args) -> int:
    con = _connect()
    if con is None:
        return 2
    try:
        print(f"warehouse: {paths().warehouse}")
        con.sql("select status, count(*) as files, sum(n_reports) as reports from documents group by status order by status").show()
        con.sql("select province, district, report_year, n_reports, avg_score, exante_reduction_rate_pct "
                "from mart_district_year").show()
    finally:
        con.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bpe", description="Budget-performance evaluation warehouse")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("explain", help="show every report and value extracted from one raw file, with evidence")
    p.add_argument("file")
    p.set_defaults(fn=cmd_explain)
    p = sub.add_parser("query", help="run read-only SQL against the warehouse")
    p.add_argument("sql")
    p.add_argument("--width", type=int, default=200)
    p.add_argument("--max-rows", type=int, default=100)
    p.set_defaults(fn=cmd_query)
    p = sub.add_parser("export", help="write every mart as xlsx, csv or parquet files")
    p.add_argument("--format", choices=["xlsx", "csv", "parquet"], default="xlsx")
    p.add_argument("dir")
    p.set_defaults(fn=cmd_export)
    p = sub.add_parser("search", help="ranked full-text search over findings (问题/建议)")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(fn=cmd_search)
    p = sub.add_parser("status", help="summary of what the warehouse holds")
    p.set_defaults(fn=cmd_status)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
