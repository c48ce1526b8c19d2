"""What a session loaded into the PatchBuilder keeps, and what learners type or pass.

From an audit of the builders as a learner meets them: untouched metadata changed type
on its way back, a currency change rescaled every loaded amount, an override equal to
the order's total hid what a PATCH would answer, `fill()` with a Decimal gave a bare
traitlets error, and a few smaller texts.
"""

from __future__ import annotations

import gc
import html
import sys
from decimal import Decimal
from typing import Any

import pytest

from primer_nb.widgets import ExpiryCountdown, PatchBuilder, SessionBuilder
from primer_nb.widgets.form import currency_options
from primer_nb.widgets.snippets import python_snippet


def _metadata_row(builder: PatchBuilder, key: str) -> Any:
    node: Any = builder.form.node("$.metadata")
    return next(value for name, value in node.rows if name.value == key)


def test_untouched_metadata_keeps_its_types_through_a_patch(client: Any) -> None:
    """PATCH replaces metadata whole: the keys not edited go back exactly as they were."""
    metadata = {"ref": "123", "rate": 1.5, "flag": True, "nested": {"a": [1]}, "note": "x"}
    session = client.create_session({"orderId": "m-1", "currencyCode": "EUR", "metadata": metadata})
    builder = PatchBuilder(client, session.client_token)
    assert builder.changes == {}  # loading alone changes nothing
    _metadata_row(builder, "note").value = "y"
    assert builder.changes == {"metadata": {**metadata, "note": "y"}}
    assert "$.metadata.note" in html.unescape(builder.diff.value)
    assert builder.submit().metadata == {**metadata, "note": "y"}
    assert client.get_session(session.client_token).metadata == {**metadata, "note": "y"}


def test_an_edited_metadata_value_is_read_as_typed(client: Any) -> None:
    session = client.create_session(
        {"orderId": "m-2", "currencyCode": "EUR", "metadata": {"n": "1"}}
    )
    builder = PatchBuilder(client, session.client_token)
    _metadata_row(builder, "n").value = "2"
    assert builder.changes == {"metadata": {"n": 2}}  # a whole number typed is an integer


@pytest.mark.parametrize("code", ["JPY", "KWD"])
def test_a_currency_change_never_rescales_the_loaded_amounts(client: Any, code: str) -> None:
    """Primer's amounts are integers in minor units and are not converted: changing only
    the currency is a one-field PATCH, and the preview totals the same minor units."""
    session = client.create_session(
        {
            "orderId": "c-1",
            "currencyCode": "EUR",
            "order": {"lineItems": [{"name": "A", "amount": 1000}]},
        }
    )
    builder = PatchBuilder(client, session.client_token)
    builder.fill({"currencyCode": code})
    assert builder.changes == {"currencyCode": code}
    minor: Any = builder.form.node("$.order.lineItems[0].amount")
    assert "1000</code> minor units, as loaded" in minor.minor.value
    patched = builder.submit()
    assert patched is not None and patched.order is not None
    assert patched.order.line_items[0].amount == 1000


def test_an_amount_equal_to_the_total_says_what_a_patch_would_answer(client: Any) -> None:
    """A GET cannot tell an override equal to the order's total from no override: when
    the order changes, the rules say so, and how to clear one."""
    session = client.create_session(
        {
            "orderId": "o-1",
            "currencyCode": "EUR",
            "amount": 1000,
            "order": {"lineItems": [{"name": "A", "amount": 1000}]},
        }
    )
    builder = PatchBuilder(client, session.client_token)
    builder.form.node("$.order.lineItems[0]").fill({"amount": "20.00"})
    rules = html.unescape(builder.rules.value)
    assert "$.amount equals the order's total, so the preview follows the items" in rules
    assert "update_session(token, {'amount': None})" in rules
    plain = client.create_session(
        {
            "orderId": "o-2",
            "currencyCode": "EUR",
            "order": {"lineItems": [{"name": "A", "amount": 1000}]},
        }
    )
    other = PatchBuilder(client, plain.client_token)
    assert "equals the order's total" not in html.unescape(other.rules.value)
    other.fill({"customerId": "c-9"})  # the order untouched: nothing to say
    assert "equals the order's total" not in html.unescape(other.rules.value)


def test_fill_takes_decimals_and_integers_as_typed(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"orderId": "d-1", "currencyCode": "EUR", "amount": Decimal("12.99")})
    builder.add_line_item({"name": "a", "amount": Decimal("12.99"), "quantity": 3})
    assert builder.request is not None
    wire = builder.request.to_wire()
    assert wire["amount"] == 1299
    assert wire["order"]["lineItems"][0] == {"name": "a", "amount": 1299, "quantity": 3}


def test_fill_refuses_a_float_amount_naming_the_field(client: Any) -> None:
    builder = SessionBuilder(client)
    with pytest.raises(
        TypeError, match=r"^\$\.amount: an amount is typed in major units"
    ) as caught:
        builder.fill({"currencyCode": "EUR", "amount": 12.99})
    assert "a float cannot hold most decimal amounts exactly" in str(caught.value)


def test_a_countdown_refused_for_a_session_without_expiry_leaves_no_noise(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    session = client.create_session({"orderId": "e-1", "currencyCode": "EUR", "amount": 1})
    fetched = client.get_session(session.client_token)  # a GET carries no expiry
    with pytest.raises(TypeError):
        ExpiryCountdown(fetched)
    unraisable: list[Any] = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert unraisable == []


def test_an_unexpected_send_error_does_not_leave_sending(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"orderId": "u-1", "currencyCode": "EUR", "amount": "1.00"})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    client.create_session = broken
    with pytest.raises(RuntimeError):
        builder.submit()
    assert builder.status.value.startswith("Send failed with an unexpected error")
    assert not builder.send_button.disabled


def test_the_patch_snippet_defines_its_client_token() -> None:
    text = python_snippet({"clientToken": "t", "amount": 5}, method="PATCH")
    assert 'client_token = os.environ["PRIMER_CLIENT_TOKEN"]' in text
    compile(text, "<snippet>", "exec")  # it runs as pasted (given the variable)


def test_currencies_disabled_by_default_are_marked() -> None:
    labels = dict((code, label) for label, code in currency_options())
    assert labels["BHD"] == "BHD — 3 minor units, disabled by default"
    assert labels["EUR"] == "EUR — 2 minor units"


def test_a_form_with_problems_previews_no_total_and_says_so(client: Any) -> None:
    """'12,50' cannot be read: the preview does not show a total without it (EUR 0.00),
    and the copyable snippets say in their first line that they are not sendable."""
    builder = SessionBuilder(client)
    builder.fill({"orderId": "p-1", "currencyCode": "EUR"})
    builder.add_line_item({"name": "a", "amount": "12,50"})
    assert builder.preview.total_text == "Total: — (not sendable yet: 1 problem in the form)"
    for text in (builder.preview.curl_text, builder.preview.python_text):
        assert text.startswith("# not sendable yet: 1 problem in the form\n")
    builder.form.node("$.order.lineItems[0]").fill({"amount": "12.50"})
    assert builder.preview.total_text.startswith("Total: EUR 12.50")
    assert "not sendable" not in builder.preview.curl_text + builder.preview.python_text


def test_a_discount_larger_than_its_line_is_caught_before_sending(client: Any) -> None:
    """A PATCH body is valid on its own whatever its lines' totals; the session it would
    make is not (its amount would be negative), so the builder judges the merged session
    as the emulator does and shows the message beside the discount."""
    session = client.create_session(
        {"orderId": "d-1", "currencyCode": "EUR", "order": {"lineItems": [{"amount": 100}]}}
    )
    builder = PatchBuilder(client, session.client_token)
    wire = session.to_wire()
    for key in ("amount", "clientToken", "clientTokenExpirationDate", "warnings"):
        wire.pop(key, None)
    wire["order"]["lineItems"][0]["discountAmount"] = 500
    builder.ctx.held = True
    builder.form.root.load(wire)
    builder.ctx.held = False
    builder.refresh()
    assert builder.changes == {"order": {"lineItems": [{"amount": 100, "discountAmount": 500}]}}
    assert builder.request is None  # not sendable
    node: Any = builder.form.node("$.order.lineItems[0].discountAmount")
    assert "Line total" in html.unescape(node.error.value)
    assert client.get_session(session.client_token).amount == 100
