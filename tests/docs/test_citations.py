"""docs/conf.py's links from citations of the records ("behaviour.md §3") to their sections."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def conf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_conf", ROOT / "docs" / "conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def section(number: str, ident: str) -> nodes.section:
    return nodes.section("", nodes.title("", f"{number} A heading"), ids=[ident])


def record(*sections: nodes.section) -> nodes.document:
    document = new_document("record", get_default_settings(Parser))
    document.extend(sections)
    return document


def app() -> SimpleNamespace:
    doctrees = {
        "docs/behaviour": record(section("2.", "requests"), section("5.", "further")),
        "docs/primer-api": record(section("9.", "errors"), section("9.1", "status-codes")),
    }
    return SimpleNamespace(
        env=SimpleNamespace(get_doctree=doctrees.__getitem__),
        builder=SimpleNamespace(get_relative_uri=lambda here, there: f"{there[5:]}.html"),
    )


def linked(conf: ModuleType, text: str) -> list[tuple[str, str]]:
    """(text, href) of each piece of a paragraph holding `text`, after the transform."""
    page = record(nodes.paragraph("", "", nodes.Text(text), nodes.literal("", text)))
    conf._link_record_citations(app(), page, "docs/api/page")
    paragraph = page[0]
    pieces = [
        (child.astext(), child.get("refuri", "") if isinstance(child, nodes.Element) else "")
        for child in paragraph.children
    ]
    assert pieces[-1] == (text, "")  # text in code is left as it is
    return pieces[:-1]


def test_citations_link_to_their_sections(conf: ModuleType) -> None:
    assert linked(conf, "rules (behaviour.md §2, §5) and spec §9.1.") == [
        ("rules (", ""),
        ("behaviour.md §2", "behaviour.html#requests"),
        (", ", ""),
        ("§5", "behaviour.html#further"),
        (") and ", ""),
        ("spec §9.1", "primer-api.html#status-codes"),
        (".", ""),
    ]
    assert linked(conf, "behaviour.md §2-§5") == [
        ("behaviour.md §2", "behaviour.html#requests"),
        ("-", ""),
        ("§5", "behaviour.html#further"),
    ]


def test_a_paragraph_without_citations_is_unchanged(conf: ModuleType) -> None:
    assert linked(conf, "behaviour.md says so; see §2") == [("behaviour.md says so; see §2", "")]


def test_a_citation_of_a_section_the_record_lacks_fails_the_build(conf: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"docs/api/page: behaviour.md §7 cites no section"):
        linked(conf, "see behaviour.md §7")


def test_no_link_inside_another_link_and_a_title_is_checked_but_kept_plain(
    conf: ModuleType,
) -> None:
    """Only a text's direct parent was looked at: a citation in bold inside a link became
    a link inside a link, and one in a title was neither linked nor checked."""
    inside = nodes.reference("", "", nodes.strong("", "", nodes.Text("see behaviour.md §2")))
    title = nodes.title("", "", nodes.emphasis("", "", nodes.Text("behaviour.md §5")))
    page = record(nodes.paragraph("", "", inside), nodes.section("", title, ids=["t"]))
    conf._link_record_citations(app(), page, "docs/api/page")
    assert len(list(page.findall(nodes.reference))) == 1  # the outer link alone
    assert title.astext() == "behaviour.md §5"
    bad = nodes.title("", "", nodes.emphasis("", "", nodes.Text("behaviour.md §7")))
    with pytest.raises(ValueError, match=r"behaviour\.md §7 cites no section"):
        conf._link_record_citations(app(), record(nodes.section("", bad)), "docs/api/page")
