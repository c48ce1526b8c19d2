"""docs/emulator.md, the page every tutorial's "Not documented by Primer" note links to,
lists every option of `primer-nb emulator` and every keyword of `Emulator(...)`.

The page is written by hand; an option added to the code and not to the page (as
`--max-sessions` once was) leaves readers with an incomplete reference.
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

from primer_nb.cli import build_parser
from primer_nb.emulator import Emulator

PAGE = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def _emulator_flags() -> list[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    emulator = commands.choices["emulator"]
    return [
        flag
        for action in emulator._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--help"
    ]


def test_every_emulator_flag_has_a_row_in_the_flags_table() -> None:
    rows = re.findall(r"^\| `(--[a-z-]+)", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    flags = _emulator_flags()
    assert "--port" in flags and "--seed" in flags
    assert sorted(set(flags) - set(rows)) == [], (
        "flags of `primer-nb emulator` missing from the page"
    )
    assert sorted(set(rows) - set(flags)) == [], "rows for flags the CLI no longer has"


def test_every_emulator_keyword_is_named_on_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    keywords = [p for p in inspect.signature(Emulator).parameters if p != "self"]
    assert "seed" in keywords
    missing = [k for k in keywords if f"`{k}=`" not in text]
    assert missing == [], f"Emulator(...) keywords missing from the page: {missing}"
