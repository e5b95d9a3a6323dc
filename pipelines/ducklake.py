"""The production profile: the lake and the warehouse in one DuckLake (issue #15).

The DuckLake `bpe` keeps its catalog in PostgreSQL (`BPE_PG_DSN`, a libpq keyword string) and its
data files as Parquet under `<data root>/ducklake/`. It holds two schemas:

- `lake`: every landed table of the contract (`schema.LANDED_TABLES`) plus `lake_bucket`, the
  raw-path bucket of the row (`lake.bucket_of`), partitioned by it. Runs on different buckets
  write at once, each replacing its buckets' rows in one transaction (`replace_buckets`).
- `main`: the warehouse, as the embedded `marts/warehouse.duckdb` has it: the landed tables
  (lake_bucket left out), findings with its keywords, and every mart, rebuilt in one
  transaction (`build_marts`); the same tables, columns, comments and values. The connection
  `USE`s it, so the SQL of sql/marts/ and sql/examples/ runs unchanged (but for the full-text
  search, below).

Every commit is a snapshot: `connect(..., as_of=...)` or `snapshot=` reads the lakehouse as it was.

What DuckLake 1.5.5 (extension d8a1881e) does with concurrent writers, seen on PostgreSQL 15:
two inserts into one table both commit; two deletes from one table commit when they touch
different data files (hence the partitioning by lake_bucket); a transaction that inserts into a
table another transaction deleted from since it began fails at commit ("Transaction conflict").
So two `replace_buckets` of different buckets conflict, and the later one runs again on the new
snapshot (`_transaction`), as does a `build_marts` that meets another one. A failed attempt's
Parquet files are removed; N writers committing at once go through one by one (the k-th after
k-1 conflicts). A delete that finds no rows is no conflict.

No full-text index in this profile: DuckLake 1.5.5 stores macros, but not a parameter whose
default is NULL, which the FTS macro match_bm25 has (`fields := NULL`): an untyped NULL fails the
commit ("unsupported type NULL"), a typed one (NULL::VARCHAR) comes back as the string 'NULL',
and NULL::INTEGER leaves a catalog that fails every later statement. So fts_main_findings,
sql/examples/10_fulltext_search_findings.sql and `bpe search` are for the embedded warehouse.

No extension is downloaded: ducklake and postgres_scanner are loaded from the files of their PyPI
wheels (`extension_path`), with automatic installs and loads off. No Dagster in here.
"""

import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, TypeVar

import duckdb
import pyarrow as pa

from pipelines import schema, warehouse
from pipelines.settings import SQL_DIR, Paths

DSN_ENV = "BPE_PG_DSN"
CATALOG = "bpe"  # the name the DuckLake is attached as
LAKE = "lake"  # the schema of the landed tables
BUCKET_COLUMN = "lake_bucket"
BUCKET_COMMENT = "原始文件路径分桶（lake.bucket_of，0–31）"
EXTENSIONS = (  # (wheel package, extension): loaded from the wheel's file, in this order
    ("duckdb_extension_ducklake", "ducklake"),
    ("duckdb_extension_postgres_scanner", "postgres_scanner"),
)
# Transactions run again on a conflict this many times in all. N writers that commit at once
# succeed one by one (the k-th after k-1 conflicts): more attempts than there are buckets.
ATTEMPTS = 40
BACKOFF_SECONDS = 0.05  # the first wait after a conflict; doubled each time (random, up to this)
BACKOFF_CAP_SECONDS = 2.0

T = TypeVar("T")
_SQL = SQL_DIR / "ducklake"
# findings_keywords.sql reads the lake's Parquet; here the same SQL reads the lake schema.
_FINDINGS_SOURCE = "read_parquet(getvariable('lake') || '/findings/*.parquet')"


class CommitConflict(RuntimeError):
    """A transaction met concurrent commits it conflicts with on every one of its attempts."""


# --------------------------------------------------------------------------- connection

def catalog_dsn() -> str | None:
    """The PostgreSQL catalog of the production profile: BPE_PG_DSN (libpq keywords), else None."""
    dsn = os.environ.get(DSN_ENV, "").strip()
    return dsn or None


def data_path(paths: Paths) -> Path:
    """Where the DuckLake keeps its Parquet files: <data root>/ducklake/."""
    return paths.root / "ducklake"


def extension_path(package: str, name: str) -> Path:
    """The file of DuckDB extension `name` inside the PyPI wheel `package`
    (`<package>/extensions/v<duckdb version>/<name>.duckdb_extension`): nothing is downloaded."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package.replace('_', '-')} is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"no {name} extension for DuckDB {duckdb.__version__} at {path}")
    return path


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _snapshot_time(as_of: datetime) -> str:
    """A naive `as_of` is taken as UTC."""
    return (as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)).isoformat()


def attach_options(paths: Paths, *, read_only: bool, as_of: datetime | None, snapshot: int | None) -> str:
    """The options of ATTACH 'ducklake:postgres:…': a writer names the data path (which creates
    the DuckLake, or must be the one its catalog has) and writes no inlined rows; a reader takes
    the catalog's data path; `as_of` / `snapshot` pin a snapshot (read-only)."""
    if as_of is not None and snapshot is not None:
        raise ValueError("as_of or snapshot, not both")
    opts = []
    if read_only:
        opts.append("READ_ONLY")
    else:
        opts += [f"DATA_PATH {_quote(data_path(paths).as_posix() + '/')}", "DATA_INLINING_ROW_LIMIT 0"]
    if as_of is not None:
        opts.append(f"SNAPSHOT_TIME {_quote(_snapshot_time(as_of))}")
    if snapshot is not None:
        opts.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    return ", ".join(opts)


def connect(paths: Paths, dsn: str, *, read_only: bool = False, as_of: datetime | None = None,
            snapshot: int | None = None, allow_files: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake of catalog `dsn` attached as `bpe` and in use (bare
    names are the warehouse's tables; the lake's are `lake.<table>`).

    `as_of` (a time) or `snapshot` (an id) reads the DuckLake as it was then; either makes the
    connection read-only. A read-only connection is locked down (`lock_down`) unless
    `allow_files`. Raises duckdb.Error when the catalog cannot be reached, or a writer's data
    path is not the one the catalog was made with."""
    read_only = read_only or as_of is not None or snapshot is not None
    con = duckdb.connect(config={
        "autoinstall_known_extensions": False, "autoload_known_extensions": False,
        "memory_limit": warehouse.BUILD_MEMORY_LIMIT, "threads": os.cpu_count() or 1,
        "temp_directory": str(Path(tempfile.gettempdir()) / f"bpe-ducklake-{os.getpid()}.tmp"),
    })
    try:
        for package, name in EXTENSIONS:
            con.execute(f"load {_quote(extension_path(package, name).as_posix())}")
        _attach(con, dsn, attach_options(paths, read_only=read_only, as_of=as_of, snapshot=snapshot))
        con.execute(f"use {CATALOG}")
        if read_only and not allow_files:
            lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def _attach(con: duckdb.DuckDBPyConnection, dsn: str, options: str, attempts: int = 6) -> None:
    """ATTACH the DuckLake. The first attach to an empty catalog creates DuckLake's tables in it:
    two processes doing that at once collide in PostgreSQL (one gets "Failed to initialize
    DuckLake … duplicate key value"), and the loser attaches again to the catalog the winner made."""
    sql = f"attach {_quote('ducklake:postgres:' + dsn)} as {CATALOG} ({options})"
    for attempt in range(attempts):
        try:
            con.execute(sql)
            return
        except duckdb.Error as exc:
            text = str(exc)
            racing = "Failed to initialize DuckLake" in text and ("duplicate key" in text or "already exists" in text)
            if not racing or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0.05, 0.2 * 2 ** attempt))


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """`warehouse.lock_down` for a DuckLake reader: no file outside the DuckLake's data path, no
    ATTACH of files elsewhere, no INSTALL or LOAD, configuration locked.

    The data path itself stays open (DuckDB reads the DuckLake's Parquet through the same file
    access): SQL on this connection can also read, and COPY … TO, files under it; and the catalog
    is a PostgreSQL database that postgres_execute() reaches past READ_ONLY. Analysts need a
    PostgreSQL role that can only SELECT and a data path they cannot write (see the report of
    issue #15)."""
    folder = con.execute(f"select data_path from ducklake_settings({_quote(CATALOG)})").fetchone()[0]
    con.execute(f"set allowed_directories = [{_quote(folder)}]")
    warehouse.lock_down(con)


# --------------------------------------------------------------------------- transactions

def _is_conflict(exc: BaseException) -> bool:
    """DuckLake refusing a commit because of a concurrent one (its own retries exhausted)."""
    text = str(exc)
    return isinstance(exc, duckdb.Error) and (
        "Transaction conflict" in text or "conflict" in text.lower() and "commit" in text.lower()
        or "duplicate key value violates unique constraint" in text)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("rollback")
    except duckdb.Error:  # a failed commit has already ended the transaction
        pass


def _backoff(attempt: int) -> None:
    """A random wait of up to BACKOFF_SECONDS·2^attempt (at most BACKOFF_CAP_SECONDS)."""
    time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2 ** attempt)))


def _committed(con: duckdb.DuckDBPyConnection) -> int | None:
    """The snapshot this connection's last commit made (None before its first)."""
    return con.execute(f"select id from {CATALOG}.last_committed_snapshot()").fetchone()[0]


def _transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T], message: str,
                 attempts: int = ATTEMPTS) -> tuple[T, int]:
    """Run `work` in one transaction (one snapshot, its commit message `message`); on a conflict
    with a concurrent commit run it all again, after a random wait that doubles each time, up to
    `attempts` times in all (then CommitConflict). Returns what `work` returned and the snapshot
    the commit made (the current one when it changed nothing: DuckLake then makes none)."""
    for attempt in range(attempts):
        before = _committed(con)
        con.execute("begin")
        try:
            result = work()
            con.execute(f"call {CATALOG}.set_commit_message('bpe', {_quote(message)})")
            con.execute("commit")
            made = _committed(con)
            return result, made if made is not None and made != before else last_snapshot(con)
        except duckdb.Error as exc:
            _rollback(con)
            if not _is_conflict(exc):
                raise
            if attempt == attempts - 1:
                raise CommitConflict(f"{message}: still conflicting after {attempts} attempts: {exc}") from exc
            _backoff(attempt)
        except BaseException:
            _rollback(con)
            raise
    raise AssertionError("unreachable")


def last_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The newest snapshot id of the DuckLake (the one this connection reads, when pinned)."""
    return con.execute(f"select id from {CATALOG}.current_snapshot()").fetchone()[0]


# --------------------------------------------------------------------------- the lake

def _read_sql(name: str) -> str:
    return (_SQL / name).read_text(encoding="utf-8")


def _existing(con: duckdb.DuckDBPyConnection, schema_name: str) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where database_name = ? and schema_name = ?",
                       [CATALOG, schema_name]).fetchall()
    return {r[0] for r in rows}


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The contract's columns of `table` with the DuckDB types of its Arrow schema (the types the
    embedded warehouse gets from the lake's Parquet)."""
    rel = con.from_arrow(schema.arrow_schema(table).empty_table())
    return {name: str(typ) for name, typ in zip(rel.columns, rel.types)}


def _lake_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The columns of every table of the lake schema."""
    rows = con.execute("select table_name, column_name from duckdb_columns() where database_name = ? and schema_name = ?",
                       [CATALOG, LAKE]).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _to_do(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, list[schema.Column]]]:
    """The landed tables the lake lacks, and the contract's columns its tables lack."""
    have = _lake_columns(con)
    tables = [t for t in schema.LANDED_TABLES if t not in have]
    columns = {t: [c for c in schema.TABLES[t][1] if c.name not in have[t]] for t in schema.LANDED_TABLES if t in have}
    return tables, {t: cs for t, cs in columns.items() if cs}


def _comment_sql(table: str, column: schema.Column) -> str:
    return f"comment on column {LAKE}.{table}.{column.name} is {_quote(column.comment)}"


def _create_lake_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    comment, cols = schema.TABLES[table]
    types = _column_types(con, table)
    ddl = ", ".join([f'"{name}" {typ}' for name, typ in types.items()] + [f"{BUCKET_COLUMN} SMALLINT"])
    con.execute(f"create table {LAKE}.{table} ({ddl})")
    con.execute(f"alter table {LAKE}.{table} set partitioned by ({BUCKET_COLUMN})")
    statements = [f"comment on table {LAKE}.{table} is {_quote(comment)}"] + [_comment_sql(table, c) for c in cols]
    statements.append(f"comment on column {LAKE}.{table}.{BUCKET_COLUMN} is {_quote(BUCKET_COMMENT)}")
    con.execute(";\n".join(statements))


def _add_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[schema.Column]) -> None:
    """Columns added to the contract since the table was made (null in the rows already landed)."""
    types = _column_types(con, table)
    for c in columns:
        con.execute(f'alter table {LAKE}.{table} add column "{c.name}" {types[c.name]}')
        con.execute(_comment_sql(table, c))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the lake schema and every landed table that is missing (the contract's columns and
    types, lake_bucket, partitioned by it, commented), add the columns the contract gained since,
    and turn data inlining off for good (the rows are Parquet files under the data path). Safe
    when several processes call it at once: a conflicting create runs again and finds the table
    made. Returns what it made: tables, and columns as `table.column`."""
    def work() -> list[str]:
        con.execute(f"create schema if not exists {LAKE}")
        tables, columns = _to_do(con)
        for t in tables:
            _create_lake_table(con, t)
        for t, cs in columns.items():
            _add_columns(con, t, cs)
        if tables:
            con.execute(f"call {CATALOG}.set_option('data_inlining_row_limit', 0)")
        return tables + [f"{t}.{c.name}" for t, cs in columns.items() for c in cs]

    if _to_do(con) == ([], {}):
        return []
    return _transaction(con, work, "create the lake's tables")[0]


def bucket_entries(entries: list) -> dict[int, list]:
    """Inventory entries (`lake.Entry`) by raw-path bucket, in their order; every bucket is present."""
    from pipelines import lake

    out: dict[int, list] = {b: [] for b in range(lake.N_BUCKETS)}
    for e in entries:
        out[lake.bucket_of(e.rel_path)].append(e)
    return out


def _with_bucket(table: str, arrow: pa.Table, bucket: int) -> pa.Table:
    """`arrow` checked against the contract's schema of `table`, with its lake_bucket column."""
    expected = schema.arrow_schema(table)
    if not arrow.schema.equals(expected):
        try:
            arrow = arrow.select(expected.names).cast(expected)
        except (KeyError, pa.ArrowException) as exc:
            raise ValueError(f"bucket {bucket}: {table} does not have the contract's columns: {exc}") from exc
    return arrow.append_column(BUCKET_COLUMN, pa.array([bucket] * len(arrow), pa.int16()))


def _incoming(tables_by_bucket: dict[int, dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """One Arrow table per landed table: the rows of every bucket, each with its lake_bucket."""
    from pipelines import lake

    for b, tables in tables_by_bucket.items():
        if not (isinstance(b, int) and 0 <= b < lake.N_BUCKETS):
            raise ValueError(f"not a bucket: {b!r}")
        if set(tables) != set(schema.LANDED_TABLES):
            raise ValueError(f"bucket {b}: tables {sorted(tables)} are not the landed tables {schema.LANDED_TABLES}")
    return {t: pa.concat_tables([_with_bucket(t, tables[t], b) for b, tables in sorted(tables_by_bucket.items())])
            for t in schema.LANDED_TABLES}


def replace_buckets(con: duckdb.DuckDBPyConnection, tables_by_bucket: dict[int, dict[str, pa.Table]],
                    attempts: int = ATTEMPTS) -> int:
    """Replace the rows of the given buckets in every landed table of the lake (bucket -> table ->
    its Arrow rows, e.g. `lake.bucket_tables`; an empty table empties the bucket) in one
    transaction, run again on a conflict with a concurrent writer. Returns the new snapshot id."""
    incoming = _incoming(tables_by_bucket)
    buckets = ", ".join(str(b) for b in sorted(tables_by_bucket))
    delete_sql, insert_sql = _read_sql("bucket_delete.sql"), _read_sql("bucket_insert.sql")

    def work() -> None:
        for t in schema.LANDED_TABLES:
            con.execute(delete_sql.replace("{table}", t).replace("{buckets}", buckets))
            if incoming[t].num_rows:
                con.register("incoming", incoming[t])
                try:
                    con.execute(insert_sql.replace("{table}", t))
                finally:
                    con.unregister("incoming")

    if not tables_by_bucket:
        return last_snapshot(con)
    return _transaction(con, work, f"replace buckets {buckets}", attempts)[1]


# --------------------------------------------------------------------------- the warehouse

def _build(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's tables from the lake schema, in the caller's transaction: the landed
    tables, findings with its keywords, then every mart in dependency order, and the landed
    tables' comments. Not the full-text index (fts_main_findings): its macro match_bm25 has a
    NULL default (`fields := NULL`), which DuckLake 1.5.5 cannot store (see the module's doc)."""
    copy_sql = _read_sql("warehouse_table.sql")
    for t in schema.LANDED_TABLES:
        if t != "findings":
            con.execute(copy_sql.replace("{table}", t))
    keywords = warehouse.read_sql(SQL_DIR / "warehouse" / "findings_keywords.sql")
    if _FINDINGS_SOURCE not in keywords:
        raise RuntimeError("findings_keywords.sql no longer reads the lake's findings as ducklake.py expects")
    con.execute(keywords.replace(_FINDINGS_SOURCE, f"(select * exclude ({BUCKET_COLUMN}) from {LAKE}.findings)"))
    for path in warehouse.MART_FILES:
        con.execute(warehouse.read_sql(path))
    warehouse.comment_landed_tables(con)


def build_marts(con: duckdb.DuckDBPyConnection, attempts: int = ATTEMPTS) -> dict[str, int]:
    """Rebuild the warehouse (schema main) from the lake in one transaction (one snapshot), run
    again when a concurrent build commits first. Returns the row counts of every mart and landed
    table of the warehouse, and `snapshot`, the id of the snapshot it made."""
    snapshot = _transaction(con, lambda: _build(con), "build the warehouse", attempts)[1]
    return {**row_counts(con, "warehouse"), "snapshot": snapshot}


# --------------------------------------------------------------------------- reading

def snapshots(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every snapshot, oldest first: id, time, changes (what it changed), author, message."""
    rel = con.sql(_read_sql("snapshots.sql"))
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def row_counts(con: duckdb.DuckDBPyConnection, layer: str = "lake") -> dict[str, int]:
    """Rows of every table that exists: layer "lake", the landed tables of the lake schema;
    "warehouse", the marts and landed tables of the warehouse (as `warehouse.table_counts`)."""
    if layer == "lake":
        names, prefix, have = schema.LANDED_TABLES, f"{LAKE}.", _existing(con, LAKE)
    elif layer == "warehouse":
        names, prefix, have = warehouse.MARTS + schema.LANDED_TABLES, "main.", _existing(con, "main")
    else:
        raise ValueError(f"layer is 'lake' or 'warehouse', not {layer!r}")
    return {t: con.execute(f"select count(*) from {prefix}{t}").fetchone()[0] for t in names if t in have}


def bucket_counts(con: duckdb.DuckDBPyConnection, table: str = "documents") -> dict[int, int]:
    """Rows of a landed table of the lake by bucket (buckets without rows left out)."""
    if table not in schema.TABLES:
        raise ValueError(f"not a landed table: {table!r}")
    rows = con.execute(f"select {BUCKET_COLUMN}, count(*) from {LAKE}.{table} group by all order by 1").fetchall()
    return dict(rows)


# --------------------------------------------------------------------------- maintenance

def maintain(con: duckdb.DuckDBPyConnection, keep: timedelta = timedelta(days=7)) -> dict[str, int]:
    """Expire the snapshots older than `keep` (time travel reaches back that far, no further),
    delete the data files they alone used once scheduled for longer than `keep`, and merge small
    adjacent files. Run it from one process at a time (writers may run meanwhile). Returns what
    it did."""
    if keep < timedelta(0):
        raise ValueError("keep must not be negative")
    cutoff = f"now() - interval '{int(keep.total_seconds())} seconds'"
    expired = _call(con, f"call ducklake_expire_snapshots({_quote(CATALOG)}, older_than => {cutoff})")
    removed = _call(con, f"call ducklake_cleanup_old_files({_quote(CATALOG)}, older_than => {cutoff})")
    merged = _call(con, f"call ducklake_merge_adjacent_files({_quote(CATALOG)})")
    return {"snapshots_expired": len(expired), "files_removed": len(removed), "merges": len(merged)}


def _call(con: duckdb.DuckDBPyConnection, sql: str, attempts: int = ATTEMPTS) -> list[tuple]:
    """A maintenance function (it commits by itself), run again when a writer's commit conflicts
    with it (merging files of a table a writer deleted from)."""
    for attempt in range(attempts):
        try:
            return con.execute(sql).fetchall()
        except duckdb.Error as exc:
            if not _is_conflict(exc) or attempt == attempts - 1:
                raise
            _backoff(attempt)
    raise AssertionError("unreachable")

