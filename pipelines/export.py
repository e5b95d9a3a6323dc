"""Export every mart of the warehouse to one workbook (xlsx), or to csv or parquet files.

- xlsx: ONE workbook, `<out_dir>/bpe_marts.xlsx` (openpyxl, write-only mode), written under a
  temporary name and renamed into place. Its first sheet, 说明, is the data dictionary of what it
  holds (every mart and landed table, its columns, types, Chinese names and units, from the
  warehouse's own comments). Then a sheet per mart (`mart_*` and `recurring_findings`): the
  header row holds the Chinese column comments (falling back to the column name; a comment used
  by two columns gets the column name appended), frozen, with an autofilter; columns fitted to
  their content; numbers stay numbers with a format (万元 with thousands separators and two
  decimals, rates with a % sign, scores with two decimals), booleans TRUE/FALSE, text stays
  text even when it starts with "=" (no formula injection from report titles: a string cell,
  and text starting with = + - @ tab or CR is also marked quote-prefixed, Excel's leading ',
  so editing the cell does not turn it into a formula either), lists joined with "、".
- csv (Polars, from DuckDB's result): one file per mart, UTF-8 with a byte-order mark (so Excel opens the Chinese
  text right), header row with the contract's column names. A text cell starting with = + - @
  tab or CR gets a leading ' (OWASP's advice on CSV injection: a CSV has no types, so Excel
  would run `=HYPERLINK(…)` from a report title as a formula); numbers stay numbers, a negative
  amount is written -480.0000, unquoted.
- parquet (DuckDB COPY): one file per mart, contract column names and types (DECIMAL stays DECIMAL).

The warehouse is opened read-only, so an export never blocks or disturbs a rebuild.
"""

import datetime as dt
import os
import re
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb

FORMATS = ("xlsx", "csv", "parquet")
MART_PREFIX = "mart_"
SHEET_NAME_MAX = 31  # Excel's limit


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts present: tables and views of the main schema named `mart_*`, and the project's
    other marts (`recurring_findings`), sorted."""
    from pipelines.warehouse import MARTS

    rows = con.execute(
        """
        select table_name from information_schema.tables
        where table_catalog = current_database() and table_schema = 'main'
        order by table_name
        """
    ).fetchall()
    names = [r[0] for r in rows]
    return sorted(n for n in names if n.startswith(MART_PREFIX) or n in MARTS)


def column_headers(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """[(column name, header)] in column order; header = Chinese comment, else the name.

    Two columns with the same comment get "comment（name）" so every header is unique.
    """
    rows = con.execute(
        """
        select column_name, comment from duckdb_columns()
        where database_name = current_database() and schema_name = 'main' and table_name = ?
        order by column_index
        """,
        [table],
    ).fetchall()
    headers = [(name, (comment or "").strip() or name) for name, comment in rows]
    counts: dict[str, int] = {}
    for _, h in headers:
        counts[h] = counts.get(h, 0) + 1
    return [(name, f"{h}（{name}）" if counts[h] > 1 and h != name else h) for name, h in headers]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@contextmanager
def _atomic_target(path: Path):
    """Yield a temporary path next to `path`; rename it onto `path` if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(tmp)  # DuckDB's COPY wants to create the file itself
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _copy(con: duckdb.DuckDBPyConnection, table: str, path: Path, options: str) -> None:
    with _atomic_target(path) as tmp:
        con.execute(f"copy (select * from {_ident(table)}) to {_sql_string(str(tmp))} ({options})")


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"  # Excel's "this is text" prefix


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would run as a formula (it starts with = + - @ tab or CR)."""
    return text.startswith(FORMULA_START)


def _xlsx_value(ws, value):
    """A cell value openpyxl writes faithfully; text that looks like a formula stays text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, (list, tuple)):
        value = "、".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        value = str(value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)  # Excel has no time zones
    elif isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).hex()
    elif isinstance(value, dt.timedelta) or type(value).__name__ == "UUID":
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if looks_like_formula(value):
            cell.quotePrefix = True  # Excel's leading ': stays text even when the cell is edited
        return cell
    return value


def _text_width(text: str) -> float:
    # CJK characters are about two Latin characters wide in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _width(header: str, values=()) -> float:
    """A column fitted to its header and its (first) values, within 8 and 60 characters."""
    widest = max([_text_width(header)] + [_text_width(_shown(v)) for v in values])
    return min(60.0, max(8.0, widest + 2.0))


def _shown(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return f"{v:,.{DECIMALS}f}"
    return str(v)


DECIMALS = 2  # amounts, rates and scores are shown with two decimals
NUMBER_FORMAT = "0." + "0" * DECIMALS
MONEY_FORMAT = "#,##" + NUMBER_FORMAT  # 万元 with thousands separators
RATE_FORMAT = NUMBER_FORMAT + '"%"'  # the value is already a percentage (8.72 -> 8.72%)
COUNT_FORMAT = "#,##0"


def number_format(name: str, comment: str | None, dtype: str) -> str | None:
    """The format of a numeric column: 万元 amounts with separators, rates with %, scores with two
    decimals, counts as integers; None for other columns."""
    t = dtype.upper()
    c = comment or ""
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        if name.endswith("_wan") or "万元" in c:
            return MONEY_FORMAT
        if name.endswith(("_pct", "_rate")) or "%" in c:
            return RATE_FORMAT
        return NUMBER_FORMAT
    if t in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return None if name.endswith("year") or name in ("seq", "row_no", "page") else COUNT_FORMAT
    return None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str | None, str]]:
    return con.execute(
        """
        select column_name, comment, data_type from duckdb_columns()
        where database_name = current_database() and schema_name = 'main' and table_name = ?
        order by column_index
        """,
        [table],
    ).fetchall()


_UNIT = re.compile(r"（(万元|元|%|分|个|秒|字节)）|\((万元|元|%|分)\)")


def _dictionary_rows(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[list]:
    comments = dict(con.execute(
        "select table_name, comment from duckdb_tables() where database_name = current_database() and schema_name = 'main'"
    ).fetchall())
    comments.update(dict(con.execute(
        "select view_name, comment from duckdb_views() where database_name = current_database() and schema_name = 'main'"
    ).fetchall()))
    out = []
    for t in tables:
        for name, comment, dtype in _columns(con, t):
            m = _UNIT.search(comment or "")
            unit = next((g for g in m.groups() if g), None) if m else ("万元" if name.endswith("_wan") else ("%" if name.endswith("_pct") else None))
            out.append([t, comments.get(t) or "", name, dtype, (comment or "").strip(), unit or ""])
    return out


def _write_sheet(wb, con: duckdb.DuckDBPyConnection, table: str, batch: int = 10_000) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    cols = _columns(con, table)
    headers = column_headers(con, table)
    formats = [number_format(name, comment, dtype) for name, comment, dtype in cols]
    ws = wb.create_sheet(title=table[:SHEET_NAME_MAX])
    ws.freeze_panes = "A2"
    select = ", ".join(_ident(name) for name, _ in headers)
    sample = con.execute(f"select {select} from {_ident(table)} limit 2000").fetchall()
    for i, (_, header) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(header, [r[i - 1] for r in sample])
    (n,) = con.execute(f"select count(*) from {_ident(table)}").fetchone()
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    ws.append([_xlsx_value(ws, h) for _, h in headers])
    cur = con.execute(f"select {select} from {_ident(table)}")
    while rows := cur.fetchmany(batch):
        for row in rows:
            cells = []
            for v, fmt in zip(row, formats):
                if fmt and (v is None or isinstance(v, (int, float, Decimal))) and not isinstance(v, bool):
                    cell = WriteOnlyCell(ws, v)
                    cell.number_format = fmt
                    cells.append(cell)
                else:
                    cells.append(_xlsx_value(ws, v))
            ws.append(cells)


DICTIONARY_SHEET = "说明"
DICTIONARY_HEADER = ["表", "表说明", "列", "类型", "中文名", "单位"]
WORKBOOK_NAME = "bpe_marts.xlsx"


def _write_workbook(con: duckdb.DuckDBPyConnection, marts: list[str], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from pipelines import schema

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=DICTIONARY_SHEET)
    ws.freeze_panes = "A2"
    present = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    rows = _dictionary_rows(con, marts + [t for t in schema.LANDED_TABLES if t in present])
    for i, h in enumerate(DICTIONARY_HEADER, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(h, [r[i - 1] for r in rows])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DICTIONARY_HEADER))}{len(rows) + 1}"
    ws.append(DICTIONARY_HEADER)
    for r in rows:
        ws.append([_xlsx_value(ws, v) for v in r])
    for table in marts:
        _write_sheet(wb, con, table)
    with _atomic_target(path) as tmp:
        wb.save(tmp)


def _csv_text_escaped(frame):
    """`frame` with a ' before every text cell that looks like a formula (FORMULA_START); only
    text columns change, so numbers (negative ones too) stay numbers."""
    import polars as pl

    text = [name for name, dtype in frame.schema.items()
            if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))]
    escaped = []
    for name in text:
        col = pl.col(name).cast(pl.String)
        formula = pl.any_horizontal([col.str.starts_with(c) for c in FORMULA_START])
        escaped.append(pl.when(formula).then(pl.lit(QUOTE) + col).otherwise(col).alias(name))
    return frame.with_columns(escaped) if escaped else frame


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """UTF-8 with a byte-order mark (Excel reads a BOM-less CSV as the local code page), by Polars
    from DuckDB's result; decimals keep their scale, nulls are empty, formula-like text gets a
    leading ' (`_csv_text_escaped`)."""
    frame = _csv_text_escaped(con.execute(f"select * from {_ident(table)}").pl())
    with _atomic_target(path) as tmp:
        frame.write_csv(tmp, include_bom=True)


def export(warehouse_path: Path, out_dir: Path, fmt: str) -> list[Path]:
    """Write the marts of the warehouse; returns the paths written.

    fmt: "xlsx" (one workbook `bpe_marts.xlsx`: 说明 + a sheet per mart), "csv" (one file per mart,
    with a BOM) or "parquet" (one file per mart).
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse_path}")
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        return export_from(con, out_dir, fmt)
    finally:
        con.close()


def export_from(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str) -> list[Path]:
    """`export` from an open connection whose current database holds the marts (the warehouse
    file, or the production profile's DuckLake in use)."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    marts = mart_names(con)
    if fmt == "xlsx":
        path = out_dir / WORKBOOK_NAME
        _write_workbook(con, marts, path)
        return [path]
    for table in marts:
        path = out_dir / f"{table}.{fmt}"
        if fmt == "csv":
            _write_csv(con, table, path)
        else:
            _copy(con, table, path, "format parquet, compression zstd")
        written.append(path)
    return written
