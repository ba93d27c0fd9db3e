# newsdex: two commands for a new user (README quick start): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= var/index

# newsdex keeps Prefect offline itself (core/settings.py); a project-local Prefect home keeps runs out of
# ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/var/prefect

.PHONY: install demo test lint bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache
