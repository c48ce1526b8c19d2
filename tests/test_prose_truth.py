"""Sentences of the prose pages that an audit found false, checked against the code.

- data/README.md's `pandas.read_csv(...)` once failed on the shipped file (its last row is
  malformed on purpose); the call the page gives now reads it;
- ARCHITECTURE.md once cited a design document that is not in the repository, and said
  `wire_errors.py` imports only `errors`;
- README.md's limit on a server's clock is parity's `EXPIRY_TOLERANCE`.
"""

from __future__ import annotations

import ast
import re
import warnings
from datetime import timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_the_read_csv_call_of_the_data_readme_reads_the_shipped_file() -> None:
    text = (ROOT / "data" / "README.md").read_text()
    found = re.search(r"`(pandas\.read_csv\((?:[^`])*\))`", text)
    assert found, "data/README.md gives no pandas.read_csv call"
    call = " ".join(found.group(1).split())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = eval(call, {"pandas": pd}, {})  # the page's own call
    assert len(frame) == 300 and "300 rows" in text
    assert frame["order_id"].iloc[-1] == "ord-0300"
    assert frame["shipping_amount_major"].iloc[0] == "6.99"  # money stays text
    assert any("Skipping line 302" in str(w.message) for w in caught)


def test_architecture_names_no_markdown_file_the_repository_lacks() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    pages = {
        page.name
        for page in ROOT.rglob("*.md")
        if not {".venv", "site", "build", "node_modules"} & set(page.relative_to(ROOT).parts)
        and not page.relative_to(ROOT).parts[0].startswith(".")
    }
    for name in set(re.findall(r"[\w./-]+\.md\b", text)):
        assert Path(name).name in pages, f"ARCHITECTURE.md names {name}, not in the repository"


def test_architecture_lists_what_wire_errors_imports_of_ours() -> None:
    tree = ast.parse((ROOT / "primer_nb" / "wire_errors.py").read_text())
    ours = {
        node.module.removeprefix("primer_nb.")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("primer_nb.")
    }
    row = next(
        line
        for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines()
        if line.startswith("| `wire_errors.py` |")
    )
    said = re.search(r"imports only ([^(|]*)", row)
    assert said, row
    assert set(re.findall(r"`(\w+)`", said.group(1))) == ours


def test_the_readmes_clock_limit_is_parity_s_expiry_tolerance() -> None:
    from primer_nb.parity import EXPIRY_TOLERANCE

    assert timedelta(minutes=5) == EXPIRY_TOLERANCE
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "A server whose clock is more than 5 minutes from this machine's differs" in text
