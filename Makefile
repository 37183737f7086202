# sendboard: `make run` and `make test` do all the set-up on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
# compile bytecode at install: PYTHONDONTWRITEBYTECODE=1 is set on these machines
UV_SYNC := uv sync --frozen --compile-bytecode
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export SCARF_ANALYTICS := false

.PHONY: help install chromium postgres run lint test test-fast docs bench bench-compare clean

help:
	@echo "make run    process every complete period in the inbox through the Airflow DAGs"
	@echo "make lint   ruff (lint, format) and mypy (make test runs it first)"
	@echo "make test   lint, then run the whole test suite on every core"
	@echo "make test-fast  unit, DAG and doctests and the e2e modules without a worker (~1 min): while working"
	@echo "make bench  measure a county and a national month, the floor, DAG parsing, a 24-month backfill"
	@echo "make bench-compare AGAINST=<commit>  a national month here against another commit's, run alternately"
	@echo "make docs   generate the dbt docs site under SENDBOARD_HOME and serve it on 127.0.0.1:8580"
	@echo "make clean  remove the virtualenv and the local pipeline state (.sendboard/)"

$(VENV)/.installed: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	python3 -m $(UV_SYNC)
	@touch $@

# Cosmos renders the publish DAG from dbt's manifest; rebuilt when a dbt file changes
dbt/target/manifest.json: $(VENV)/.installed $(shell find dbt/models dbt/macros dbt/seeds -type f 2>/dev/null) dbt/dbt_project.yml dbt/profiles.yml
	$(PY) -m sendboard.warehouse.dbt_manifest

# Debian's Chromium prints board_pack.pdf and opens the pack in the browser tests
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v "$$SENDBOARD_CHROMIUM" >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium package (prints board_pack.pdf)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# PostgreSQL (Debian package) for the integration test that starts the deployment's services
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql package (the integration test starts its own cluster)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

install: $(VENV)/.installed dbt/target/manifest.json chromium

run: install
	$(PY) -m sendboard.devtools.run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# pytest-xdist, one process per core: a test module runs whole in one process (its module fixtures
# are built once); tests/conftest.py starts the slowest modules first
TEST_PROCESSES ?= auto
test: install postgres lint
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadscope

# the quick part, for use while working: unit, DAG and doctests, and the e2e modules that run no worker
# (the dbt build with its unit tests, the extract DAGs, the DfE landing). The whole suite before a commit.
FAST_TESTS := tests/unit tests/dags include/sendboard tests/e2e/test_kpis.py tests/e2e/test_extract_dags.py \
	tests/e2e/test_dfe_landing.py
test-fast: install
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadscope $(FAST_TESTS)

# writes bench/results.json and BENCHMARKS.md; inboxes are cached under .sendboard/bench/
bench: install
	$(PY) bench/run.py

# how a month's time differs from another commit's, run alternately here: make bench-compare AGAINST=<commit>
bench-compare: install
	$(PY) bench/compare.py --against $(AGAINST)

docs: install
	$(PY) -m sendboard.warehouse.dbt_docs

clean:
	rm -rf $(VENV) .sendboard
