# bpe — two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export TMPDIR ?= /tmp

.PHONY: install run test ui validate bench bench-quick explain clean

install: $(STAMP)

# The venv is (re)built when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

# The main job once over <data root>/raw (data/ unless BPE_DATA_DIR names another root).
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster job execute -m pipelines.definitions -j bpe_job
	@$(BIN)/bpe status

test: $(STAMP)
	$(BIN)/ruff check --select F pipelines tests benchmarks
	$(BIN)/python -m pytest

# The Dagster UI on http://127.0.0.1:3000 (same code location as `make run`).
ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p 3000

validate: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster definitions validate -m pipelines.definitions

# Benchmarks on synthetic reports (generated under /tmp, never in data/raw): writes docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.bench --quick

explain: $(STAMP)
	@for f in data/raw/*; do $(BIN)/bpe explain "$$f"; done

clean:
	rm -rf data/lake data/.state data/marts/warehouse.duckdb .dagster
