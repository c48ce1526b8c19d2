"""Documented vs emulated, visibly: the one marker for what Primer does not document.

A tutorial states two kinds of behaviour: Primer's, documented on a Primer page the prose
links to, and the emulator's own choices where Primer is silent. The second kind carries
exactly one marker, a blockquote paragraph of this form:

    > **Not documented by Primer:** what is not documented. The emulator ... ([how the
    > emulator behaves](../docs/emulator.md)).

These tests enforce the form (so a reader learns to spot it), forbid loose variants
("undocumented", "the emulator's choice" in running text), and require every tutorial to
link Primer's documentation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))

MARKER = "> **Not documented by Primer:** "
#: The docs page every marker points to, relative to the notebooks folder.
EMULATOR_PAGE = "../docs/emulator.md"
LINK = f"([how the emulator behaves]({EMULATOR_PAGE}))."
#: Wordings that say "Primer does not document this" without the marker.
LOOSE = re.compile(
    r"\bundocumented\b|\bnot documented\b|\bemulator'?s (?:own )?choice\b|\bnot in primer's doc",
    re.IGNORECASE,
)
#: A link to Primer's documentation (primer.io/docs, with or without www).
PRIMER_LINK = re.compile(r"\]\(https://(?:www\.)?primer\.io/docs/[^)\s]+\)")


def _markdown(path: Path) -> list[str]:
    nb: Any = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def paragraphs(source: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", source) if p.strip()]


def marker_problems(paragraph: str) -> list[str]:
    """What is wrong with a paragraph that mentions the marker or a loose variant of it."""
    problems: list[str] = []
    opens_quote = paragraph.startswith(">")
    if MARKER.strip() in paragraph or (opens_quote and "Not documented" in paragraph):
        lines = paragraph.splitlines()
        if not paragraph.startswith(MARKER):
            problems.append(f"the marker must open the paragraph as {MARKER!r}")
        if any(not line.startswith(">") for line in lines):
            problems.append("the marker's paragraph must be one blockquote")
        if paragraph.count(MARKER.strip()) != 1:
            problems.append("one marker per paragraph")
        if not paragraph.endswith(LINK):
            problems.append(f"the marker must end with the link {LINK!r}")
        said = paragraph.replace(LINK, "")
        if not re.search(r"\b(?:the emulator|primer-nb)\b", said, re.IGNORECASE):
            problems.append("the marker must say what the emulator (or primer-nb) does")
    elif LOOSE.search(paragraph):
        problems.append(f"{LOOSE.search(paragraph).group(0)!r} outside the marker: use {MARKER!r}")  # type: ignore[union-attr]
    return problems


def test_marker_check_accepts_the_form_and_rejects_variants() -> None:
    good = (
        f"{MARKER}the answer to an expired token. The emulator answers 400 "
        f"`ClientSessionValidationError` {LINK}"
    )
    assert marker_problems(good) == []
    bad = [
        "Not documented by Primer: the emulator answers 400.",  # not a blockquote
        f"> Not documented: the emulator answers 400 {LINK}",  # wrong words
        f"{MARKER}the emulator answers 400.",  # no link
        f"{MARKER}Primer is silent here {LINK}",  # says nothing about the emulator
        "The error form is undocumented; the emulator answers 422.",  # loose wording
        "A 429 is the emulator's choice.",
    ]
    for text in bad:
        assert marker_problems(text), text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_emulator_choices_carry_the_one_marker(path: Path) -> None:
    problems = [
        f"{path.name}: {problem}\n  in: {paragraph[:160]!r}"
        for source in _markdown(path)
        for paragraph in paragraphs(source)
        for problem in marker_problems(paragraph)
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_tutorial_links_primers_documentation(path: Path) -> None:
    text = "\n".join(_markdown(path))
    assert PRIMER_LINK.search(text), f"{path.name} links no page of Primer's documentation"


def test_the_markers_page_exists_once_the_docs_are_in_the_repository() -> None:
    markers = sum("\n".join(_markdown(p)).count(MARKER.strip()) for p in NOTEBOOKS)
    assert markers >= len(NOTEBOOKS) // 2, f"only {markers} markers in the whole set"
    page = (NOTEBOOK_DIR / EMULATOR_PAGE).resolve()
    if (ROOT / "docs").is_dir():
        assert page.is_file(), f"the markers link to {EMULATOR_PAGE}, which does not exist"
