"""Order arithmetic (primer_nb.amounts): the rule the emulator and the builders share."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb.amounts import breakdown, line_total, session_amount

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


def test_nothing_to_compute_gives_none() -> None:
    assert session_amount({}) is None
    assert session_amount({"order": {"countryCode": "GB"}}) is None
    assert session_amount({"order": {"lineItems": []}}) is None


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


@pytest.mark.parametrize("override", [True, "999", 9.5, None])
def test_only_an_integer_amount_overrides(override: object) -> None:
    parts = breakdown({"amount": override, "order": {"lineItems": [{"amount": 10}]}})
    assert parts.override is None and parts.total == 10


class Cents(int):
    """An int subclass (an IntEnum member behaves the same): still an integer amount."""


@pytest.mark.parametrize(
    ("value", "counted"), [(True, 0), (False, 0), ("500", 0), (5.0, 0), (Cents(500), 500)]
)
def test_only_integers_count_in_a_line(value: object, counted: int) -> None:
    """A bool is not an amount (JSON true is not 1); an int subclass is an integer."""
    assert line_total({"amount": value, "quantity": 2}) == 2 * counted
    assert line_total({"amount": 100, "quantity": value}) == 100 * counted
    fees = {"order": {"fees": [{"amount": value}], "shipping": {"amount": value}}}
    assert breakdown(fees).fees == counted
    assert breakdown(fees).shipping == counted
