"""The Dagster code location of bpe, as `-m pipelines.definitions` (pyproject's [tool.dagster], the
Makefile) loads it: the definitions live in `pipelines.orchestration.definitions`."""

from pipelines.orchestration.definitions import all_assets, bpe_job, defs, nightly, raw_fingerprint, raw_folder_sensor  # noqa: F401
