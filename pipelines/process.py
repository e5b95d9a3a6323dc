"""One raw file -> rows of every landed table. Pure except for reading the file's bytes.

`process_bytes` never raises for a bad file: whatever goes wrong becomes the file's
`documents` row (status `rejected`, with the reason), and the run goes on.
"""

import traceback
from bisect import bisect_right
from datetime import datetime, timezone
from pathlib import Path

from pipelines.extract.document import DocResult, evidence, extract_document, report_id  # noqa: F401 (re-exported)
from pipelines import schema
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
    """Classify, segment and extract a document's normalized text (`extract.document`)."""
    return extract_document(doc_id, text)


def process_bytes(rel_path: str, data: bytes, max_bytes: int | None = None) -> DocResult:
    doc_id = sha256(data)
    now = datetime.now(timezone.utc)
    doc = schema.document_row(doc_id=doc_id, path=rel_path, format=Path(rel_path).suffix.lower().lstrip(".") or None,
                              size_bytes=len(data), ingested_at=now)
    try:
        raw = read_raw(Path(rel_path), data, **({"max_bytes": max_bytes} if max_bytes else {}))
        doc["format"], doc["encoding"] = raw.format, raw.encoding
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
