"""Every exercise of `primer_nb.exercises.catalogue()` sits in its tutorial, as stored.

The cell has the form the exercises module documents (import, `answer = ...`, the
`check` call with what the exercise needs), comes after a markdown cell giving its task,
and its stored output is the placeholder's "not attempted yet": the stored notebooks never
hold an answer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from primer_nb.exercises import NOT_ATTEMPTED, Exercise, catalogue

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"


def _cells(name: str) -> list[Any]:
    nb: Any = nbformat.read(NOTEBOOK_DIR / name, as_version=4)  # type: ignore[no-untyped-call]
    return list(nb.cells)


def _text(cell: Any) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.mark.parametrize("exercise", catalogue(), ids=lambda e: e.id)
def test_exercise_cell_is_in_its_notebook_unanswered(exercise: Exercise) -> None:
    cells = _cells(exercise.notebook)
    call = re.compile(rf'^check\("{re.escape(exercise.id)}", answer(?P<given>[^)]*)\)$', re.M)
    found = [i for i, c in enumerate(cells) if c.cell_type == "code" and call.search(c.source)]
    assert len(found) == 1, f"{exercise.notebook}: {len(found)} cells check {exercise.id!r}"
    index = found[0]
    cell = cells[index]
    assert cell.source.startswith("from primer_nb.exercises import check\n\nanswer = ...  #")
    given = call.search(cell.source).group("given")  # type: ignore[union-attr]
    assert sorted(re.findall(r"(\w+)=", given)) == sorted(exercise.needs)
    # the exercise's box shows this very call
    assert cell.source.rstrip().endswith(exercise.call)
    task = cells[index - 1]
    assert task.cell_type == "markdown" and exercise.task in task.source.replace("\n", " ")
    assert NOT_ATTEMPTED in _text(cell), f"{exercise.id}: stored output is not the placeholder's"


def test_every_tutorial_has_exercises() -> None:
    names = {e.notebook for e in catalogue()}
    assert names == {p.name for p in NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb")}
