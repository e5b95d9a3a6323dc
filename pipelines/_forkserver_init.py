"""Preloaded by the forkserver of a run (never imported elsewhere): it dies with the run."""

import os

from pipelines._deathsig import die_with_parent

die_with_parent(int(os.environ.get("BPE_FORKSERVER_PARENT") or 0) or None)
