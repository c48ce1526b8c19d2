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
stored by the emulator and produced by `model.to_wire()`, or the models themselves (read
through their `to_wire()`). An amount that is not an int (`12.5`, `"1250"`, a `Decimal`)
is a `TypeError` at its JSONPath: a total is never made from a number that is not minor
units. A snake_case spelling of a key read here (`line_items`, `discount_amount`,
`tax_amount`, as `model_dump()` gives) is not counted, as Primer would not count it, and
is an `UnknownFieldWarning` at its JSONPath naming the wire name.

```python
>>> session_amount({"order": {"lineItems": [{"amount": 500}], "fees": [{"amount": 100}],
...                           "shipping": {"amount": 50}}})
650
```
"""

from __future__ import annotations

import numbers
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

from primer_nb.errors import UnknownFieldWarning

__all__ = [
    "AmountBreakdown",
    "breakdown",
    "checked_amount",
    "line_total",
    "line_total_of",
    "session_amount",
]


def _int(value: object) -> int:
    """Lenient: a non-int counts 0 (for bodies the API validated: `_wire_parts`)."""
    if type(value) is int:  # the usual case, before the two isinstance checks
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def checked_amount(value: object, path: str, default: int | None = 0) -> int | None:
    """An int amount (a numpy int too), `default` when absent; else a TypeError at `path`
    (a JSONPath, with what it belongs to in front: `source[3]: $.amount`)."""
    if type(value) is int:
        return value
    if value is None:
        return default
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    shown = repr(value) if len(repr(value)) <= 40 else f"a {type(value).__name__}"
    raise TypeError(
        f"{path}: {shown} is not an amount: amounts are whole numbers of minor units as an "
        "int (1250 for 12.50 EUR; currency.to_minor_units converts)"
    )


#: Snake_case spellings of the wire names read here, per object (what `model_dump()` gives).
_SNAKE_ORDER = {"line_items": "lineItems"}
_SNAKE_LINE = {"discount_amount": "discountAmount", "tax_amount": "taxAmount"}


#: This package's directory (a copy's, when run from one, as mutmut runs `mutants/`).
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: Modules whose frames are call layers a tool puts around the package's functions, not
#: the user's code: mutmut's trampolines (`make mutation`) wrap every mutated function.
_WRAPPERS = ("mutmut.",)


def _warn_snake(obj: Mapping[str, object], names: Mapping[str, str], path: str) -> None:
    for snake, wire in names.items():
        if snake in obj:
            warnings.warn(
                UnknownFieldWarning(
                    f"{path}.{snake} is not counted: the wire name is `{wire}` (the amount "
                    "helpers read camelCase wire dicts, as `model.to_wire()` gives)"
                ),
                stacklevel=_outside_level(sys._getframe()),
            )


def _outside_level(frame: FrameType | None) -> int:
    """The `stacklevel` for a warning raised in `frame` (level 1) that points at the first
    frame outside the package: the user's line, however many package frames (helpers,
    other modules such as the preview widget) are in between."""
    level = 1
    while frame is not None and (
        os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR)
        or str(frame.f_globals.get("__name__")).startswith(_WRAPPERS)
    ):
        frame = frame.f_back
        level += 1
    return level


def _wire(value: Any, name: str) -> Mapping[str, object]:
    """A mapping as it is; a pydantic model through its `to_wire()`; else a TypeError."""
    if isinstance(value, (dict, Mapping)):
        return value
    to_wire = getattr(value, "to_wire", None)
    if callable(to_wire):
        wire = to_wire()
        if isinstance(wire, Mapping):
            return wire
    raise TypeError(
        f"{name} must be a camelCase wire dict or a model (read by its to_wire()), "
        f"not {type(value).__name__}"
    )


def line_total(item: Mapping[str, object]) -> int:
    """`amount x quantity - discountAmount + taxAmount` of one line item (minor units).

    `item` is a wire dict (`{"amount": 500, "quantity": 2}`) or a `LineItem`. A value
    that is not an int is a `TypeError` naming it (`$.amount: 12.5 is not an amount`);
    `discount_amount` / `tax_amount` are not counted and warn (`UnknownFieldWarning`)."""
    return _line_total(_wire(item, "item"), "$")


def _line_total(item: Mapping[str, object], path: str) -> int:
    _warn_snake(item, _SNAKE_LINE, path)
    get = item.get
    quantity = checked_amount(get("quantity"), f"{path}.quantity", None)
    return line_total_of(
        checked_amount(get("amount"), f"{path}.amount") or 0,
        quantity,
        checked_amount(get("discountAmount"), f"{path}.discountAmount"),
        checked_amount(get("taxAmount"), f"{path}.taxAmount"),
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
    """line items, fees, shipping, computed (None: nothing to add up), override; every
    amount checked (`_checked`) and snake_case keys warned about (the public helpers)."""
    order = session.get("order")
    if not isinstance(order, (dict, Mapping)):
        order = {}
    _warn_snake(order, _SNAKE_ORDER, "$.order")
    items, fees, shipping = order.get("lineItems"), order.get("fees"), order.get("shipping")
    lines = fee_sum = 0
    has_any = False
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, (dict, Mapping)):
                lines += _line_total(item, f"$.order.lineItems[{index}]")
                has_any = True
    if isinstance(fees, list):
        for index, fee in enumerate(fees):
            if isinstance(fee, (dict, Mapping)):
                fee_sum += checked_amount(fee.get("amount"), f"$.order.fees[{index}].amount") or 0
                has_any = True
    ship_amount = None
    if isinstance(shipping, (dict, Mapping)):
        ship_amount = checked_amount(shipping.get("amount"), "$.order.shipping.amount", None)
    ship = ship_amount or 0
    has_any = has_any or ship_amount is not None
    computed = lines + fee_sum + ship if has_any else None
    override = checked_amount(session.get("amount"), "$.amount", None)
    return lines, fee_sum, ship, computed, override


def _wire_parts(session: Mapping[str, object]) -> tuple[int, int, int, int | None, int | None]:
    """`_parts` for a body the API validated (the emulator's): unknown keys ignored as
    Primer ignores them, without a warning (the client warned at send) or a check."""
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
                get = item.get
                quantity = get("quantity")
                lines += line_total_of(
                    _int(get("amount")),
                    None if quantity is None else _int(quantity),
                    _int(get("discountAmount")),
                    _int(get("taxAmount")),
                )
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
    """Split a session (or request body) into line items, fees, shipping and override.

    `session` is a camelCase wire dict or a model (`ClientSessionRequest`, a response),
    read through its `to_wire()`. An amount that is not an int is a `TypeError` at its
    JSONPath; a snake_case key (`line_items`) is not counted and warns."""
    lines, fees, shipping, computed, override = _parts(_wire(session, "session"))
    return AmountBreakdown(
        line_items=lines, fees=fees, shipping=shipping, computed=computed, override=override
    )


def session_amount(session: Mapping[str, object]) -> int | None:
    """The session's `amount`: the top-level override, else the order's sum, else None.

    Takes what `breakdown` takes, with the same checks."""
    *_, computed, override = _parts(_wire(session, "session"))
    return override if override is not None else computed


def wire_amount(body: Mapping[str, object]) -> int | None:
    """`session_amount` of a body the API has validated (the emulator's answer): no
    checks, no warnings, unknown keys ignored as Primer ignores them."""
    *_, computed, override = _wire_parts(body)
    return override if override is not None else computed
