# bpe — two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# BPE_PROFILE=postgres (README "Scaling out / 扩展部署"): the production profile's instance file and
# its own DAGSTER_HOME, so the two profiles' run histories never mix.
ifeq ($(BPE_PROFILE),postgres)
export DAGSTER_HOME ?= $(CURDIR)/.dagster-postgres
INSTANCE_YAML := deploy/postgres/dagster.yaml
else
export DAGSTER_HOME ?= $(CURDIR)/.dagster
INSTANCE_YAML := dagster.yaml
endif
export TMPDIR ?= /tmp

.PHONY: install run test ui validate daemon postgres-binaries bench bench-quick explain dictionary clean eval-real

install: $(STAMP)

# The venv is (re)built when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 12) else "bpe needs Python 3.11 or 3.12 (found %d.%d): its pinned wheels (onnxruntime, rapidocr, duckdb) exist for those; run make PYTHON=python3.11" % v)'
	@# a .venv whose Python is gone or of another version (a failed or foreign install) is rebuilt, not reused
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == tuple(map(int, "'"$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')"'".split("."))) else 1)' 2>/dev/null || { test ! -e $(VENV) || echo "rebuilding $(VENV)"; rm -rf $(VENV); }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: $(INSTANCE_YAML)
	mkdir -p $(DAGSTER_HOME)
	cp $(INSTANCE_YAML) $(DAGSTER_HOME)/dagster.yaml

# The main job once over <data root>/raw (data/ unless BPE_DATA_DIR names another root).
# `bpe run` executes the job through Dagster's Python API (as `dagster job execute -m
# pipelines.orchestration.definitions -j bpe_job` does) and prints `bpe status`, in one process.
# compileall: the package's bytecode is written once (this machine sets PYTHONDONTWRITEBYTECODE, so
# every start would compile it again: about 0.4 s of each run and of each worker's start).
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m compileall -q pipelines
	$(BIN)/bpe run

test: $(STAMP) postgres-binaries
	$(BIN)/ruff check --select F pipelines tests benchmarks
	$(BIN)/python -m pytest

# The production profile's tests start a throwaway PostgreSQL server (tests/pgserver.py) from
# Debian's `postgresql` package: installed here when missing (as root, with apt-get); when it cannot
# be, those tests fail saying "apt-get install postgresql" (they never pass without it).
postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  echo "installing Debian's postgresql (server binaries for the tests)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null \
	  || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null; } \
	  || echo "postgresql could not be installed: tests/test_ducklake.py and tests/test_postgres_profile.py will fail and say so" >&2; }

# The Dagster UI on http://127.0.0.1:3000 (same code location as `make run`).
ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m pipelines.orchestration.definitions -h 127.0.0.1 -p 3000

# `dagster definitions validate` in both profiles (and the Kubernetes executor's variant).
validate: $(STAMP)
	$(BIN)/dagster definitions validate -m pipelines.orchestration.definitions
	BPE_PROFILE=postgres $(BIN)/dagster definitions validate -m pipelines.orchestration.definitions
	BPE_PROFILE=postgres BPE_EXECUTOR=k8s $(BIN)/dagster definitions validate -m pipelines.orchestration.definitions

# The daemon of the production profile: launches queued runs, runs the schedule and the sensor.
daemon: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster-daemon run -m pipelines.orchestration.definitions

# Benchmarks on synthetic reports (generated under /tmp, never in data/raw): writes docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.bench --quick

explain: $(STAMP)
	@for f in data/raw/*; do $(BIN)/bpe explain "$$f"; done

# docs/data_dictionary.md from pipelines/schema.py and sql/marts/ (a test fails when it is stale).
dictionary: $(STAMP)
	$(BIN)/python -m pipelines.schema --markdown > docs/data_dictionary.md

clean:
	rm -rf data/lake data/.state data/marts/warehouse.duckdb .dagster

# Score extraction on a folder of real published texts (kept outside git, see tests/real/README.md):
#   make eval-real REAL_DIR=.real/shared/raw                      (gold: ../shared/real/gold.json)
#   make eval-real REAL_DIR=.real/own/raw GOLD=tests/real/gold.json
# Builds a warehouse from copies of the texts with `make run`'s own job, then prints the scorer's line.
REAL_DIR ?= .real/shared/raw
SCORER ?= ../shared/real/score_real.py
GOLD ?= $(dir $(SCORER))gold.json
EVAL_ROOT ?= .tmp/eval-real
eval-real: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	@test -d "$(REAL_DIR)" || { echo "REAL_DIR=$(REAL_DIR) is not a folder of real texts"; exit 2; }
	rm -rf $(EVAL_ROOT) && mkdir -p $(EVAL_ROOT)/raw && cp "$(REAL_DIR)"/* $(EVAL_ROOT)/raw/
	BPE_DATA_DIR=$(abspath $(EVAL_ROOT)) $(BIN)/dagster job execute -m pipelines.orchestration.definitions -j bpe_job > $(EVAL_ROOT)/run.log 2>&1 || { tail -30 $(EVAL_ROOT)/run.log; exit 1; }
	$(BIN)/python $(SCORER) $(EVAL_ROOT)/marts/warehouse.duckdb --gold $(GOLD) $(SHOW)
