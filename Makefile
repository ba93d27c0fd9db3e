# newsdex: two commands for a new user (README quick start): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= var/index

# newsdex keeps Prefect offline itself (core/settings.py); a project-local Prefect home keeps runs out of
# ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/var/prefect

.PHONY: install demo test test-fast lint typecheck bench clean

install: $(STAMP)

# Every machine gets the same versions: the lock pins each package by hash.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsdex ingest --index $(INDEX)
	@echo
	$(BIN)/newsdex search gulags --index $(INDEX)
	@echo
	$(BIN)/newsdex search '"Kursk region"' --index $(INDEX) --limit 3

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The tests that need no Prefect server (those marked `prefect` are left out; tests/conftest.py makes a flow run
# by an unmarked test fail at once): a few minutes instead of the whole suite's ten and more.
test-fast: $(STAMP)
	NEWSDEX_TEST_FAST=1 $(BIN)/python -m pytest -q -m "not prefect"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over the package as installed (tools/typecheck.py links the rooms under `newsdex`; settings in pyproject).
typecheck: $(STAMP)
	$(BIN)/python tools/typecheck.py

clean:
	rm -rf var .pytest_cache
