"""One door to every reader of a raw file that is not plain text.

    detect  what a file is (magic numbers, byte-order marks)         pipelines.ingest.detect
    docx    Word 2007+ (standard library)                           pipelines.ingest.docx
    doc     Word 97–2003 (legacy-doc)                               pipelines.ingest.doc
    pdf     PDF text layer, page by page (PDFium)                   pipelines.ingest.pdf
    ocr     pages without a usable text layer (RapidOCR, PP-OCRv4)  pipelines.ingest.ocr
    sheet   .xlsx (openpyxl) and .xls (xlrd)                        pipelines.ingest.sheet
    html    web pages (lxml)                                        pipelines.ingest.html
    worker  the sandboxed child process the binary readers run in   pipelines.ingest.worker

Each reader turns the file's bytes into text in the SAME layout as the corpus .txt files (see
`pipelines.ingest.common`) and raises `Rejected` with a reason a person understands. Every
reader of a binary format runs in the worker (time and memory caps); sizes are checked before
anything is inflated or parsed (`check_size`); zip bombs and XML entities are refused.
"""

from __future__ import annotations

from dataclasses import replace

from pipelines.ingest import docx as _docx
from pipelines.ingest import pdf as _pdf
from pipelines.ingest.common import *  # noqa: F403 (the messages and Limits, as before the split)
from pipelines.ingest.common import Limits, Rejected, RejectedFile, check_size  # noqa: F401
from pipelines.ingest.detect import detect_format  # noqa: F401
from pipelines.ingest.html import html_charset  # noqa: F401
from pipelines.ingest.pdf import use_bundled_fonts  # noqa: F401
from pipelines.ingest.worker import run_bounded

OCR_START_SECONDS = 15  # the OCR worker's start: Python, ONNX Runtime and the three models


def read_html(data: bytes, limits: Limits | None = None, *, pad_colspan: bool = False) -> str:
    """Text of a web page (`pipelines.ingest.html`), parsed in the worker like the binary formats:
    libxml2 and the tree walk run under the time and memory caps."""
    limits = limits or Limits()
    check_size(data, limits)
    return run_bounded("html", data, limits, {"pad_colspan": pad_colspan})


def read_docx(data: bytes, limits: Limits | None = None, *, pad_colspan: bool = False) -> str:
    """Text of a .docx: paragraphs and tables in document order, in the corpus layout."""
    limits = limits or Limits()
    check_size(data, limits)
    _docx.precheck(data, limits)  # cheap checks here, so most rejections need no worker
    return run_bounded("docx", data, limits, {"pad_colspan": pad_colspan})


def read_pdf_pages(data: bytes, limits: Limits | None = None) -> list[dict]:
    """Every page of a PDF: {"page", "text", "method" (text_layer | ocr | none), "usable",
    "n_chars", and for OCR'd pages "confidence", "seconds", "cached"}."""
    limits = limits or Limits()
    check_size(data, limits)
    _pdf.precheck(data)
    pages = run_bounded("pdf", data, limits)["pages"]
    bad = [p for p in pages if not p["usable"]]
    if not bad:
        return pages
    if not limits.ocr:
        for p in bad:
            p["method"], p["note"] = "none", "ocr_off"
        return pages
    budget = OCR_START_SECONDS + limits.ocr_page_seconds * len(bad)
    try:
        got = run_bounded("ocr_pdf", data, replace(limits, max_seconds=min(budget, limits.max_ocr_seconds)),
                          {"pages": [p["page"] for p in bad]})
    except ImportError as exc:
        for p in bad:
            p["method"], p["note"] = "none", f"ocr_unavailable: {exc}"
        return pages
    except Rejected as exc:  # the OCR worker ran out of time or memory: the pages stay without text
        for p in bad:
            p["method"], p["note"] = "none", f"ocr_failed: {exc.reason}"
        return pages
    by_page = {g["page"]: g for g in got}
    for p in bad:
        g = by_page.get(p["page"], {})
        if "text" not in g:
            p["method"], p["note"] = "none", g.get("note", "ocr_failed")
            continue
        p.update(text=g["text"], method="ocr", confidence=g["confidence"], seconds=g["seconds"],
                 cached=g["cached"], usable=g["usable"], n_chars=sum(1 for ch in g["text"] if not ch.isspace()))
    return pages


def read_pdf_parts(data: bytes, limits: Limits | None = None) -> tuple[list[str], list[dict]]:
    """A PDF's pages as joined into its text (`pdf.join_pages`: each with the separator after it),
    and what each page was read by; rejected when no page gave text."""
    pages = read_pdf_pages(data, limits)
    parts, _ = _pdf.join_pages([p["text"] if p["usable"] else "" for p in pages])
    if not "".join(parts).strip():
        raise Rejected(pdf_no_text_reason(pages))
    return parts, pages


def read_pdf(data: bytes, limits: Limits | None = None) -> str:
    """Text of a PDF: its pages joined, OCR'd where the text layer is unusable."""
    return "".join(read_pdf_parts(data, limits)[0])


def pdf_no_text_reason(pages: list[dict]) -> str:
    notes = {p.get("note", "") for p in pages}
    if any(n == "ocr_off" for n in notes):
        return R_PDF_OCR_OFF  # noqa: F405
    if any(p.get("method") == "ocr" for p in pages):
        return R_PDF_OCR_EMPTY  # noqa: F405
    unavailable = next((n for n in notes if n.startswith("ocr_unavailable")), None)
    if unavailable:
        return f"{R_PDF_NO_TEXT}（OCR不可用：{unavailable.split(':', 1)[-1].strip()}）"  # noqa: F405
    return R_PDF_NO_TEXT  # noqa: F405


def read_sheet(data: bytes, limits: Limits | None = None) -> str:
    """Text of an .xlsx or .xls workbook in the corpus layout (values as displayed)."""
    limits = limits or Limits()
    check_size(data, limits)
    return run_bounded("sheet", data, limits)


def read_doc(data: bytes, limits: Limits | None = None) -> str:
    """Text of a Word 97–2003 .doc in the corpus layout."""
    limits = limits or Limits()
    check_size(data, limits)
    return run_bounded("doc", data, limits)
