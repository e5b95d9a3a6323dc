"""The Dagster wiring of bpe: assets, checks, the job, its schedule and sensor. The work itself is
in plain modules (`pipelines.lake`, `pipelines.warehouse`, …); these only call them and add metadata."""
