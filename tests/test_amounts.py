"""Order arithmetic (primer_nb.amounts): the rule the emulator and the builders share."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb.amounts import breakdown, line_total, session_amount, wire_amount
from primer_nb.errors import UnknownFieldWarning
from primer_nb.models import ClientSessionRequest, Fee, LineItem, Order

minor = st.integers(min_value=0, max_value=10**9)
line = st.fixed_dictionaries(
    {"amount": minor},
    optional={"quantity": st.integers(0, 1000), "discountAmount": minor, "taxAmount": minor},
)


def test_spec_example_line_fee_and_shipping() -> None:
    """Primer's example: 500 x 1 + SURCHARGE fee 100 + shipping 50 -> 650."""
    session = {
        "order": {
            "lineItems": [{"amount": 500, "quantity": 1}],
            "fees": [{"type": "SURCHARGE", "amount": 100}],
            "shipping": {"amount": 50},
        }
    }
    assert session_amount(session) == 650


def test_discount_and_tax_are_per_line_not_per_unit() -> None:
    item = {"amount": 1000, "quantity": 3, "discountAmount": 500, "taxAmount": 200}
    assert line_total(item) == 3000 - 500 + 200


def test_quantity_defaults_to_one() -> None:
    assert line_total({"amount": 1337}) == 1337


def test_top_level_amount_overrides_the_order() -> None:
    session = {"amount": 4999, "order": {"lineItems": [{"amount": 2500, "quantity": 2}]}}
    parts = breakdown(session)
    assert (parts.computed, parts.override, parts.total) == (5000, 4999, 4999)
    assert session_amount(session) == wire_amount(session) == 4999


def test_nothing_to_compute_gives_none() -> None:
    assert session_amount({}) is None
    assert session_amount({"order": {"countryCode": "GB"}}) is None
    assert session_amount({"order": {"lineItems": []}}) is None
    # shipping without an amount adds nothing: no amount, not 0
    assert session_amount({"order": {"shipping": {"methodId": "DHL"}}}) is None
    assert breakdown({"order": {"shipping": {"methodId": "DHL"}}}).computed is None


def test_zero_shipping_alone_is_an_amount() -> None:
    assert session_amount({"order": {"shipping": {"amount": 0}}}) == 0


@given(st.lists(line, max_size=8), st.lists(minor, max_size=4), st.none() | minor)
def test_amount_is_the_sum_of_its_parts(
    items: list[dict[str, Any]], fees: list[int], shipping: int | None
) -> None:
    order: dict[str, Any] = {"lineItems": items, "fees": [{"amount": f} for f in fees]}
    if shipping is not None:
        order["shipping"] = {"amount": shipping}
    expected = (
        sum(
            i["amount"] * i.get("quantity", 1) - i.get("discountAmount", 0) + i.get("taxAmount", 0)
            for i in items
        )
        + sum(fees)
        + (shipping or 0)
    )
    has_any = bool(items or fees or shipping is not None)
    assert session_amount({"order": order}) == (expected if has_any else None)
    assert isinstance(session_amount({"order": order}) or 0, int)


def test_breakdown_keeps_each_part() -> None:
    parts = breakdown(
        {
            "amount": 999,
            "order": {
                "lineItems": [{"amount": 100, "quantity": 2}, {"amount": 5}],
                "fees": [{"amount": 30}, {"amount": 7}],
                "shipping": {"amount": 50},
            },
        }
    )
    assert (parts.line_items, parts.fees, parts.shipping) == (205, 37, 50)
    assert (parts.computed, parts.override, parts.total) == (292, 999, 999)


@pytest.mark.parametrize("override", [True, "999", 9.5, Decimal("9.5")])
def test_an_amount_that_is_not_an_int_is_an_error_at_its_path_not_a_silent_zero(
    override: object,
) -> None:
    with pytest.raises(TypeError, match=r"^\$\.amount: .* is not an amount: .*minor units"):
        breakdown({"amount": override, "order": {"lineItems": [{"amount": 10}]}})
    with pytest.raises(TypeError, match=r"^\$\.order\.lineItems\[1\]\.amount: "):
        session_amount({"order": {"lineItems": [{"amount": 10}, {"amount": override}]}})


def test_no_amount_is_no_override() -> None:
    parts = breakdown({"amount": None, "order": {"lineItems": [{"amount": 10}]}})
    assert parts.override is None and parts.total == 10


class Cents(int):
    """An int subclass (an IntEnum member behaves the same): still an integer amount."""


@pytest.mark.parametrize("value", [Cents(500), np.int64(500)])
def test_an_int_subclass_or_numpy_int_counts(value: object) -> None:
    assert line_total({"amount": value, "quantity": 2}) == 1000
    assert line_total({"amount": 100, "quantity": value}) == 50_000
    fees = {"order": {"fees": [{"amount": value}], "shipping": {"amount": value}}}
    assert (breakdown(fees).fees, breakdown(fees).shipping) == (500, 500)


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda v: line_total({"amount": v, "quantity": 2}), "$.amount"),
        (lambda v: line_total({"amount": 100, "quantity": v}), "$.quantity"),
        (lambda v: line_total({"amount": 100, "discountAmount": v}), "$.discountAmount"),
        (lambda v: line_total({"amount": 100, "taxAmount": v}), "$.taxAmount"),
        (lambda v: breakdown({"order": {"fees": [{"amount": v}]}}), "$.order.fees[0].amount"),
        (lambda v: breakdown({"order": {"shipping": {"amount": v}}}), "$.order.shipping.amount"),
    ],
)
@pytest.mark.parametrize("value", [True, False, "500", 5.0, 12.5])
def test_a_bool_str_or_float_in_an_order_is_an_error_naming_its_path(
    make: Any, path: str, value: object
) -> None:
    """A bool is not an amount (JSON true is not 1), nor is 12.5 or "500": never 0."""
    with pytest.raises(TypeError) as caught:
        make(value)
    assert str(caught.value).startswith(f"{path}: {value!r} is not an amount")


def test_models_are_read_through_to_wire() -> None:
    item = LineItem(amount=100, quantity=2, discount_amount=50)
    assert line_total(item) == 150
    request = ClientSessionRequest(order=Order(line_items=[item], fees=[Fee(amount=7)]))
    assert session_amount(request) == 157
    assert breakdown(ClientSessionRequest(amount=5)).total == 5


@pytest.mark.parametrize(
    ("call", "path", "wire"),
    [
        (
            lambda: session_amount({"order": {"line_items": [{"amount": 100}]}}),
            "$.order.line_items",
            "lineItems",
        ),
        (
            lambda: line_total({"amount": 1000, "discount_amount": 100}),
            "$.discount_amount",
            "discountAmount",
        ),
        (
            lambda: breakdown({"order": {"lineItems": [{"amount": 9, "tax_amount": 1}]}}),
            "$.order.lineItems[0].tax_amount",
            "taxAmount",
        ),
    ],
)
def test_a_snake_case_key_warns_at_its_path_with_the_wire_name(
    call: Any, path: str, wire: str
) -> None:
    with pytest.warns(UnknownFieldWarning) as caught:
        call()
    [warning] = caught
    assert str(warning.message) == (
        f"{path} is not counted: the wire name is `{wire}` (the amount helpers read "
        "camelCase wire dicts, as `model.to_wire()` gives)"
    )
    assert warning.filename == __file__  # points at the caller's line


def test_the_warning_points_at_the_users_line_through_other_package_modules() -> None:
    # The preview widget calls `breakdown` for the user: the warning skips its frames too.
    from primer_nb.widgets.preview import Preview

    preview = Preview(None)
    with pytest.warns(UnknownFieldWarning, match=r"\$\.order\.line_items") as caught:
        line = sys._getframe().f_lineno + 1
        preview.update({"order": {"line_items": [{"amount": 1}]}})
    [warning] = caught
    assert (warning.filename, warning.lineno) == (__file__, line)


def test_the_error_for_a_non_amount_says_what_an_amount_is() -> None:
    with pytest.raises(TypeError) as caught:
        line_total({"amount": 12.5})
    assert str(caught.value) == (
        "$.amount: 12.5 is not an amount: amounts are whole numbers of minor units as an "
        "int (1250 for 12.50 EUR; currency.to_minor_units converts)"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [("x" * 38, repr("x" * 38)), ("x" * 39, "a str")],  # a repr of 40 characters; of 41
)
def test_a_value_is_shown_up_to_40_characters_then_named_by_its_type(
    value: str, shown: str
) -> None:
    with pytest.raises(TypeError, match=rf"^\$\.amount: {shown} is not an amount: "):
        session_amount({"amount": value})


@pytest.mark.parametrize(
    ("helper", "name"), [(line_total, "item"), (breakdown, "session"), (session_amount, "session")]
)
@pytest.mark.parametrize(("value", "kind"), [(5, "int"), ([], "list"), (object(), "object")])
def test_what_is_neither_a_wire_dict_nor_a_model_is_a_type_error_naming_the_argument(
    helper: Any, name: str, value: object, kind: str
) -> None:
    with pytest.raises(TypeError) as caught:
        helper(value)
    assert str(caught.value) == (
        f"{name} must be a camelCase wire dict or a model (read by its to_wire()), not {kind}"
    )


def test_wire_amount_adds_up_as_session_amount_does() -> None:
    """The emulator's `amount` (wire_amount) is the rule the helpers apply."""
    body = {
        "order": {
            "lineItems": [{"amount": 100, "quantity": 2, "taxAmount": 3}, {"amount": Cents(5)}],
            "fees": [{"amount": 30}, {"amount": 7}],
            "shipping": {"amount": 50},
        }
    }
    assert wire_amount(body) == session_amount(body) == 295
    assert wire_amount({"order": {"shipping": {"methodId": "DHL"}}}) is None


@pytest.mark.parametrize("odd", [True, "999", 9.5, None])
def test_wire_amount_counts_what_is_not_an_int_as_nothing(odd: object) -> None:
    """No checks on a validated body: whatever is not an int adds 0 or overrides nothing."""
    assert wire_amount({"amount": odd, "order": {"lineItems": [{"amount": 10}]}}) == 10
    assert wire_amount({"order": {"lineItems": [{"amount": odd}, {"amount": 10}]}}) == 10
