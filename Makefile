# plurisim: two commands set everything up on a fresh machine.
#   make run    creates .venv, installs plurisim, runs the flagship scenario
#   make test   creates .venv, installs plurisim with its test extras, runs the suite
#   make test-long  the minutes-long checks: Pabulib oracles on the shared real data, every fuzz case
#   make app    serves the interactive page (prints its URL)
#   make docs   builds the reference site into docs/_build/html
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
CONSTRAINTS := constraints.txt
SCENARIO ?= montreal-streets
PYTEST_ARGS ?=
APP_ARGS ?=

.PHONY: help run test test-long lint bench lock clean app docs

help:
	@echo "make run    - set up .venv and compare every mechanism on $(SCENARIO)"
	@echo "make test   - set up .venv with test extras and run the suite (under 10 minutes)"
	@echo "make test-long - minutes-long checks: Pabulib oracles on ../shared/data, every fuzz case"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - print the benchmark figures"
	@echo "make app    - serve the interactive page on 127.0.0.1 (APP_ARGS='toy-park --port 0')"
	@echo "make docs   - build the reference site into docs/_build/html (warnings are errors)"
	@echo "make lock   - regenerate $(CONSTRAINTS) from the current .venv"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "plurisim needs Python 3.11 or newer (python3.11 or python3 on PATH)." >&2; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "plurisim needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[dev,llm,distributed,app,docs]"
	@touch $@ $(VENV)/.installed-run $(VENV)/.installed-app $(VENV)/.installed-docs

$(VENV)/.installed-app: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[app]"
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-docs: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[docs]"
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/plurisim compare $(SCENARIO)

test: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q -m "not long" $(PYTEST_ARGS)

test-long: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q -m long $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPY=$(CURDIR)/$(BIN)/mypy tools/typecheck.sh

app: $(VENV)/.installed-app
	$(BIN)/plurisim app $(APP_ARGS)

docs: $(VENV)/.installed-docs
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

bench: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m benchmarks

lock: $(VENV)/.installed-test
	@# The leading comment lines (why some pins are what they are) are kept.
	@grep '^#' $(CONSTRAINTS) > $(CONSTRAINTS).new || echo "# Pinned versions (regenerate with: make lock)." > $(CONSTRAINTS).new
	$(PIP) freeze --all --exclude-editable | grep -v -E "^(plurisim|pip)==" >> $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .hypothesis docs/_build
