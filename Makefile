# plurisim: two commands set everything up on a fresh machine.
#   make run    creates .venv, installs plurisim, runs the flagship scenario
#   make test   creates .venv, installs plurisim with its test extras, runs the suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
CONSTRAINTS := constraints.txt
SCENARIO ?= montreal-streets
PYTEST_ARGS ?=

.PHONY: help run test lint bench lock clean

help:
	@echo "make run    - set up .venv and compare every mechanism on $(SCENARIO)"
	@echo "make test   - set up .venv with test extras and run the whole suite"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - print the benchmark figures"
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
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[dev,llm,distributed]"
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/plurisim compare $(SCENARIO)

test: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPY=$(CURDIR)/$(BIN)/mypy tools/typecheck.sh

bench: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m benchmarks

lock: $(VENV)/.installed-test
	@echo "# Pinned versions for make run / make test (regenerate with: make lock)." > $(CONSTRAINTS)
	$(PIP) freeze --all --exclude-editable | grep -v -E "^(plurisim|pip)==" >> $(CONSTRAINTS)

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .hypothesis
