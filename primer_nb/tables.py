"""Client sessions as pandas tables: one row per session, line item or warning.

```python
from primer_nb import PrimerClient
from primer_nb.ledger import Ledger
from primer_nb.tables import sessions_frame, line_items_frame, warnings_frame

client = PrimerClient()
ledger = Ledger(":memory:")           # or a file, kept between runs
ledger.attach(client)
sessions = [client.create_session({"orderId": f"o-{i}", "currencyCode": "EUR", "amount": 100})
            for i in range(3)]
sessions_frame(sessions)              # one row per session
sessions_frame(ledger)                # every session a Ledger recorded, as created
warnings_frame(sessions)              # one row per warning, e.g. TAXJAR / MISSING_DATA
```

A **source** is any of:

- response models (`ClientSessionWithToken` from `create_session`, `ClientSession` from
  `get_session`/`update_session`);
- raw dicts in the API's camelCase, exactly as it answers (e.g. parsed JSON); a
  snake_case spelling of a column's wire name (`order_id`, as `model_dump(by_alias=False)`
  gives) is
  not read and is an `UnknownFieldWarning` naming the item, its JSONPath and the wire
  name, and an `amount` that is not an int (`12.5`, `"1299"`) is a `TypeError`, not a
  `<NA>` that a total would leave out silently (an int past Int64's range is the one
  exception: see Money);
- `SessionRecord`s from `Ledger.sessions()`, or a `Ledger` itself (then `environment`,
  `api_version` and `created_at` are filled in from the ledger). These are the POST
  answers, the sessions **as created**: a PATCH the ledger also recorded is not applied
  (its answers are in `ledger.frame(method="PATCH")`; `client.get_session(token)` gives
  a session as it is now);
- a single one of these.

Tables read what the API answered; they never talk HTTP and never recompute what Primer
said (`amount` is the answered amount, not one recomputed from the order).

## Money

Amounts stay exact. `amount` columns are **minor units** as pandas' nullable `Int64`:
`<NA>` where the answer had none, and also, with no warning, where a value is past Int64's
range (a hand-built session's or line's amount, since no API answer has one that large, or
a `line_total`), which `sum()` then leaves out; `amount_major` and `line_total_major` hold
theirs exactly.
`*_major` columns hold **`decimal.Decimal`** in major units (`Decimal('12.99')` USD,
`Decimal('1.234')` KWD, `Decimal('1000')` JPY) from `currency.from_minor_units`, or `None`
when the amount or the currency is unknown. Not `float`: a float cannot hold most decimal
amounts (`12.99` is really `12.9900000000000002131628...`), sums of floats drift, and a KWD
amount has 3 decimal places where USD has 2, so no single float rounding rule fits every
currency. Sum decimals with `frame.amount_major.sum()` within one currency, or group by
`currency_code` first (`primer_nb.plots.currency_totals` does both). pandas keeps the
`Decimal`s through `sum`, `min` and `max` (skipping a missing amount), and `cumsum` after
`.dropna()`; `mean`, `median` and `describe()` give floats or leave the column out, and a
CSV or Excel file read back holds floats (`read_csv(..., converters={"amount_major": lambda
s: Decimal(s) if s else None})` keeps them exact). Nothing stops a sum across currencies: it
adds yen to euros without a word.

## Columns (stable order and dtypes; `string` is pandas' `StringDtype` with `<NA>`)

`sessions_frame` (`SESSION_COLUMNS`):

| column | dtype | from |
|---|---|---|
| order_id | string | `orderId` |
| customer_id | string | `customerId` |
| currency_code | string | `currencyCode` |
| amount | Int64 | `amount`, minor units (`<NA>` past Int64's range) |
| amount_major | object (Decimal) | `amount` in major units |
| customer_email | string | `customer.emailAddress` |
| country_code | string | `order.countryCode` |
| line_items | Int64 | number of `order.lineItems` |
| warnings | Int64 | number of `warnings` (a list, or one object: Primer's documents show both) |
| client_token | string | `clientToken` shortened, `eyJhbGci…x9Qk` (`<NA>` for GET/PATCH answers) |
| expires_at | datetime64[ns, UTC] | `clientTokenExpirationDate` (Primer sends naive UTC) |
| status | string | `"active"` before `expires_at`, `"expired"` from then on, against `clock` |
| environment | string | the ledger's record, else `<NA>` |
| api_version | string | the ledger's record, else `<NA>` |
| created_at | datetime64[ns, UTC] | the POST's start in the ledger (real time, not emulated) |

A `clientTokenExpirationDate` that is neither ISO 8601 text nor a datetime (`"tomorrow"`,
an int) is a `ValueError` naming it and its row.

`line_items_frame` (`LINE_ITEM_COLUMNS`): order_id, client_token, position (Int64, 0-based
index in `order.lineItems`), item_id, name, description, quantity (Int64, as sent; `<NA>`
means 1 when it was not sent), amount, discount_amount, tax_amount, line_total (all Int64
minor units; `line_total` = amount x quantity - discount + tax, by `amounts.line_total_of`).
Every Int64 column is `<NA>` past Int64's range too: a `line_total` that lines a top-level
amount overrides may reach, or a hand-built line's value. line_total_major (Decimal, exact),
currency_code.

`warnings_frame` (`WARNING_COLUMNS`): order_id, client_token, type, code, message (all
string).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeAlias

import pandas as pd
from pydantic import BaseModel

from primer_nb import amounts, currency, display
from primer_nb.arguments import aware
from primer_nb.errors import UnknownFieldWarning
from primer_nb.frames import DECIMAL, INT, STRING, UTC_TIME, typed_frame, utc_times
from primer_nb.ledger import Ledger, SessionRecord
from primer_nb.models import INT64_MAX, ClientSessionWithToken, one_or_many, shown_secrets
from primer_nb.redaction import redact_each, short_token  # short_token: public here since 0.1

__all__ = [
    "LINE_ITEM_COLUMNS",
    "SESSION_COLUMNS",
    "WARNING_COLUMNS",
    "SessionRecord",
    "line_items_frame",
    "sessions_frame",
    "short_token",
    "warnings_frame",
]

_STR = STRING
_INT = INT
_TIME = UTC_TIME
_DEC = DECIMAL

#: `sessions_frame` columns and their dtypes, in order.
SESSION_COLUMNS: Mapping[str, str] = {
    "order_id": _STR,
    "customer_id": _STR,
    "currency_code": _STR,
    "amount": _INT,
    "amount_major": _DEC,
    "customer_email": _STR,
    "country_code": _STR,
    "line_items": _INT,
    "warnings": _INT,
    "client_token": _STR,
    "expires_at": _TIME,
    "status": _STR,
    "environment": _STR,
    "api_version": _STR,
    "created_at": _TIME,
}

#: `line_items_frame` columns and their dtypes, in order.
LINE_ITEM_COLUMNS: Mapping[str, str] = {
    "order_id": _STR,
    "client_token": _STR,
    "position": _INT,
    "item_id": _STR,
    "name": _STR,
    "description": _STR,
    "quantity": _INT,
    "amount": _INT,
    "discount_amount": _INT,
    "tax_amount": _INT,
    "line_total": _INT,
    "line_total_major": _DEC,
    "currency_code": _STR,
}

#: `warnings_frame` columns and their dtypes, in order.
WARNING_COLUMNS: Mapping[str, str] = {
    "order_id": _STR,
    "client_token": _STR,
    "type": _STR,
    "code": _STR,
    "message": _STR,
}


_One: TypeAlias = "BaseModel | SessionRecord | Mapping[str, object]"
Source: TypeAlias = "Ledger | _One | Iterable[_One]"
"""Models, dicts, `SessionRecord`s, a `Ledger`, or one of them (see the module docstring)."""


class SupportsNow(Protocol):
    """A clock: `Emulator().clock`, or anything with `.now() -> datetime`."""

    def now(self) -> datetime: ...


class HasClock(Protocol):
    """An object with a `.clock`, such as an `Emulator`."""

    @property
    def clock(self) -> SupportsNow: ...


#: What "now" is for a session's `status`: a datetime, ISO text, a clock, an `Emulator`,
#: or None.
Clock: TypeAlias = "datetime | str | SupportsNow | HasClock | None"

_Meta = tuple[str | None, str | None, datetime | None]
_NO_META: _Meta = (None, None, None)


def _bodies(
    source: Source,
) -> tuple[list[Mapping[str, Any]], list[_Meta] | None, datetime | None]:
    """Wire dicts of every session in `source`, per-row ledger metadata if any, and now on
    the clock of the backend that answered the first response model that knows it."""
    if isinstance(source, Ledger):
        source = source.sessions()
    if isinstance(source, Mapping) and _keyed_sessions(source):
        raise TypeError(
            f"source is a dict of {len(source)} sessions (keyed by "
            f"{type(next(iter(source))).__name__}), not one session: pass its .values()"
        )
    if isinstance(source, (Mapping, BaseModel, SessionRecord)):
        source = [source]
    if isinstance(source, (str, bytes)) or not isinstance(source, Iterable):
        raise TypeError(
            "source must be response models, camelCase dicts, SessionRecords or a Ledger, "
            f"not {type(source).__name__}"
        )
    bodies: list[Mapping[str, Any]] = []
    meta: list[_Meta] | None = None
    answered_now: datetime | None = None
    for index, item in enumerate(source):
        if type(item) is dict or isinstance(item, Mapping):
            bodies.append(item)
            if meta is not None:
                meta.append(_NO_META)
        elif isinstance(item, SessionRecord):
            if meta is None:
                meta = [_NO_META] * len(bodies)
            bodies.append(item.body)
            meta.append((item.environment, item.api_version, item.created_at))
        elif isinstance(item, BaseModel):
            wire = getattr(item, "to_wire", None)
            body = wire() if callable(wire) else item.model_dump(mode="json", by_alias=True)
            bodies.append(body)
            if answered_now is None:
                answered_now = display.backend_now(item)
            if meta is not None:
                meta.append(_NO_META)
        else:
            raise TypeError(
                f"item {index} of source is a {type(item).__name__}; expected a response "
                "model, a camelCase dict or a SessionRecord"
            )
    return bodies, meta, answered_now


#: The top-level wire names of a session body (the POST answer's model): a mapping with
#: none of them, whose values are all sessions, is a dict of sessions (`{order_id:
#: session}`), which read as one session made a single row of `<NA>`s.
_SESSION_KEYS = frozenset(
    field.alias or name for name, field in ClientSessionWithToken.model_fields.items()
)


def _keyed_sessions(source: Mapping[Any, Any]) -> bool:
    return (
        bool(source)
        and not any(key in _SESSION_KEYS for key in source)
        and all(isinstance(v, (Mapping, BaseModel, SessionRecord)) for v in source.values())
    )


def _now(clock: Clock) -> datetime:
    if clock is None:
        return datetime.now(UTC)
    if isinstance(clock, str):  # as the naive-datetime error suggests: no offset means UTC
        try:
            text = datetime.fromisoformat(clock)
        except ValueError:
            raise ValueError(
                f"clock must be ISO 8601 text such as '2026-01-15T09:00:00Z', not {clock!r}"[:200]
            ) from None
        return text if text.tzinfo is not None else text.replace(tzinfo=UTC)
    source: Any = getattr(clock, "clock", clock)  # an Emulator -> its clock
    now: Any
    if isinstance(clock, datetime):
        now = clock
    elif callable(getattr(source, "now", None)):
        now = source.now()
    else:
        raise TypeError(
            f"clock must be a datetime, ISO text or have .now(), not {type(clock).__name__}"
        )
    if not isinstance(now, datetime):
        raise TypeError(f"clock.now() returned {type(now).__name__}, not a datetime")
    # naive: Python's local time (`datetime.now()`), refused rather than read as UTC
    return aware("clock" if now is clock else "clock.now()", now)


def _major(currency_cache: dict[Any, bool]) -> Callable[[Any, Any], Decimal | None]:
    """`(units, code) -> Decimal | None`, checking each currency code once."""

    def convert(units: Any, code: Any) -> Decimal | None:
        if type(units) is not int:
            return None
        known = currency_cache.get(code)
        if known is None:
            try:
                currency.minor_units(code)
                known = True
            except (ValueError, TypeError):
                known = False
            currency_cache[code] = known
        return currency.from_minor_units(units, code) if known else None

    return convert


def _int_or_none(value: Any) -> int | None:
    """An int column's value: an int Int64 can hold, else None (`<NA>`; a hand-built line's
    amount past Int64's range made the whole frame fail)."""
    return value if type(value) is int and _in_int64(value) else None


def _amount(value: Any, row: int) -> int | None:
    """A session's `amount`: an int (a numpy int too) or None; anything else (12.5,
    "1299", a Decimal) is a TypeError naming the source item and the JSONPath, never a
    silent `<NA>` that a total would then leave out."""
    return amounts.checked_amount(value, f"source[{row}]: $.amount", None)


#: Snake_case spellings of wire names `sessions_frame` reads (what `model_dump()` gives).
_SNAKE_TOP = {
    "order_id": "orderId",
    "customer_id": "customerId",
    "currency_code": "currencyCode",
    "client_token": "clientToken",
    "client_token_expiration_date": "clientTokenExpirationDate",
}
_SNAKE_NESTED = (
    ("order", {"line_items": "lineItems", "country_code": "countryCode"}),
    ("customer", {"email_address": "emailAddress"}),
)


_SNAKE_LINE_ITEM = {
    "item_id": "itemId",
    "discount_amount": "discountAmount",
    "tax_amount": "taxAmount",
}


def _warn_snake(bodies: list[Mapping[str, Any]], *, line_items: bool = False) -> None:
    """An `UnknownFieldWarning` per snake_case spelling of a column's wire name: that
    column is `<NA>` for the row, not filled from a key the API never sends (and with
    `line_items`, per spelling of a line item's: `line_items_frame`)."""
    for row, body in enumerate(bodies):
        found = [(f"$.{k}", w) for k, w in _SNAKE_TOP.items() if k in body]
        for parent, names in _SNAKE_NESTED:
            inner = body.get(parent)
            if isinstance(inner, Mapping):
                found += [(f"$.{parent}.{k}", w) for k, w in names.items() if k in inner]
        order = body.get("order")
        lines = order.get("lineItems") if line_items and isinstance(order, Mapping) else None
        for i, item in enumerate(lines if isinstance(lines, list) else ()):
            if isinstance(item, Mapping):
                found += [
                    (f"$.order.lineItems[{i}].{k}", w)
                    for k, w in _SNAKE_LINE_ITEM.items()
                    if k in item
                ]
        for path, wire in found:
            warnings.warn(
                UnknownFieldWarning(
                    f"source[{row}]: {path} is not read: the wire name is `{wire}` (tables "
                    "read camelCase answers, or models)"
                ),
                stacklevel=3,
            )


def _in_int64(value: int) -> bool:
    return -INT64_MAX - 1 <= value <= INT64_MAX


def _countable(item: Mapping[str, Any]) -> bool:
    """True when a line's total can be computed: an int `amount`, and `quantity`,
    `discountAmount` and `taxAmount` each absent or an int (what the API answers)."""
    if type(item.get("amount")) is not int:
        return False
    return all(
        type(item.get(key)) is int or item.get(key) is None
        for key in ("quantity", "discountAmount", "taxAmount")
    )


def _str_or_none(value: Any) -> str | None:
    return value if type(value) is str else None


def _warning_list(value: Any) -> list[Any]:
    """`warnings` as a list (`models.one_or_many`); anything else that is not one: none."""
    value = one_or_many(value)
    return value if isinstance(value, list) else []


_EMPTY: Mapping[str, Any] = {}


def _keys_hidden(columns: dict[str, Any]) -> dict[str, Any]:
    """`columns` with an API key in any text shown as `***` (`models.shown_secrets`), as
    the session's repr shows it: a key pasted into a body (an order id, a line's name)
    is not shown back by a table either. Nothing to do, and nothing done, without keys."""
    secrets = shown_secrets()
    if secrets:
        for name, values in columns.items():
            if isinstance(values, list):
                columns[name] = [redact_each(v, secrets) if type(v) is str else v for v in values]
    return columns


def sessions_frame(source: Source, *, clock: Clock = None) -> pd.DataFrame:
    """One row per client session, columns as in `SESSION_COLUMNS` (module docstring).

    **Parameters:**

    * **source** - response models, camelCase dicts, `SessionRecord`s or a `Ledger`.
    * **clock** - what "now" is for `status`: an aware `datetime` (a naive one, which
      Python reads as local time, is a `ValueError`), ISO 8601 text (without an offset
      it means UTC, as on Primer's wire), an object with `.now()` such as
      `Emulator().clock`, or an `Emulator`. Default: now on the clock of the backend
      that answered the first response model in `source` (the in-process emulator's own
      clock, as the session's card uses; a server's `Date` header), else the current UTC
      time: dicts, `SessionRecord`s and a `Ledger` carry no clock, so pass `clock=` for
      sessions made on a frozen or advanced emulator.
      A session is `"expired"` from its `expires_at` on, `<NA>` when it has no expiry.

    ```python
    >>> sessions_frame([{"orderId": "o-1", "currencyCode": "USD", "amount": 1299}])[
    ...     ["order_id", "amount", "amount_major"]]
      order_id  amount amount_major
    0      o-1    1299        12.99

    ```
    """
    bodies, meta, answered_now = _bodies(source)
    # the backend's clock first: a session just made on a frozen tutorial emulator was
    # "expired" against this machine's time, while its card said "24 h 0 min left"
    now = answered_now if clock is None and answered_now is not None else _now(clock)
    empty = _EMPTY
    # Columns straight from the bodies: plain comprehensions, one pass each (fast).
    orders = [b.get("order") or empty for b in bodies]
    customers = [b.get("customer") or empty for b in bodies]
    codes = [b.get("currencyCode") for b in bodies]
    _warn_snake(bodies)
    amount = [_amount(b.get("amount"), row) for row, b in enumerate(bodies)]
    to_major = _major({})
    tokens = [b.get("clientToken") for b in bodies]
    items = [o.get("lineItems") if isinstance(o, Mapping) else None for o in orders]
    expiry = [b.get("clientTokenExpirationDate") for b in bodies]
    for row, value in enumerate(expiry):
        if isinstance(value, datetime):
            # naive: Python's local time (`datetime.now() + timedelta(hours=1)`), which read
            # as UTC was hours off; naive ISO *text* means UTC, as on Primer's wire
            aware(f"clientTokenExpirationDate in row {row}", value)
    expires_at = utc_times(expiry, "clientTokenExpirationDate")
    now_ts = pd.Timestamp(now).as_unit("ns")
    expired = (expires_at <= now_ts).tolist()
    unknown = expires_at.isna().tolist()
    status = [
        None if u else ("expired" if e else "active") for u, e in zip(unknown, expired, strict=True)
    ]
    columns: dict[str, Any] = {
        "order_id": [_str_or_none(b.get("orderId")) for b in bodies],
        "customer_id": [_str_or_none(b.get("customerId")) for b in bodies],
        "currency_code": [_str_or_none(c) for c in codes],
        # Int64 cannot hold an amount past its range (a hand-built dict may have one):
        # <NA> there; the major-unit Decimal is exact
        "amount": [a if a is None or _in_int64(a) else None for a in amount],
        "amount_major": [
            None if a is None else to_major(a, c) for a, c in zip(amount, codes, strict=True)
        ],
        "customer_email": [
            _str_or_none(c.get("emailAddress")) if isinstance(c, Mapping) else None
            for c in customers
        ],
        "country_code": [
            _str_or_none(o.get("countryCode")) if isinstance(o, Mapping) else None for o in orders
        ],
        "line_items": [len(i) if isinstance(i, list) else 0 for i in items],
        "warnings": [len(_warning_list(b.get("warnings"))) for b in bodies],
        "client_token": [short_token(t) if type(t) is str else None for t in tokens],
        "expires_at": expires_at,
        "status": status,
    }
    if meta is None:
        nothing: list[Any] = [None] * len(bodies)
        columns["environment"] = nothing
        columns["api_version"] = nothing
        columns["created_at"] = utc_times(nothing)
    else:
        columns["environment"] = [m[0] for m in meta]
        columns["api_version"] = [m[1] for m in meta]
        columns["created_at"] = utc_times([m[2] for m in meta])
    return typed_frame(_keys_hidden(columns), SESSION_COLUMNS)


def line_items_frame(source: Source) -> pd.DataFrame:
    """One row per line item of every session in `source` (see `LINE_ITEM_COLUMNS`).

    Snake_case keys (`line_items`, `discount_amount`) are not read and are each an
    `UnknownFieldWarning`, as in `sessions_frame`.

    `line_total` is `amounts.line_total_of` (amount x quantity - discountAmount + taxAmount,
    quantity defaulting to 1), the same rule the emulator uses for `amount`; `<NA>` when
    a hand-built line has no integer `amount` (or a quantity, discount or tax that is not
    an integer): a total is never made up from a missing number. An integer past Int64's
    range (a hand-built line's) is `<NA>` in its column; `line_total_major` stays exact.
    """
    bodies, _, _ = _bodies(source)
    _warn_snake(bodies, line_items=True)
    to_major = _major({})
    rows: list[tuple[Any, ...]] = []
    for body in bodies:
        order = body.get("order")
        lines = order.get("lineItems") if isinstance(order, Mapping) else None
        if not isinstance(lines, list):
            continue
        order_id = _str_or_none(body.get("orderId"))
        token = body.get("clientToken")
        shown = short_token(token) if type(token) is str else None
        code = body.get("currencyCode")
        for position, item in enumerate(lines):
            if not isinstance(item, Mapping):
                continue
            # a total only from numbers: never one made up from a missing or non-int value
            total = (
                amounts.line_total_of(
                    item["amount"],
                    item.get("quantity"),
                    item.get("discountAmount"),
                    item.get("taxAmount"),
                )
                if _countable(item)  # ints only (snake_case keys warned about above)
                else None
            )
            rows.append(
                (
                    order_id,
                    shown,
                    position,
                    _str_or_none(item.get("itemId")),
                    _str_or_none(item.get("name")),
                    _str_or_none(item.get("description")),
                    _int_or_none(item.get("quantity")),
                    _int_or_none(item.get("amount")),
                    _int_or_none(item.get("discountAmount")),
                    _int_or_none(item.get("taxAmount")),
                    # Int64 cannot hold a total past its range (lines a top-level amount
                    # overrides may have one): <NA> there; the major-unit Decimal is exact
                    total if total is None or _in_int64(total) else None,
                    to_major(total, code),
                    _str_or_none(code),
                )
            )
    names = list(LINE_ITEM_COLUMNS)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return typed_frame(_keys_hidden(columns), LINE_ITEM_COLUMNS)


def warnings_frame(source: Source) -> pd.DataFrame:
    """One row per warning of every session in `source` (see `WARNING_COLUMNS`).

    `warnings` may be a list of objects or one object: Primer's schema declares one object
    and its examples show a list.
    """
    bodies, _, _ = _bodies(source)
    rows: list[tuple[str | None, ...]] = []
    for body in bodies:
        found = _warning_list(body.get("warnings"))
        if not found:
            continue
        order_id = _str_or_none(body.get("orderId"))
        token = body.get("clientToken")
        shown = short_token(token) if type(token) is str else None
        for warning in found:
            if isinstance(warning, Mapping):
                rows.append(
                    (
                        order_id,
                        shown,
                        _str_or_none(warning.get("type")),
                        _str_or_none(warning.get("code")),
                        _str_or_none(warning.get("message")),
                    )
                )
    names = list(WARNING_COLUMNS)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return typed_frame(_keys_hidden(columns), WARNING_COLUMNS)
