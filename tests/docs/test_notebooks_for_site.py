"""What the stored notebooks must hold for the site: chart images and widget state.

nbval compares only a cell's text, so a chart cell whose image is missing (a bare
`Figure` shows only `<Figure size ...>`) would pass nbval while the reader, and the
documentation site, see no chart. This scans the stored notebooks (found by glob, so new
tutorials are covered) for cells that call a plot function and checks what they stored.
Likewise a widget output whose model is not in the notebook's saved widget state is an
empty box on the site.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest

from primer_nb import plots

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The functions of `primer_nb.plots` that return a chart.
PLOT_FUNCTIONS = ("amount_by_currency", "warnings_by_code")
CALL = re.compile(rf"\b({'|'.join(PLOT_FUNCTIONS)})\s*\(")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def plot_cells() -> list[tuple[str, int, dict[str, Any]]]:
    cells = []
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and CALL.search(source):
                cells.append((path.name, index, cell))
    return cells


def test_the_plot_functions_listed_are_the_ones_that_draw() -> None:
    """A new plot function must be added to PLOT_FUNCTIONS, or its cells go unchecked."""
    drawing = {
        name
        for name in plots.__all__
        if callable(getattr(plots, name))
        and getattr(getattr(plots, name), "__annotations__", {}).get("return") == "Chart"
    }
    assert drawing == set(PLOT_FUNCTIONS)


def test_some_notebook_draws_charts() -> None:
    """The charts tutorial exists and calls both plot functions (so the scan below bites)."""
    called: set[str] = set()
    for _, _, cell in plot_cells():
        called.update(CALL.findall("".join(cell["source"])))
    assert called == set(PLOT_FUNCTIONS)


@pytest.mark.parametrize(
    ("notebook", "index", "cell"),
    [pytest.param(*entry, id=f"{entry[0]}-cell{entry[1]}") for entry in plot_cells()],
)
def test_plot_cell_stores_a_png(notebook: str, index: int, cell: dict[str, Any]) -> None:
    images = [
        output["data"]["image/png"]
        for output in cell["outputs"]
        if output["output_type"] in ("execute_result", "display_data")
        and "image/png" in output.get("data", {})
    ]
    assert images, f"{notebook} cell {index} draws a chart but stored no image/png"
    for image in images:
        data = base64.b64decode("".join(image) if isinstance(image, list) else image)
        assert data.startswith(PNG_SIGNATURE)
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        height, width = pixels.shape[:2]
        assert width >= 300 and height >= 200, (notebook, index, width, height)
        # Opaque: readable on JupyterLab's dark theme as on the light one.
        assert pixels[..., 3].min() == 1.0


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_widget_outputs_have_their_saved_state(path: Path) -> None:
    """The site draws a widget from the notebook's saved widget state, or shows nothing.

    A notebook executed without storing widget state (nbclient's `store_widget_state`,
    JupyterLab's "Save Widget State Automatically") keeps only the view's model id.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    state = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    missing = [model_id for model_id in views if model_id not in state]
    assert missing == [], (
        f"{path.name}: {len(missing)} of {len(views)} widget outputs have no saved state;"
        " re-execute it with widget state stored (docs/README.md)"
    )
