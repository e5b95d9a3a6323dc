"""OCR of a page image, with the PP-OCRv4 models that ship inside the `rapidocr-onnxruntime`
wheel (detection, direction, recognition; ONNX Runtime on the CPU). Nothing is downloaded.

`recognize(png)` returns the page's text in the same layout as a PDF's text layer (lines top to
bottom; boxes of one line left to right; a wide gap between boxes written as two spaces, which
is a cell boundary for the form and table readers), the mean confidence of the recognised
boxes, and the seconds it took. It runs within a time cap (a page over it gives None), and its
result is cached as JSON under `cache_dir` by the SHA-256 of the image and the engine, so a
page already read is never read again (JSON, never pickle: a cache file cannot run code).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path

from pipelines.ingest.common import Grid, grid_rows, grids_from_rules, join_fragments, page_blocks, unwrap

DPI = 150  # rendering resolution for OCR: PP-OCR reads 10.5-pt CJK text as well as at 200 dpi, 25% faster
ENGINE = "rapidocr-onnxruntime-1.4.4/PP-OCRv4/layout-2"  # bump when the layout changes: the cache holds text
CELL_GAP = 1.5  # a gap wider than this many character widths between two boxes separates cells
INDENT = 2.0  # a line starting this many character widths right of the text edge is indented
LINE_THICK = 6  # a ruling line in the page image is at most this many pixels thick
SNAP_PX = 5  # lines of the image closer than this (pixels) are one

_engine = None


class _TimeUp(Exception):
    pass


def engine():
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        _engine = RapidOCR()
    return _engine


def _cache_path(cache_dir: str | None, image: bytes) -> Path | None:
    if not cache_dir:
        return None
    key = hashlib.sha256(ENGINE.encode() + b"\0" + image).hexdigest()
    return Path(cache_dir) / key[:2] / f"{key}.json"


def _cached(path: Path | None) -> dict | None:
    if path is None or not path.is_file():
        return None
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(got, dict) or not isinstance(got.get("text"), str):
        return None
    return {"text": got["text"], "confidence": float(got.get("confidence") or 0), "seconds": 0.0, "cached": True}


def _store(path: Path | None, result: dict) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"text": result["text"], "confidence": result["confidence"], "engine": ENGINE},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a full disk or a read-only cache only costs the next run the OCR again


def recognize(image: bytes, seconds: float = 30, cache_dir: str | None = None) -> dict | None:
    """{"text", "confidence", "seconds", "cached"} of a PNG page image; None when over `seconds`."""
    path = _cache_path(cache_dir, image)
    hit = _cached(path)
    if hit is not None:
        return hit
    t0 = time.monotonic()
    eng = engine()
    old = None
    use_alarm = seconds > 0 and hasattr(signal, "setitimer")
    if use_alarm:
        def _up(signum, frame):
            raise _TimeUp()

        old = signal.signal(signal.SIGALRM, _up)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        boxes, _ = eng(image)
    except _TimeUp:
        return None
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    boxes = boxes or []
    scores = [float(b[2]) for b in boxes]
    result = {
        "text": layout(boxes, page_grids(image)),
        "confidence": round(sum(scores) / len(scores), 4) if scores else 0.0,
        "seconds": round(time.monotonic() - t0, 3),
        "cached": False,
    }
    _store(path, result)
    return result


def page_grids(image: bytes) -> list[Grid]:
    """Ruled tables of a page image: its long thin dark lines (opened with a long kernel) as
    ruling lines, in PDF-like coordinates (y grows upwards)."""
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(image, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        return []
    height, width = img.shape
    dark = (img < 160).astype(np.uint8)
    hs, vs = [], []
    for horizontal in (True, False):
        size = max(30, (width if horizontal else height) // 30)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, 1) if horizontal else (1, size))
        mask = cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for k in range(1, n):
            x, y, w, h, _area = stats[k]
            if horizontal and h <= LINE_THICK:
                hs.append((height - (y + h / 2), float(x), float(x + w)))
            elif not horizontal and w <= LINE_THICK:
                vs.append((x + w / 2, float(height - (y + h)), float(height - y)))
    grids = grids_from_rules(hs, vs, SNAP_PX)
    for g in grids:
        g.flip = height  # image y = flip - grid y
    return grids


def layout(boxes: list, grids: list[Grid] | None = None) -> str:
    """Lines of text from OCR boxes [(4 corner points, text, score), …]; the boxes inside a ruled
    table (`grids`, in image pixels with y flipped) as its cells in the corpus layout."""
    grids = grids or []
    items, cells = [], [{} for _ in grids]
    for pts, text, _score in boxes:
        text = str(text).strip()
        if not text:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
        it = (left, right, (top + bottom) / 2, bottom - top, text)
        g = next((k for k, grid in enumerate(grids) if grid.contains((left + right) / 2, grid.flip - it[2])), None)
        if g is None:
            items.append(it)
        else:
            cells[g].setdefault(grids[g].cell((left + right) / 2, grids[g].flip - it[2]), []).append(it)
    if not items and not any(cells):
        return ""
    every = items + [it for c in cells for its in c.values() for it in its]
    heights = sorted(h for *_, h, _t in every)
    height = heights[len(heights) // 2] or 1.0
    widths = sorted((r - l) / max(1, len(t)) for l, r, _c, _h, t in every)
    char = widths[len(widths) // 2] or height
    blocks = [(c, t, False) for c, t in unwrap(_rows(items, height, char), char, _clean)] if items else []
    for grid, got in zip(grids, cells):
        if got:
            texts = {a: join_fragments([t for _, t, _ in _rows(its, height, char, indent=False)]) for a, its in got.items()}
            blocks.append((grid.flip - grid.ys[0], grid_rows(grid, texts), True))
    return page_blocks(blocks)


def _clean(line: str) -> str:
    """A line of running text loses its first-line indent; a row of cells split by spaces keeps it."""
    return line.rstrip() if re.search(r"\S {2,}\S", line) else line.strip()


def _rows(items: list, height: float, char: float, indent: bool = True) -> list[tuple[float, str, float]]:
    """(centre, text, right edge) of each line of OCR boxes, top to bottom."""
    rows: list[list] = []  # [centre, [items]]
    for it in sorted(items, key=lambda it: it[2]):
        row = next((r for r in reversed(rows[-4:]) if abs(r[0] - it[2]) < 0.5 * height), None)
        if row is None:
            rows.append([it[2], [it]])
        else:
            row[1].append(it)
            row[0] = sum(x[2] for x in row[1]) / len(row[1])
    edge = min((it[0] for it in items), default=0)
    lines = []
    for centre, its in sorted(rows, key=lambda r: r[0]):
        its.sort(key=lambda it: it[0])
        parts = ["    "] if indent and its[0][0] - edge > INDENT * char else []
        prev_right = None
        for left, right, _c, _h, text in its:
            if prev_right is not None:
                gap = left - prev_right
                parts.append("  " if gap > CELL_GAP * char else ("" if not text[:1].isascii() else " "))
            parts.append(text)
            prev_right = right
        lines.append((centre, "".join(parts), prev_right))
    return lines
