"""`make execute` names widget models by the notebook's structure, not at random.

ipywidgets draws each model id with `uuid4`, so every re-execution used to rewrite every
id of a notebook with widgets (a megabyte of diff for notebook 10). `stable_model_ids`
renames them from the notebook's name and the walk from its shown widgets; these tests
check that two runs differing only in the random ids give the same file, that every
reference still resolves, and that the stored notebooks carry the stable ids.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.notebooks.execute import (
    WIDGET_STATE,
    WIDGET_VIEW,
    relative_tracebacks,
    stable_model_ids,
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
KEYS = ["box", "first", "second", "layout", "hidden", "hidden_layout"]


def _model(name: str, **state: object) -> dict[str, object]:
    return {"model_module": "@jupyter-widgets/controls", "model_name": name, "state": state}


def _notebook(ids: dict[str, str], order: list[str]) -> Any:
    """A notebook showing one box (two labels sharing a layout), plus a label made but
    not shown, with its layout; `ids` gives each model its (random) id, `order` the
    state's order."""
    box, first, second, layout, hidden, hidden_layout = (ids[k] for k in KEYS)
    models = {
        box: _model("HBoxModel", children=[f"IPY_MODEL_{first}", f"IPY_MODEL_{second}"]),
        first: _model("LabelModel", value="one", layout=f"IPY_MODEL_{layout}"),
        second: _model("LabelModel", value="two", layout=f"IPY_MODEL_{layout}"),
        layout: _model("LayoutModel", width="10em"),
        hidden: _model("LabelModel", value="hidden", layout=f"IPY_MODEL_{hidden_layout}"),
        hidden_layout: _model("LayoutModel", width=None),
    }
    nb: Any = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    cell = nbformat.v4.new_code_cell("box", id="box-cell")  # type: ignore[no-untyped-call]
    view = {"model_id": box, "version_major": 2, "version_minor": 0}
    cell.outputs = [
        nbformat.v4.new_output(  # type: ignore[no-untyped-call]
            "execute_result", data={WIDGET_VIEW: view, "text/plain": "HBox()"}, execution_count=1
        )
    ]
    nb.cells = [cell]
    state = {ids[k]: models[ids[k]] for k in order}
    nb.metadata.widgets = {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    return nb


def _random_ids() -> dict[str, str]:
    return {key: uuid.uuid4().hex for key in KEYS}


def _state(text: str) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(text)["metadata"]["widgets"][WIDGET_STATE]["state"]
    return state


def test_two_runs_differing_only_in_random_ids_write_the_same_file() -> None:
    one = stable_model_ids(_notebook(_random_ids(), KEYS), "11-example")
    two = stable_model_ids(_notebook(_random_ids(), list(reversed(KEYS))), "11-example")
    assert one == two


def test_renamed_references_resolve_and_keep_the_structure() -> None:
    ids = _random_ids()
    text = stable_model_ids(_notebook(ids, KEYS), "11-example")
    assert not any(old in text for old in ids.values())
    state = _state(text)
    assert len(state) == 4  # the box, its two labels and their layout
    for model in state.values():
        for ref in REFERENCE.findall(json.dumps(model)):
            assert ref in state
    shown = json.loads(text)["cells"][0]["outputs"][0]["data"][WIDGET_VIEW]["model_id"]
    labels = [ref[len("IPY_MODEL_") :] for ref in state[shown]["state"]["children"]]
    assert [state[label]["state"]["value"] for label in labels] == ["one", "two"]
    # both labels still share one layout
    assert len({state[label]["state"]["layout"] for label in labels}) == 1
    for new in state:
        assert uuid.UUID(hex=new).version == 4 and len(new) == 32


def test_widgets_no_output_shows_are_not_stored() -> None:
    """Neither JupyterLab nor the docs site draws a widget that was made but never
    shown: its models (here a label and its layout) are dropped, nothing else."""
    ids = _random_ids()
    text = stable_model_ids(_notebook(ids, KEYS), "11-example")
    values = [model["state"].get("value") for model in _state(text).values()]
    assert sorted(v for v in values if v) == ["one", "two"]
    assert "hidden" not in text


def test_ids_differ_between_notebooks() -> None:
    ids = _random_ids()
    one = set(_state(stable_model_ids(_notebook(ids, KEYS), "11-example")))
    two = set(_state(stable_model_ids(_notebook(ids, KEYS), "12-example")))
    assert one.isdisjoint(two)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_stored_notebooks_carry_the_stable_ids(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    nb: Any = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
    assert stable_model_ids(nb, path.stem) == text, (
        f"{path.name}: its widget ids are not the ones `make execute` writes "
        f'(saved from JupyterLab?): run `make execute NB="{path.stem[:2]}"`'
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_stored_widget_reference_names_a_stored_model(path: Path) -> None:
    """The documentation site renders widgets from the stored state: a reference to a
    model that is not there leaves the widget blank."""
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    state = metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = {
        ref for model in state.values() for ref in REFERENCE.findall(json.dumps(model))
    } - set(state)
    assert missing == set(), f"{path.name}: references to models not stored: {sorted(missing)}"


def test_stored_tracebacks_name_files_relative_to_the_repository() -> None:
    """The `raises-exception` lessons' tracebacks are published by the docs site: they
    name `primer_nb/currency.py`, never the folder the notebooks were executed in."""
    nb: Any = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    cell = nbformat.v4.new_code_cell("1/0")  # type: ignore[no-untyped-call]
    line = f"\x1b[32m{ROOT / 'primer_nb' / 'currency.py'}:305\x1b[39m, in to_minor_units"
    cell.outputs = [
        nbformat.v4.new_output(  # type: ignore[no-untyped-call]
            "error", ename="TypeError", evalue="no", traceback=[line]
        )
    ]
    nb.cells = [cell]
    relative_tracebacks(nb)
    assert nb.cells[0].outputs[0]["traceback"] == [
        "\x1b[32mprimer_nb/currency.py:305\x1b[39m, in to_minor_units"
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_no_stored_traceback_names_a_machines_folder(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            for line in output.get("traceback", []):
                assert not re.search(r"File \S*(/work/|/tmp/|/home/|/root/|/Users/)", line), line
