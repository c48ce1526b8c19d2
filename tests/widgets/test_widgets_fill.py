"""`fill()` of the builders: every part of a body is typed in, or refused by name.

From an audit of bad input: `order.lineItems` and `metadata` given to `fill()` were
dropped without a word (the session was created without them and without their total).
"""

from __future__ import annotations

from typing import Any

import pytest

from primer_nb.widgets import PatchBuilder, SessionBuilder

from .conftest import control_values

BODY = {
    "orderId": "o-9",
    "currencyCode": "EUR",
    "order": {
        "countryCode": "DE",
        "lineItems": [
            {"itemId": "shoe", "amount": "59.90", "quantity": 2},
            {"itemId": "sock", "amount": "4.50", "discountAmount": "0.50"},
        ],
    },
    "metadata": {"campaign": "spring", "ref": "123", "rate": 1.5, "flags": {"vip": True}},
}


def test_fill_types_in_line_items_and_metadata(client: Any) -> None:
    builder = SessionBuilder(client).fill(BODY)
    assert builder.problems == [] and builder.errors == []
    assert len(builder.line_items.rows) == 2
    assert builder.request is not None
    wire = builder.request.to_wire()
    assert wire["order"]["lineItems"] == [
        {"itemId": "shoe", "amount": 5990, "quantity": 2},
        {"itemId": "sock", "amount": 450, "discountAmount": 50},
    ]
    # each metadata value is sent as given: "123" stays text, 1.5 a number
    assert wire["metadata"] == BODY["metadata"]
    session = builder.submit()
    assert session is not None
    assert session.amount == 2 * 5990 + 450 - 50
    assert session.metadata == BODY["metadata"]


def test_fill_replaces_the_rows_as_the_body_would(client: Any) -> None:
    builder = SessionBuilder(client).fill(BODY)
    builder.fill({"order": {"lineItems": [{"itemId": "hat", "amount": "10.00"}]}})
    builder.fill({"metadata": {"campaign": "autumn"}})
    assert builder.request is not None
    wire = builder.request.to_wire()
    assert wire["order"] == {"countryCode": "DE", "lineItems": [{"itemId": "hat", "amount": 1000}]}
    assert wire["metadata"] == {"campaign": "autumn"}


def test_a_patch_builder_fills_line_items_and_metadata(client: Any) -> None:
    session = client.create_session(
        {
            "orderId": "o-10",
            "currencyCode": "EUR",
            "order": {"lineItems": [{"itemId": "a", "amount": 100}]},
            "metadata": {"k": "v"},
        }
    )
    patcher = PatchBuilder(client, session.client_token)
    patcher.fill(
        {"order": {"lineItems": [{"itemId": "b", "amount": "2.00"}]}, "metadata": {"k": "new"}}
    )
    assert patcher.changes == {
        "order": {"lineItems": [{"itemId": "b", "amount": 200}]},
        "metadata": {"k": "new"},
    }
    patched = patcher.submit()
    assert patched is not None and patched.amount == 200
    assert patched.metadata == {"k": "new"}


def test_a_row_that_cannot_be_filled_changes_no_row(client: Any) -> None:
    builder = SessionBuilder(client).fill(BODY)
    before = control_values(builder)
    with pytest.raises(TypeError, match=r"lineItems\[1\]"):
        builder.fill({"order": {"lineItems": [{"itemId": "x"}, "not a row"]}})
    with pytest.raises(TypeError, match=r"lineItems is a list of objects"):
        builder.fill({"order": {"lineItems": {"itemId": "x"}}})
    assert control_values(builder) == before


def test_a_metadata_value_json_cannot_hold_is_refused_by_name(client: Any) -> None:
    builder = SessionBuilder(client).fill(BODY)
    before = control_values(builder)
    with pytest.raises(TypeError, match=r"metadata.*'when'.*cannot be written as JSON"):
        builder.fill({"metadata": {"ok": "x", "when": {1, 2}}})
    with pytest.raises(TypeError, match=r"metadata.*'n'.*cannot be written as JSON"):
        builder.fill({"metadata": {"n": float("nan")}})
    assert control_values(builder) == before
