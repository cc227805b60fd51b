# Two commands do everything on a fresh clone:
#   make repro   set up .venv and run the whole pipeline (`dvc repro`)
#   make test    set up .venv with the test tools, lint, and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: repro test lint bench

repro: $(VENV)/.run-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

bench: $(VENV)/.run-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/benchmark.py

$(VENV)/.run-deps: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.run-deps
