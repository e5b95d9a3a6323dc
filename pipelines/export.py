"""Export every mart of the warehouse (tables and views named `mart_*`) to xlsx, csv or parquet.

One file per mart, `<out_dir>/<mart>.<fmt>`, each written under a temporary name and renamed
into place, so a reader never sees half a file.

- xlsx (openpyxl, write-only mode): one sheet named after the mart; the header row holds the
  Chinese column comments (`COMMENT ON COLUMN`, as in `duckdb_columns().comment`), falling back
  to the column name; a comment used by two columns gets the column name appended. Numbers stay
  numbers (DECIMAL → number, BOOLEAN → TRUE/FALSE), text stays text even when it starts with
  "=" (no formula injection from report titles), lists are joined with "、".
- csv (DuckDB COPY): UTF-8, header row with the contract's column names.
- parquet (DuckDB COPY): contract column names and types (DECIMAL stays DECIMAL).

The warehouse is opened read-only, so an export never blocks or disturbs a rebuild.
"""

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb

FORMATS = ("xlsx", "csv", "parquet")
MART_PREFIX = "mart_"
SHEET_NAME_MAX = 31  # Excel's limit


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the main schema whose name starts with `mart_`, sorted."""
    rows = con.execute(
        """
        select table_name from information_schema.tables
        where table_catalog = current_database() and table_schema = 'main'
          and starts_with(table_name, ?)
        order by table_name
        """,
        [MART_PREFIX],
    ).fetchall()
    return [r[0] for r in rows]


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
        return cell
    return value


def _width(header: str) -> float:
    # CJK characters are about two Latin characters wide in Excel's default font.
    return min(60.0, max(10.0, sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 2.0))


def _write_xlsx(con: duckdb.DuckDBPyConnection, table: str, path: Path, batch: int = 10_000) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    headers = column_headers(con, table)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=table[:SHEET_NAME_MAX])
    ws.freeze_panes = "A2"
    for i, (_, header) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(header)
    ws.append([_xlsx_value(ws, h) for _, h in headers])
    cols = ", ".join(_ident(name) for name, _ in headers)
    cur = con.execute(f"select {cols} from {_ident(table)}")
    while rows := cur.fetchmany(batch):
        for row in rows:
            ws.append([_xlsx_value(ws, v) for v in row])
    with _atomic_target(path) as tmp:
        wb.save(tmp)


def export(warehouse_path: Path, out_dir: Path, fmt: str) -> list[Path]:
    """Write every mart of the warehouse to `out_dir/<mart>.<fmt>`; returns the paths written.

    fmt: "xlsx" (Chinese headers from the column comments), "csv" or "parquet" (column names).
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse_path}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        for table in mart_names(con):
            path = out_dir / f"{table}.{fmt}"
            if fmt == "xlsx":
                _write_xlsx(con, table, path)
            elif fmt == "csv":
                _copy(con, table, path, "format csv, header true")
            else:
                _copy(con, table, path, "format parquet, compression zstd")
            written.append(path)
    finally:
        con.close()
    return written
