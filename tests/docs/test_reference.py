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
