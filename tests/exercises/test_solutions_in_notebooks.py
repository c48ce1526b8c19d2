"""Each exercise's model solution passes where the exercise sits in its notebook, and the
notebook still runs to the end after it.

A learner works in the notebook's own namespace: what a solution uses must be there
(the error notebook 03 keeps, the import notebook 05 lacks), and what it defines must not
break the cells below (notebook 10's solution once rebound the `builder` later cells
use). `test_exercises.py` runs each solution in a scope built for it; this test runs the
notebooks themselves, in an IPython shell, with each exercise cell answered by its
solution.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from primer_nb import exercises

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
CALL = re.compile(r'^check\("(?P<id>[^"]+)", answer(?P<given>[^)]*)\)$', re.MULTILINE)


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    """A fresh IPython shell in the notebooks folder, without the developer's settings."""
    monkeypatch.chdir(NOTEBOOK_DIR)
    for name in [n for n in os.environ if n.startswith("PRIMER_") and n != exercises.DATA_DIR_ENV]:
        monkeypatch.delenv(name)
    InteractiveShell.clear_instance()
    yield InteractiveShell.instance()
    InteractiveShell.clear_instance()


def _answered(exercise_id: str, given: str) -> str:
    """The exercise cell as a learner who followed the solution would run it."""
    solution = exercises.get(exercise_id).solution().code
    call = f'_checked = check("{exercise_id}", answer{given}, record=False)'
    return f"from primer_nb.exercises import check\n{solution}\n{call}\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_each_solution_passes_in_its_notebook(path: Path, shell: InteractiveShell) -> None:
    notebook: Any = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    solved = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        call = CALL.search(cell.source)
        source = _answered(call["id"], call["given"]) if call else cell.source
        outcome = shell.run_cell(source, silent=True)
        if "raises-exception" in cell.metadata.get("tags", []):
            continue
        assert outcome.success, (
            f"{path.name}, code cell {index}"
            + (f" (the solution of {call['id']})" if call else "")
            + f" failed: {outcome.error_before_exec or outcome.error_in_exec!r}"
        )
        if call:
            result = shell.user_ns.pop("_checked")
            assert result.passed, f"{path.name}: the solution of {call['id']}: {result.message}"
            solved.append((call["id"], call["given"]))
    expected = sorted(e.id for e in exercises.catalogue() if e.notebook == path.name)
    assert sorted(exercise_id for exercise_id, _ in solved) == expected
    # "Run All" first, then the exercises: each solution still passes with what the
    # cells below its exercise left in the namespace (notebook 03's loop once rebound
    # the `error` its exercise reads).
    for exercise_id, given in solved:
        outcome = shell.run_cell(_answered(exercise_id, given), silent=True)
        assert outcome.success, (
            f"{path.name}: the solution of {exercise_id} after Run All failed: "
            f"{outcome.error_before_exec or outcome.error_in_exec!r}"
        )
        result = shell.user_ns.pop("_checked")
        assert result.passed, f"{path.name}: {exercise_id} after Run All: {result.message}"
