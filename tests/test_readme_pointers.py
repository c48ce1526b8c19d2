"""What the README tells a newcomer matches the repository they cloned.

- every relative link opens a file of the repository, and every `#anchor` a heading there
  (the README once sent readers to `spec/behaviour.md`, which is not in the repository);
- no user-facing page names the spec files, which only the kit's authors have (the
  repository's copy of the behaviour record, published on the site, may be named);
- the `make test` line says everything the target runs (it once left out the docs build);
- `make lab`'s way to pass JupyterLab options (`LAB_ARGS`) is shown.
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
    """The authors' spec folder is in no clone. The repository's copy of the behaviour
    record is (`tests/data/primer/behaviour.md`), and the site publishes it as the page
    `docs/behaviour.md`, to which it links every "behaviour.md §N": a page may name the
    record in those forms, and no other."""
    forms = r"(tests/data/primer/|docs/|\]\()behaviour\.md|behaviour\.md §[\dN]"
    assert "behaviour.md" not in re.sub(forms, "", text), name
    assert not re.search(r"\bspec/", text), name


def test_the_make_test_line_names_everything_the_target_runs() -> None:
    rule = re.search(r"^test: (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert rule is not None
    said = {"lint": "ruff", "typecheck": "mypy", "docs": "the docs build"}
    line = next(x for x in README.read_text().splitlines() if x.startswith("make test "))
    for prerequisite in rule.group(1).split():
        if prerequisite == "install":
            continue
        assert prerequisite in said, f"`make test` also runs `make {prerequisite}`: say so"
        assert said[prerequisite] in line, f"the README's `make test` line omits {prerequisite}"
    assert "pytest" in line and "nbval" in line


def test_the_readme_shows_how_to_pass_options_to_jupyterlab() -> None:
    assert "LAB_ARGS ?=" in (ROOT / "Makefile").read_text()
    assert 'make lab LAB_ARGS="--no-browser --port ' in README.read_text()
