# The README's two commands: `make lab` and `make test`. Both install from the committed
# uv.lock into .venv (uv's project workflow) and reinstall only when uv.lock or
# pyproject.toml changed (the stamp file records it). `make lock` updates the lock.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install
LAB_STAMP := $(VENV)/.stamp-lab
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/notebooks/sanitize.cfg

# uv: the one on PATH, else bootstrapped from the package index into .venv-uv (a venv of
# its own, so neither Debian's system Python nor the project's .venv is touched).
UV_VERSION ?= 0.13.9
UV_VENV := .venv-uv
UV ?= $(or $(shell command -v uv 2>/dev/null),$(UV_VENV)/bin/uv)
# Never download a Python build: use the machine's $(PYTHON).
UV_ENV := UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV)
export UV

# `make test-lowest`: the lowest versions pyproject.toml's floors allow, in a venv of its own.
LOWEST_VENV := .venv-lowest
LOWEST_TESTS := tests --ignore=tests/browser --ignore=tests/notebooks/test_browser_notebooks.py \
	--ignore=tests/test_make.py --ignore=tests/test_wheel.py -m "not browser"

.PHONY: install lab test lint typecheck unit notebooks emulator lock test-lowest wheel clean docs mutation execute

$(UV_VENV)/bin/uv:
	$(PYTHON) -m venv $(UV_VENV) || { echo "python3 -m venv failed: on Debian, apt-get install python3-venv"; exit 1; }
	$(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'

LOCK_HINT := echo "uv sync failed; if uv.lock is out of date with pyproject.toml: make lock"

# Everything: the package (editable), its dependencies and the dev tools, exactly as locked.
# Bytecode is compiled at install: the test suite starts many interpreters (kernels,
# servers, benchmarks), and none of them then compiles the libraries again.
$(STAMP): uv.lock pyproject.toml | $(UV)
	@$(UV_ENV) $(UV) sync --quiet --locked --extra dev --compile-bytecode --python $(PYTHON) \
	  || { $(LOCK_HINT); exit 1; }
	@touch $(STAMP) $(LAB_STAMP)

# What the lab needs: the package and its dependencies, no test tools (`--inexact` keeps
# them when `make test` installed them already).
$(LAB_STAMP): uv.lock pyproject.toml | $(UV)
	@$(UV_ENV) $(UV) sync --quiet --locked --inexact --python $(PYTHON) || { $(LOCK_HINT); exit 1; }
	@touch $(LAB_STAMP)

install: $(STAMP)

## Open JupyterLab on the tutorials; the in-process emulator is the default backend.
lab: $(LAB_STAMP)
	cd notebooks && ../$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

## Every check: lint, format, types, unit/behaviour tests, the wheel on its own, browser
## tests, nbval notebooks.
test: install lint typecheck docs
	$(BIN)/pytest tests notebooks $(NBVAL)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Mutation testing of the shared rules (minutes; not part of `make test`): mutmut over
## [tool.mutmut] in pyproject.toml; fails below 90% killed or on an unexplained survivor.
.PHONY: mutation
mutation: install | $(UV)
	@$(BIN)/python -c "import mutmut" 2>/dev/null || UV_PYTHON_DOWNLOADS=never $(UV) pip install \
	  --quiet --python $(BIN)/python 'mutmut>=3.8,<4'
	$(BIN)/mutmut run
	$(BIN)/python tests/mutation/score.py

typecheck: install
	$(BIN)/mypy primer_nb

## The documentation site in site/ (README, tutorials, API reference), built strictly.
docs: install
	$(BIN)/python docs/build.py

## Only the notebooks, as documentation tests.
notebooks: install
	$(BIN)/pytest notebooks $(NBVAL)

## Re-execute notebooks with their widget state (all, or NB="05 payment" by number or word).
execute: install
	$(BIN)/python tests/notebooks/execute.py $(NB)

## A standalone emulator on http://127.0.0.1:8010 (Ctrl-C stops it).
emulator: install
	$(BIN)/primer-nb emulator

## Re-resolve uv.lock from pyproject.toml (after adding or changing a dependency), then
## install it. `make lock UPGRADE=1` also moves every pin to the newest allowed version.
lock: | $(UV)
	$(UV_ENV) $(UV) lock $(if $(UPGRADE),--upgrade,)
	@rm -f $(STAMP)
	$(MAKE) install

## The unit and behaviour tests on the lowest versions the floors in pyproject.toml allow
## (direct dependencies at their floor, the rest resolved as usual; no browser tests).
## A fresh venv each time, so that a lowered floor is really installed.
test-lowest: | $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) venv --quiet --clear --python $(PYTHON) $(LOWEST_VENV)
	UV_PYTHON_DOWNLOADS=never $(UV) pip install --quiet --python $(LOWEST_VENV)/bin/python \
	  --resolution lowest-direct -e '.[dev]'
	$(LOWEST_VENV)/bin/pytest $(LOWEST_TESTS) -q -p no:cacheprovider

## Build the wheel into dist/ (tests/test_wheel.py installs it in a clean venv).
wheel: | $(UV)
	$(UV) build --wheel --out-dir dist

clean:
	rm -rf $(VENV) $(UV_VENV) $(LOWEST_VENV) build dist site docs/api .pytest_cache .mypy_cache .ruff_cache .hypothesis
