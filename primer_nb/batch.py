"""Create many client sessions at once, from a CSV file, a DataFrame or dicts.

```python
from primer_nb.batch import create_sessions
from primer_nb.ledger import Ledger

result = create_sessions("data/orders.csv", concurrency=8, ledger=Ledger())
result                      # BatchResult(rows=301, ok=290, failed=11, resumed=0)
result.frame()              # one row per input row: its session or its error
str(result.errors[0])       # 'row 16 (line 18, ord-0017): column amount_major: JPY has 0 ...'
```

**Rows.** One row per order, with the columns of `data/orders.csv` (described in
`data/README.md` and in `ORDER_COLUMNS`): money in **major units** as text
(`amount_major="12.99"`, converted exactly with `currency.to_minor_units`), or `amount` in
minor units; line items as a JSON list in the `line_items` column (or a list of dicts when
rows are dicts). Empty cells are missing values. Inside `line_items`, a `NaN` in JSON
text is refused (JSON writes "none" as `null`), as is a NaN as a line's only amount in a
list of dicts (`line_items[0].amount: NaN is not an amount`); a NaN in another key of a
dict is pandas' "missing". Read CSVs yourself with
`pandas.read_csv(path, dtype=str, keep_default_na=False)`, or pass the path: a float
`12.99` is refused, because it is not exactly 12.99, and so is a float `1299.0` in
`amount` (what pandas makes of a column of numbers with an empty cell), with that reason.
A CSV file must be UTF-8 and comma-separated, with a header line naming each column once;
a file that is empty, is not UTF-8 (the error says how to convert Excel's cp1252 or
UTF-16), is separated by `;` or tabs (Excel in many languages), has an unclosed quote or
a cell over the csv module's field limit, or has a value under a header column without a
name, is refused as a whole with a `ValueError` naming the file, the line and the rule,
before anything is sent (`data/README.md`). Rows whose cells are all empty or spaces
(Excel writes `,,` rows after the data) are skipped like blank lines, in a file and in a
DataFrame; they still count in `row`, as in `pandas.read_csv`, so `row` stays a
DataFrame's position. Header columns without a name (Excel's trailing `,,`; pandas calls
them `Unnamed: 3`) are ignored while all their cells are empty; one that holds a value is
refused once, by its position, before anything is sent.

**Per-row results.** Every input row (but the empty ones) comes back, in input order, with
its session or a `RowError`: a bad value is reported with the row, the CSV line, the column
and the rule (nothing is sent for that row) and the batch goes on. Each request is checked
once, before sending, with `models.check_request` (the check the client and the emulator
use), so a schema violation is a `RequestValidationError` naming the column without a round
trip. An API error keeps its `errorId`, description and validation paths (mapped back to
columns where possible). A `200` whose `orderId` is not the row's (another request's
answer) is a `MismatchedAnswer` error, never taken as the row's session. An error's texts
(its description, order id, columns and paths, and so `str()` and `frame()`) never show the
client's API key, even when a cell or a column header holds it by mistake (`***`).

**Sending.** Through the client you pass, with its transport, settings and hooks: an
`AsyncPrimerClient` is awaited, a `PrimerClient` sends from `concurrency` worker threads
(one on the in-process emulator through an `AsyncPrimerClient` on the same emulator);
without one, a new `AsyncPrimerClient()`. At most `concurrency` requests in flight, the
client's own retries (only connection failures before anything was sent: a POST that
was answered, even with a 429, is never sent again),
and a `tqdm.auto` progress bar (a widget in Jupyter, text elsewhere; `progress=False`
hides it). `create_sessions` can be called from a notebook, where an event loop is
already running: it then runs the batch on a private thread with its own loop. Since
it always runs on a new loop, it sends an `AsyncPrimerClient`'s requests through a twin
with the same settings, key and hooks and a connection pool of its own, closed when the
batch ends (connections the client kept from another loop cannot be read on this one);
a `transport=` you gave the client is used as it is. Async code calls
`await acreate_sessions(...)`, which awaits the client itself on your loop.

**Resume.** With a `ledger`, every exchange is recorded as it happens (the ledger is
attached to the client for the batch). With `resume=True` (the default), rows whose
`order_id` already has an answered `POST` (status 200) in the ledger, in the client's
environment, are not sent again: their session is taken from the ledger
(`resumed=True` in the frame). So an interrupted batch (kernel restart, `kill -9`) is
finished by running it again. Rows without an `order_id` cannot be resumed and are sent.
Resume matches on `order_id`, so each row needs its own: a second row with an `order_id`
already seen is an `InvalidRow` naming the first. A row whose request differs from the
one the ledger recorded for its session (the order was corrected since) is not answered
with the old session, nor sent: it is a `RowChanged` error (give the corrected order a
new `order_id`, or pass `resume=False`). A session record the ledger holds but that
cannot be read makes that row a `LedgerRecordUnreadable` error, not sent again.

If the ledger **cannot write** an exchange (locked by another program past its timeouts,
a full disk, a read-only file), the client only logs it, but the batch marks that row
`recorded=False` (a column of `frame()`, counted as `unrecorded` in the result) and
sends no new rows: those come back as `NotSent` errors. The same holds when the ledger
is **closed** (or detached from the client) while the batch runs: rows answered after
that are `recorded=False`, and the rows not yet sent are `NotSent`. Keep the result of the
unrecorded rows (their sessions are real): a resume cannot see them and would create
them again.

A row whose last `POST` in the ledger has an **unknown outcome** (no answer, except a
connection that was never made; a 5xx; a 408; a 429) is not sent again either: Primer may have
created its session and the answer was lost. It comes back as an `OutcomeUnknown` error.
Primer offers no way to find a session without its client token (GET needs it), so the
choice is yours: pass `resend_unknown=True` to send such rows; a session the first POST
made is then left unused, and its client token expires 24 h after it was made.

What resume cannot cover, honestly: a request whose answer the ledger never saw. The
ledger commits each answer right after it arrives and before the client returns it, but
the requests in flight when the process dies (kernel restart, `kill -9`), up to
`concurrency` of them, may each have created a session that is nowhere in the ledger,
not even as a POST without an answer; resuming creates those sessions again. An
`AsyncPrimerClient` batch that is interrupted (Ctrl-C, the kernel's interrupt button, a
cancelled task) cancels its requests in flight: each is recorded as a POST without an
answer (it may have been processed), so resume answers those rows `OutcomeUnknown`. With
a `PrimerClient` that sends over the network (the sandbox, a served emulator) an
interrupt waits for the requests in flight to be answered and recorded, then stops; one
on the in-process emulator (the tutorials' `tutorial_client()`) is awaited through an
async twin, so its requests in flight are cancelled and recorded as an
`AsyncPrimerClient`'s are. Primer's API has no idempotency key for
`POST /client-session` to close this window. An injected fault stores nothing unless it is
made with `processed=True` (`emulator.inject(504, processed=True)`): that one shows the
window on the emulator. Resume also trusts the ledger: a ledger that saw another
emulator run with the same order ids resumes from those sessions, so use a fresh ledger
(or `resume=False`) for a fresh emulator. Sessions taken from the ledger may have
expired (client tokens live 24 h); `sessions_frame` shows their status.

**One batch per ledger at a time.** Recording is safe from several processes, but resume
reads the ledger once, before sending, and claims nothing: two batches of the same rows
run at once on one ledger (two notebooks, or a cell run again while an earlier run still
sends) both send every row, and each order gets two sessions. Run them one after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import math
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from primer_nb import currency
from primer_nb.arguments import true_or_false, whole_number
from primer_nb.errors import (
    AuthenticationError,
    PrimerAPIError,
    PrimerConnectionError,
    ValidationErrorDetail,
    may_have_been_processed,
)
from primer_nb.models import (
    ClientSessionRequest,
    ClientSessionWithToken,
    check_request,
    short_token,
)

if TYPE_CHECKING:
    import pandas as pd

    from primer_nb.client import AsyncPrimerClient, PrimerClient
    from primer_nb.ledger import Ledger, SessionRecord

__all__ = [
    "LINE_ITEM_KEYS",
    "ORDER_COLUMNS",
    "BatchResult",
    "RowError",
    "RowResult",
    "acreate_sessions",
    "create_sessions",
    "order_request",
]

#: Columns of an order row (`data/orders.csv`) and the request field each fills.
ORDER_COLUMNS: Mapping[str, str] = {
    "order_id": "$.orderId",
    "customer_id": "$.customerId",
    "currency_code": "$.currencyCode",
    "amount_major": "$.amount (major units; overrides the order's total)",
    "amount": "$.amount (minor units; give amount_major or amount, not both)",
    "customer_email": "$.customer.emailAddress",
    "first_name": "$.customer.firstName",
    "last_name": "$.customer.lastName",
    "country_code": "$.order.countryCode",
    "shipping_address_line1": "$.customer.shippingAddress.addressLine1",
    "shipping_city": "$.customer.shippingAddress.city",
    "shipping_state": "$.customer.shippingAddress.state",
    "shipping_postal_code": "$.customer.shippingAddress.postalCode",
    "shipping_country_code": "$.customer.shippingAddress.countryCode",
    "shipping_amount_major": "$.order.shipping.amount (major units)",
    "shipping_method": "$.order.shipping.methodName",
    "line_items": "$.order.lineItems (JSON list of objects with LINE_ITEM_KEYS)",
}

#: Keys of one object in the `line_items` column, and the request field each fills.
LINE_ITEM_KEYS: Mapping[str, str] = {
    "item_id": "itemId",
    "name": "name",
    "description": "description",
    "quantity": "quantity",
    "amount_major": "amount (major units, per unit)",
    "amount": "amount (minor units, per unit)",
    "discount_major": "discountAmount (major units, whole line)",
    "tax_major": "taxAmount (major units, whole line)",
    "product_type": "productType",
}

# (column, where in the request body) for the simple text columns: those ORDER_COLUMNS
# maps to a plain JSONPath, except the currency (needed first, for the amounts).
_TEXT: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (column, tuple(where.removeprefix("$.").split(".")))
    for column, where in ORDER_COLUMNS.items()
    if " " not in where and column != "currency_code"
)
_LINE_TEXT = (
    ("item_id", "itemId"),
    ("name", "name"),
    ("description", "description"),
    ("product_type", "productType"),
)
_LINE_MONEY = (("discount_major", "discountAmount"), ("tax_major", "taxAmount"))

#: What `create_sessions` reads rows from: a CSV path, a DataFrame, or dicts (one per row).
Rows: TypeAlias = "str | os.PathLike[str] | pd.DataFrame | Iterable[Mapping[str, object]]"

# Sends one checked request body and returns the created session.
_Create = Callable[[dict[str, Any]], Awaitable[ClientSessionWithToken]]


@dataclass(frozen=True)
class RowError:
    """Why one input row has no session.

    `error_id` is Primer's (`RequestValidationError`, `DisabledCurrencyError`, ...) when the
    API or the client's own check refused the request, `InvalidRow` when a value could not
    be turned into a request, `ConnectionError` when no answer came. `columns` names the
    input columns at fault, `validation_errors` keeps Primer's `(model, JSONPath,
    description)` details. `status_code` is None when nothing was answered. `row` is the
    row's position in the input, from 0 (for a DataFrame, not its index label), `line`
    its line in a CSV file; `str()` names both and the order id.
    """

    row: int
    order_id: str | None
    error_id: str
    description: str
    status_code: int | None = None
    columns: tuple[str, ...] = ()
    validation_errors: tuple[ValidationErrorDetail, ...] = ()
    line: int | None = None

    def __str__(self) -> str:
        place = [f"line {self.line}"] if self.line is not None else []
        place += [self.order_id] if self.order_id else []
        where = f"row {self.row}" + (f" ({', '.join(place)})" if place else "")
        return f"{where}: {self.description}"


@dataclass(frozen=True)
class RowResult:
    """One input row's outcome: `session` or `error`, never both, never neither."""

    row: int
    order_id: str | None
    session: ClientSessionWithToken | None = None
    error: RowError | None = None
    resumed: bool = False
    #: Whether the ledger holds this row's exchange: None without a ledger or when nothing
    #: was sent; False when writing it failed (a resume would send the row again).
    recorded: bool | None = None

    @property
    def ok(self) -> bool:
        """True when the row has its session."""
        return self.session is not None


@dataclass
class BatchResult:
    """Every input row's outcome, in input order (`results`)."""

    results: list[RowResult] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def sessions(self) -> list[ClientSessionWithToken]:
        """The sessions of the rows that have one, in input order."""
        return [r.session for r in self.results if r.session is not None]

    @property
    def errors(self) -> list[RowError]:
        """The errors of the rows that failed, in input order."""
        return [r.error for r in self.results if r.error is not None]

    @property
    def ok(self) -> int:
        """How many rows have a session (created now or resumed)."""
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        """How many rows have an error."""
        return len(self.results) - self.ok

    @property
    def resumed(self) -> int:
        """How many sessions came from the ledger instead of being created again."""
        return sum(1 for r in self.results if r.resumed)

    @property
    def unrecorded(self) -> int:
        """How many rows were sent but could not be written to the ledger."""
        return sum(1 for r in self.results if r.recorded is False)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[RowResult]:
        return iter(self.results)

    def __repr__(self) -> str:
        return (
            f"BatchResult(rows={len(self.results)}, ok={self.ok}, failed={self.failed}, "
            f"resumed={self.resumed}"
            + (f", unrecorded={self.unrecorded})" if self.unrecorded else ")")
        )

    def _repr_html_(self) -> str:
        """Counts in notebooks: rows, sessions, resumed, failed by errorId."""
        from collections import Counter

        from primer_nb import display

        ids = Counter(e.error_id for e in self.errors)
        html = display.batch_html(
            rows=len(self), ok=self.ok, failed=self.failed, resumed=self.resumed, error_ids=ids
        )
        if self.unrecorded:
            html += (
                f"<p><strong>{self.unrecorded} rows were sent but not recorded in the "
                "ledger</strong> (see the <code>recorded</code> column of "
                "<code>frame()</code>): a resume would send them again.</p>"
            )
        return html

    def frame(self) -> pd.DataFrame:
        """One row per input row: `row, order_id, ok, resumed, client_token` (shortened),
        `currency_code, amount` (minor units, `Int64`), `error_id, error`, `recorded`
        (whether the ledger holds the row's exchange; `<NA>` without a ledger or when
        nothing was sent)."""
        import pandas as pd

        results = self.results
        sessions = [r.session for r in results]
        return pd.DataFrame(
            {
                "row": pd.array([r.row for r in results], dtype="Int64"),
                "order_id": pd.array([r.order_id for r in results], dtype="string"),
                "ok": pd.array([r.ok for r in results], dtype="boolean"),
                "resumed": pd.array([r.resumed for r in results], dtype="boolean"),
                "client_token": pd.array(
                    [short_token(s.client_token) if s else None for s in sessions],
                    dtype="string",
                ),
                "currency_code": pd.array(
                    [s.currency_code if s else None for s in sessions], dtype="string"
                ),
                "amount": pd.array([s.amount if s else None for s in sessions], dtype="Int64"),
                "error_id": pd.array(
                    [r.error.error_id if r.error else None for r in results], dtype="string"
                ),
                "error": pd.array(
                    [str(r.error) if r.error else None for r in results], dtype="string"
                ),
                "recorded": pd.array([r.recorded for r in results], dtype="boolean"),
            }
        )


# --- rows -> requests -----------------------------------------------------------------


_LINE_KEY = re.compile(r"line_items\[([0-9]+)\]\.(\w+)")


class _Problems(ValueError):
    """Every value of one row that could not become part of a request: `(column, rule)`
    pairs; the message names each column's place in the request too (`paths`: JSONPath ->
    column, as `order_request` gives them; else `ORDER_COLUMNS`' JSONPath)."""

    def __init__(self, problems: list[tuple[str, str]], paths: Mapping[str, str] = {}) -> None:
        self.problems = problems
        where = {column: path for path, column in paths.items()}
        for column, described in ORDER_COLUMNS.items():
            where.setdefault(column, described.split(" ")[0])
        for column, _ in problems:  # a line item's key: `line_items[1].amount`
            line = _LINE_KEY.fullmatch(column)
            if line is not None and line.group(2) in LINE_ITEM_KEYS:
                wire = LINE_ITEM_KEYS[line.group(2)].split(" ")[0]
                where.setdefault(column, f"$.order.lineItems[{line.group(1)}].{wire}")
        super().__init__(
            "; ".join(
                f"column {c}: {m} ({where[c]})" if c in where else f"column {c}: {m}"
                for c, m in problems
            )
        )


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _nan(value: Any) -> bool:
    """A float NaN (Python's or numpy's): pandas' "missing", or a NaN someone wrote."""
    return isinstance(value, float) and math.isnan(value)


def _scalar(value: Any) -> Any:
    """numpy scalars -> Python scalars; strings stripped."""
    if isinstance(value, str):
        return value.strip()
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


def _text(value: Any) -> str:
    value = _scalar(value)
    if isinstance(value, bool):
        raise ValueError(f"expected text, got {value!r}")
    if isinstance(value, int):
        return str(value)  # e.g. an order id read as a number
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__} {value!r}")
    return value


def _money(value: Any, code: str) -> int:
    """A major-unit amount -> minor units, with a message naming the rule broken."""
    value = _scalar(value)
    if isinstance(value, float):
        raise ValueError(
            f"got the float {value!r}; give amounts as text or Decimal (read CSVs with "
            'dtype=str; in line_items JSON, quote it: "amount_major": "1.5"), because a '
            "float is not an exact decimal amount"
        )
    try:
        return currency.to_minor_units(value, code)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None


#: Minor units as text: ASCII digits (`str.isdigit` also takes `²`, which `int` refuses),
#: no more than `int()` reads from text.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,4300}")


def _minor(value: Any) -> int:
    value = _scalar(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)  # Decimal("1299"), Decimal("1299.00"): whole, and exact
    if isinstance(value, float) and value.is_integer():
        # 1299.0: a whole number, but a float; pandas reads a number column with an
        # empty cell as floats. Not accepted, as for amount_major: a float is never money.
        raise ValueError(
            f"got the float {value!r}; give minor units as whole numbers or text, not floats "
            "(pandas reads a column of numbers that has an empty cell as floats: read CSVs "
            'with dtype=str, or pd.read_csv(..., dtype={"amount": "Int64"}); in line_items '
            f"JSON, write {int(value)}, not {value!r})"
        )
    # a long value by its length only: a part of it would hide a key from the redaction
    shown = repr(value)
    if len(shown) > 40:
        shown = (
            f"a text of {len(value)} characters"
            if isinstance(value, str)
            else f"a {type(value).__name__}"
        )
    raise ValueError(f"must be a whole number of minor units, not {shown}")


def _put(body: dict[str, Any], where: tuple[str, ...], value: Any) -> None:
    target = body
    for key in where[:-1]:
        target = target.setdefault(key, {})
    target[where[-1]] = value


def order_request(row: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """One order row -> the `POST /client-session` body (camelCase) and, for each JSONPath
    in it, the input column it came from.

    Raises `ValueError` listing every column whose value cannot be used (unknown column,
    unknown currency, more decimals than the currency has, a float, bad JSON...). Rules the
    API itself checks (negative amounts, email syntax, country codes) are left to
    `check_request`, which `create_sessions` runs before sending.
    """
    problems: list[tuple[str, str]] = []
    paths: dict[str, str] = {}
    body: dict[str, Any] = {}
    for column in row:
        if column not in ORDER_COLUMNS:
            problems.append((str(column), f"unknown column (known: {', '.join(ORDER_COLUMNS)})"))

    def get(column: str) -> Any:
        value = row.get(column)
        return None if _missing(value) else value

    for column, where in _TEXT:
        value = get(column)
        if value is None:
            continue
        try:
            _put(body, where, _text(value))
            paths["$." + ".".join(where)] = column
        except ValueError as exc:
            problems.append((column, str(exc)))

    # Major units need the currency's digits. An invalid code is reported once (above);
    # a missing one is reported once, naming the amounts it was needed for.
    code: str | None = None
    raw_code = get("currency_code")
    if raw_code is not None:
        paths["$.currencyCode"] = "currency_code"
        try:
            code = _text(raw_code)
            currency.minor_units(code)
            body["currencyCode"] = code
        except ValueError as exc:
            problems.append(("currency_code", str(exc)))
            code = None
    needs_code: list[str] = []

    def money(column: str, where: tuple[str, ...], major: bool) -> None:
        value = get(column)
        if value is None:
            return
        paths["$." + ".".join(where)] = column
        try:
            if not major:
                _put(body, where, _minor(value))
            elif code is not None:
                _put(body, where, _money(value, code))
            elif raw_code is None:
                needs_code.append(column)
        except ValueError as exc:
            problems.append((column, str(exc)))

    if get("amount_major") is not None and get("amount") is not None:
        problems.append(("amount", "give amount_major or amount, not both"))
    money("amount_major", ("amount",), major=True)
    money("amount", ("amount",), major=False)
    money("shipping_amount_major", ("order", "shipping", "amount"), major=True)

    lines = get("line_items")
    if lines is not None:
        try:
            items = _line_items(lines, code, raw_code is None, paths, needs_code)
            body.setdefault("order", {})["lineItems"] = items
        except _Problems as exc:
            problems.extend(exc.problems)
    if needs_code:
        problems.append(
            (
                "currency_code",
                f"required to convert amounts in major units ({', '.join(needs_code)})",
            )
        )
    if problems:
        raise _Problems(problems, paths)
    return body, paths


def _line_items(
    raw: Any, code: str | None, report_code: bool, paths: dict[str, str], needs_code: list[str]
) -> list[dict[str, Any]]:
    # In JSON text a NaN was written (JSON has null for "none"); in a list of dicts a NaN
    # in an optional key may be pandas' "missing", but not as the line's only amount.
    from_text = isinstance(raw, str)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            problem = f"not valid JSON ({exc.msg} at char {exc.pos})"
            raise _Problems([("line_items", problem)]) from None
        except RecursionError:
            # one row's cell, not the batch: nested past what Python's parser can follow
            raise _Problems([("line_items", "nested too deeply to read as JSON")]) from None
    if not isinstance(raw, list) or not all(isinstance(i, Mapping) for i in raw):
        raise _Problems([("line_items", "must be a JSON list of objects")])
    problems: list[tuple[str, str]] = []
    items: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        prefix = f"line_items[{index}]"
        item: dict[str, Any] = {}
        for key in entry:
            if key not in LINE_ITEM_KEYS:
                problems.append((f"{prefix}.{key}", "unknown key"))
            elif _nan(entry[key]) and (
                from_text or (key == "amount" and _missing(entry.get("amount_major")))
            ):
                what = "a quantity" if key == "quantity" else "an amount"
                if key in (w for w, _ in _LINE_TEXT):
                    what = "a text"
                problems.append((f"{prefix}.{key}", f"NaN is not {what}"))
        for key, wire in _LINE_TEXT:
            if not _missing(entry.get(key)):
                try:
                    item[wire] = _text(entry[key])
                except ValueError as exc:
                    problems.append((f"{prefix}.{key}", str(exc)))
                paths[f"$.order.lineItems[{index}].{wire}"] = f"{prefix}.{key}"
        quantity = entry.get("quantity")
        if not _missing(quantity):
            try:
                item["quantity"] = _minor(quantity)
            except ValueError:
                problems.append((f"{prefix}.quantity", f"must be a whole number, not {quantity!r}"))
            paths[f"$.order.lineItems[{index}].quantity"] = f"{prefix}.quantity"
        money_keys = [("amount_major", "amount"), *_LINE_MONEY]
        if not _missing(entry.get("amount_major")) and not _missing(entry.get("amount")):
            problems.append((f"{prefix}.amount", "give amount_major or amount, not both"))
        if not _missing(entry.get("amount")):
            try:
                item["amount"] = _minor(entry["amount"])
            except ValueError as exc:
                problems.append((f"{prefix}.amount", str(exc)))
            paths[f"$.order.lineItems[{index}].amount"] = f"{prefix}.amount"
        for key, wire in money_keys:
            if _missing(entry.get(key)):
                continue
            paths[f"$.order.lineItems[{index}].{wire}"] = f"{prefix}.{key}"
            if code is None:
                if report_code:
                    needs_code.append(f"{prefix}.{key}")
                continue
            try:
                item[wire] = _money(entry[key], code)
            except ValueError as exc:
                problems.append((f"{prefix}.{key}", str(exc)))
        items.append(item)
    if problems:
        raise _Problems(problems)
    return items


@dataclass
class _Prepared:
    row: int
    line: int | None
    order_id: str | None
    body: dict[str, Any] | None = None
    error: RowError | None = None
    paths: dict[str, str] = field(default_factory=dict)


def _column_of(path: str, paths: Mapping[str, str]) -> str | None:
    """The input column behind a JSONPath (or its closest parent)."""
    probe = path
    while probe:
        if probe in paths:
            return paths[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 1:
            return None
        probe = probe[:cut]
    return None


def _validation_error(
    item: _Prepared,
    error_id: str,
    details: Iterable[ValidationErrorDetail],
    status_code: int | None,
    headline: str,
) -> RowError:
    details = tuple(details)
    parts: list[str] = []
    columns: list[str] = []
    for detail in details:
        column = _column_of(detail.path, item.paths)
        if column is not None:
            columns.append(column)
            parts.append(f"column {column}: {detail.description} ({detail.path})")
        else:
            parts.append(f"{detail.path}: {detail.description}")
    return RowError(
        row=item.row,
        order_id=item.order_id,
        error_id=error_id,
        description=f"{headline}: " + "; ".join(parts) if parts else headline,
        status_code=status_code,
        columns=tuple(dict.fromkeys(columns)),
        validation_errors=details,
        line=item.line,
    )


def _prepare(row: int, line: int | None, data: Mapping[str, Any]) -> _Prepared:
    raw_id = data.get("order_id")
    order_id = None if _missing(raw_id) else str(_scalar(raw_id))
    item = _Prepared(row, line, order_id)
    try:
        body, item.paths = order_request(data)
    except _Problems as exc:
        item.error = RowError(
            row=row,
            order_id=order_id,
            error_id="InvalidRow",
            description=str(exc),
            columns=tuple(dict.fromkeys(c for c, _ in exc.problems)),
            line=line,
        )
        return item
    _, details = check_request(body, ClientSessionRequest)
    if details:
        item.error = _validation_error(
            item, "RequestValidationError", details, None, "refused before sending"
        )
    else:
        item.body = body
    return item


#: Byte-order marks of the wide Unicode encodings, UTF-32's before UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _csv_text(path: Path) -> str:
    """The file's text; `ValueError` naming the line and byte when it is not UTF-8, and
    the encoding to convert from when it is likely Excel's (cp1252 or UTF-16)."""
    data = path.read_bytes()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # zip (.xlsx), OLE (.xls)
        raise ValueError(
            f"{path}: not a CSV file: it is a spreadsheet workbook (Excel's .xlsx or .xls); "
            "save it as 'CSV UTF-8 (Comma delimited)', or read it with "
            "pandas.read_excel(path, dtype=str) (needs openpyxl for .xlsx) and pass the "
            "DataFrame"
        )
    # UTF-32's byte-order marks first: little-endian UTF-32's begins with UTF-16's
    wide = next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)
    if wide is not None:
        raise ValueError(
            f"{path}: line 1, byte 1: not UTF-8: the file is {wide} (it starts with a {wide} "
            "byte-order mark; Excel's 'Unicode Text' is UTF-16 and tab-separated); the file "
            "must be UTF-8 and comma-separated: save it as 'CSV UTF-8 (Comma delimited)', or "
            f"convert it, e.g. `iconv -f {wide.lower()} -t utf-8 in.txt > out.csv` (then, if it is "
            "tab-separated, read it with pandas.read_csv(path, sep='\\t', dtype=str, "
            "keep_default_na=False) and pass the DataFrame)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ValueError(
            f"{path}: line {line}, byte {column}: not UTF-8 ({exc.reason}); the file must be "
            "UTF-8: save it as 'CSV UTF-8 (Comma delimited)', or convert it from the encoding "
            "it was saved in; Excel on Windows saves 'CSV (Comma delimited)' as cp1252: "
            "`iconv -f cp1252 -t utf-8 in.csv > out.csv` (not latin1, which turns cp1252's "
            "\u2019 \u201c \u201d \u2013 \u20ac into invisible control characters)"
        ) from None


#: Field separators Excel uses instead of commas (the list separator of many locales;
#: "Text (Tab delimited)").
_SEPARATORS = {
    ";": (
        "semicolons (';')",
        "Excel saves CSV with the list separator of its language settings, e.g. ';' in "
        "German or French",
    ),
    "\t": ("tabs", "Excel's 'Text (Tab delimited)' or 'Unicode Text'"),
}


def _other_separator(path: Path, text: str) -> None:
    """`ValueError` when line 1 is a header separated by ';' or tabs instead of commas:
    read with commas it would be one unknown column, and every row would fail."""
    line_1 = re.match(r"[^\r\n]*", text)  # not splitlines(): no copy of a big file's lines
    first = line_1.group() if line_1 else ""
    if "," in first:
        return
    for separator, (name, why) in _SEPARATORS.items():
        if separator not in first:
            continue
        names = [n.strip() for n in next(csv.reader([first], delimiter=separator))]
        if len(names) > 1 and any(n in ORDER_COLUMNS for n in names):
            shown = "'\\t'" if separator == "\t" else repr(separator)
            raise ValueError(
                f"{path}: line 1: the columns are separated by {name}, not commas ({why}); "
                "the file must be comma-separated: save it as 'CSV UTF-8 (Comma delimited)' "
                "with ',' as the list separator, or read it with "
                f"pandas.read_csv(path, sep={shown}, dtype=str, keep_default_na=False) and "
                "pass the DataFrame"
            )


def _read_csv(path: Path) -> Iterator[tuple[int, int | None, Mapping[str, Any], str | None]]:
    """A CSV file's rows; a problem with the file itself (empty, not UTF-8, separated by
    ';' or tabs, an unclosed quote, a cell over the field limit, a header line without
    column names, a repeated header column, a value under a column without a name) is a
    `ValueError` naming the file, the line and the rule, raised before anything is sent.

    Blank lines are skipped; so are rows whose cells are all empty or spaces (Excel writes
    them after the data), which still count as rows, as in `pandas.read_csv`, so that
    `row` is the same either way. A header column without a name is ignored while its
    cells are all empty (Excel's trailing `,,`)."""
    import io

    text = _csv_text(path)
    if not text or text.isspace():
        raise ValueError(
            f"{path}: the file is empty: no header line; a CSV file starts with a header "
            "line naming its columns (data/README.md)"
        )
    _other_separator(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise ValueError(
                f"{path}: line 1: the header line has no column names; a CSV file starts "
                "with a header line naming its columns (data/README.md)"
            )
        twice = _repeated_column(header, "header", unnamed_ok=True)
        if twice is not None:
            raise ValueError(f"{path}: line 1: {twice}")
        unnamed = [i for i, name in enumerate(header) if not name]
        start = reader.line_num + 1
        row = 0
        for values in reader:
            if not values:  # a blank line: not a row
                start = reader.line_num + 1
                continue
            if all(not v.strip() for v in values):  # a row of empty cells: nothing to send
                row += 1
                start = reader.line_num + 1
                continue
            problem = None
            if len(values) != len(header):
                problem = (
                    f"malformed CSV row: {len(values)} fields, the header has "
                    f"{len(header)} (an unquoted comma or a missing field?)"
                )
            else:
                for i in unnamed:
                    if values[i].strip():
                        raise ValueError(
                            f"{path}: line 1: column {i + 1} has no name in the header, but "
                            f"line {start} has a value in it; name the column (known: "
                            f"{', '.join(ORDER_COLUMNS)}) or delete it"
                        )
            named = ((h, v) for h, v in zip(header, values, strict=False) if h)
            yield row, start, dict(named), problem
            row += 1
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            message = (
                f"line {start}: unclosed quote: a quoted cell in the row that begins on line "
                f"{start} is never closed, so the rest of the file would be read into that one "
                'cell; close the quote (a quote inside a quoted cell is written "")'
            )
        elif "field larger than field limit" in str(exc):
            message = (
                f"line {start}: a cell is longer than the CSV field limit of "
                f"{csv.field_size_limit()} characters (an unclosed quote in the row that "
                f"begins on line {start}?)"
            )
        else:
            message = (
                f"line {reader.line_num}: malformed CSV: {exc} (a quote in a quoted cell is "
                'written "")'
            )
        raise ValueError(f"{path}: {message}") from None


def _repeated_column(
    names: Iterable[object], where: str, *, unnamed_ok: bool = False
) -> str | None:
    """The first column name that appears twice among `names` (a CSV header or a
    DataFrame's columns, counted from 1), as a message; None when each appears once.
    `unnamed_ok`: empty names (a CSV's unnamed columns) may repeat."""
    seen: dict[object, int] = {}
    for position, name in enumerate(names, 1):
        if unnamed_ok and name == "":
            continue
        if name in seen:
            return (
                f"column {name} appears twice in the {where} (columns {seen[name]} and "
                f"{position}); each column may appear once"
            )
        seen[name] = position
    return None


#: What `pandas.read_csv` calls a header column without a name.
_UNNAMED = re.compile(r"Unnamed: [0-9]+")


def _read_rows(rows: Rows) -> Iterator[tuple[int, int | None, Mapping[str, Any], str | None]]:
    """`(row, CSV line number or None, row mapping, malformation or None)` per input row;
    `row` is the position in the input, from 0. Rows with nothing in any cell (a dict: no
    value, or `{}`) are skipped (their position still counts)."""
    if isinstance(rows, str | os.PathLike):
        yield from _read_csv(Path(rows))
        return
    to_dict = getattr(rows, "to_dict", None)
    if callable(to_dict) and hasattr(rows, "columns"):  # a DataFrame
        twice = _repeated_column(rows.columns, "DataFrame")
        if twice is not None:  # to_dict would keep the last one's values only
            raise ValueError(twice)
        records = to_dict("records")
        # pandas' name for a CSV header column without a name: ignored while it is empty
        blank: set[str] = set()
        for position, column in enumerate(rows.columns, 1):
            if not (isinstance(column, str) and _UNNAMED.fullmatch(column)):
                continue
            filled = next((i for i, r in enumerate(records) if not _missing(r[column])), None)
            if filled is not None:
                raise ValueError(
                    f"column {position} ({column!r}, pandas' name for a CSV header column "
                    f"without a name) has a value in row {filled}; name the column (known: "
                    f"{', '.join(ORDER_COLUMNS)}) or drop it"
                )
            blank.add(column)
        for row, record in enumerate(records):
            if not all(_missing(value) for value in record.values()):
                yield row, None, {k: v for k, v in record.items() if k not in blank}, None
        return
    if isinstance(rows, Mapping):
        raise TypeError("rows must be a DataFrame, a CSV path or an iterable of dicts, not a dict")
    for row, record in enumerate(rows):
        if not isinstance(record, Mapping):
            raise TypeError(f"each row must be a dict, not {type(record).__name__}")
        if not all(_missing(value) for value in record.values()):  # {} is an empty line
            yield row, None, record, None


def _prepare_all(rows: Rows) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    first: dict[str, _Prepared] = {}  # order_id -> the first row with it
    for index, line, data, problem in _read_rows(rows):
        if problem is None:
            item = _prepare(index, line, data)
        else:
            raw_id = data.get("order_id")
            order_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
            error = RowError(index, order_id, "InvalidRow", problem, line=line)
            item = _Prepared(index, line, order_id, error=error)
        if item.order_id is not None:
            seen = first.setdefault(item.order_id, item)
            if seen is not item and item.error is None:
                where = f"row {seen.row}" + (f" (line {seen.line})" if seen.line else "")
                item.error = RowError(
                    index,
                    item.order_id,
                    "InvalidRow",
                    f"column order_id: duplicate of {where}: each row needs its own order_id, "
                    "because resume matches on it",
                    columns=("order_id",),
                    line=line,
                )
                item.body = None
        prepared.append(item)
    return prepared


def _failed(
    item: _Prepared, kind: str, description: str, status_code: int | None = None
) -> RowResult:
    """The row's result as a `RowError` of `kind` (with its row, order id and line)."""
    error = RowError(
        item.row, item.order_id, kind, description, status_code=status_code, line=item.line
    )
    return RowResult(item.row, item.order_id, error=error)


def _resumed(item: _Prepared, record: SessionRecord, ledger: Ledger) -> RowResult:
    """The row's outcome from its session in the ledger: the session, or a `RowError`
    when the row has changed since then or the record cannot be read."""
    from pydantic import ValidationError

    when = f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC" if record.created_at else "earlier"
    if record.request_body is not None and ledger.stored_form(item.body) != record.request_body:
        return _failed(
            item,
            "RowChanged",
            f"changed since the session in the ledger was created ({when}): resume matches "
            "on order_id and would return the old session; give the changed order a new "
            "order_id, or pass resume=False to send every row again",
        )
    try:
        session = ClientSessionWithToken.model_validate(record.body)
    except ValidationError as exc:
        return _failed(
            item,
            "LedgerRecordUnreadable",
            f"the ledger holds a session for this order ({when}) but its record cannot be "
            f"read ({exc.error_count()} problems), so it is not sent again; look it up with "
            "ledger.frame(order_id=...)",
        )
    if session.order_id != item.order_id:  # the answer was another order's session
        return _failed(
            item,
            "MismatchedAnswer",
            f"the ledger's answer to this order's POST ({when}) is a session for orderId "
            f"{session.order_id!r}, so Primer may have created this order's session too; not "
            "sent again: look it up with ledger.frame(order_id=...), then pass resume=False "
            "to send it anyway",
        )
    return RowResult(item.row, item.order_id, session=session, resumed=True)


# --- sending --------------------------------------------------------------------------


def _sender(
    client: PrimerClient | AsyncPrimerClient | None, concurrency: int
) -> tuple[
    PrimerClient | AsyncPrimerClient, _Create, Callable[[Callable[[], None]], Awaitable[None]]
]:
    """The client the batch sends through, how to send one body with it, and how to finish:
    `finish(after)` calls `after` once no request of the batch is in flight any more.

    The given client is used as it is, with its own transport, settings and hooks: an
    `AsyncPrimerClient` is awaited directly; a `PrimerClient` sends from a private pool of
    `concurrency` threads (httpx's sync client is thread-safe), except one on the in-process
    emulator, which is awaited through an `AsyncPrimerClient` twin on the same emulator.
    Only the clients made here are closed at the end.
    """
    from concurrent.futures import ThreadPoolExecutor

    from primer_nb.client import AsyncPrimerClient, PrimerClient

    owned = client is None
    if (
        isinstance(client, PrimerClient)
        and client.emulator is not None
        and not client._http.is_closed  # its rows then fail with its "was closed" error
    ):
        # The in-process emulator has an async door too: the same emulator, settings and
        # hooks, awaited without threads (a request's attempts stay in a fixed order).
        # (Its settings are copied as resolved: when the kit's default key was sent, the
        # twin sends it too and knows it did, so a refusal says so as the client's would.)
        client = AsyncPrimerClient._like(client)
        owned = True
    if client is None or isinstance(client, AsyncPrimerClient):
        http = AsyncPrimerClient() if client is None else client

        async def create_async(body: dict[str, Any]) -> ClientSessionWithToken:
            # checked before with check_request: not twice
            return await http.create_session(body, validate=False)

        async def finish_async(after: Callable[[], None]) -> None:
            try:
                if owned:
                    await http.aclose()
            finally:
                after()  # every request was awaited (or cancelled) on this loop

        return http, create_async, finish_async
    if isinstance(client, PrimerClient):
        sync = client
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="primer-nb-batch")

        async def create_sync(body: dict[str, Any]) -> ClientSessionWithToken:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                pool, lambda: sync.create_session(body, validate=False)
            )

        async def finish_sync(after: Callable[[], None]) -> None:
            # Queued requests are dropped; the ones already running go on to the server
            # whatever happens, so wait for them (the ledger stays attached meanwhile).
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except BaseException:
                # A second Ctrl-C stops the wait, not the threads: their answers still come
                # (and Python waits for them at exit), so `after` (the ledger's detach)
                # waits for them on a thread of its own. Detached at once, the answers
                # reached no ledger, and a resume sent those rows again.
                def later() -> None:
                    pool.shutdown(wait=True)
                    after()

                threading.Thread(target=later, name="primer-nb-batch-finish", daemon=True).start()
                raise
            after()

        return sync, create_sync, finish_sync
    raise TypeError(f"client must be a PrimerClient or AsyncPrimerClient, not {type(client)}")


def _without_key(error: RowError, secrets: Sequence[str]) -> RowError:
    """`error` with the client's API keys (`redaction_secrets`, longest first) replaced by
    `***` in all its texts: the description, the order id, the columns and each detail's
    path and description (a cell or a column header may hold a key by mistake, and the
    error echoes it; `str()` adds the order id)."""
    from primer_nb.redaction import redact_each

    def safe(text: str) -> str:
        return redact_each(text, secrets)

    details = tuple(
        detail._replace(path=safe(detail.path), description=safe(detail.description))
        for detail in error.validation_errors
    )
    return replace(
        error,
        order_id=None if error.order_id is None else safe(error.order_id),
        description=safe(error.description),
        columns=tuple(safe(column) for column in error.columns),
        validation_errors=details,
    )


def _outcome_unknown(status: int | None, error: str | None) -> bool:
    """True when a POST may have been processed without its answer being seen: no answer
    (except a connection that was never made), a 5xx, a 408, or a 429 (Primer documents
    no 429, so nothing says one came before processing: the client does not resend it
    either)."""
    if status is None:
        return not (error or "").startswith(_NOT_SENT)
    return may_have_been_processed(status)


# Errors of an attempt that never reached the server (the client retries these too).
_NOT_SENT = ("ConnectError", "ConnectTimeout", "PoolTimeout")


def _unread_success(status: int | None) -> bool:
    """A 2xx to a POST whose answer is in the ledger as no session (`Ledger.sessions`
    skips it: not a JSON object): the session was created all the same."""
    return status is not None and 200 <= status < 300


def _unknown_text(status: int | None, started: datetime, error: str | None) -> str:
    if _unread_success(status):
        got = f"was answered {status} with no session the ledger could read"
    elif status is not None:
        got = f"was answered {status}"
    else:
        got = f"got no answer ({error})"
    return f"the last POST for this order ({started:%Y-%m-%d %H:%M:%S} UTC) {got}"


def _api_error(item: _Prepared, exc: PrimerAPIError) -> RowError:
    if exc.validation_errors:
        return _validation_error(
            item, exc.error_id, exc.validation_errors, exc.status_code, exc.description
        )
    headline = f"{exc.status_code} {exc.error_id}: {exc.description}"
    if isinstance(exc, AuthenticationError):  # what to do about the key, as str(exc) says
        headline += f" ({exc.hint})"
    columns: tuple[str, ...] = ()
    if exc.error_id == "DisabledCurrencyError" and "$.currencyCode" in item.paths:
        columns = (item.paths["$.currencyCode"],)
        headline = f"column {columns[0]}: {headline}"
    return RowError(
        row=item.row,
        order_id=item.order_id,
        error_id=exc.error_id,
        description=headline,
        status_code=exc.status_code,
        columns=columns,
        line=item.line,
    )


def _check_arguments(
    concurrency: object, ledger: object, rows: object = (), **flags: object
) -> int:
    """Refuse `rows`, `concurrency`, `ledger` or a flag (`progress`, `resume`,
    `resend_unknown`) of the wrong type before any row is read or sent, naming the
    parameter and the rule."""
    for name, value in flags.items():
        true_or_false(name, value)  # "no" is truthy: resend_unknown="no" would resend
    dataframe = hasattr(rows, "to_dict") and hasattr(rows, "columns")
    if not (isinstance(rows, (str, os.PathLike)) or dataframe):
        kind = type(rows).__name__
        if hasattr(rows, "to_dict"):  # a pandas Series: one row or one column of a DataFrame
            raise TypeError(
                f"rows must be a DataFrame, a CSV path or an iterable of dicts, not a {kind} "
                "(one row or column of a DataFrame): pass the DataFrame, or "
                "series.to_frame().T for one row"
            )
        if not isinstance(rows, Iterable) or isinstance(rows, bytes):
            raise TypeError(
                f"rows must be a DataFrame, a CSV path (e.g. 'data/orders.csv') or an "
                f"iterable of dicts, not {kind}"
            )
    count = whole_number(
        "concurrency",
        concurrency,
        minimum=1,
        rule="a whole number of requests in flight >= 1 (e.g. 8)",
    )
    if ledger is not None:
        from primer_nb.ledger import Ledger

        if not isinstance(ledger, Ledger):
            hint = (
                f" (open it first: ledger=Ledger({ledger!r}))"
                if isinstance(ledger, (str, os.PathLike))
                else ""
            )
            raise TypeError(
                f"ledger must be a Ledger, e.g. Ledger('ledger.db'), not "
                f"{type(ledger).__name__}{hint}"
            )
    return count


async def acreate_sessions(
    rows: Rows,
    *,
    client: PrimerClient | AsyncPrimerClient | None = None,
    concurrency: int = 8,
    ledger: Ledger | None = None,
    progress: bool = True,
    resume: bool = True,
    resend_unknown: bool = False,
) -> BatchResult:
    """Create one client session per row; the awaitable twin of `create_sessions`."""
    import time

    from tqdm.auto import tqdm

    concurrency = _check_arguments(
        concurrency,
        ledger,
        rows,
        progress=progress,
        resume=resume,
        resend_unknown=resend_unknown,
    )
    began = time.perf_counter()
    prepared = _prepare_all(rows)
    http, create, close = _sender(client, concurrency)
    attached = False
    results: list[RowResult | None] = [None] * len(prepared)
    slot = {item.row: i for i, item in enumerate(prepared)}  # skipped empty rows leave gaps
    bar = tqdm(total=len(prepared), desc="client sessions", unit="row", disable=not progress)
    failed = 0

    from primer_nb.client import redaction_secrets
    from primer_nb.redaction import redact_each

    secrets = redaction_secrets(http)  # its key, and PRIMER_API_KEY

    def finish(result: RowResult) -> None:
        nonlocal failed
        if result.error is not None and secrets:
            order_id = result.order_id  # frame() shows it beside the error
            result = replace(
                result,
                order_id=None if order_id is None else redact_each(order_id, secrets),
                error=_without_key(result.error, secrets),
            )
        results[slot[result.row]] = result
        failed += 0 if result.ok else 1
        bar.update(1)
        if failed:
            bar.set_postfix(failed=failed, refresh=False)

    for item in prepared:
        if (
            item.error is None
            and item.order_id
            and redact_each(item.order_id, secrets) != item.order_id
        ):
            # the ledger stores it as *** (resume could never find it) and Primer would
            # keep the key in the session: refused, as a column holding the key
            item.error = RowError(
                item.row,
                item.order_id,
                "InvalidRow",
                "column order_id: holds the API key; an order id is stored and shown "
                "everywhere, so it must not contain the key",
                columns=("order_id",),
                line=item.line,
            )
            item.body = None
    answered: dict[str, SessionRecord] = {}
    unknown: dict[str, str] = {}  # order_id -> what its last POST got
    try:
        if ledger is not None:
            if not ledger.is_attached(http):
                ledger.attach(http)
                attached = True
            if resume:
                wanted = sorted({p.order_id for p in prepared if p.order_id and not p.error})
                for start in range(0, len(wanted), 500):  # SQLite limits IN (...) lists
                    chunk = wanted[start : start + 500]
                    for record in ledger.sessions(environment=http.environment, order_id=chunk):
                        # the order it was sent for (the ledger's match), not the answer's
                        sent = record.request_body.get("orderId") if record.request_body else None
                        key = sent if isinstance(sent, str) else record.order_id
                        if key is not None:
                            answered[key] = record  # the latest wins
                    if not resend_unknown:
                        last = ledger.last_posts(environment=http.environment, order_id=chunk)
                        for order_id, (status, started, failure) in last.items():
                            if order_id in answered:
                                continue
                            if _outcome_unknown(status, failure) or _unread_success(status):
                                unknown[order_id] = _unknown_text(status, started, failure)
        pending: list[_Prepared] = []
        for item in prepared:
            if item.error is not None:
                finish(RowResult(item.row, item.order_id, error=item.error))
            elif item.order_id is not None and item.order_id in answered and ledger is not None:
                finish(_resumed(item, answered[item.order_id], ledger))
            elif item.order_id is not None and item.order_id in unknown:
                finish(
                    _failed(
                        item,
                        "OutcomeUnknown",
                        f"{unknown[item.order_id]}, so Primer may have created its session; "
                        "not sent again. Primer has no way to look it up without its client "
                        "token: pass resend_unknown=True to send it anyway (a session made "
                        "the first time is left unused and expires 24 h after it was made)",
                    )
                )
            else:
                pending.append(item)

        gate = asyncio.Semaphore(concurrency)
        seen_failures = len(ledger.failures) if ledger is not None else 0

        def unrecorded(item: _Prepared) -> str | None:
            """The ledger's error if it failed to write this row's exchange."""
            if ledger is None:
                return None
            for order_id, problem in ledger.failures[seen_failures:]:
                if order_id == item.order_id:
                    return problem
            return None

        async def send(item: _Prepared) -> None:
            async with gate:
                if ledger is not None and len(ledger.failures) > seen_failures:
                    # Once the ledger cannot write, stop: a resume could not see what is sent.
                    problem = ledger.failures[seen_failures][1]
                    finish(
                        _failed(
                            item,
                            "NotSent",
                            f"not sent: the ledger could not record an earlier exchange "
                            f"({problem}); fix the ledger (locked by another program? disk "
                            "full? read-only?), then run the batch again",
                        )
                    )
                    return
                if ledger is not None and not ledger.is_attached(http):
                    # Closed (`close()` detaches every client) or detached meanwhile: it
                    # would record nothing more, so stop as when it cannot write.
                    finish(
                        _failed(
                            item,
                            "NotSent",
                            "not sent: the ledger was closed (or detached from the client) "
                            "while the batch ran, so it would not record this row; run the "
                            "batch again with an open ledger",
                        )
                    )
                    return
                try:
                    session = await create(item.body or {})
                    sent_id = (item.body or {}).get("orderId")
                    if sent_id is not None and session.order_id != sent_id:
                        # Another request's answer (a connection shared across a fork,
                        # a proxy mixing answers): not this row's session.
                        outcome = _failed(
                            item,
                            "MismatchedAnswer",
                            f"the 200 answer is for order {session.order_id!r}, not "
                            f"{sent_id!r}, so it is not this row's session; this row's "
                            "session may exist: check before sending it again",
                            status_code=200,
                        )
                    else:
                        outcome = RowResult(item.row, item.order_id, session=session)
                except PrimerAPIError as exc:
                    outcome = RowResult(item.row, item.order_id, error=_api_error(item, exc))
                except PrimerConnectionError as exc:
                    outcome = _failed(item, "ConnectionError", str(exc))
                except Exception as exc:  # nothing is lost: an unexpected failure is a row error
                    outcome = _failed(item, type(exc).__name__, f"{type(exc).__name__}: {exc}")
            if ledger is not None:
                # An answer that came after the ledger was closed or detached reached no
                # ledger hook. (A ledger closed just after writing this row's exchange
                # makes it recorded=False too: the safe side, where nothing is lost.)
                recorded = unrecorded(item) is None and ledger.is_attached(http)
                outcome = replace(outcome, recorded=recorded)
            finish(outcome)

        tasks = [asyncio.ensure_future(send(item)) for item in pending]
        try:
            await asyncio.gather(*tasks)
        finally:
            # Cancelled (an interrupt, a timeout around the batch): gather stops at the
            # first cancelled row, while the requests in flight may still be unwinding.
            # Wait for every row, so each cancelled request reaches the ledger (as a POST
            # without an answer) before it is detached.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        bar.close()

        def detach() -> None:
            if attached and ledger is not None:
                ledger.detach(http)

        # First let the requests still in flight finish (a `PrimerClient`'s worker
        # threads), so that the ledger records their answers; then detach it.
        await close(detach)
    done = [r for r in results if r is not None]
    assert len(done) == len(prepared), "every row has an outcome"
    return BatchResult(done, elapsed_s=time.perf_counter() - began)


_R = TypeVar("_R")


def _run(factory: Callable[[], Awaitable[_R]]) -> _R:
    """Run a coroutine to completion, also from inside a running loop (Jupyter).

    Inside a running loop the coroutine runs on a private thread with its own loop, and
    the caller's thread waits for it. An interrupt there (the kernel's interrupt button:
    `KeyboardInterrupt` in the waiting thread) is handed to the batch: its task is
    cancelled on its own loop, so it sends nothing more, and then the interrupt is
    raised. The requests in flight are answered and recorded where worker threads send
    them (a `PrimerClient` over the network), and cancelled and recorded without an
    answer where they are awaited (an `AsyncPrimerClient`, or the in-process emulator).
    A second interrupt while waiting for them stops the wait (the batch thread still
    finishes them in the background).
    """

    async def main() -> _R:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    box: dict[str, Any] = {}
    running, finished = threading.Event(), threading.Event()

    async def guarded() -> _R:
        box["loop"] = asyncio.get_running_loop()
        box["task"] = asyncio.current_task()
        running.set()
        return await main()

    def work() -> None:
        try:
            box["value"] = asyncio.run(guarded())
        except BaseException as exc:
            box["error"] = exc
        finally:
            running.set()
            finished.set()

    thread = threading.Thread(target=work, name="primer-nb-batch", daemon=True)
    thread.start()
    # Wait on an Event, not `thread.join()`: a join interrupted once may return at once
    # when called again (Python 3.11 marks the thread as stopped), before the batch ends.
    try:
        finished.wait()
    except BaseException:
        # Hand the interrupt to the batch, wait for its requests in flight, then raise.
        running.wait()
        loop, task = box.get("loop"), box.get("task")
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(task.cancel)
        finished.wait()
        raise
    if "error" in box:
        raise box["error"]
    result: _R = box["value"]
    return result


def create_sessions(
    rows: Rows,
    *,
    client: PrimerClient | AsyncPrimerClient | None = None,
    concurrency: int = 8,
    ledger: Ledger | None = None,
    progress: bool = True,
    resume: bool = True,
    resend_unknown: bool = False,
) -> BatchResult:
    """Create one client session per order row, concurrently, and report every row.

    **Parameters:**

    * **rows** - a path to a CSV like `data/orders.csv`, a DataFrame with its columns, or an
      iterable of dicts (where `line_items` may be a list of dicts).
    * **client** - a `PrimerClient` (used as it is, with its own transport, from
      `concurrency` worker threads; one on the in-process emulator is awaited through an
      `AsyncPrimerClient` on the same emulator) or an `AsyncPrimerClient` (awaited through
      a twin with its settings and hooks and a pool of its own: see the module docs); default:
      `AsyncPrimerClient()`, configured from `PRIMER_*` variables (the in-process emulator
      when none are set).
    * **concurrency** - requests in flight at most: a whole number >= 1.
    * **ledger** - a `Ledger` (`Ledger("ledger.db")`, not the path): record every exchange
      there, and resume from it (see the module docs).
    * **progress** - show a `tqdm.auto` progress bar.
    * **resume** - skip rows whose `order_id` the ledger shows as already created.
    * **resend_unknown** - also send rows whose last `POST` in the ledger has an unknown
      outcome (no answer, a 5xx, a 408 or a 429: Primer may have created the session). By
      default such a row is an `OutcomeUnknown` error and is not sent; check first.

    Returns a `BatchResult` with one `RowResult` per input row, in input order (rows with
    every cell empty, or dicts with no value, are skipped; `row` still counts them).
    """
    from primer_nb.client import AsyncPrimerClient

    concurrency = _check_arguments(
        concurrency,
        ledger,
        rows,
        progress=progress,
        resume=resume,
        resend_unknown=resend_unknown,
    )

    async def batch() -> BatchResult:
        twin = None
        if (
            isinstance(client, AsyncPrimerClient)
            and not client._transport_given
            and not client._http.is_closed  # its rows then fail with its "was closed" error
        ):
            # The batch runs on an event loop of its own (`_run`), and the client's pool
            # keeps connections that belong to the loop it was used on before (a notebook's,
            # or an earlier batch's, now closed): a request written on one is created on the
            # server, then reading its answer fails, and the row is reported failed with
            # its session lost. So the batch sends through a twin with a pool of its own
            # (same settings, key and hooks), closed when the batch ends. A transport you
            # passed is yours, and is used as it is.
            twin = AsyncPrimerClient._like(client)
        try:
            return await acreate_sessions(
                rows,
                client=twin or client,
                concurrency=concurrency,
                ledger=ledger,
                progress=progress,
                resume=resume,
                resend_unknown=resend_unknown,
            )
        finally:
            if twin is not None:
                await twin.aclose()

    return _run(batch)
