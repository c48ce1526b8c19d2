"""The API reference as a reader sees it: model fields told right (docs/model_fields.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODELS = "docs/api/primer_nb/primer_nb.models.html"


def described(site_dir: Path, page: str, name: str) -> str:
    """The text of one object's signature and description on a reference page."""
    text = (site_dir / page).read_text(encoding="utf-8")
    start = text.index(f'id="{name}"')
    return re.sub(r"<[^>]+>", "", text[start : text.index("</dd>", start)])


@pytest.mark.parametrize(
    ("field", "says"),
    [
        ("LineItem.amount", "Wire name amount; required."),
        ("Fee.amount", "Wire name amount; required."),
        ("ClientSessionWithToken.client_token", "Wire name clientToken; required."),
        ("LineItem.discount_amount", "Wire name discountAmount; optional."),
        ("CardNetworks.VISA", "Wire name VISA; optional."),
    ],
)
def test_a_model_field_says_its_wire_name_and_whether_it_is_required(
    site_dir: Path, field: str, says: str
) -> None:
    """A required field was shown with the value None, as an optional one is, and no
    field said the name the API reads."""
    text = described(site_dir, MODELS, f"primer_nb.models.{field}")
    assert says in text
    assert "None" not in text.replace("| None", "")  # the type may say `| None`
    assert "_network_field" not in text


def test_no_reference_page_shows_none_for_a_value_it_could_not_read(site_dir: Path) -> None:
    pages = sorted((site_dir / "docs" / "api").rglob("*.html"))
    assert pages
    assert [p.name for p in pages if "<dd><p>None</p>" in p.read_text(encoding="utf-8")] == []


def test_the_clients_shared_arguments_and_methods_are_in_the_reference(site_dir: Path) -> None:
    """They live on a private base, which the reference hid: no page said `timeout=`,
    `hooks=` or `add_hook`, which the tutorials use."""
    page = "docs/api/primer_nb/primer_nb.client.html"
    base = described(site_dir, page, "primer_nb.client._BaseClient")
    for argument in ("api_key", "timeout", "max_retries", "hooks", "allow_production"):
        assert f"{argument}:" in base or f"{argument}=" in base, argument
    assert "Wire name" not in base
    text = (site_dir / page).read_text(encoding="utf-8")
    assert 'id="primer_nb.client._BaseClient.add_hook"' in text
    assert 'href="#primer_nb.client._BaseClient"' in text  # PrimerClient's "Bases:" link
    models = (site_dir / MODELS).read_text(encoding="utf-8")
    assert 'id="primer_nb.models._Model.to_wire"' in models


def test_the_package_page_says_where_each_public_name_is(site_dir: Path) -> None:
    text = (site_dir / "docs/api/primer_nb/primer_nb.html").read_text(encoding="utf-8")
    assert "Public names, by the module that documents them" in text
    # the docstring's own link (the sidebar links the page too)
    assert 'href="../../emulator.html"><span class="std std-doc">How the emulator behaves' in text
    assert "How the emulator behaves</span></a> lists the emulator" in text
    for page, title in (("primer-api", "What Primer documents"), ("behaviour", "The behaviour")):
        assert f'href="../../{page}.html"><span class="std std-doc">{title}' in text


RECORDS = {"behaviour.md": "behaviour", "client-session-api.md": "primer-api"}
CITATION = re.compile(r"(behaviour\.md|client-session-api\.md|spec) §(\d+(?:\.\d+)*)")


def site_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def plain_text(html: str) -> str:
    """The page's words outside code and links, on one line."""
    html = re.sub(r"<(code|pre|a)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("record", "page"), sorted(RECORDS.items()))
def test_each_record_is_a_page_with_every_section(site_dir: Path, record: str, page: str) -> None:
    """Docstrings cite the repository's records ("behaviour.md §3"), which no page of the
    site showed: a reader without the repository could not look them up."""
    source = Path("tests/data/primer", record).read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (\d+(?:\.\d+)*)\.? ", source, flags=re.M)
    assert len(headings) >= 5
    html = (site_dir / "docs" / f"{page}.html").read_text(encoding="utf-8")
    shown = re.findall(r"<h[23]>(\d+(?:\.\d+)*)\.? ", html)
    assert shown == headings


def test_every_citation_of_a_record_links_to_its_section(site_dir: Path) -> None:
    links = 0
    for path in site_pages(site_dir):
        html = path.read_text(encoding="utf-8")
        for href, text in re.findall(
            r'<a class="reference internal" href="([^"]*)">([^<]*)</a>', html
        ):
            cited = re.fullmatch(r"(?:(?:behaviour|client-session-api)\.md |spec )?§([\d.]+)", text)
            if not cited:
                continue
            target, _, anchor = href.partition("#")
            page = (path.parent / target).resolve()
            assert page.parent == (site_dir / "docs").resolve(), (path, href)
            assert page.stem in RECORDS.values(), (path, href)
            section = page.read_text(encoding="utf-8").split(f'<section id="{anchor}">', 1)
            assert len(section) == 2, (path, href)
            heading = re.search(r"<h\d>([^<]*)<", section[1])
            assert heading and re.match(rf"{re.escape(cited[1])}\.? ", heading[1]), (path, href)
            links += 1
        assert CITATION.findall(plain_text(html)) == [], path  # none left as plain text
    assert links >= 20
