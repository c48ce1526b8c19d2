"""Checks of Python arguments that several rooms share (the client, the batch, the emulator).

Each names the parameter and the rule, and takes what a notebook hands over for a number:
a numpy int from a DataFrame is a whole number, a bool is not.
"""

from __future__ import annotations

import numbers


def whole_number(name: str, value: object, *, minimum: int, rule: str) -> int:
    """`value` as an `int`, or a `TypeError` (not a whole number) or `ValueError` (below
    `minimum`) that says `{name} must be {rule}`.

    >>> whole_number("concurrency", 8, minimum=1, rule="a whole number >= 1 (e.g. 8)")
    8
    >>> whole_number("concurrency", 0, minimum=1, rule="a whole number >= 1 (e.g. 8)")
    Traceback (most recent call last):
    ...
    ValueError: concurrency must be >= 1, not 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {rule}, not {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, not {value!r}")
    return int(value)
