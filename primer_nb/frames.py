"""Typed pandas DataFrames from columns of plain values: the one way the ledger and the
tables build theirs, so their dtypes agree (`Int64`, `string`, UTC datetimes, `Decimal`
objects).

A room of its own below `ledger` and `tables` (both import it; it imports nothing of
ours), so that `Ledger.frame()` needs nothing from `tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

__all__ = ["DECIMAL", "INT", "STRING", "UTC_TIME", "typed_frame", "utc_times"]

STRING: Final = "string"
INT: Final = "Int64"
UTC_TIME: Final = "datetime64[ns, UTC]"
#: `Decimal` amounts are kept as Python objects (exact; pandas has no decimal dtype).
DECIMAL: Final = "object"


def utc_times(values: list[object]) -> pd.Series:
    """ISO texts (naive = UTC) or datetimes -> `datetime64[ns, UTC]`, `NaT` for None."""
    series = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
    return series.astype(UTC_TIME)


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
