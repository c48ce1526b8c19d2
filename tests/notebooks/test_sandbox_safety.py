"""The many-sessions notebook is safe on a real backend: it asks first, and caps the batch.

The guard cell of `*-many-sessions-*` is run as stored, with a client whose backend is not
the in-process emulator (as with `PRIMER_API_KEY` set): without the opt-in it refuses
before any session is created; with it, it sends at most the cap. On the emulator it uses
the whole file. The prose says how many sessions the notebook creates.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOK = next(NOTEBOOK_DIR.glob("*-many-sessions-*.ipynb"))
OPT_IN = "CREATE_ON_REAL_BACKEND = False"


def _cells() -> list[Any]:
    nb: Any = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    return list(nb.cells)


def _guard_source() -> str:
    found = [c.source for c in _cells() if c.cell_type == "code" and OPT_IN in c.source]
    assert len(found) == 1, f"{NOTEBOOK.name}: one cell must hold {OPT_IN!r}"
    return found[0]


def _run_guard(source: str, *, emulator: object) -> dict[str, Any]:
    namespace: dict[str, Any] = {"pd": pd, "client": SimpleNamespace(emulator=emulator)}
    cwd = Path.cwd()
    os.chdir(NOTEBOOK_DIR)  # the notebook reads ../data/orders.csv, as its kernel does
    try:
        exec(compile(source, NOTEBOOK.name, "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace


def test_a_real_backend_without_opt_in_is_refused() -> None:
    with pytest.raises(RuntimeError, match="CREATE_ON_REAL_BACKEND = True") as caught:
        _run_guard(_guard_source(), emulator=None)
    # a served emulator (PRIMER_BASE_URL, no key) is a real backend here too: the way
    # back to the in-process one names both variables
    assert "unset PRIMER_API_KEY and PRIMER_BASE_URL" in str(caught.value)


def test_a_real_backend_with_opt_in_gets_at_most_the_cap() -> None:
    source = _guard_source().replace(OPT_IN, "CREATE_ON_REAL_BACKEND = True")
    namespace = _run_guard(source, emulator=None)
    rows = namespace["rows"]
    assert isinstance(rows, pd.DataFrame)
    assert len(rows) == namespace["REAL_BACKEND_CAP"] <= 20


def test_the_emulator_gets_the_whole_file() -> None:
    namespace = _run_guard(_guard_source(), emulator=object())
    assert namespace["rows"] == "../data/orders.csv"


def test_the_prose_says_how_many_sessions_before_the_batch() -> None:
    cells = _cells()
    guard = next(i for i, c in enumerate(cells) if OPT_IN in c.source)
    before = "\n".join(c.source for c in cells[:guard] if c.cell_type == "markdown")
    rows = sum(1 for _ in (ROOT / "data" / "orders.csv").open()) - 1
    assert re.search(rf"\b{rows}\b", before), f"the prose before the batch does not say {rows}"
    assert "opt in" in before and "REAL_BACKEND_CAP" in before
