# Two commands on a new machine (see README):
#   make conformance   set up, then run the conformance suite against the reference adapter
#   make test          set up, then lint, type-check, run every test, build the docs,
#                      prove the invariants and check the published vectors
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup conformance test lint typecheck pytest vectors-check docs prove bench deep fuzz external clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

conformance: setup
	$(BIN)/dagspec conformance run --adapter "$(BIN)/dagspec adapter"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck pytest docs prove vectors-check

# The committed vectors are exactly what the generator writes (needs ../shared for Kaspa's DAGs).
vectors-check: setup
	$(BIN)/dagspec vectors check

# The rendered spec (spec/ + API pages) in docs/_build/html; any warning is an error.
docs: setup
	$(BIN)/sphinx-build -W --keep-going -E -q -c docs . docs/_build/html

# Every Z3 proof and CrossHair contract (spec/invariants.md); fails on any counterexample.
prove: setup
	$(BIN)/dagspec prove

bench: setup
	$(BIN)/python -m benchmarks

# Depth beyond CI: every property test with 20x its examples and fresh randomness (Hypothesis
# profile "deep", tests/conftest.py). DEEP_ARGS narrows it, e.g. DEEP_ARGS=tests/test_ghostdag.py.
DEEP_ARGS ?=
deep: setup
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -n auto -q -m hypothesis $(DEEP_ARGS)

# The property tests under HypoFuzz, one worker per core, until stopped (Ctrl-C), all sharing
# one example database: DAGSPEC_FUZZ_DB (default .hypothesis/fuzz). README, "Deeper than CI",
# says how to pool several machines and read the results. FUZZ_ARGS selects tests (pytest
# syntax); FUZZ_FLAGS goes to `hypothesis fuzz` (FUZZ_FLAGS=--dashboard adds HypoFuzz's page).
FUZZ_JOBS ?= $(shell nproc)
FUZZ_ARGS ?= tests
FUZZ_FLAGS ?= --no-dashboard
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/hypothesis fuzz -n $(FUZZ_JOBS) $(FUZZ_FLAGS) -- $(FUZZ_ARGS)

# Kaspa's implementations against the suite (spec/external.md): builds adapters/rusty-kaspa and
# adapters/kaspad (Rust and Go caches in EXTERNAL_CACHE, default ~/.cache/dagspec-external),
# runs the suite against each and regenerates the page. Fails on a build error or on a failed
# case that neither spec/deviations.md nor an adapter gap explains. `make test` never needs it.
external: setup
	VENV=$(VENV) adapters/external.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis docs/_build
