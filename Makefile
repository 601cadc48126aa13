# Two commands from a fresh clone: `make demo` (runs sample_project on the embedded emulator)
# and `make test` (all test tiers). Both install first; everything is pinned in requirements/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install test test-unit test-emulator test-functional lint typecheck check demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--constraint requirements/constraints.txt --editable ".[emulator,dev]"
	touch $(STAMP)

test: install lint typecheck
	$(BIN)/python -m pytest tests -n 2 --dist loadgroup

test-unit: install
	$(BIN)/python -m pytest tests/unit

test-emulator: install
	$(BIN)/python -m pytest tests/emulator

test-functional: install
	$(BIN)/python -m pytest tests/functional

lint: install
	$(BIN)/ruff check dbt_athena_lite dbt tests bench
	$(BIN)/ruff format --check dbt_athena_lite dbt tests bench

typecheck: install
	$(BIN)/mypy

# The embedded emulator starts on demand (state in sample_project/.athena_local) and stops when idle.
demo: install
	cd sample_project && ../$(BIN)/dbt build --profiles-dir .
	cd sample_project && ../$(BIN)/python scripts/summarize_run.py

# dbt-athena-lite against dbt-athena 1.11.1 (in its own venv, bench/.venv-reference) on one emulator;
# writes bench/RESULTS.md and bench/results.png (~25 min). Quick look: make bench BENCH_ARGS="--sizes 10 --repeats 1"
BENCH_ARGS ?= --sizes 10,50,200 --repeats 3,2,1 --latency 0.5 --threads 4
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--constraint requirements/constraints.txt --editable ".[emulator,dev,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	cd bench && ../$(BIN)/python compare_adapters.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
