"""Preloaded by the forkserver of a run (never imported elsewhere): it dies with the run."""

from pipelines._deathsig import die_with_parent

die_with_parent()
