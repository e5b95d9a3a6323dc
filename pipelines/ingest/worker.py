"""The sandboxed worker: every reader of a binary format runs in a child Python process that
is killed after `Limits.max_seconds` (wall clock) and runs under an address-space cap
(`Limits.max_memory`) and a CPU-time cap, so a hostile or pathological file cannot hang or
exhaust the pipeline.

Readers are found BY NAME (`READERS`): each module exposes `parse(data, limits, deadline,
**options)` and no format module imports another. OCR of a PDF's pages ("ocr_pdf") runs in a
worker of its own, with a time budget of its own (per page), rendering each page with the PDF
reader and reading it with the OCR reader.

The answer is JSON on the child's stdout: {"result": …} (a str, or a dict for PDFs),
{"rejected": reason}, or {"error_type": "ImportError"} when a reader's library is missing.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from pipelines.ingest.common import R_DEPTH, R_MEMORY, R_TIMEOUT, R_WORKER, Limits, Rejected, fmt_seconds

READERS = {
    "docx": "pipelines.ingest.docx",
    "pdf": "pipelines.ingest.pdf",
    "sheet": "pipelines.ingest.sheet",
    "doc": "pipelines.ingest.doc",
    "ocr": "pipelines.ingest.ocr",
    "html": "pipelines.ingest.html",
}
# Libraries a reader needs, imported before the memory cap (a failed import means "not installed").
PRELOAD = {"pdf": ["pypdfium2"], "sheet": ["openpyxl", "xlrd"], "doc": ["legacy_doc"],
           "ocr_pdf": ["pypdfium2", "rapidocr_onnxruntime"], "html": ["lxml.html"]}

_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from pipelines.ingest.worker import worker_main; worker_main()"
)


def reader(kind: str):
    return importlib.import_module(READERS[kind])


def run_bounded(kind: str, data: bytes, limits: Limits, options: dict | None = None):
    """Run reader `kind` on `data` in a child process with a wall-clock and a memory cap."""
    options = options or {}
    if not limits.isolate or not sys.executable:
        return parse(kind, data, limits, options, deadline=time.monotonic() + limits.max_seconds)
    header = json.dumps({"kind": kind, "limits": asdict(limits), "options": options}).encode() + b"\n"
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WORKER_CODE, _ROOT],
            input=header + data,
            capture_output=True,
            timeout=limits.max_seconds,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise Rejected(R_TIMEOUT.format(s=fmt_seconds(limits.max_seconds))) from None
    try:
        answer = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Rejected(R_WORKER) from None
    if "result" in answer:
        return answer["result"]
    if "rejected" in answer:
        raise Rejected(answer["rejected"])
    if answer.get("error_type") == "ImportError":
        raise ImportError(answer.get("error", "reader dependency missing"))
    raise Rejected(R_WORKER)


def worker_main() -> None:  # pragma: no cover - runs in the child process
    raw = sys.stdin.buffer.read()
    nl = raw.index(b"\n")
    header = json.loads(raw[:nl])
    data = raw[nl + 1 :]
    del raw
    limits = Limits(**header["limits"])
    kind = header["kind"]
    try:  # load the parser before the memory cap: a failed import then means "not installed"
        for mod in PRELOAD.get(kind, []):
            importlib.import_module(mod)
        for name in ("pdf", "ocr") if kind == "ocr_pdf" else (kind,):
            reader(name)
        if kind == "ocr_pdf":
            reader("ocr").engine()  # the model, loaded before the cap (its arena is large)
    except ImportError as exc:
        sys.stdout.write(json.dumps({"error_type": "ImportError", "error": str(exc)}))
        return
    except Exception as exc:  # OpenCV or ONNX Runtime that cannot start on this machine
        sys.stdout.write(json.dumps({"error_type": "ImportError", "error": f"{type(exc).__name__}: {exc}"}))
        return
    try:
        import resource

        cap = int(limits.max_memory)
        if cap > 0:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = int(limits.max_seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ImportError, ValueError, OSError):
        pass
    deadline = time.monotonic() + limits.max_seconds
    try:
        answer = {"result": parse(kind, data, limits, header["options"], deadline)}
    except Rejected as exc:
        answer = {"rejected": exc.reason}
    except MemoryError:
        answer = {"rejected": R_MEMORY}
    except ImportError as exc:
        answer = {"error_type": "ImportError", "error": str(exc)}
    except Exception as exc:  # a parser bug on a strange file: reject, never hang
        answer = {"rejected": f"{R_WORKER} ({type(exc).__name__})"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


def parse(kind: str, data: bytes, limits: Limits, options: dict, deadline: float):
    try:
        if kind == "ocr_pdf":
            return _ocr_pdf_pages(data, limits, options["pages"], deadline)
        return reader(kind).parse(data, limits, deadline, **options)
    except RecursionError:
        raise Rejected(R_DEPTH) from None


def _ocr_pdf_pages(data: bytes, limits: Limits, pages: list[int], deadline: float) -> list[dict]:
    """OCR of the given PDF pages (1-based): each page rendered by the PDF reader and read by the
    OCR reader, within the per-page cap and the worker's deadline. One result per page."""
    pdf, ocr = reader("pdf"), reader("ocr")
    out = []
    for n in pages:
        left = deadline - time.monotonic()
        if left <= 0:
            out.append({"page": n, "note": "ocr_time_cap"})
            continue
        image = pdf.render_page(data, n - 1, ocr.DPI)
        got = ocr.recognize(image, seconds=min(limits.ocr_page_seconds, left), cache_dir=limits.ocr_cache)
        if got is None:
            out.append({"page": n, "note": "ocr_time_cap"})
            continue
        out.append({"page": n, **got, "usable": pdf.usable(got["text"])})
    return out
