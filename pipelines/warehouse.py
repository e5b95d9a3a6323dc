"""lake/ -> marts/warehouse.duckdb, rebuilt in a temporary file and swapped in atomically.

An analyst's open read-only connection keeps reading the old file; new connections see
the new one; a crash before the swap leaves the previous warehouse untouched.

The temporary file is either built afresh from the lake (`build_into`), or, when a few lake parts
changed since the last build (one file added, changed or removed), it starts as a copy of the
last warehouse and is brought up to date (`plan_update`, `update_into`): the rows of the changed
parts are swapped, and only what depends on them is built again. Both give the same tables,
columns, comments and values (tests/test_warehouse_build.py compares them). What an update
needs to know about the last build is kept in <data root>/.state/warehouse_build.json.
"""

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines import schema
from pipelines.atomic import read_json_dict, remove_tree
from pipelines.settings import EXTRACTOR_VERSION, SQL_DIR, Paths

BUILD_MEMORY_LIMIT = "700MB"


# Rows per row group of the warehouse's tables (DuckDB's default is 122,880). DuckDB scans and
# compresses a table one row group per thread: findings (62,500 rows at 10,000 reports) in one row
# group was read, indexed and written on one core.
ROW_GROUP_SIZE = 32768
BUILD_DB = "warehouse_build"  # the name the build gives the database it writes


def build_config() -> dict:
    """The settings of the connection that builds the warehouse."""
    return {
        # Bounded memory: DuckDB spills to disk beyond this instead of taking 80% of the machine.
        "memory_limit": BUILD_MEMORY_LIMIT,
        "threads": os.cpu_count() or 1,
        "preserve_insertion_order": False,
        # A statement that writes a table checkpoints it into the file when it commits, instead of
        # logging it to the WAL for a later statement to checkpoint (findings alone made 80 MB of
        # WAL: every row written twice).
        "checkpoint_threshold": "1MB",
    }


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
    statements = []
    for table, (table_comment, cols) in schema.TABLES.items():
        statements.append(f"comment on table {table} is {_quote(table_comment)}")
        statements += [f"comment on column {table}.{c.name} is {_quote(c.comment)}" for c in cols]
    con.execute(";\n".join(statements))


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
    """Every table of the warehouse from the lake folder `lake` (a full build)."""
    con.execute("set variable lake = ?", [lake.as_posix()])
    con.execute(read_sql(SQL_DIR / "warehouse" / "landed_tables.sql"))
    _build_findings(con)
    return _finish(con, MART_FILES)


def _build_findings(con: duckdb.DuckDBPyConnection) -> None:
    """findings with its keywords (over all findings), then its full-text index (which numbers
    the findings by their rowid: findings must be committed first, as it is in autocommit)."""
    con.execute(read_sql(SQL_DIR / "warehouse" / "findings_keywords.sql"))
    load_fts(con)
    con.execute(read_sql(SQL_DIR / "warehouse" / "findings_fts.sql"))


def _finish(con: duckdb.DuckDBPyConnection, marts: list[Path]) -> dict[str, int]:
    """The marts `marts` and the landed tables' comments, in one transaction (each of their ~350
    statements would otherwise commit on its own), and the row counts of every table."""
    con.execute("begin")
    for path in marts:
        con.execute(read_sql(path))
    comment_landed_tables(con)
    con.execute("commit")
    return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in MARTS + schema.LANDED_TABLES}


class NotUpdatable(Exception):
    """The copy of the last warehouse cannot be brought up to date exactly: build it afresh."""


def _parquet_rows(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return [r[:2] for r in con.execute(f"describe {relation}").fetchall()]


def update_into(con: duckdb.DuckDBPyConnection, lake: Path, changes: dict[str, tuple[list[Path], list[Path]]]) -> dict[str, int]:
    """Bring a copy of the last warehouse up to date with the lake folder `lake`, given the lake
    parts that changed since it was built (`changes`: table -> (its old parts, its new parts), see
    `plan_update`). The result has the same tables, rows and values as a full build (`build_into`):

    - a landed table trades the rows of its old parts for those of its new ones (part_delete.sql,
      part_insert.sql); the landed tables keep no row order (a full build reads the parts in
      parallel, in no fixed order either);
    - findings, its keywords (TF-IDF over all findings) and its full-text index are built afresh
      from the lake when a findings part changed, and kept otherwise;
    - a mart is built again when a table it reads changed (`mart_reads`), and kept otherwise.

    Raises NotUpdatable when a part's rows are not found exactly once in the copy, or a new
    part's columns differ from the table's."""
    con.execute("set variable lake = ?", [lake.as_posix()])
    delete_sql = read_sql(SQL_DIR / "warehouse" / "part_delete.sql")
    insert_sql = read_sql(SQL_DIR / "warehouse" / "part_insert.sql")
    changed: set[str] = set()
    con.execute("begin")
    for t in schema.LANDED_TABLES:
        if t == "findings" or t not in changes:
            continue
        old, new = changes[t]
        if old:
            con.execute("set variable old_parts = ?", [[f.as_posix() for f in old]])
            gone = con.execute(delete_sql.replace("{table}", t)).fetchone()[0]
            if gone != _parquet_rows(old):
                raise NotUpdatable(f"{t}: {gone} rows deleted for {_parquet_rows(old)} in the old parts")
        if new:
            con.execute("set variable new_parts = ?", [[f.as_posix() for f in new]])
            if _columns(con, "select * from read_parquet(getvariable('new_parts'))") != _columns(con, t):
                raise NotUpdatable(f"{t}: the new parts' columns differ from the table's")
            con.execute(insert_sql.replace("{table}", t))
        changed.add(t)
    con.execute("commit")
    if "findings" in changes:
        _build_findings(con)
        changed.add("findings")
    marts = []
    for path in MART_FILES:
        if mart_reads(path.stem) & changed:
            marts.append(path)
            changed.add(path.stem)
    return _finish(con, marts)


def _build_sql_files() -> list[Path]:
    """The SQL files a build of this warehouse executes: sql/warehouse/ and sql/marts/ (not the
    examples, the search queries or the production profile's sql/ducklake/, whose changes leave
    this warehouse as it is: a no-op run stays a no-op)."""
    return sorted(f for d in ("warehouse", "marts") for f in (SQL_DIR / d).rglob("*.sql"))


def _sql_hash(h) -> None:
    for f in _build_sql_files():
        h.update(f.relative_to(SQL_DIR).as_posix().encode() + b"\0" + f.read_bytes())


def code_signature() -> str:
    """What a build takes besides the lake: its SQL files, the DuckDB version and the extractor's."""
    h = hashlib.sha256(f"{duckdb.__version__}:{EXTRACTOR_VERSION}".encode())
    _sql_hash(h)
    return h.hexdigest()


def build_signature(paths: Paths) -> str:
    """The lake's content plus the build's SQL files and the DuckDB version: same signature, same warehouse."""
    from pipelines.lake import lake_signature

    h = hashlib.sha256(f"{lake_signature(paths)}:{duckdb.__version__}:{EXTRACTOR_VERSION}".encode())
    _sql_hash(h)
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


# --------------------------------------------------------------------------- updates

# What lets the next build start from this warehouse (`plan_update`), kept beside the run's other
# state: the warehouse's signature and file, the lake generation it was built from and the stamp
# (inode, size, mtime) of every part it read.
BUILD_STATE = "warehouse_build.json"
MAX_UPDATES = 20  # a full build after this many updates in a row (the file stays compact)
MAX_CHANGED_SHARE = 0.25  # more of the lake's parts changed than this: a full build is as quick


def _state_path(paths: Paths) -> Path:
    return paths.state / BUILD_STATE


def _update_key() -> str:
    """What an update takes from the code besides the SQL: the builder, the contract, the lake's layout."""
    from pipelines import lake

    h = hashlib.sha256(f"{code_signature()}:{lake.LAKE_FORMAT}".encode())
    for f in (Path(__file__), Path(schema.__file__)):
        h.update(f.read_bytes())
    return h.hexdigest()


def lake_generation(paths: Paths) -> Path:
    """The folder the lake link points at (a build reads that one, whatever the link does meanwhile)."""
    return Path(os.path.realpath(paths.lake))


def _is_generation(paths: Paths, folder: Path) -> bool:
    """A generation folder of the lake: written once by `lake.land`, never changed afterwards."""
    from pipelines import lake

    return folder.parent == Path(os.path.realpath(paths.root / lake.GENERATIONS)) and folder.is_dir()


def _stamp(f: Path) -> list[int]:
    st = f.stat()
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def lake_parts(folder: Path) -> dict[str, dict[str, list[int]]]:
    """The stamp of every part of every landed table under a lake folder."""
    out: dict[str, dict[str, list[int]]] = {}
    for t in schema.LANDED_TABLES:
        d = folder / t
        out[t] = {f.name: _stamp(f) for f in sorted(d.glob("*.parquet"))} if d.is_dir() else {}
    return out


def _record_build(paths: Paths, signature: str, lake_dir: Path, updates: int) -> None:
    from pipelines.atomic import atomic_write_bytes

    state = {
        "signature": signature,
        "key": _update_key(),
        "lake": str(lake_dir) if _is_generation(paths, lake_dir) else None,
        "parts": lake_parts(lake_dir),
        "warehouse": _stamp(paths.warehouse),
        "updates": updates,
    }
    atomic_write_bytes(_state_path(paths), json.dumps(state, sort_keys=True).encode())


def _read_state(paths: Paths) -> dict:
    return read_json_dict(_state_path(paths))


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def plan_update(paths: Paths, lake_dir: Path) -> dict[str, tuple[list[Path], list[Path]]] | None:
    """The lake parts that changed since the last build, when the warehouse can be brought up to
    date from a copy of itself (`update_into`): table -> (its parts the last build read, its parts
    now). None when it cannot, or a full build would be as quick: no record of the last build, or
    the warehouse file is not the one it wrote (another program wrote to it), another version of
    the code, a lake folder that is not a generation, the last build's generation gone or changed,
    no part changed, more than MAX_CHANGED_SHARE of the parts changed, or MAX_UPDATES updates in a row."""
    state = _read_state(paths)
    wh = paths.warehouse
    if not state.get("lake") or state.get("key") != _update_key() or state.get("updates", MAX_UPDATES) >= MAX_UPDATES:
        return None
    if not wh.is_file() or Path(f"{wh}.wal").exists() or _stamp(wh) != state.get("warehouse"):
        return None
    if current_signature(paths) != state.get("signature"):
        return None
    old_dir = Path(state["lake"])
    if old_dir == lake_dir or not _is_generation(paths, old_dir) or not _is_generation(paths, lake_dir):
        return None
    old_parts = state.get("parts")
    if not isinstance(old_parts, dict) or lake_parts(old_dir) != old_parts:
        return None  # a part the last build read was removed or rewritten since
    new_parts = lake_parts(lake_dir)
    changes: dict[str, tuple[list[Path], list[Path]]] = {}
    changed_names: set[str] = set()
    for t in schema.LANDED_TABLES:
        old_t, new_t = old_parts.get(t, {}), new_parts[t]
        olds, news = [], []
        for name in sorted(set(old_t) | set(new_t)):
            o = old_dir / t / name if name in old_t else None
            n = lake_dir / t / name if name in new_t else None
            if o and n and (old_t[name][0] == new_t[name][0] or _same_bytes(o, n)):
                continue  # the same file (a hard link to the last generation's), or the same bytes
            if (o is None or n is None) and _parquet_rows([o or n]) == 0:
                continue  # a part without rows where there was none, or the reverse
            olds += [o] if o else []
            news += [n] if n else []
            changed_names.add(name)
        if olds or news:
            changes[t] = (olds, news)
    all_names = {n for parts in (*old_parts.values(), *new_parts.values()) for n in parts}
    if not changes or len(changed_names) > MAX_CHANGED_SHARE * max(len(all_names), 1):
        return None
    return changes


def _remove_db(path: Path) -> None:
    for left in (path, Path(f"{path}.wal"), Path(f"{path}.tmp")):
        remove_tree(left)


def connect_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that writes the database file `path` (created if missing), with the
    warehouse's row group size; DuckDB's spill folder is `<path>.tmp/`."""
    con = duckdb.connect(config={**build_config(), "temp_directory": f"{path}.tmp"})
    try:
        con.execute(f"attach {_quote(str(path))} as {BUILD_DB} (row_group_size {ROW_GROUP_SIZE})")
        con.execute(f"use {BUILD_DB}")
    except BaseException:
        con.close()
        raise
    return con


def _build_file(tmp: Path, fill, signature: str) -> dict[str, int]:
    con = connect_build(tmp)
    try:
        counts = fill(con)
        con.execute(read_sql(SQL_DIR / "warehouse" / "build_info.sql"), [signature, EXTRACTOR_VERSION])
        con.execute("comment on table bpe_build_info is '建仓信息：由哪个数据湖和哪版SQL构建'")
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def build_warehouse(paths: Paths, force: bool = False) -> dict[str, int]:
    """Build the warehouse from the lake, unless it was already built from this very lake and
    SQL (a no-op run). A new file is written beside the old one and renamed over it: either
    afresh (`build_into`), or, when only some lake parts changed since the last build, from a
    copy of the last warehouse brought up to date (`plan_update`, `update_into`: the same tables
    and values). `force` builds afresh. Returns row counts of every table, plus `rebuilt` (1 or 0)
    and, when rebuilt, `updated` (1 when it was an update of the copy)."""
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
    lake_dir = lake_generation(paths)
    changes = None if force else plan_update(paths, lake_dir)
    updates = _read_state(paths).get("updates", 0) + 1 if changes else 0
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        counts = None
        if changes:
            shutil.copyfile(target, tmp)
            try:
                counts = _build_file(tmp, lambda con: update_into(con, lake_dir, changes), signature)
            except (NotUpdatable, duckdb.Error):  # never worse than a full build
                _remove_db(tmp)
                updates = 0
        if counts is None:
            counts = _build_file(tmp, lambda con: build_into(con, lake_dir), signature)
        os.replace(tmp, target)
    finally:
        _remove_db(tmp)
    try:
        _record_build(paths, signature, lake_dir, updates)
    except OSError:  # no record, no update: the next build is a full one
        _state_path(paths).unlink(missing_ok=True)
    return {**counts, "rebuilt": 1, "updated": int(updates > 0)}


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
