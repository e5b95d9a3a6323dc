"""Find and parse tables in a report's normalized text (see `pipelines.text.normalize`).

Pure functions, no I/O. Vocabulary lives in `pipelines/rules/table_rules.py`.

Three layouts are recognised (`Table.layout`):

- "tab":   the Word-export layout of the corpus: every cell is one line starting with a
           single tab; rows are separated by one blank line; a vertically merged cell is an
           empty cell (a line that is just "\\t"). A row that a stray blank line cut in two
           is put back together (two short blocks whose sizes add up to the table's width).
           Two or more blank lines end the table unless the header is repeated after them
           (page break); any non-blank line that is not a cell ends it too.
- "pipe":  `| a | b | c |` lines, an optional `|---|---|` separator line.
- "space": one row per line, cells separated by a tab or by runs of 2+ spaces. In the
           space-run form, a line indented with spaces that has fewer cells than the header
           is taken to have empty leading cells (merged hierarchy cells).

For every layout: a second header row made only of header words ("", "", 内容, 单位, 指标值)
is folded into the header ("三级指标/内容"); rows that repeat the header (page breaks) are
dropped; when the first column is a 序号 column, a row with an empty 序号 is the rest of the
previous row split by a page break and is glued to it cell by cell.

`Table.rows` holds the data rows after the header with cells stripped; merged cells are NOT
carried down there - `indicator_rows`, `dimension_rows` and `target_rows` do that.
All offsets index into the string given to `find_tables`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipelines.extract.numbers import to_decimal as _to_decimal
from pipelines.rules import table_rules as R

__all__ = [
    "Table",
    "find_tables",
    "table_kind",
    "indicator_rows",
    "dimension_rows",
    "target_rows",
    "to_decimal",
]


@dataclass
class Table:
    start: int  # offset of the first header line
    end: int  # offset just after the last cell of the table (before its newline)
    caption: str | None  # title line(s) just above, joined; None when there is none
    header: list[str]
    rows: list[list[str]]
    layout: str  # "tab" | "pipe" | "space"
    caption_start: int | None = None  # offset of the first caption line, if any


# --------------------------------------------------------------------------- helpers


def _norm(cell: str | None) -> str:
    """The cell without any whitespace (str.split's whitespace is the regex \\s of str patterns)."""
    return "".join(cell.split()) if cell else ""


def to_decimal(cell) -> Decimal | None:
    """A score cell as a Decimal ("2.35", " 3 ", "6.10分", "1,234.5", "3.", ".5"); None for "—", "", text.

    Never raises. The number itself is read by the one number parser, `numbers.to_decimal`."""
    if cell is None:
        return None
    s = _norm(str(cell))
    if s.endswith("分"):
        s = s[:-1]
    if s.endswith("."):
        s = s[:-1]
    if s.startswith(".") or s.startswith("-.") or s.startswith("+."):
        s = s.replace(".", "0.", 1)
    return _to_decimal(s)


def _is_tab_cell(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


def _split_pipe(line: str) -> list[str] | None:
    s = line.strip()
    if not s.startswith("|") or s.count("|") < 2:
        return None
    s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _is_separator(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(re.fullmatch(r":?-{2,}:?", c.replace(" ", "")) for c in filled)


_CELL_GAP = re.compile(r" {2,}")


def _split_inline(line: str) -> tuple[list[str], bool] | None:
    """Cells of a one-row-per-line line, and whether it is indented with spaces."""
    if "\t" in line:
        s = line.rstrip(" ")
        if not s.strip():
            return None
        cells = [c.strip() for c in s.split("\t")]
        return (cells, False) if len(cells) >= 2 else None
    s = line.rstrip()
    if not s.strip():
        return None
    if "  " not in s.strip():
        return None  # no run of two spaces: one cell (the common case, without a regex)
    indented = s[0] == " "
    parts = _CELL_GAP.split(s.strip())
    return (parts, indented) if len(parts) >= 2 else None


def _looks_like_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    for c in filled:
        if len(c) > 40 or c[-1] in R.SENTENCE_ENDINGS:
            return False
        if re.search("[" + re.escape(R.LEADER_CHARS) + "]{3,}\\s*$", c):
            return False  # table of contents
    return True


# ------------------------------------------------------------------ layout readers


def _read_tab(lines: list[str], i: int):
    """Blocks of tab cells starting at line i. Returns (blocks, last_line_index, next_i)."""
    n = len(lines)
    blocks: list[list[str]] = []
    cur: list[str] = []
    last = i
    j = i
    while j < n:
        line = lines[j]
        if _is_tab_cell(line):
            cur.append(line[1:].strip())
            last = j
            j += 1
            continue
        if cur:
            blocks.append(cur)
            cur = []
        if line.strip():
            break  # a non-table line ends the table
        k = j
        while k < n and not lines[k].strip() and not _is_tab_cell(lines[k]):
            k += 1
        if k >= n or not _is_tab_cell(lines[k]):
            break
        if k - j == 1:
            j = k
            continue
        # two or more blank lines: a page break only if the header comes again
        nxt = []
        m = k
        while m < n and _is_tab_cell(lines[m]):
            nxt.append(lines[m][1:].strip())
            m += 1
        if blocks and nxt == blocks[0]:
            j = k
            continue
        break
    if cur:
        blocks.append(cur)
    return blocks, last, max(j, i + 1)


def _assemble_tab_rows(blocks: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    header, body = blocks[0], [b for b in blocks[1:] if b != blocks[0]]
    if not body:
        return header, []
    counts = Counter(len(b) for b in body)
    width = max(counts, key=lambda w: (counts[w], w))
    rows: list[list[str]] = []
    k = 0
    while k < len(body):
        b = body[k]
        if len(b) < width and k + 1 < len(body) and len(b) + len(body[k + 1]) == width:
            rows.append(b + body[k + 1])  # a row cut by a stray blank line
            k += 2
            continue
        rows.append(list(b))
        k += 1
    return header, rows


def _read_lines(lines: list[str], i: int, split):
    """Rows of a one-row-per-line layout. Returns (header, rows, last_line_index, next_i)."""
    n = len(lines)
    header = split(lines[i])[0]
    rows: list[list[str]] = []
    last = i
    j = i + 1
    while j < n:
        line = lines[j]
        if not line.strip():
            k = j
            while k < n and not lines[k].strip():
                k += 1
            if k < n and k - j <= 3 and split(lines[k]) and split(lines[k])[0] == header:
                j = k  # page break: the header comes again
                continue
            nxt = split(lines[k]) if k < n and k - j == 1 else None
            if nxt and len(nxt[0]) >= 2 and (nxt[1] or len(nxt[0]) == len(header)):
                j = k  # page break inside the table: the next line is still one of its rows
                continue
            break
        got = split(line)
        if got is None:
            break
        cells, indented = got
        if indented and len(cells) < len(header):
            cells = [""] * (len(header) - len(cells)) + cells
        rows.append(cells)
        last = j
        j += 1
    return header, rows, last, j


def _split_pipe_row(line: str):
    cells = _split_pipe(line)
    return None if cells is None else (cells, False)


# ------------------------------------------------------------------ post-processing


def _fold_subheader(header: list[str], rows: list[list[str]]):
    if not rows:
        return header, rows
    sub = rows[0]
    filled = [_norm(c) for c in sub if _norm(c)]
    if not filled or len(filled) == len(sub) or not all(c in R.HEADER_WORDS for c in filled):
        return header, rows
    width = max(len(header), len(sub))
    h = header + [""] * (width - len(header))
    s = sub + [""] * (width - len(sub))
    merged = [a if not b else (b if not a else f"{a}/{b}") for a, b in zip(h, s)]
    return merged, rows[1:]


def _glue_seq_continuations(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    if not header or _role_of(header[0]) != "seq":
        return rows
    out: list[list[str]] = []
    for r in rows:
        if out and r and not r[0] and out[-1][0] and any(r):
            prev = out[-1]
            width = max(len(prev), len(r))
            prev += [""] * (width - len(prev))
            for idx, c in enumerate(r):
                prev[idx] = prev[idx] + c
            continue
        out.append(list(r))
    return out


def _finish(header, rows, layout):
    header = [c.strip() for c in header]
    rows = [[c.strip() for c in r] for r in rows]
    header, rows = _fold_subheader(header, rows)
    head = [_norm(c) for c in header]  # once, not once a row
    rows = [r for r in rows if any(r) and (len(r) != len(head) or [_norm(c) for c in r] != head)]
    rows = _glue_seq_continuations(header, rows)
    return header, rows


def _caption(lines: list[str], offsets: list[int], i: int) -> tuple[str | None, int | None]:
    k = i - 1
    blanks = 0
    while k >= 0 and not lines[k].strip() and blanks < 2:
        k -= 1
        blanks += 1
    got: list[int] = []
    while k >= 0 and len(got) < R.CAPTION_MAX_LINES:
        s = lines[k].strip()
        if (
            not s
            or "\t" in lines[k]
            or _split_pipe(lines[k]) is not None
            or len(s) > R.CAPTION_MAX_CHARS
            or s[-1] in R.SENTENCE_ENDINGS
        ):
            break
        got.append(k)
        if re.match(r"表\s*\d", s):
            break  # "表1 ..." opens a caption; what is above it is not part of it
        k -= 1
    if not got:
        return None, None
    got.reverse()
    return "".join(lines[g].strip() for g in got), offsets[got[0]]


# ------------------------------------------------------------------------ find


def find_tables(text: str) -> list[Table]:
    """Every table of `text`, in document order (see the module docstring for layouts)."""
    if not text:
        return []
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    tables: list[Table] = []
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if "\t" not in line and "|" not in line and "  " not in line:
            i += 1  # no tab, pipe or run of spaces: a line of prose starts no table (the common case)
            continue
        header = rows = None
        layout = ""
        last = i
        nxt = i + 1
        pipe = _split_pipe(line)
        if pipe is not None and not _is_separator(pipe):
            header, rows, last, nxt = _read_lines(lines, i, _split_pipe_row)
            rows = [r for r in rows if not _is_separator(r)]
            layout = "pipe"
        elif _is_tab_cell(line):
            blocks, last, nxt = _read_tab(lines, i)
            if len(blocks) >= 2 and len(blocks[0]) >= 2:
                header, rows = _assemble_tab_rows(blocks)
                layout = "tab"
        else:
            got = _split_inline(line)
            if got is not None and not got[1] and _looks_like_header(got[0]):
                header, rows, last, nxt = _read_lines(lines, i, _split_inline)
                layout = "space"
        if header is not None and rows:
            header, rows = _finish(header, rows, layout)
            if rows and len(header) >= 2:
                caption, cstart = _caption(lines, offsets, i)
                tables.append(
                    Table(
                        start=offsets[i],
                        end=offsets[last] + len(lines[last]),
                        caption=caption,
                        header=header,
                        rows=rows,
                        layout=layout,
                        caption_start=cstart,
                    )
                )
        i = max(nxt, i + 1)
    return tables


# ------------------------------------------------------------------------ columns


def _role_of(cell: str) -> str | None:
    c = _norm(cell)
    for role, rule in R.COLUMN_ROLES.items():
        if any(w in c for w in rule["include"]) and not any(w in c for w in rule["exclude"]):
            return role
    return None


_ROLE_ORDER = ["level1", "level2", "level3", "rate", "max_score", "score", "actual", "target", "unit", "seq"]


def _columns(header: list[str]) -> dict[str, int]:
    """Role -> column index (first matching column; a column plays at most one role)."""
    return dict(_columns_of(tuple(header)))


@lru_cache(maxsize=1024)
def _columns_of(header: tuple[str, ...]) -> dict[str, int]:
    """`_columns` of a header, cached: the kind and the rows of a table both ask, and the same
    headers (the usual score and target tables) come back report after report."""
    cols: dict[str, int] = {}
    used: set[int] = set()
    for role in _ROLE_ORDER:
        rule = R.COLUMN_ROLES[role]
        for idx, cell in enumerate(header):
            c = _norm(cell)
            if idx in used:
                continue
            if any(w in c for w in rule["include"]) and not any(w in c for w in rule["exclude"]):
                cols[role] = idx
                used.add(idx)
                break
    if "level3" not in cols:
        for idx, cell in enumerate(header):
            if idx not in used and _norm(cell) in R.LEAF_EXACT:
                cols["level3"] = idx
                used.add(idx)
                break
    return cols


def table_kind(t: Table) -> str:
    """"indicator_scores" | "dimension_summary" | "targets" | "other"."""
    cols = _columns(t.header)
    scored = "max_score" in cols and "score" in cols
    if scored and ("level3" in cols or "level2" in cols):
        return "indicator_scores"
    if scored and "level1" in cols:
        return "dimension_summary"
    if "target" in cols or "actual" in cols:
        return "targets"
    if t.caption and any(w in _norm(t.caption) for w in R.TARGET_CAPTION_WORDS):
        return "targets"
    return "other"


def _cell(cells: list[str], idx: int | None) -> str:
    if idx is None or idx >= len(cells):
        return ""
    return cells[idx]


def _right_aligned(cells: list[str], width: int) -> list[str]:
    return [""] * (width - len(cells)) + cells if len(cells) < width else cells


def _first_filled(cells: list[str]) -> str:
    """The first cell that is not blank, without its whitespace."""
    for c in cells:
        c = _norm(c)
        if c:
            return c
    return ""


def _carry(prev: list[str | None], cells: list[str], level_cols: list[int | None]) -> list[str | None]:
    """Hierarchy values of a row: an empty cell repeats the row above unless a higher level
    changed in this row."""
    out: list[str | None] = []
    changed = False
    for k, idx in enumerate(level_cols):
        if idx is None:
            out.append(None)
            continue
        v = _cell(cells, idx)
        if v:
            out.append(v)
            changed = True
        elif not changed:
            out.append(prev[k])
        else:
            out.append(None)
    return out


# ------------------------------------------------------------------------ rows


def indicator_rows(t: Table):
    """Rows of an indicator_scores table.

    Returns (rows, total):
      rows  = [dict(row_no, level1, level2, level3, max_score, score)], numbered from 1,
              merged hierarchy cells carried down, scores as Decimal or None;
      total = dict(max_score, score) from the 合计/总分/总计 row, or None when there is none.
    Rows shorter than the header are read right-aligned (the numbers are the last cells).
    """
    cols = _columns(t.header)
    width = len(t.header)
    level_cols = [cols.get("level1"), cols.get("level2"), cols.get("level3")]
    rows: list[dict] = []
    total = None
    prev: list[str | None] = [None, None, None]
    for raw in t.rows:
        cells = _right_aligned(raw, width)
        if not any(cells):
            continue
        if _first_filled(cells) in R.TOTAL_LABELS:
            total = dict(
                max_score=to_decimal(_cell(cells, cols.get("max_score"))),
                score=to_decimal(_cell(cells, cols.get("score"))),
            )
            continue
        prev = _carry(prev, cells, level_cols)
        rows.append(
            dict(
                row_no=len(rows) + 1,
                level1=prev[0],
                level2=prev[1],
                level3=prev[2],
                max_score=to_decimal(_cell(cells, cols.get("max_score"))),
                score=to_decimal(_cell(cells, cols.get("score"))),
            )
        )
    return rows, total


def dimension_rows(t: Table):
    """Rows of a dimension_summary table.

    Returns (rows, extra):
      rows  = [dict(dimension, max_score, score, rate)] - rate is the 得分率 cell as printed
              (or None); scores as Decimal or None;
      extra = dict(total=..., grade=...):
              total = dict(max_score, score) from the 综合得分/合计/总分 row, or None;
              grade = the cell after 评价档次/评价等级/… as printed (e.g. "优"), or None.
    """
    cols = _columns(t.header)
    width = len(t.header)
    dim = cols.get("level1", 0)
    rows: list[dict] = []
    total = None
    grade = None
    for raw in t.rows:
        if not any(raw):
            continue
        label = _first_filled(raw)
        if label in R.GRADE_LABELS:
            after = [c for c in raw[[_norm(c) for c in raw].index(label) + 1 :] if c]
            grade = after[0] if after else None
            continue
        cells = _right_aligned(raw, width)
        if label in R.TOTAL_LABELS:
            total = dict(
                max_score=to_decimal(_cell(cells, cols.get("max_score"))),
                score=to_decimal(_cell(cells, cols.get("score"))),
            )
            continue
        rate = _cell(cells, cols.get("rate"))
        rows.append(
            dict(
                dimension=_cell(cells, dim) or None,
                max_score=to_decimal(_cell(cells, cols.get("max_score"))),
                score=to_decimal(_cell(cells, cols.get("score"))),
                rate=rate or None,
            )
        )
    return rows, dict(total=total, grade=grade)


def target_rows(t: Table) -> list[dict]:
    """Rows of a targets table: [dict(row_no, level1, level2, level3, unit, target, actual)].

    Strings as printed; merged hierarchy cells carried down; None where the table has no
    such column or the cell is empty (unit/target/actual are never carried down).
    """
    cols = _columns(t.header)
    level_cols = [cols.get("level1"), cols.get("level2"), cols.get("level3")]
    out: list[dict] = []
    prev: list[str | None] = [None, None, None]
    for cells in t.rows:
        if not any(cells) or _first_filled(cells) in R.TOTAL_LABELS:
            continue
        prev = _carry(prev, cells, level_cols)
        out.append(
            dict(
                row_no=len(out) + 1,
                level1=prev[0],
                level2=prev[1],
                level3=prev[2],
                unit=_cell(cells, cols.get("unit")) or None,
                target=_cell(cells, cols.get("target")) or None,
                actual=_cell(cells, cols.get("actual")) or None,
            )
        )
    return out
