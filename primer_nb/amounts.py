"""Order arithmetic: how a client session's `amount` follows from its order.

One place for the rule, used by the emulator (to answer `amount`) and by the session
builder's live total, so the two can never disagree:

- line total = `amount x quantity - discountAmount + taxAmount` (`quantity` defaults
  to 1; discount and tax are for the whole line, not per unit);
- computed amount = sum of line totals + sum of `fees[].amount` + `shipping.amount`;
- a top-level `amount` overrides the computed one (Primer: "it would override any
  amount calculated from the provided line items, shipping and other amounts");
- with neither, there is no amount (`None`).

Everything is integers in minor units; inputs are wire-format dicts (camelCase), as
stored by the emulator and produced by `model.to_wire()`.

```python
>>> session_amount({"order": {"lineItems": [{"amount": 500}], "fees": [{"amount": 100}],
...                           "shipping": {"amount": 50}}})
650
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["AmountBreakdown", "breakdown", "line_total", "session_amount"]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def line_total(item: Mapping[str, object]) -> int:
    """`amount x quantity - discountAmount + taxAmount` of one line item (minor units)."""
    quantity = item.get("quantity")
    qty = 1 if quantity is None else _int(quantity)
    return (
        _int(item.get("amount")) * qty
        - _int(item.get("discountAmount"))
        + _int(item.get("taxAmount"))
    )


@dataclass(frozen=True)
class AmountBreakdown:
    """How the session amount is made up; all figures in minor units."""

    line_items: int
    fees: int
    shipping: int
    computed: int | None
    override: int | None

    @property
    def total(self) -> int | None:
        """The amount Primer charges: the override when set, else the computed sum."""
        return self.override if self.override is not None else self.computed


def breakdown(session: Mapping[str, object]) -> AmountBreakdown:
    """Split a session (or request body) into line items, fees, shipping and override."""
    order = session.get("order")
    order = order if isinstance(order, Mapping) else {}
    items = order.get("lineItems")
    fees = order.get("fees")
    shipping = order.get("shipping")
    item_list = [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
    fee_list = [f for f in fees if isinstance(f, Mapping)] if isinstance(fees, list) else []
    ship_amount = shipping.get("amount") if isinstance(shipping, Mapping) else None
    lines = sum(line_total(i) for i in item_list)
    fee_sum = sum(_int(f.get("amount")) for f in fee_list)
    ship = _int(ship_amount)
    has_any = bool(item_list or fee_list or isinstance(ship_amount, int))
    computed = lines + fee_sum + ship if has_any else None
    override = session.get("amount")
    return AmountBreakdown(
        line_items=lines,
        fees=fee_sum,
        shipping=ship,
        computed=computed,
        override=override if isinstance(override, int) and not isinstance(override, bool) else None,
    )


def session_amount(session: Mapping[str, object]) -> int | None:
    """The session's `amount`: the top-level override, else the order's sum, else None."""
    return breakdown(session).total
