"""Typed pandas DataFrames from columns of plain values: the one way the ledger and the
tables build theirs, so their dtypes agree (`Int64`, `string`, UTC datetimes, `Decimal`
objects).

A room of its own below `ledger` and `tables` (both import it; it imports nothing of
ours), so that `Ledger.frame()` needs nothing from `tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final, NoReturn

import pandas as pd

__all__ = ["DECIMAL", "INT", "STRING", "UTC_TIME", "typed_frame", "utc_times"]

STRING: Final = "string"
INT: Final = "Int64"
UTC_TIME: Final = "datetime64[ns, UTC]"
#: `Decimal` amounts are kept as Python objects (exact; pandas has no decimal dtype).
DECIMAL: Final = "object"


def utc_times(values: list[object], column: str | None = None) -> pd.Series:
    """ISO texts (naive = UTC) or datetimes -> `datetime64[ns, UTC]`, `NaT` for None.

    With `column` (the field the values came from, e.g. `clientTokenExpirationDate`), a
    value that is not one of these is a `ValueError` naming the column and the row (an
    int, which pandas would take as nanoseconds since 1970, included). A naive `datetime`
    is read as UTC here: `sessions_frame` refuses one before (Python's local time).
    """
    if column is not None:
        for row, value in enumerate(values):
            if not (value is None or isinstance(value, (str, datetime))):
                _bad_time(column, row, value)
    try:
        series = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
    except (ValueError, TypeError, OverflowError):
        if column is None:
            raise
        for row, value in enumerate(values):  # which one: each on its own
            try:
                pd.to_datetime(pd.Series([value], dtype=object), format="ISO8601", utc=True)
            except (ValueError, TypeError, OverflowError):
                _bad_time(column, row, value)
        raise
    return series.astype(UTC_TIME)


def _bad_time(column: str, row: int, value: object) -> NoReturn:
    shown = repr(value) if len(repr(value)) <= 60 else f"a {type(value).__name__}"
    raise ValueError(
        f"{column} in row {row}: {shown} is not an ISO 8601 date-time such as "
        "'2024-06-01T12:00:00' (naive is UTC) or a datetime"
    ) from None


def typed_frame(columns: Mapping[str, object], spec: Mapping[str, str]) -> pd.DataFrame:
    """A DataFrame with the columns of `spec`, in its order, each of its dtype.

    `columns` maps each name to its values (a list, or a Series from `utc_times` for the
    time columns).
    """
    data: dict[str, object] = {}
    for name, dtype in spec.items():
        values = columns[name]
        if dtype == DECIMAL:
            data[name] = pd.Series(values, dtype=object)
        elif dtype == UTC_TIME:
            data[name] = values
        else:
            data[name] = pd.array(values, dtype=dtype)  # type: ignore[call-overload]
    return pd.DataFrame(data, columns=list(spec))
