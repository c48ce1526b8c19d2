"""`fill()` of the builders: every part of a body is typed in, or refused by name.

From an audit of bad input: `order.lineItems` and `metadata` given to `fill()` were
dropped without a word (the session was created without them and without their total).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from primer_nb.errors import PrimerValidationError
from primer_nb.models import nested_too_deep
from primer_nb.widgets import PatchBuilder, SessionBuilder
from primer_nb.widgets.form import UnknownFieldError

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
    with pytest.raises(TypeError, match=r"^\$\.metadata\.when: .* cannot be written as JSON"):
        builder.fill({"metadata": {"ok": "x", "when": {1, 2}}})
    with pytest.raises(TypeError, match=r"^\$\.metadata\.n: nan cannot be written as JSON"):
        builder.fill({"metadata": {"n": float("nan")}})
    assert control_values(builder) == before


# --- what fill() refuses, and how it says so --------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"order_id": "x"},
            "$.order_id is not a field of ClientSessionRequest; did you mean `orderId`?",
        ),
        ({"bogus": 1}, "$.bogus is not a field of ClientSessionRequest"),
        (
            {"customer": {"emailAdress": "ana@example.com"}},
            "$.customer.emailAdress is not a field of $.customer; did you mean `emailAddress`?",
        ),
        (
            {"order": {"lineItems": [{"name": "a"}, {"amout": "1.00"}]}},
            "$.order.lineItems[1].amout is not a field of $.order.lineItems[1]; "
            "did you mean `amount`?",
        ),
        (  # a top-level field typed inside an object: the client's warning says the same
            {"order": {"currencyCode": "GBP"}},
            "$.order.currencyCode is not a field of $.order; it belongs at $.currencyCode",
        ),
    ],
)
def test_an_unknown_key_is_named_by_its_json_path_with_the_wire_name(
    client: Any, values: dict[str, Any], message: str
) -> None:
    builder = SessionBuilder(client).fill(BODY)
    before = control_values(builder)
    with pytest.raises(UnknownFieldError) as caught:
        builder.fill({"orderId": "changed", **values})
    assert str(caught.value) == message
    assert isinstance(caught.value, KeyError)  # what a bare KeyError caught before
    assert control_values(builder) == before  # not even orderId was typed


def test_a_patch_builder_names_the_wire_name_and_what_it_leaves_out(client: Any) -> None:
    session = client.create_session({"orderId": "p-1", "currencyCode": "EUR", "amount": 100})
    patcher = PatchBuilder(client, session.client_token)
    with pytest.raises(UnknownFieldError) as caught:
        patcher.fill({"currency_code": "GBP"})
    assert str(caught.value) == (
        "$.currency_code is not a field of ClientSessionUpdateRequest; did you mean `currencyCode`?"
    )
    with pytest.raises(UnknownFieldError, match=r"^\$\.approvalMode: this form leaves"):
        patcher.fill({"approvalMode": "MANUAL"})
    assert patcher.changes == {}


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (
            {"currencyCode": "eur"},
            ValueError,
            r"^\$\.currencyCode: 'eur' is not one of its \d+ choices .*or None to leave it "
            r"unset \(codes are upper case: did you mean 'EUR'\?\)$",
        ),
        (
            {"order": {"lineItems": [{"productType": "physical"}]}},
            ValueError,
            r"^\$\.order\.lineItems\[0\]\.productType: 'physical' is not one of 'PHYSICAL', "
            r"'DIGITAL'.*did you mean 'PHYSICAL'\?",
        ),
        (
            {"customer": {"emailAddress": None}},
            TypeError,
            r"^\$\.customer\.emailAddress: fill it with text \(a str\), not NoneType \(None\); "
            r"'' leaves it empty \(not sent\)$",
        ),
        (
            {"paymentMethod": {"vaultOnSuccess": "yes"}},
            ValueError,
            r"^\$\.paymentMethod\.vaultOnSuccess: 'yes' is not one of True, False",
        ),
        (
            {"paymentMethod": {"orderedAllowedCardNetworks": ["visa"]}},
            ValueError,
            r"^\$\.paymentMethod\.orderedAllowedCardNetworks: 'visa' is not one of .*"
            r"did you mean 'VISA'\?",
        ),
    ],
)
def test_a_value_a_control_refuses_names_the_path_and_the_rule(
    client: Any, values: dict[str, Any], error: type[Exception], message: str
) -> None:
    builder = SessionBuilder(client).fill(BODY)
    before = control_values(builder)
    with pytest.raises(error, match=message):
        builder.fill(values)
    assert control_values(builder) == before
    assert builder.errors == []


def test_an_int_amount_is_refused_not_read_as_major_units(client: Any) -> None:
    """A wire body's `1299` is EUR 12.99 in minor units; read as major units it became
    129900. fill() takes major units as text, so an int is refused with the conversion."""
    builder = SessionBuilder(client).fill({"orderId": "i-1", "currencyCode": "EUR"})
    with pytest.raises(TypeError) as caught:
        builder.fill({"amount": 1299})
    assert str(caught.value) == (
        "$.amount: fill() takes an amount in major units, as text or a Decimal (e.g. "
        "'12.99'), not the int 1299: an int is how a wire body writes minor units. Convert "
        "it: primer_nb.currency.from_minor_units(1299, 'EUR') -> Decimal('12.99')"
    )
    with pytest.raises(TypeError, match=r"^\$\.order\.lineItems\[0\]\.amount: .* the int 5990"):
        builder.add_line_item({"name": "shoe", "amount": 5990})
    assert builder.line_items.rows == []  # no half-filled row is left behind
    assert "amount" not in builder.form.collect()[0]
    builder.fill({"amount": "12.99"})
    assert builder.request is not None and builder.request.amount == 1299


def test_a_row_filled_on_its_own_names_its_path(client: Any) -> None:
    session = client.create_session(
        {"orderId": "r-1", "currencyCode": "EUR", "order": {"lineItems": [{"amount": 100}] * 2}}
    )
    patcher = PatchBuilder(client, session.client_token)
    row: Any = patcher.form.node("$.order.lineItems[1]")
    with pytest.raises(TypeError, match=r"^\$\.order\.lineItems\[1\]\.quantity: fill it with a"):
        row.fill({"quantity": None})
    row.fill({"quantity": 3})
    assert patcher.changes == {
        "order": {"lineItems": [{"amount": 100}, {"amount": 100, "quantity": 3}]}
    }


@pytest.mark.parametrize("typed", ["[NaN]", '{"a": Infinity}', "[1e999]", "[" + "9" * 5000 + "]"])
def test_a_metadata_value_typed_as_json_that_json_cannot_hold_is_text(
    client: Any, typed: str
) -> None:
    """Typed into the form, `[NaN]` was read as a list holding NaN: the preview's snippets
    then raised (a traceback in the builder, stale curl/Python tabs). Like any other text
    that is not JSON, it is now the text itself: the preview works and Send sends it."""
    builder = SessionBuilder(client).fill({"orderId": "o-1", "currencyCode": "EUR"})
    builder.form.node("$.metadata").add_row("x", typed)
    builder.refresh()
    assert '"x": "' in builder.preview.curl_text  # the text, as a JSON string
    assert "not sendable" not in builder.preview.curl_text
    note = builder.form.node("$.metadata").error.value
    assert "&#x27;x&#x27; is sent as text, not JSON: " in note, note
    session = builder.submit()
    assert session is not None and session.metadata == {"x": typed}


def test_a_metadata_value_that_starts_like_json_but_is_not_says_it_is_sent_as_text(
    client: Any,
) -> None:
    """`{"size": 2` (a brace left out) was sent as a string without a word: the learner
    meant an object. Sending it as typed stays right (Primer takes any string), and the
    note beside the rows says why it is text; it does not stop Send, and it goes once
    the JSON reads."""
    builder = SessionBuilder(client).fill({"orderId": "o-1", "currencyCode": "EUR"})
    metadata: Any = builder.form.node("$.metadata")
    _, value = metadata.add_row("basket", '{"size": 2')
    metadata.add_row("plain", "spring")  # ordinary text: no note
    builder.refresh()
    assert metadata.error.value.startswith("<span style='color:var(--jp-ui-font-color2")
    assert (
        "ℹ $.metadata: &#x27;basket&#x27; is sent as text, not JSON: Expecting &#x27;,&#x27; "
        "delimiter: line 1 column 11 (char 10)</span>"
    ) in metadata.error.value
    assert "plain" not in metadata.error.value
    assert builder.evaluation is not None and builder.evaluation.errors == []
    assert not builder.send_button.disabled
    value.value = '{"size": 2}'
    builder.refresh()
    assert metadata.error.value == ""
    value.value = '{"size": 2'
    session = builder.submit()
    assert session is not None and session.metadata == {"basket": '{"size": 2', "plain": "spring"}

    patcher = PatchBuilder(client, session.client_token)  # the same rows, the same note
    rows: Any = patcher.form.node("$.metadata")
    rows.add_row("list", "[1, 2,]")
    patcher.refresh()
    assert "&#x27;list&#x27; is sent as text, not JSON: Expecting value" in rows.error.value
    assert "basket" not in rows.error.value  # loaded from the session, left as it was


@pytest.mark.parametrize("levels", [63, 64, 900, 5000])
def test_json_nested_past_the_apis_limit_is_refused_at_its_field(client: Any, levels: int) -> None:
    """A metadata value or paymentMethod.options nested past 64 levels: the form said
    "Ready" and submit() got the 400 from the client (no field); a few hundred levels
    deeper the path was pydantic's type names, and at a few thousand the form's own
    refresh failed with a RecursionError traceback while Send stayed enabled. The limit
    is the client's own (`nested_too_deep`), to the level."""
    builder = SessionBuilder(client).fill({"orderId": "o-1", "currencyCode": "EUR"})
    typed = "[" * levels + "]" * levels
    builder.form.node("$.metadata").add_row("k", typed)
    builder.refresh()
    too_deep = nested_too_deep({"metadata": {"k": json.loads(typed)}}) if levels < 900 else True
    assert too_deep is (levels > 63)
    errors = dict(builder.evaluation.errors) if builder.evaluation else {}
    if too_deep:
        assert errors["$.metadata"].startswith("'k': nested more than 64 levels deep")
        assert builder.send_button.disabled and builder.errors == []
        assert builder.evaluation is not None
        assert builder.evaluation.body["metadata"]["k"] == typed  # kept as typed, not dropped
        with pytest.raises(PrimerValidationError, match=r"\$\.metadata"):
            builder.submit()
    else:
        assert errors == {} and not builder.send_button.disabled
    options = builder.form.node("$.paymentMethod.options")
    options.control.value = typed  # type: ignore[attr-defined]
    builder.refresh()
    errors = dict(builder.evaluation.errors) if builder.evaluation else {}
    said = errors.get("$.paymentMethod.options", "")
    assert said.startswith("nested more than 64") is (levels > 63), said
    assert builder.errors == []


def test_the_preview_shows_why_a_body_has_no_snippet_instead_of_raising(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.preview.update({"orderId": "o-1", "metadata": {"x": float("nan")}})
    assert builder.preview.curl_text.startswith("# not sendable: ")
    assert builder.preview.python_text == builder.preview.curl_text
