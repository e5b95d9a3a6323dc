"""Paths and environment, in one place. Nothing reads the environment at import time."""

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The SQL lives in the top-level sql/ the layout names; pipelines/sql is a link to it, so that the
# package ships it and a non-editable install (no project folder beside it) finds it.
SQL_DIR = Path(__file__).resolve().parent / "sql" if (Path(__file__).resolve().parent / "sql").is_dir() else PROJECT_ROOT / "sql"
RULES_DIR = Path(__file__).resolve().parent / "rules"

# Bump when extraction logic changes: cached per-file extraction is redone for every file.
EXTRACTOR_VERSION = "14"


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def marts(self) -> Path:
        return self.root / "marts"

    @property
    def warehouse(self) -> Path:
        return self.marts / "warehouse.duckdb"

    @property
    def state(self) -> Path:
        """Per-file extraction cache and the run lock (not part of the contract)."""
        return self.root / ".state"

    def table_dir(self, table: str) -> Path:
        return self.lake / table


def data_root() -> Path:
    env = os.environ.get("BPE_DATA_DIR")
    return Path(env).resolve() if env else PROJECT_ROOT / "data"


def paths(root: str | os.PathLike | None = None) -> Paths:
    return Paths(Path(root).resolve() if root else data_root())


def ocr_enabled() -> bool:
    """OCR of PDF pages without a usable text layer: on unless BPE_OCR=0 (or off/false/no)."""
    return os.environ.get("BPE_OCR", "1").strip().lower() not in ("0", "off", "false", "no")


def ocr_cache_dir() -> Path:
    """Where OCR results are kept by page-image hash: BPE_OCR_CACHE, else <data root>/.state/ocr."""
    env = os.environ.get("BPE_OCR_CACHE")
    return Path(env).resolve() if env else paths().state / "ocr"


def allow_shrink() -> bool:
    """BPE_ALLOW_SHRINK=1: publish a warehouse from a raw folder that lost many (or all) files."""
    return os.environ.get("BPE_ALLOW_SHRINK", "").strip().lower() in ("1", "yes", "true", "on")


PROFILES = ("embedded", "postgres")


def profile() -> str:
    """BPE_PROFILE: `embedded` (the default: a DuckDB file and a SQLite Dagster instance, one run at a
    time) or `postgres` (the production profile: a DuckLake lakehouse with its catalog in PostgreSQL,
    partitioned runs; see README "Scaling out / 扩展部署")."""
    value = os.environ.get("BPE_PROFILE", "").strip().lower() or "embedded"
    if value not in PROFILES:
        raise ValueError(f"BPE_PROFILE={value!r}: expected one of {', '.join(PROFILES)}")
    return value


def automation_on() -> bool:
    """BPE_AUTOMATION=off (0/false/no): the nightly schedule and the raw-folder sensor start
    stopped (a deployment where people launch every run, or a test of the run queue)."""
    return os.environ.get("BPE_AUTOMATION", "on").strip().lower() not in ("0", "off", "false", "no")
