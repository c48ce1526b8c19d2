"""Re-execute tutorial notebooks the one way their stored outputs are made.

```sh
.venv/bin/python tests/notebooks/execute.py              # every notebook
.venv/bin/python tests/notebooks/execute.py 05 payment   # by number or by a word of the name
make execute NB="05 payment"                             # the same through make
```

Each notebook runs top to bottom in a fresh kernel of this Python, with the notebooks
folder as working directory (as nbval and JupyterLab run it) and without the developer's
`PRIMER_*` settings, so it always uses the in-process emulator with its seed and frozen
clock. The widget state is stored in the notebook's metadata (`store_widget_state=True`):
the documentation site renders widgets from it. Only the widgets the outputs show are kept,
with what they reference. ipywidgets names each widget model with a random `uuid4`; they
are replaced by names made from the notebook's name and the model's place in a walk from
the widgets its outputs show (`stable_model_ids`). With no timing metadata
recorded either, a re-run of an unchanged notebook leaves its file as it was, except what
varies by nature: notebook 09's temporary ledger path and its progress bar's rate.

Cells tagged `raises-exception` may fail; any other error stops with the cell's traceback
and leaves the file untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: How ipywidgets writes a model id (`uuid4().hex`): in outputs, state keys and references.
_HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_REFERENCE = re.compile(r'IPY_MODEL_([0-9a-f]{32})|"model_id": "([0-9a-f]{32})"')
#: Long enough for the many-sessions notebook on a loaded machine; one cell, not the whole run.
CELL_TIMEOUT = 300


def select(words: list[str]) -> list[Path]:
    """Notebooks whose name starts with or contains one of `words` (all when none given)."""
    notebooks = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
    if not words:
        return notebooks
    chosen = [p for p in notebooks if any(p.name.startswith(w) or w in p.stem for w in words)]
    if not chosen:
        raise SystemExit(f"no notebook in {NOTEBOOK_DIR} matches {words}")
    return chosen


def clean_environment() -> None:
    """Drop every PRIMER_* variable: the stored outputs come from the emulator."""
    for name in [n for n in os.environ if n.startswith("PRIMER_")]:
        del os.environ[name]


def _references(model: object) -> list[str]:
    """The ids a model's state names: `IPY_MODEL_<id>` (children, layout, style) and an
    Output widget's shown widgets (`"model_id": "<id>"`), in sorted key order."""
    text = json.dumps(model, sort_keys=True)
    return [a or b for a, b in _REFERENCE.findall(text)]


def stable_model_ids(notebook: Any, name: str) -> str:
    """`notebook` as JSON text, keeping only the widget models its outputs show (with
    what they reference), each id replaced by one made from `name` and the model's place
    in a walk that does not depend on the random ids.

    The walk starts at the widgets the outputs show, in cell order, and follows each
    model's references depth first. Widgets made but never shown are dropped: neither
    JupyterLab nor the documentation site draws them, and they held a third of notebook
    10's state. The new ids have the same form (32 hex digits, a version-4 UUID) and
    differ between notebooks.
    """
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    state = widgets.get("state", {})
    shown = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    order: dict[str, None] = {}  # an ordered set
    for root in shown:
        stack = [root]
        while stack:
            model_id = stack.pop()
            if model_id in order or model_id not in state:
                continue
            order[model_id] = None
            stack.extend(reversed(_references(state[model_id])))
    if state:
        widgets["state"] = {model_id: state[model_id] for model_id in order}
    renamed = {}
    for index, old in enumerate(order):
        digest = hashlib.sha256(f"{name}/{index}".encode()).digest()[:16]
        renamed[old] = uuid.UUID(bytes=digest, version=4).hex
    text = nbformat.writes(notebook)  # type: ignore[no-untyped-call]
    text = _HEX_ID.sub(lambda m: renamed.get(m.group(0), m.group(0)), text)
    # written again, so the state is sorted by the new ids as nbformat sorts keys
    text = nbformat.writes(nbformat.reads(text, as_version=4))  # type: ignore[no-untyped-call]
    assert isinstance(text, str)
    return text if text.endswith("\n") else text + "\n"  # as nbformat.write ends a file


def execute(path: Path) -> float:
    """Run `path` in a fresh kernel and write it back with outputs and widget state."""
    notebook: Any = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=False,
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    relative_tracebacks(notebook)
    path.write_text(stable_model_ids(notebook, path.stem), encoding="utf-8")
    return seconds


def relative_tracebacks(notebook: Any) -> None:
    """Paths in stored tracebacks (the `raises-exception` lessons) relative to the
    repository: `File primer_nb/currency.py:305`, not this machine's folder, which the
    documentation site would publish."""
    prefix = f"{ROOT}{os.sep}"
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [line.replace(prefix, "") for line in output["traceback"]]


def main(argv: list[str]) -> int:
    clean_environment()
    for path in select(argv):
        print(f"{path.name}: ", end="", flush=True)
        print(f"{execute(path):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
