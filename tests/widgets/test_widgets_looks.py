"""A builder's widgets share their layout and style models (`Looks`).

Each ipywidgets model is one `comm_open` message from the kernel to the browser. With a
layout and a style model of its own for every widget, notebook 10's `PatchBuilder` cell
sent 928 messages in one burst, and JupyterLab sometimes lost one: the cell stayed at
`[*]` for good (a CI run, then about one run in seven under load here; a cell opening
3,000 models lost messages every time). Sharing, and CSS classes given at creation
rather than added afterwards, bring that cell to about 350 messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances

from primer_nb.models import ClientSessionRequest
from primer_nb.widgets import ExpiryCountdown, PatchBuilder, SessionBuilder
from primer_nb.widgets._common import Looks

from .conftest import walk

BODY = {
    "orderId": "order-1",
    "currencyCode": "EUR",
    "customerId": "cust-1",
    "customer": {"emailAddress": "ana@example.com"},
    "order": {
        "lineItems": [
            {"name": "Shoes", "amount": 5990, "quantity": 2},
            {"name": "Socks", "amount": 450, "discountAmount": 50},
        ]
    },
    "metadata": {"channel": "web"},
}


@pytest.fixture
def token(client: Any) -> str:
    session = client.create_session(ClientSessionRequest.model_validate(BODY))
    return str(session.client_token)


def _opened(make: Callable[[], Any]) -> tuple[Any, int]:
    """The built widget and how many widget models (comm_open messages) building it opened."""
    before = set(_instances)
    built = make()
    return built, len(set(_instances) - before)


def _trees(builder: Any) -> Iterator[Any]:
    """Every widget of a builder, including the controls inside the result area."""
    for widget in walk(builder):
        if widget is not builder and not isinstance(widget, ExpiryCountdown):
            yield widget


def test_every_widget_of_a_builder_uses_the_shared_models(client: Any, token: str) -> None:
    builder = SessionBuilder(client).fill(BODY | {"order": {}})
    builder.add_line_item({"name": "Shoes", "amount": "59.90", "quantity": "2"})
    builder.submit()
    patcher = PatchBuilder(client, token)
    for made in (builder, patcher):
        layouts = {id(x) for x in made.looks._layouts.values()}
        styles = {id(x) for x in made.looks._styles.values()}
        widgets = list(_trees(made))
        assert len(widgets) > 150
        assert [x for x in widgets if id(x.layout) not in layouts] == []
        assert [x for x in widgets if hasattr(x, "style") and id(x.style) not in styles] == []
        assert made.looks.models <= 16


def test_a_patch_builder_opens_a_third_of_the_models_it_used_to(client: Any, token: str) -> None:
    patcher, opened = _opened(lambda: PatchBuilder(client, token))
    widgets = sum(1 for _ in walk(patcher))
    # before sharing: a layout per widget and a style for most, so about 2.7 per widget
    assert opened < widgets * 1.2
    assert opened < 350


def test_building_a_patch_builder_sends_few_updates(
    client: Any, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CSS classes are given at creation: `add_class` afterwards was one more message for
    each of the 103 message boxes (137 updates for notebook 10's, about 35 now)."""
    sent: list[tuple[str, object]] = []
    send_state = w.Widget.send_state

    def counting(self: Any, key: Any = None) -> None:
        sent.append((type(self).__name__, key))
        send_state(self, key)

    monkeypatch.setattr(w.Widget, "send_state", counting)
    patcher = PatchBuilder(client, token)
    assert len(sent) < 50, sent
    assert not [s for s in sent if s[1] == "_dom_classes" and s[0] == "HTML"]
    errors = [x for x in walk(patcher) if "primer-error" in x._dom_classes]
    assert len(errors) > 50


def test_session_builder_opens_under_two_hundred_models(client: Any) -> None:
    _builder, opened = _opened(lambda: SessionBuilder(client))
    assert opened < 200


def test_looks_share_one_model_per_distinct_look() -> None:
    looks = Looks()
    a = looks.make(w.Text, css={"width": "420px"}, style={"description_width": "170px"})
    b = looks.make(w.Text, value="x", css={"width": "420px"}, style={"description_width": "170px"})
    c = looks.make(w.Text, css={"width": "180px"})
    d = looks.make(w.Dropdown, options=["a"], style={"description_width": "170px"})
    assert a.layout is b.layout and a.style is b.style
    assert c.layout is not a.layout and c.style is not a.style
    assert type(d.style).__name__ == "DescriptionStyle"  # the Dropdown's own style class
    assert a.style.description_width == "170px" and c.layout.width == "180px"
    assert looks.make(w.HBox, [a, b]).children == (a, b)
    assert looks.models == 6  # layouts: 420px, 180px, none; styles: Text x2, Dropdown


def test_a_style_for_a_widget_without_one_is_refused() -> None:
    with pytest.raises(TypeError, match="HBox has no style"):
        Looks().make(w.HBox, [], style={"description_width": "170px"})


def test_adding_a_row_does_not_remake_the_rows_already_shown(client: Any) -> None:
    builder = SessionBuilder(client)
    items = builder.line_items
    builder.add_line_item({"name": "Shoes", "amount": "59.90"})
    first = items.rows_box.children[0]
    _, second = _opened(lambda: builder.add_line_item({"name": "Socks", "amount": "4.50"}))
    _, third = _opened(lambda: builder.add_line_item({"name": "Laces", "amount": "1.00"}))
    assert items.rows_box.children[0] is first
    assert third == second  # the same per row, not growing with the rows already there

    items.remove_row(0)
    titles = [box.children[0].children[0].value for box in items.rows_box.children]
    assert titles == ["<b>lineItems[0]</b>", "<b>lineItems[1]</b>"]
    assert [row.fields["name"].value for row in items.rows] == ["Socks", "Laces"]

    metadata = builder.form.root.fields["metadata"]
    metadata.add_row("channel", "web")
    kept = metadata.rows_box.children[0]
    metadata.add_row("store", "berlin")
    assert metadata.rows_box.children[0] is kept
    metadata._remove(metadata.rows[0])
    assert [box.children[0].value for box in metadata.rows_box.children] == ["store"]
