"""Spreadsheets (.xlsx with openpyxl, .xls with xlrd) in the corpus layout, in the worker.

Finance bureaus publish 自评表 forms as workbooks: a title row merged across the sheet, label and
value cells (项目名称 | value), the funds block and the indicator rows. Each sheet is read row by
row, with each cell's value AS DISPLAYED (its number format: a fraction under a percent format
is a percentage with the format's decimals, a number under a two-decimal format keeps both
decimals), so the readers see what a person sees:

- a row with one filled cell (or one cell merged across the row) is a paragraph line;
- other rows are table rows, one tab-prefixed cell per line, rows separated by a blank line;
  a cell merged across columns is one cell, a cell merged down gives an empty cell in each
  row below it (the corpus layout); empty rows end a table;
- sheets follow each other, hidden sheets are left out, and `Limits.max_sheet_cells` caps
  the cells read (a larger workbook is rejected, not read in part).
"""

from __future__ import annotations

import io
import math
import re
import time
from datetime import date, datetime

from pipelines.ingest.common import (
    R_SHEET_BROKEN, R_SHEET_CELLS, R_SHEET_EMPTY, R_TIMEOUT, Limits, Rejected, assemble, fmt_seconds,
)
from pipelines.ingest.detect import OLE_MAGIC


def parse(data: bytes, limits: Limits, deadline: float) -> str:
    sheets = _xls(data, limits) if data.startswith(OLE_MAGIC) else _xlsx(data, limits)
    blocks: list[tuple[str, object]] = []
    for grid in sheets:
        if time.monotonic() > deadline:
            raise Rejected(R_TIMEOUT.format(s=fmt_seconds(limits.max_seconds)))
        blocks.extend(grid_blocks(grid))
    out = assemble(blocks)
    if not out.strip():
        raise Rejected(R_SHEET_EMPTY)
    return out


def grid_blocks(grid: list[list[str | None]]) -> list[tuple[str, object]]:
    """Blocks of one sheet: ("p", line) and ("t", rows). A cell is a str, "" (empty), or None
    (covered by a cell merged across it: left out)."""
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] = []

    def flush():
        if table:
            blocks.append(("t", [r[:] for r in table]))
            table.clear()

    for row in grid:
        cells = [c for c in row if c is not None]
        while cells and not cells[-1].strip():
            cells.pop()
        filled = [c for c in cells if c.strip()]
        if not filled:
            flush()
            continue
        if len(filled) == 1 and (len(cells) == 1 or not table):
            flush()
            blocks.append(("p", filled[0]))
            continue
        table.append(cells)
    flush()
    return blocks


# ------------------------------------------------------------------ values as displayed

_DECIMALS = re.compile(r"0\.(0+)")


def display(value, number_format: str | None = None) -> str:
    """A cell's value as a spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y年%m月%d日") if not isinstance(value, datetime) or not (value.hour or value.minute) else value.isoformat(sep=" ")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return ""
        fmt = (number_format or "General").split(";")[0]
        m = _DECIMALS.search(fmt)
        decimals = len(m.group(1)) if m else None
        if "%" in fmt:
            v = value * 100
            return (f"{v:.{decimals}f}" if decimals is not None else _plain(v)) + "%"
        if decimals is not None:
            return f"{value:,.{decimals}f}" if "," in fmt else f"{value:.{decimals}f}"
        if fmt.strip() in ("0", "#,##0", "#,##0_ ", "0_ ") and float(value).is_integer():
            return f"{int(value):,}" if "," in fmt else str(int(value))
        return _plain(value)
    return str(value).replace("\r\n", "\n").strip()


def _plain(v: float) -> str:
    """A number without float noise (the shortest form of at most 10 significant digits)."""
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.10g}"


# ------------------------------------------------------------------ readers


def _xlsx(data: bytes, limits: Limits) -> list[list[list[str | None]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (InvalidFileException, KeyError, ValueError, OSError, EOFError) as exc:
        raise Rejected(R_SHEET_BROKEN) from exc
    except Exception as exc:  # zipfile.BadZipFile and the like
        raise Rejected(R_SHEET_BROKEN) from exc
    sheets = []
    total = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        n_rows, n_cols = ws.max_row or 0, ws.max_column or 0
        total += n_rows * n_cols
        if total > limits.max_sheet_cells:
            raise Rejected(R_SHEET_CELLS.format(n=total, m=limits.max_sheet_cells))
        covered: dict[tuple[int, int], str] = {}  # (row, col) -> "left" (merged across) | "below"
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) == (rng.min_row, rng.min_col):
                        continue
                    covered[(r, c)] = "below" if c == rng.min_col else "left"
        grid = []
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols), start=1):
            out: list[str | None] = []
            for c, cell in enumerate(row, start=1):
                how = covered.get((r, c))
                if how == "left":
                    out.append(None)
                elif how == "below":
                    out.append("")
                else:
                    out.append(display(cell.value, cell.number_format))
            grid.append(out)
        sheets.append(grid)
    return sheets


def _xls(data: bytes, limits: Limits) -> list[list[list[str | None]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors on broken files
        raise Rejected(R_SHEET_BROKEN) from exc
    sheets = []
    total = 0
    try:
        for k in range(book.nsheets):
            sh = book.sheet_by_index(k)
            if getattr(sh, "visibility", 0):
                continue
            total += sh.nrows * sh.ncols
            if total > limits.max_sheet_cells:
                raise Rejected(R_SHEET_CELLS.format(n=total, m=limits.max_sheet_cells))
            covered: dict[tuple[int, int], str] = {}
            for r0, r1, c0, c1 in sh.merged_cells:
                for r in range(r0, r1):
                    for c in range(c0, c1):
                        if (r, c) != (r0, c0):
                            covered[(r, c)] = "below" if c == c0 else "left"
            grid = []
            for r in range(sh.nrows):
                out: list[str | None] = []
                for c in range(sh.ncols):
                    how = covered.get((r, c))
                    if how == "left":
                        out.append(None)
                        continue
                    if how == "below":
                        out.append("")
                        continue
                    cell = sh.cell(r, c)
                    out.append(_xls_display(book, cell))
                grid.append(out)
            sheets.append(grid)
    finally:
        book.release_resources()
    return sheets


def _xls_display(book, cell) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return display(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except Exception:
            return display(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        fmt = None
        try:
            xf = book.xf_list[cell.xf_index]
            fmt = book.format_map[xf.format_key].format_str
        except (IndexError, KeyError, AttributeError):
            pass
        return display(cell.value, fmt)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return display(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return display(cell.value)
