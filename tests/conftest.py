import shutil
from pathlib import Path

import pytest

from pipelines.text import normalize

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
MUNICIPAL = RAW / "000_01c7e19edd1216e8.txt"
FENGTAI = RAW / "001_06df7a84ebc894a1.txt"
SHIJINGSHAN = RAW / "003_c38f57d479bd6754.txt"


def corpus_text(path: Path) -> str:
    return normalize(path.read_text(encoding="utf-8"))


def query(root: Path, sql: str, params=None) -> list[tuple]:
    """Run read-only SQL against the warehouse under `root`."""
    import duckdb

    con = duckdb.connect(str(root / "marts" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory) -> Path:
    """A data root with the sample corpus, built once per test module with `run_all`."""
    from pipelines.run import run_all
    from pipelines.settings import paths

    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(RAW, root / "raw")
    run_all(paths(root))
    return root


@pytest.fixture
def data_root(tmp_path) -> Path:
    """A fresh data root with a copy of the sample corpus in raw/."""
    shutil.copytree(RAW, tmp_path / "raw")
    return tmp_path


def warehouse_from_rows(root: Path, **tables) -> Path:
    """A data root whose lake holds the given rows (table=list of dicts, other tables empty) and
    whose warehouse is built from it; returns the root."""
    from pipelines import lake, schema
    from pipelines.settings import paths
    from pipelines.warehouse import build_warehouse

    for t in schema.LANDED_TABLES:
        lake.write_parquet_atomic(lake.to_arrow(t, tables.get(t, [])), paths(root).table_dir(t) / lake.PARQUET_NAME)
    build_warehouse(paths(root))
    return root


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the session (tests/pgserver.py): `.dsn`, `.host`, `.port`,
    `.user`, `.db`, `.new_database(name) -> dsn`. Without PostgreSQL's server binaries the tests
    that use it fail with "PostgreSQL server binaries not found: apt-get install postgresql"."""
    from tests import pgserver

    server = pgserver.server_or_fail()
    yield server
    server.stop()
