"""One raw file -> rows of every landed table. Pure except for reading the file's bytes.

`process_bytes` never raises for a bad file: whatever goes wrong becomes the file's
`documents` row (status `rejected`, with the reason), and the run goes on.
"""

import traceback
from bisect import bisect_right
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from pipelines.extract.document import DocResult, evidence, extract_document, report_id  # noqa: F401 (re-exported)
from pipelines import schema
from pipelines.extract import report as RP
from pipelines.ingest.read import Rejected, read_raw, sha256
from pipelines.text import normalize, normalize_parts

# What a report must state to count as whole; a report without one of these makes its file `partial`.
ESSENTIAL = {"total_score": "总分", "grade": "评价等级", "district": "地区", "report_year": "年度"}
# A form states no grade: it is whole without one.
ESSENTIAL_FORM = {"district": "地区", "report_year": "年度"}


def _pages(res: DocResult, doc_id: str, pages: list[dict], starts: list[int]) -> None:
    """A PDF's `pages` rows, and the page of every fact (by where its characters start)."""
    for p in pages:
        res.rows["pages"].append({
            "doc_id": doc_id, "page": p["page"], "method": p["method"] if p.get("usable") else "none",
            "n_chars": p.get("n_chars") if p["method"] == "text_layer" else sum(1 for ch in p["text"] if not ch.isspace()),
            "ocr_confidence": p.get("confidence"), "ocr_seconds": p.get("seconds"), "note": p.get("note"),
        })
    numbers = [p["page"] for p in pages]
    for f in res.rows["facts"]:
        if f.get("char_start") is not None:
            f["page"] = numbers[max(0, bisect_right(starts, f["char_start"]) - 1)]


def process_text(doc_id: str, text: str) -> DocResult:
    """Classify, segment and extract a document's normalized text (`extract.document`), every
    number made to fit its warehouse column (`fit_columns`)."""
    res = extract_document(doc_id, text)
    fit_columns(res, doc_id)
    return res


# ---------------------------------------------------------------- values that fit their columns

OUT_OF_RANGE = "out_of_range"
# Columns computed from others of their row: computed again once one of those is set to null.
_DERIVED = {"reports": {"execution_rate_calc_pct": ("budget_wan", "received_wan", "spent_wan")}}


@lru_cache(maxsize=None)
def _limits(table: str) -> dict[str, tuple]:
    """Every number column of `table`: ("decimal", precision, scale) or ("int", lowest, highest)."""
    out = {}
    for c in schema.TABLES[table][1]:
        if pa.types.is_decimal(c.type):
            out[c.name] = ("decimal", c.type.precision, c.type.scale)
        elif pa.types.is_integer(c.type):
            bits = c.type.bit_width
            signed = pa.types.is_signed_integer(c.type)
            out[c.name] = ("int", -(2 ** (bits - 1)) if signed else 0, 2 ** (bits - 1) - 1 if signed else 2**bits - 1)
    return out


def fits(value, limit: tuple) -> bool:
    """Whether `value` lands in a column of type `limit` unchanged but for rounding to the column's
    scale (as `lake.to_arrow` converts it: rounded half up, then at most `precision` digits)."""
    try:
        if limit[0] == "decimal":
            _, precision, scale = limit
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                return True  # not a number: not this check's business
            d = value if isinstance(value, Decimal) else Decimal(str(value))
            if not d.is_finite():
                return False
            if d.adjusted() >= precision - scale:  # too many digits before the point, whatever the rounding
                return False
            q = d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
            return len(q.as_tuple().digits) <= precision
        _, lo, hi = limit
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return True  # not a number: not this check's business
        if isinstance(value, (float, Decimal)) and (value != value or value in (float("inf"), float("-inf"))):
            return False
        return lo <= value <= hi
    except (ArithmeticError, ValueError, TypeError):
        return False


def _range_text(limit: tuple) -> str:
    if limit[0] == "decimal":
        _, precision, scale = limit
        top = "9" * (precision - scale) + ("." + "9" * scale if scale else "")
        return f"decimal({precision},{scale}): -{top} … {top}"
    return f"int: {limit[1]} … {limit[2]}"


def _value_text(value) -> str:
    t = format(value, "f") if isinstance(value, Decimal) and value.is_finite() else str(value)
    if isinstance(value, Decimal) and "." in t:
        t = t.rstrip("0").rstrip(".")  # 320.0000 -> 320 (exactly: normalize() would round to 28 digits)
    if len(t) > 40:
        digits = len(t) - t.count(".") - t.count("-")
        t = f"{t[:24]}…（共{digits}位 / {digits} digits）"
    return t


def _as_float(v) -> float | None:
    try:
        return float(v)
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return None


def fit_columns(res: DocResult, doc_id: str) -> None:
    """Every decimal and integer value of every row checked against its column's type
    (`schema.TABLES`). A value that does not fit (a budget of 10^20 万元 in decimal(18,4), a count
    past int32) would be nulled silently when landing; here it becomes null in its row, a
    `discrepancies` row says what was printed and what the column holds (check `out_of_range`),
    and the `facts` row of that value keeps its evidence and offsets with a null value (a fact of
    the row's value, which is now null). A column computed from the nulled one is computed again."""
    added, nulled = [], []  # (subject, field, value) of every value set to null
    for table, rows in res.rows.items():
        if table in ("discrepancies", "facts", "documents") or not rows:
            continue
        limits = _limits(table)
        derived = _DERIVED.get(table, {})
        for row in rows:
            bad = []
            for col, limit in limits.items():
                v = row.get(col)
                if v is not None and col not in derived and not fits(v, limit):
                    bad.append((col, v))
            for col, inputs in derived.items():
                if any(c in inputs for c, _ in bad):
                    vals = {c: (None if any(c == b for b, _ in bad) else row.get(c)) for c in inputs}
                    row[col] = RP.computed_execution_rate(vals["budget_wan"], vals["received_wan"], vals["spent_wan"])
                if row.get(col) is not None and not fits(row[col], limits[col]):
                    bad.append((col, row[col]))
            for col, v in bad:
                row[col] = None
                subject = row.get("report_id") or row.get("doc_id") or doc_id
                field = f"dimension:{row.get('dimension')}" if table == "dimension_scores" and col == "score" else col
                nulled.append((subject, field, v))
                added.append({
                    "report_id": row.get("report_id"), "check": OUT_OF_RANGE, "expected": _range_text(limits[col]),
                    "found": _value_text(v),
                    "detail": f"{table}.{col} 的值超出该列的范围，已置为空 / the value does not fit {table}.{col}; stored as null",
                })
    if not nulled:
        return
    res.rows["discrepancies"].extend(added)
    by_field: dict[tuple, set] = {}
    for subject, fld, v in nulled:
        by_field.setdefault((subject, fld), set()).add(_as_float(v))
    for f in res.rows["facts"]:
        values = by_field.get((f["subject_id"], f["field"]))
        if values and f["value"] is not None and _as_float(f["value"]) in values:
            f["value"] = None


def process_bytes(rel_path: str, data: bytes, max_bytes: int | None = None) -> DocResult:
    doc_id = sha256(data)
    now = datetime.now(timezone.utc)
    doc = schema.document_row(doc_id=doc_id, path=rel_path, format=Path(rel_path).suffix.lower().lstrip(".") or None,
                              size_bytes=len(data), ingested_at=now)
    try:
        raw = read_raw(Path(rel_path), data, **({"max_bytes": max_bytes} if max_bytes else {}))
        doc["format"], doc["encoding"] = raw.format, (str(raw.encoding) if raw.encoding is not None else None)
        replaced = getattr(raw.encoding, "replaced", 0)  # invalid bytes decoded as U+FFFD (`read.Encoding`)
        doc["text_method"] = raw.text_method or ("text_layer" if raw.format == "pdf" else "text")
        if raw.page_texts:
            text, page_starts = normalize_parts(raw.page_texts)
        else:
            text, page_starts = normalize(raw.text), []
        doc["n_chars"] = len(text)
        doc["text_sha256"] = sha256(text.encode("utf-8"))
        res = process_text(doc_id, text)
        doc["n_reports"] = len(res.rows["reports"])
        doc["doc_kind"] = res.doc_kind
        if res.rows["reports"] or res.rows["audit_reductions"]:
            doc["status"] = "parsed"
            gaps = []
            for r in res.rows["reports"]:
                need = ESSENTIAL_FORM if r.get("report_kind") == "self_evaluation_form" else ESSENTIAL
                lacks = [zh for key, zh in need.items() if r.get(key) is None]
                if lacks:
                    gaps.append(f"报告{r['seq']}缺少{'、'.join(lacks)}")
            if gaps:
                doc["status"] = "partial"
                doc["reason"] = "；".join(gaps) + " / report(s) cut short or without a stated score, grade, district or year"
        else:
            doc["reason"] = res.reason or "未找到绩效评价报告 / no report found"
            kind = res.doc_kind
            res = DocResult(text=text)
            res.doc_kind = kind
        if replaced:
            note = f"含 {replaced} 个无效字节，已替换 / {replaced} invalid bytes replaced"
            if doc["status"] == "parsed":
                doc["status"] = "partial"
            doc["reason"] = f"{doc['reason']}；{note}" if doc["reason"] else note
        if page_starts:
            _pages(res, doc_id, raw.pages, page_starts)
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
