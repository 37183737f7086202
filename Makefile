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

.PHONY: help install run test clean

help:
	@echo "make run    process every complete period in the inbox through the Airflow DAGs"
	@echo "make test   run the whole test suite"
	@echo "make clean  remove the virtualenv and the local pipeline state (.sendboard/)"

$(VENV)/.installed: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	python3 -m $(UV_SYNC)
	@touch $@

# Cosmos renders the publish DAG from dbt's manifest; rebuilt when a dbt file changes
dbt/target/manifest.json: $(VENV)/.installed $(shell find dbt/models dbt/macros dbt/seeds -type f 2>/dev/null) dbt/dbt_project.yml dbt/profiles.yml
	$(PY) -m sendboard.dbt_manifest

install: $(VENV)/.installed dbt/target/manifest.json

run: install
	$(PY) -m sendboard.run

test: install
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .sendboard
