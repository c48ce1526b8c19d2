"""Exercises and rich displays in a real JupyterLab (chromium), in the light and dark theme.

A scratch notebook, written to the lab's temp root (never to notebooks/), runs an exercise
cell with a correct answer (the pass shows), with a typical wrong answer (that mistake's
message shows) and with the placeholder; then a session card and an uncaught
PrimerAPIError (the short box, through primer_nb.notebook). Both themes are switched
through JupyterLab's Settings → Theme menu; the text of every box must keep a readable
contrast against what is behind it. Screenshots: build/learning/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from primer_nb.exercises import get

from .conftest import BUILD, PANEL, STDERR, JupyterLab, LabPage

pytestmark = pytest.mark.browser

SCRATCH = "learning-scratch.ipynb"
SHOTS = BUILD / "learning"
JPY = get("02-jpy-amount")
MISTAKE = next(m for m in JPY.mistakes if m.label == "as if JPY had cents")

CELLS: list[tuple[str, list[str]]] = [
    (
        "import os, tempfile\n"
        "# fresh progress for each run, inside the lab's temp root (removed with it)\n"
        'os.environ["PRIMER_NB_DATA_DIR"] = tempfile.mkdtemp(prefix="progress-", dir=".")\n'
        "import primer_nb.notebook\n"
        "from primer_nb import PrimerClient\n"
        "from primer_nb.emulator import Emulator\n"
        "from primer_nb.exercises import check\n"
        'client = PrimerClient(emulator=Emulator(seed=7, start="2026-01-15T09:00:00", '
        "frozen=True))\n"
        "primer_nb.notebook.enable()",
        [],
    ),
    ('answer = 1500\ncheck("02-jpy-amount", answer)', []),
    ('answer = 150000\ncheck("02-jpy-amount", answer)', []),
    ('answer = ...\ncheck("02-jpy-amount", answer)', []),
    (
        "client.create_session({\n"
        '    "orderId": "order-card-1", "currencyCode": "EUR",\n'
        '    "order": {"lineItems": [{"itemId": "mug", "amount": 1200, "quantity": 2}]},\n'
        '    "customer": {"shippingAddress": {"countryCode": "NL"}},\n'
        "})",
        [],
    ),
    (
        'client.create_session({"orderId": 5, "currencyCode": "EURO"}, validate=False)',
        ["raises-exception"],
    ),
]

# The colour of an element's text and of what is behind it, as the eye gets them:
# translucent backgrounds are composited up to the first opaque one, and the text's own
# alpha (JupyterLab's font colours are rgba) is blended over that.
_COLOURS_JS = """el => {
  const rgba = c => { const v = (c.match(/[\\d.]+/g) || []).map(Number);
                      return v.length < 3 ? null : [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3]));
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  const fg = rgba(getComputedStyle(el).color) || [0, 0, 0, 1];
  return {fg: over(fg, bg), bg: bg};
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: list[float], bg: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours."""
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _write_scratch(lab: JupyterLab) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(source, metadata={"tags": tags} if tags else {})
        for source, tags in CELLS
    ]
    path = lab.root_dir / SCRATCH
    nbformat.write(nb, path)
    return path


def _set_theme(lab_page: LabPage, theme: str, light: bool) -> None:
    page = lab_page.page
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
    page.locator(
        ".lm-Menu-item:visible .lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")
    ).hover()
    item = page.locator(
        ".lm-Menu-item:visible .lm-Menu-itemLabel", has_text=re.compile(rf"^{theme}$")
    )
    item.click()
    page.wait_for_function(
        "want => document.body.dataset.jpThemeLight === want", arg=str(light).lower()
    )
    page.wait_for_timeout(500)  # let the theme's stylesheet settle before measuring


def _check_readable(lab_page: LabPage, box: Any, name: str) -> dict[str, float]:
    """Every text element of `box` keeps a contrast of at least 3:1 (4.5:1 for plain text)."""
    ratios: dict[str, float] = {}
    for i, element in enumerate(box.locator("div, td, th, code, span, summary").all()):
        if not element.is_visible() or not element.inner_text().strip():
            continue
        colours = element.evaluate(_COLOURS_JS)
        ratio = contrast(colours["fg"], colours["bg"])
        bold = element.evaluate("el => Number(getComputedStyle(el).fontWeight) >= 600")
        ratios[f"{name}[{i}] {element.inner_text()[:30]!r}"] = ratio
        assert ratio >= (3.0 if bold else 4.5), (name, element.inner_text()[:60], colours)
    return ratios


def test_exercise_feedback_and_displays_in_light_and_dark(
    lab_page: LabPage, jupyterlab: JupyterLab
) -> None:
    scratch = _write_scratch(jupyterlab)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = lab_page.page
    try:
        page.goto(f"{jupyterlab.url}/lab/tree/{SCRATCH}?reset&token={jupyterlab.token}")
        lab_page.panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
        lab_page.wait_idle()
        lab_page.run_all(raises=[5])

        exercises = lab_page.panel.locator(".primer-exercise")
        assert exercises.count() == 3
        passed, wrong, placeholder = (exercises.nth(i).inner_text() for i in range(3))
        assert "✓ Passed · 02-jpy-amount" in passed and JPY.success in passed
        assert "✗ Not yet · 02-jpy-amount" in wrong and MISTAKE.feedback in wrong
        assert "Not attempted yet" in placeholder

        card = lab_page.panel.locator(".primer-session")
        card_text = card.inner_text()
        assert "EUR 24.00" in card_text and "24 h 0 min left" in card_text
        assert "⚠ TAXJAR / MISSING_DATA" in card_text
        card.locator("summary").click()  # unfold the JSON
        assert '"orderId": "order-card-1"' in card.locator("pre").inner_text()

        error = lab_page.panel.locator(".primer-error")
        error_text = error.inner_text()
        assert "PrimerValidationError: 422 RequestValidationError" in error_text
        assert "$.orderId" in error_text and "$.currencyCode" in error_text
        assert "diagnosticsId" in error_text and "%tb" in error_text
        # the short box replaces the traceback: one line of error text, no frames
        tracebacks = lab_page.panel.locator(STDERR).all_inner_texts()
        assert len(tracebacks) == 1 and len(tracebacks[0].strip().splitlines()) == 1
        assert "Traceback" not in tracebacks[0]

        ratios: dict[str, float] = {}
        for theme, light in (("JupyterLab Light", True), ("JupyterLab Dark", False)):
            _set_theme(lab_page, theme, light)
            tag = "light" if light else "dark"
            for name, box in (
                ("exercise-pass", exercises.nth(0)),
                ("exercise-mistake", exercises.nth(1)),
                ("session-card", card),
                ("error-box", error),
            ):
                box.scroll_into_view_if_needed()
                ratios |= _check_readable(lab_page, box, f"{tag}:{name}")
                path = lab_page.screenshot(f"learning/{name}-{tag}.png", box)
                assert path.stat().st_size > 2_000
            lab_page.screenshot(f"learning/notebook-{tag}.png", page.locator(PANEL))
        worst = min(ratios, key=ratios.__getitem__)
        print(f"lowest contrast: {ratios[worst]:.2f} at {worst}")
        (SHOTS / "contrast.json").write_text(json.dumps(ratios, indent=1, ensure_ascii=False))
        assert lab_page.page_errors == []
    finally:
        # the theme is a lab-wide setting: leave the shared server as it was
        if page.evaluate("document.body.dataset.jpThemeLight") == "false":
            _set_theme(lab_page, "JupyterLab Light", True)
        scratch.unlink(missing_ok=True)
