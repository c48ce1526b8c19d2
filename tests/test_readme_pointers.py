"""What the README tells a newcomer matches the repository they cloned.

- every relative link opens a file of the repository, and every `#anchor` a heading there
  (the README once sent readers to `spec/behaviour.md`, which is not in the repository);
- no user-facing page names the spec files, which only the kit's authors have.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """The anchor MyST (`myst_heading_anchors`) and GitHub give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def test_every_relative_link_of_the_readme_opens_something() -> None:
    links = [t for t in LINK.findall(README.read_text()) if not re.match(r"[a-z]+:", t)]
    assert "docs/emulator.md#admin-endpoints" in links
    for target in links:
        path, _, anchor = target.partition("#")
        page = ROOT / path
        assert page.exists(), f"README links to {path}, which is not in the repository"
        if anchor:
            assert anchor in _anchors(page), f"README links to #{anchor}, no heading of {path}"


def _user_pages() -> list[tuple[str, str]]:
    pages = [("README.md", README.read_text())]
    pages += [(p.name, p.read_text()) for p in sorted((ROOT / "docs").glob("*.md"))]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        pages.append((notebook.name, text))
    return pages


@pytest.mark.parametrize(("name", "text"), [pytest.param(n, t, id=n) for n, t in _user_pages()])
def test_no_user_page_sends_readers_to_the_spec_files(name: str, text: str) -> None:
    assert "behaviour.md" not in text, name
    assert not re.search(r"\bspec/", text), name
