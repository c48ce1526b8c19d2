"""Schemathesis, a third-party API tester, against the emulator (issue 11 §2a).

The emulator's own `/openapi.json` is loaded from the in-process ASGI app and every
operation is tested with every check schemathesis has (its default: all checks, positive
and negative data), in its examples, coverage and fuzzing phases. 0 failures: the
document states every rule the emulator enforces, and the emulator answers every
schema-valid request with a 2xx and every invalid one with a 4xx envelope.

All 14 checks are on (schemathesis's default configuration; none is switched off).
Three of them (`use_after_free`, `ensure_resource_availability`,
`object_level_authorization`) act only in a stateful run that follows OpenAPI links
between operations; the document declares no links, so in this per-operation run they
find nothing to check.

Two adjustments to generated data, each because no OpenAPI document can state the rule:
- a generated `clientToken` (PATCH body, GET query) is replaced by a live token in
  positive cases: a token is valid only if this emulator issued it (else 400, as Primer);
- in positive cases a whole float for an integer (`263.0`) is written as `263`: JSON
  Schema 2020-12 counts `263.0` as an integer, the emulator refuses it (behaviour.md §5,
  types are strict), and the document says so in `x-primer-nb-strict-integers`;
- in positive cases an order's amounts are brought into int64 >= 0 (a discount no larger
  than its line, no sum past the int64 maximum): the document says so in
  `x-primer-nb-amount-range`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings

from primer_nb.emulator import Emulator

KEY = "sk_schemathesis_key"
EMULATOR = Emulator(seed=11, api_keys=[KEY])
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", EMULATOR.app)
CASES: Counter[str] = Counter()


def _live_token() -> str:
    with httpx.Client(transport=EMULATOR.transport(), base_url="http://emulator") as http:
        made = http.post("/client-session", json={"orderId": "st"}, headers={"X-API-KEY": KEY})
    token: str = made.json()["clientToken"]
    return token


TOKEN = _live_token()


def _integers(value: Any) -> Any:
    """Whole floats written as integers, everywhere in a JSON value."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integers(v) for v in value]
    return value


INT64_MAX = 2**63 - 1


def _order_in_range(order: Any) -> None:
    """Amounts of a schema-valid `order` capped so that every line total and their sum
    with fees and shipping stay within int64 >= 0 (`x-primer-nb-amount-range`)."""
    if not isinstance(order, dict):
        return
    lines = [x for x in order.get("lineItems") or () if isinstance(x, dict)]
    fees = [x for x in order.get("fees") or () if isinstance(x, dict)]
    shipping = order.get("shipping")
    cap = INT64_MAX // (len(lines) + len(fees) + 1)  # each part at most cap: the sum fits
    for line in lines:
        quantity = line.get("quantity")
        units = quantity if isinstance(quantity, int) and quantity > 1 else 1
        line["amount"] = min(line["amount"], cap // (2 * units))
        if isinstance(line.get("taxAmount"), int):
            line["taxAmount"] = min(line["taxAmount"], cap // 2)
        gross = line["amount"] * (1 if quantity is None else quantity) + (
            line.get("taxAmount") or 0
        )
        if isinstance(line.get("discountAmount"), int):
            line["discountAmount"] = min(line["discountAmount"], gross)
    for part in [*fees, shipping]:
        if isinstance(part, dict) and isinstance(part.get("amount"), int):
            part["amount"] = min(part["amount"], cap)


def _prepare(case: schemathesis.Case) -> None:
    meta = case.meta
    if meta is not None and meta.generation.mode.is_negative:
        return
    if isinstance(case.body, dict):
        case.body = _integers(case.body)
        _order_in_range(case.body.get("order"))
        if isinstance(case.body.get("clientToken"), str):
            case.body["clientToken"] = TOKEN
    if case.query and isinstance(case.query.get("clientToken"), str):
        case.query["clientToken"] = TOKEN


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_emulator_against_its_own_openapi(case: schemathesis.Case) -> None:
    CASES[case.operation.label] += 1
    _prepare(case)
    case.call_and_validate(headers={"X-API-KEY": KEY})


def test_schemathesis_generated_cases() -> None:
    print(f"\nschemathesis (emulator's /openapi.json): {sum(CASES.values())} cases {dict(CASES)}")
    assert set(CASES) == {"POST /client-session", "GET /client-session", "PATCH /client-session"}
    assert all(count >= 20 for count in CASES.values()), CASES
