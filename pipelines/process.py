"""One raw file -> rows of every landed table. Pure except for reading the file's bytes.

`process_bytes` never raises for a bad file: whatever goes wrong becomes the file's
`documents` row (status `rejected`, with the reason), and the run goes on.
"""

import hashlib
import re
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from pipelines import schema
from pipelines.extract import audit, checks
from pipelines.extract.report import Context, Fact, dimension_std, explanation_context, extract_fields, _sentence_at
from pipelines.ingest.read import Rejected, read_raw, sha256
from pipelines.segment import split_document
from pipelines.text import normalize

from pipelines.extract import tables as T
from pipelines.extract import findings as F
from pipelines import nlp
from pipelines.extract import themes as TH


# What a report must state to count as whole; a report without one of these makes its file `partial`.
ESSENTIAL = {"total_score": "总分", "grade": "评价等级", "district": "地区", "report_year": "年度"}


@dataclass
class DocResult:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in schema.LANDED_TABLES})
    text: str = ""
    reports: list = field(default_factory=list)  # segment.Section, for `bpe explain`


def report_id(doc_id: str, seq: int) -> str:
    return hashlib.sha256(f"{doc_id}:{seq}".encode()).hexdigest()[:16]


def evidence(text: str, start: int, end: int) -> str:
    s, e = _sentence_at(text, start)
    e = max(e, end)
    return re.sub(r"\s+", " ", text[s:e]).strip()[:500]


def _fact_rows(subject: str, facts: list[Fact], text: str, base: int) -> list[dict]:
    return [
        {
            "subject_id": subject,
            "field": f.field,
            "value": float(f.value),
            "unit": f.unit,
            "evidence": evidence(text, base + f.start, base + f.end),
            "char_start": base + f.start,
            "char_end": base + f.end,
        }
        for f in facts
    ]


def _table_label(t) -> str:
    return re.sub(r"\s+", " ", t.caption or "评分表").strip()


def score_tables(text: str):
    """Indicator rows, table dimension rows, table totals and target rows of one report's text.

    Dimension rows and totals carry `start`/`end` (the table's span in `text`) and `evidence`
    (caption and row), so their facts can point back at the table."""
    indicators, dims, totals, targets = [], [], [], []
    target_no = 0
    for t in T.find_tables(text):
        kind = T.table_kind(t)
        where = {"start": t.start, "end": t.end}
        label = _table_label(t)
        if kind == "indicator_scores":
            rows, total = T.indicator_rows(t)
            base = len(indicators)
            for r in rows:
                indicators.append({**r, "row_no": base + r["row_no"]})
            by_l1: dict[str, dict] = {}
            for r in rows:
                d = by_l1.setdefault(r["level1"] or "", {"max_score": Decimal(0), "score": Decimal(0)})
                d["max_score"] += r["max_score"] or 0
                d["score"] += r["score"] or 0
            for name, d in by_l1.items():
                if name:
                    dims.append({"dimension": name, "dimension_std": dimension_std(name), **d, **where,
                                 "evidence": f"{label}：一级指标“{name}”各行合计 {d['score']}/{d['max_score']}"})
            row_sum = sum((r["score"] or 0 for r in rows), Decimal(0))
            if total and total.get("score") is not None:
                totals.append({"label": "合计", "score": total["score"], **where, "evidence": f"{label}：合计 {total['score']}"})
            elif rows:
                totals.append({"label": "各行之和", "score": row_sum, **where, "evidence": f"{label}：各行得分之和 {row_sum}"})
        elif kind == "dimension_summary":
            rows, extra = T.dimension_rows(t)
            for r in rows:
                dims.append({"dimension": r["dimension"], "dimension_std": dimension_std(r["dimension"]),
                             "max_score": r.get("max_score"), "score": r.get("score"), **where,
                             "evidence": f"{label}：{r['dimension']} {r.get('max_score')} {r.get('score')}"})
            total = extra.get("total") if isinstance(extra, dict) else None
            if total and total.get("score") is not None:
                totals.append({"label": "综合得分", "score": total["score"], **where, "evidence": f"{label}：综合得分 {total['score']}"})
        elif kind == "targets":
            target_no += 1
            for r in T.target_rows(t):
                targets.append({**r, "table_no": target_no})
    return indicators, dims, totals, targets


def _table_fact(subject: str, field: str, value, item: dict, base: int) -> dict:
    return {"subject_id": subject, "field": field, "value": float(value), "unit": "分", "evidence": item["evidence"],
            "char_start": base + item["start"], "char_end": base + item["end"]}


def process_text(doc_id: str, text: str) -> DocResult:
    """Segment and extract a document's normalized text."""
    res = DocResult(text=text)
    seg = split_document(text)
    res.reports = seg.reports
    ctx = Context()
    for ex in seg.explanations:
        ex_text = text[ex.start : ex.end]
        c = explanation_context(ex_text)
        ctx = Context(c.district or ctx.district, c.admin_level or ctx.admin_level, c.report_year or ctx.report_year)
        for red in audit.find_reductions(ex_text):
            facts = red.pop("facts")
            res.rows["audit_reductions"].append(
                {"district": c.district, "report_year": c.report_year, "report_id": None, **red}
            )
            res.rows["facts"].extend(_fact_rows(doc_id, facts, text, ex.start))

    for sec in seg.reports:
        rid = report_id(doc_id, sec.seq)
        rtext = text[sec.start : sec.end]
        rf = extract_fields(rtext, sec.title, ctx)
        v = rf.values
        indicators, table_dims, totals, targets = score_tables(rtext)
        table_facts = []
        if v["total_score"] is None and totals:
            v["total_score"] = totals[0]["score"]
            table_facts.append(_table_fact(rid, "total_score", totals[0]["score"], totals[0], sec.start))
        for std in ("decision", "process", "output", "outcome"):
            if v[f"score_{std}"] is None:  # dimensions given only in a table
                td = next((d for d in table_dims if d["dimension_std"] == std and d["score"] is not None), None)
                if td:
                    v[f"score_{std}"] = td["score"]
                    table_facts.append(_table_fact(rid, f"score_{std}", td["score"], td, sec.start))
        v["n_indicators"] = len(indicators) or None
        res.rows["reports"].append({"report_id": rid, "doc_id": doc_id, "seq": sec.seq, **v})
        res.rows["facts"].extend(_fact_rows(rid, rf.facts, text, sec.start))
        res.rows["facts"].extend(table_facts)
        for d in rf.narrative_dimensions:
            res.rows["dimension_scores"].append(
                {"report_id": rid, "dimension": d["dimension"], "dimension_std": d["dimension_std"], "max_score": None, "score": d["score"], "source": "narrative"}
            )
            res.rows["facts"].extend(
                _fact_rows(rid, [Fact(f"dimension:{d['dimension']}", d["score"], "分", d["start"], d["end"])], text, sec.start)
            )
        for d in table_dims:
            res.rows["dimension_scores"].append(
                {"report_id": rid, "dimension": d["dimension"], "dimension_std": d["dimension_std"],
                 "max_score": d["max_score"], "score": d["score"], "source": "table"}
            )
            if d["score"] is not None:
                res.rows["facts"].append(_table_fact(rid, f"dimension:{d['dimension']}", d["score"], d, sec.start))
        for r in indicators:
            res.rows["indicator_scores"].append({"report_id": rid, **r})
        for r in targets:
            res.rows["targets"].append({"report_id": rid, **r})
        for red in audit.find_reductions(rtext):
            facts = red.pop("facts")
            res.rows["audit_reductions"].append(
                {"district": v["district"], "report_year": v["report_year"], "report_id": rid, **red}
            )
            res.rows["facts"].extend(_fact_rows(rid, facts, text, sec.start))
        labelled = audit.labelled_amounts(rtext)
        for d in checks.check_report(v, rf.narrative_dimensions, table_dims, totals, labelled):
            res.rows["discrepancies"].append({"report_id": rid, **d})
        for f in F.extract_findings(rtext):
            clause_tokens, body_tokens, tokens, search_text = nlp.analyze_finding(f.get("heading") or "", f.get("body") or "")
            res.rows["findings"].append(
                {
                    "report_id": rid,
                    "kind": f["kind"],
                    "seq": f["seq"],
                    "heading": f.get("heading"),
                    "body": f.get("body"),
                    "theme": TH.best_theme(TH.scores_from_tokens(clause_tokens, body_tokens)),
                    "keywords": None,  # filled corpus-wide (IDF over all findings) when landing
                    "finding_id": hashlib.sha256(f"{rid}:{f['kind']}:{f['seq']}".encode()).hexdigest()[:16],
                    "search_text": search_text,
                    "_tokens": tokens,  # cached with the file, used for keywords
                }
            )
    # An explanation that says only 我区 takes the district all of its bundle's reports name.
    named = {r["district"] for r in res.rows["reports"] if r["district"]}
    if len(named) == 1:
        for a in res.rows["audit_reductions"]:
            if a["report_id"] is None and a["district"] is None:
                a["district"] = next(iter(named))
    return res


def process_bytes(rel_path: str, data: bytes, max_bytes: int | None = None) -> DocResult:
    doc_id = sha256(data)
    now = datetime.now(timezone.utc)
    doc = {
        "doc_id": doc_id,
        "path": rel_path,
        "format": Path(rel_path).suffix.lower().lstrip(".") or None,
        "encoding": None,
        "size_bytes": len(data),
        "n_chars": None,
        "status": "rejected",
        "reason": None,
        "n_reports": 0,
        "ingested_at": now,
    }
    try:
        raw = read_raw(Path(rel_path), data, **({"max_bytes": max_bytes} if max_bytes else {}))
        doc["format"], doc["encoding"] = raw.format, raw.encoding
        text = normalize(raw.text)
        doc["n_chars"] = len(text)
        res = process_text(doc_id, text)
        doc["n_reports"] = len(res.rows["reports"])
        if res.rows["reports"] or res.rows["audit_reductions"]:
            doc["status"] = "parsed"
            gaps = []
            for r in res.rows["reports"]:
                lacks = [zh for key, zh in ESSENTIAL.items() if r.get(key) is None]
                if lacks:
                    gaps.append(f"报告{r['seq']}缺少{'、'.join(lacks)}")
            if gaps:
                doc["status"] = "partial"
                doc["reason"] = "；".join(gaps) + " / report(s) cut short or without a stated score, grade, district or year"
        else:
            doc["reason"] = "未找到绩效评价报告 / no report found"
            res = DocResult(text=text)
    except Rejected as exc:
        doc["reason"] = exc.reason
        res = DocResult()
    except Exception as exc:  # a bug must not stop the run; the file says what happened
        doc["reason"] = f"解析出错 / extraction error: {type(exc).__name__}: {exc}"[:500]
        doc["traceback"] = traceback.format_exc(limit=5)
        res = DocResult()
    doc.pop("traceback", None)
    res.rows["documents"].append(doc)
    return res
