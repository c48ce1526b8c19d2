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
the documentation site renders widgets from it. No timing metadata is recorded, so a
re-run of an unchanged notebook changes nothing but what really changed.

Cells tagged `raises-exception` may fail; any other error stops with the cell's traceback
and leaves the file untouched.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
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
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
    return seconds


def main(argv: list[str]) -> int:
    clean_environment()
    for path in select(argv):
        print(f"{path.name}: ", end="", flush=True)
        print(f"{execute(path):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
