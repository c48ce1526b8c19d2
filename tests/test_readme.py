"""The README's Python example runs as written, against the in-process emulator."""

from __future__ import annotations

import contextlib
import io
import re

from tests.conftest import ROOT


def test_readme_example_runs_and_prints_what_it_promises() -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    code = block.group(1)
    assert len(code.strip().splitlines()) <= 10
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    first, second = out.getvalue().splitlines()
    assert first.startswith("2598 ")  # 1299 x 2 in minor units
    assert "TAXJAR" in first  # no shipping address: the tax connection warns
    assert second == "500"
