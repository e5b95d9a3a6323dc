"""lake/ -> marts/warehouse.duckdb, rebuilt in a temporary file and swapped in atomically.

An analyst's open read-only connection keeps reading the old file; new connections see
the new one; a crash before the swap leaves the previous warehouse untouched.
"""

import hashlib
import os
import re
import shutil
from pathlib import Path

import duckdb

from pipelines import schema
from pipelines.atomic import remove_tree
from pipelines.settings import EXTRACTOR_VERSION, SQL_DIR, Paths

BUILD_MEMORY_LIMIT = "700MB"
_MART_SQL_FILES = sorted((SQL_DIR / "marts").glob("*.sql"))


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def sql_tables(sql: str, known: set[str]) -> set[str]:
    """The tables (of `known`) a SQL text reads: names after FROM or JOIN. (A CTE that shadows a
    table, `with reports as (select * from reports)`, reads that table.)"""
    body = _strip_comments(sql).lower()
    return set(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", body)) & known


def _mart_order(files: list[Path]) -> list[Path]:
    """Marts in dependency order: a mart that reads another is built after it."""
    names = {f.stem: f for f in files}
    deps = {n: sql_tables(f.read_text(encoding="utf-8"), set(names)) - {n} for n, f in names.items()}
    order: list[str] = []
    while len(order) < len(names):
        ready = sorted(n for n in names if n not in order and deps[n] <= set(order))
        if not ready:
            raise RuntimeError(f"marts that read each other in a cycle: {sorted(set(names) - set(order))}")
        order.extend(ready)
    return [names[n] for n in order]


MART_FILES = _mart_order(_MART_SQL_FILES)  # in the order they are built
MARTS = [p.stem for p in MART_FILES]


def mart_reads(mart: str) -> set[str]:
    """The landed tables and marts a mart's SQL reads (its upstream in the asset graph)."""
    sql = (SQL_DIR / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
    return sql_tables(sql, set(schema.LANDED_TABLES) | set(MARTS)) - {mart}


def mart_comment(mart: str) -> str | None:
    """The Chinese comment a mart's SQL gives its table (COMMENT ON TABLE … IS '…')."""
    sql = (SQL_DIR / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
    m = re.search(rf"comment\s+on\s+table\s+{mart}\s+is\s+'((?:[^']|'')*)'", sql, re.IGNORECASE)
    return m.group(1).replace("''", "'") if m else None


def read_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def comment_landed_tables(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON the landed tables from the contract in `schema.py` (our constants, not data)."""
    for table, (table_comment, cols) in schema.TABLES.items():
        con.execute(f"comment on table {table} is {_quote(table_comment)}")
        for c in cols:
            con.execute(f"comment on column {table}.{c.name} is {_quote(c.comment)}")


def fts_extension_path() -> Path:
    """The FTS extension file shipped in the `duckdb-extension-fts` wheel (no download at run time)."""
    import importlib.util

    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("duckdb-extension-fts is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"no FTS extension for DuckDB {duckdb.__version__} at {path}")
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"load {_quote(fts_extension_path().as_posix())}")


def build_into(con: duckdb.DuckDBPyConnection, lake: Path) -> dict[str, int]:
    con.execute("set variable lake = ?", [lake.as_posix()])
    con.execute(read_sql(SQL_DIR / "warehouse" / "landed_tables.sql"))
    comment_landed_tables(con)
    con.execute(read_sql(SQL_DIR / "warehouse" / "findings_keywords.sql"))
    comment_landed_tables(con)  # findings was recreated with its keywords
    load_fts(con)
    con.execute(read_sql(SQL_DIR / "warehouse" / "findings_fts.sql"))
    counts = {}
    for path in MART_FILES:
        con.execute(read_sql(path))
        counts[path.stem] = con.execute(f"select count(*) from {path.stem}").fetchone()[0]
    for t in schema.LANDED_TABLES:
        counts[t] = con.execute(f"select count(*) from {t}").fetchone()[0]
    return counts


def code_signature() -> str:
    """What a build takes besides the lake: every SQL file, the DuckDB version and the extractor's."""
    h = hashlib.sha256(f"{duckdb.__version__}:{EXTRACTOR_VERSION}".encode())
    for f in sorted(SQL_DIR.rglob("*.sql")):
        if "examples" not in f.parts:
            h.update(f.relative_to(SQL_DIR).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def build_signature(paths: Paths) -> str:
    """The lake's content plus every SQL file and the DuckDB version: same signature, same warehouse."""
    from pipelines.lake import lake_signature

    h = hashlib.sha256(f"{lake_signature(paths)}:{duckdb.__version__}:{EXTRACTOR_VERSION}".encode())
    for f in sorted(SQL_DIR.rglob("*.sql")):
        if "examples" not in f.parts:
            h.update(f.relative_to(SQL_DIR).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def current_signature(paths: Paths) -> str | None:
    if not paths.warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            return con.execute("select signature from bpe_build_info").fetchone()[0]
        finally:
            con.close()
    except duckdb.Error:
        return None


def table_counts(paths: Paths) -> dict[str, int]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in MARTS + schema.LANDED_TABLES}
    finally:
        con.close()


def build_warehouse(paths: Paths, force: bool = False) -> dict[str, int]:
    """Rebuild the warehouse from the lake, unless it was already built from this very lake and
    SQL (a no-op run). Returns row counts of every table, plus `rebuilt` (1 or 0)."""
    target = paths.warehouse
    signature = build_signature(paths)
    if not force and current_signature(paths) == signature:
        return {**table_counts(paths), "rebuilt": 0}
    target.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a run that was killed mid-build (callers hold the run lock, so none is live):
    # the temporary database, its WAL, and DuckDB's spill folder (`<database>.tmp/`, a tree).
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
        remove_tree(stale)
    check_disk_space(paths)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # Bounded memory: DuckDB spills to disk beyond this instead of taking 80% of the machine.
        con = duckdb.connect(
            str(tmp),
            config={"memory_limit": BUILD_MEMORY_LIMIT, "threads": os.cpu_count() or 1, "preserve_insertion_order": False},
        )
        try:
            counts = build_into(con, paths.lake)
            con.execute(read_sql(SQL_DIR / "warehouse" / "build_info.sql"), [signature, EXTRACTOR_VERSION])
            con.execute("comment on table bpe_build_info is '建仓信息：由哪个数据湖和哪版SQL构建'")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        for left in (tmp, Path(str(tmp) + ".wal"), Path(str(tmp) + ".tmp")):
            remove_tree(left)
    return {**counts, "rebuilt": 1}


# A build writes a new database beside the old one and may spill to disk while it builds:
# about 2.5 times the size of the lake's Parquet (the old warehouse stays until the new one is in place).
SPACE_FACTOR = 2.5
MIN_FREE_BYTES = 16 << 20


class NotEnoughDisk(RuntimeError):
    """Not enough free disk for a build: the last warehouse is kept."""


def space_needed(paths: Paths) -> int:
    lake = sum(f.stat().st_size for f in paths.lake.glob("*/*.parquet")) if paths.lake.exists() else 0
    old = paths.warehouse.stat().st_size if paths.warehouse.exists() else 0
    return int(SPACE_FACTOR * max(lake, old)) + MIN_FREE_BYTES


def check_disk_space(paths: Paths) -> None:
    """Refuse (NotEnoughDisk) before building when the disk has less free space than a build needs
    (`space_needed`); BPE_SKIP_DISK_CHECK=1 skips the check."""
    if os.environ.get("BPE_SKIP_DISK_CHECK", "").strip() in ("1", "yes", "true"):
        return
    need, free = space_needed(paths), shutil.disk_usage(paths.marts).free
    if free < need:
        raise NotEnoughDisk(
            f"磁盘空间不足：构建需要约 {need / 2**20:.0f} MiB，可用 {free / 2**20:.0f} MiB；上次的仓库保持不变 / "
            f"not enough disk space for a build: about {need / 2**20:.0f} MiB needed, {free / 2**20:.0f} MiB free "
            f"on {paths.marts}; the last warehouse is kept")


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """From here on the connection reads its own database and nothing else: no COPY … TO, no
    read_csv / read_parquet / glob of other files, no ATTACH, INSTALL or LOAD, no network; and the
    configuration is locked, so `SET enable_external_access = true` (or any SET) is refused."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


# What DuckDB says when a locked-down connection refuses something (see `lock_down`).
REFUSED_MARKERS = ("disabled by configuration", "disabled through configuration", "configuration has been locked")


def refused_by_lock(exc: BaseException) -> bool:
    """True when `exc` is DuckDB refusing file access (or a SET) on a `lock_down` connection."""
    return any(m in str(exc) for m in REFUSED_MARKERS)


def connect_read_only(paths: Paths, fts: bool = False, allow_files: bool = False) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, for analysts' SQL (`bpe query`, `bpe search`, …) and the
    project's own readers.

    By default the connection can read the warehouse and nothing else (`lock_down`): SQL typed by
    an analyst, or pasted from somewhere, cannot write or read other files, attach databases or
    install extensions. `fts=True` loads the FTS extension from its wheel first (loading needs
    file access, so it happens before the lock). `allow_files=True` (`--allow-files`) leaves file
    access on and the configuration unlocked, as a plain read-only DuckDB connection.
    """
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        if fts:
            load_fts(con)
        if not allow_files:
            lock_down(con)
    except BaseException:
        con.close()
        raise
    return con
