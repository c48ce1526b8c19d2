"""Checks of Python arguments that several rooms share (the client, the batch, the emulator,
the tables, the ledger).

Each names the parameter and the rule, and takes what a notebook hands over for a number:
a numpy int from a DataFrame is a whole number, a bool is not.
"""

from __future__ import annotations

import numbers
from datetime import datetime


def whole_number(name: str, value: object, *, minimum: int | None, rule: str) -> int:
    """`value` as an `int`, or a `TypeError` (not a whole number) that says
    `{name} must be {rule}`, or a `ValueError` (below `minimum`, when there is one) that
    says `{name} must be >= {minimum}`.

    >>> whole_number("concurrency", 8, minimum=1, rule="a whole number >= 1 (e.g. 8)")
    8
    >>> whole_number("concurrency", 0, minimum=1, rule="a whole number >= 1 (e.g. 8)")
    Traceback (most recent call last):
    ...
    ValueError: concurrency must be >= 1, not 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {rule}, not {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, not {value!r}")
    return int(value)


def true_or_false(name: str, value: object) -> bool:
    """`value` as a `bool` (a numpy bool too), or a `TypeError` naming `name`: `"no"` is
    truthy, and a flag must not be read the opposite way from what was written.

    >>> true_or_false("frozen", "no")
    Traceback (most recent call last):
    ...
    TypeError: frozen must be True or False, not str 'no'
    """
    kind = type(value)
    if kind is bool:
        return value  # type: ignore[return-value]
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return bool(value)  # a DataFrame's column of flags hands out numpy bools
    raise TypeError(f"{name} must be True or False, not {kind.__name__} {value!r}")


def aware(name: str, value: datetime) -> datetime:
    """`value`, or a `ValueError` naming `name` when it is a naive `datetime`.

    Python reads a naive datetime (`datetime.now()`, `datetime(2026, 1, 15, 9)`) as local
    time, and primer-nb would read it as UTC: rather than guess, it is refused. ISO *text*
    without an offset still means UTC, as on Primer's wire.

    >>> from datetime import UTC
    >>> aware("start", datetime(2026, 1, 15, 9, tzinfo=UTC)).isoformat()
    '2026-01-15T09:00:00+00:00'
    >>> aware("start", datetime(2026, 1, 15, 9))
    Traceback (most recent call last):
    ...
    ValueError: start is a naive datetime (2026-01-15T09:00:00), which Python reads as ...
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime ({value.isoformat()}), which Python reads as local "
            "time: give an aware one, such as datetime.now(UTC) or datetime(2026, 1, 15, 9, "
            "tzinfo=UTC), or ISO text ('2026-01-15T09:00:00' means UTC, as on Primer's wire)"
        )
    return value
