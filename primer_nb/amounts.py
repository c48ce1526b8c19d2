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

__all__ = ["AmountBreakdown", "breakdown", "line_total", "line_total_of", "session_amount"]


def _int(value: object) -> int:
    if type(value) is int:  # the usual case, before the two isinstance checks
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def line_total(item: Mapping[str, object]) -> int:
    """`amount x quantity - discountAmount + taxAmount` of one line item (minor units)."""
    get = item.get
    quantity = get("quantity")
    return line_total_of(
        _int(get("amount")),
        None if quantity is None else _int(quantity),
        _int(get("discountAmount")),
        _int(get("taxAmount")),
    )


def line_total_of(amount: int, quantity: int | None, discount: int | None, tax: int | None) -> int:
    """The line total from its numbers (`quantity` None: 1; `discount`, `tax` None: 0)."""
    return amount * (1 if quantity is None else quantity) - (discount or 0) + (tax or 0)


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


def _parts(session: Mapping[str, object]) -> tuple[int, int, int, int | None, int | None]:
    """line items, fees, shipping, computed (None: nothing to add up), override."""
    # `(dict, Mapping)`: a dict (what JSON gives) is found before the slower ABC check
    order = session.get("order")
    if not isinstance(order, (dict, Mapping)):
        order = {}
    items, fees, shipping = order.get("lineItems"), order.get("fees"), order.get("shipping")
    lines = fee_sum = 0
    has_any = False
    if isinstance(items, list):
        for item in items:
            if isinstance(item, (dict, Mapping)):
                lines += line_total(item)
                has_any = True
    if isinstance(fees, list):
        for fee in fees:
            if isinstance(fee, (dict, Mapping)):
                fee_sum += _int(fee.get("amount"))
                has_any = True
    ship_amount = None
    if isinstance(shipping, (dict, Mapping)):
        ship_amount = shipping.get("amount")
    ship = _int(ship_amount)
    has_any = has_any or isinstance(ship_amount, int)
    computed = lines + fee_sum + ship if has_any else None
    override = session.get("amount")
    if not isinstance(override, int) or isinstance(override, bool):
        override = None
    return lines, fee_sum, ship, computed, override


def breakdown(session: Mapping[str, object]) -> AmountBreakdown:
    """Split a session (or request body) into line items, fees, shipping and override."""
    lines, fees, shipping, computed, override = _parts(session)
    return AmountBreakdown(
        line_items=lines, fees=fees, shipping=shipping, computed=computed, override=override
    )


def session_amount(session: Mapping[str, object]) -> int | None:
    """The session's `amount`: the top-level override, else the order's sum, else None."""
    *_, computed, override = _parts(session)
    return override if override is not None else computed
