"""Stored notebook outputs look like real runs: identifiers are not shared, widgets agree.

- Client tokens and diagnosticsIds differ between notebooks: each notebook seeds its own
  emulator (`tutorial_client(seed=N)`, N unique across the set), so a reader comparing two
  tutorials never sees the "same" session or failure twice.
- The widget state stored in a notebook (rendered by the documentation site) agrees with
  the stored text: every widget output has its model in the state, and a countdown's text
  is the value its state holds.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: A client token in full (a JWT) or shortened by `short_token` (`eyJ0eXAi…gg7M`).
TOKEN = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+|eyJ[\w-]{5}…[\w-]{4}")
#: Primer's diagnosticsId: a 19-digit number (as text in JSON, bare in Python output).
DIAGNOSTICS_ID = re.compile(r"(?<!\d)\d{19}(?!\d)")
#: The seed each notebook's set-up cell gives its emulator.
SEED = re.compile(r"tutorial_client\(\s*seed=(\d+)")


def _load(path: Path) -> Any:
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def stored_texts(nb: Any) -> list[str]:
    """Every text a stored notebook shows: outputs of all kinds, and its widget state."""
    texts: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            elif output.output_type == "error":
                texts.extend([output.evalue, *output.traceback])
            else:
                texts.extend(str(v) for k, v in output.get("data", {}).items() if k != WIDGET_VIEW)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    if state:
        texts.append(json.dumps(state, ensure_ascii=False))
    return texts


def identifiers(texts: list[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found.update(TOKEN.findall(text))
        found.update(DIAGNOSTICS_ID.findall(text))
    return found


def test_patterns_find_tokens_and_diagnostics_ids() -> None:
    text = (
        "client token: eyJ0eXAi…gg7M\n"
        "diagnosticsId:      9390539026135319669\n"
        '{"diagnosticsId": "1868196408185819179"}\n'
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl\n"
        "amount: 1768554000 (a timestamp, ten digits), order-4001"
    )
    assert identifiers([text]) == {
        "eyJ0eXAi…gg7M",
        "9390539026135319669",
        "1868196408185819179",
        "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl",
    }


def test_no_token_or_diagnostics_id_appears_in_two_notebooks() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for path in NOTEBOOKS:
        for found in identifiers(stored_texts(_load(path))):
            seen[found].append(path.name)
    with_ids = {name for names in seen.values() for name in names}
    # the scan really reads the outputs: most tutorials show a token or a diagnosticsId
    assert len(with_ids) >= len(NOTEBOOKS) // 2, sorted(with_ids)
    repeated = {found: names for found, names in seen.items() if len(names) > 1}
    assert repeated == {}, f"identifiers shown by more than one notebook: {repeated}"


def test_every_notebook_seeds_its_own_emulator() -> None:
    seeds: dict[int, str] = {}
    for path in NOTEBOOKS:
        nb = _load(path)
        found = [int(s) for c in nb.cells if c.cell_type == "code" for s in SEED.findall(c.source)]
        assert found, f"{path.name}: no tutorial_client(seed=N) in its code cells"
        for seed in found:
            assert seed not in seeds, f"seed {seed} is used by {seeds[seed]} and {path.name}"
            seeds[seed] = path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_widget_state_agrees_with_the_stored_text(path: Path) -> None:
    nb = _load(path)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [
        (output.data[WIDGET_VIEW]["model_id"], output.data.get("text/plain", ""))
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    for model_id, text in views:
        assert model_id in state, (
            f"{path.name}: a widget output ({text[:60]!r}) has no stored state: "
            "re-execute with tests/notebooks/execute.py (it stores widget state)"
        )
        countdown = re.fullmatch(r"ExpiryCountdown\('(.*)'\)", text)
        if countdown:
            stored = state[model_id]["state"].get("value")
            assert stored == countdown.group(1), (
                f"{path.name}: a countdown's text says {countdown.group(1)!r}, "
                f"its stored state {stored!r}"
            )
