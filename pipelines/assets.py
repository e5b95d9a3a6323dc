"""Kept for imports of the old path: the Dagster assets live in `pipelines.orchestration.assets`."""

from pipelines.orchestration.assets import *  # noqa: F403
from pipelines.orchestration.assets import (  # noqa: F401
    CHECK_SPECS, MART_SPECS, SQL_CHECKS, BpeData, asset_checks, sql_checks, warehouse_checks,
)
