# The README's two commands: `make lab` and `make test`. Both create .venv when it is
# missing and reinstall only when pyproject.toml changed (the stamp file records it).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/notebooks/sanitize.cfg

.PHONY: install lab test lint typecheck unit notebooks execute emulator clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Open JupyterLab on the tutorials; the in-process emulator is the default backend.
lab: install
	cd notebooks && ../$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

## Every check: lint, format, types, unit/behaviour tests, browser tests, nbval notebooks.
test: install lint typecheck
	$(BIN)/pytest tests notebooks $(NBVAL)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy primer_nb

## Only the notebooks, as documentation tests.
notebooks: install
	$(BIN)/pytest notebooks $(NBVAL)

## Re-execute notebooks with their widget state (all, or NB="05 payment" by number or word).
execute: install
	$(BIN)/python tests/notebooks/execute.py $(NB)

## A standalone emulator on http://127.0.0.1:8010 (Ctrl-C stops it).
emulator: install
	$(BIN)/primer-nb emulator

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
