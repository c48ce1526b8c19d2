"""`primer-nb parity`: is the emulator right for *your* account?

The same built-in scenarios go to two backends, the in-process emulator and another one
(a running server, or Primer's sandbox with `PRIMER_API_KEY`), and every answer is
compared per JSONPath after volatile values are replaced by their shapes:

| value | becomes |
|---|---|
| a client token (a JWT) | `<JWT alg=HS256 kid=... typ=JWT; claims: accessToken, env, exp, ...;` |
| | `exp = clientTokenExpirationDate to the second>` (or `... +3600 s>`) |
| a client token that is not a JWT | `<client token: not a JWT, 20 chars>` |
| `diagnosticsId` | `<digits>` (other text `<not digits: 36 chars>`, a number `<a number>`) |
| `clientTokenExpirationDate` | `<naive UTC, 6 fractional digits, request time + 24 h>` |
| another date-time | `<naive UTC, 6 fractional digits>` |

The API key is redacted (`***`) from every string of both sides' answers before they are
compared, shown or recorded.

```python
from primer_nb.parity import compare

frame = compare(against="http://127.0.0.1:8010")     # a running server (or "sandbox")
frame                                                # scenario, step, path, emulator, other
frame.attrs["summary"]                               # 'parity: 22 scenarios, 0 differ'
compare(snapshot="team-sandbox.json", tax_connection=False)   # offline, from a recording
```

The scenarios (`SCENARIOS`): every valid request in Primer's documented examples
(`primer_nb/data/primer-examples.json`, "valid" as behaviour.md §5 reads it), the
reference page's request the first tutorial sends, the documented error cases and four
the emulator settles where Primer is silent, and a create → get → patch → get flow.
Against a server they create about 12 client sessions there; `ParityResult.created`
lists them. A difference comes with the emulator flag that removes
it where there is one (`--no-tax-connection`, `--enable-currency CODE`).

Snapshots, as LocalStack checks its AWS emulator: `record(...)` (CLI `--record FILE`)
saves the other side's normalised answers together with the requests; `--snapshot FILE`
replays those requests on the emulator and compares, with no network and no key. A
snapshot may list known differences, each with its reason; they are reported apart and
do not count. One that no longer occurs is stale: the run shows it as "(both sides agree
now)", asks for it to be removed from the snapshot, and counts its scenario as differing
(exit status 1). The package ships one built from Primer's documented request/response
pairs: `DOCS_SNAPSHOT`.

The API key is sent as `X-API-KEY` and never printed, stored or put in an error.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack, cast
from urllib.parse import urlsplit

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, JsonValue, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from primer_nb.arguments import true_or_false
from primer_nb.config import (
    API_PATH,
    BASE_URLS,
    EMULATOR_KEY,
    api_key_problem,
    clear_text_key_problem,
    env_var,
    http_url_problem,
    redact,
)
from primer_nb.errors import DEFAULT_KEY_REFUSED_HINT, PrimerConnectionError, PrimerError
from primer_nb.redaction import redact_all, redact_json

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ABSENT",
    "DOCS_SNAPSHOT",
    "EXAMPLES_FILE",
    "SCENARIOS",
    "SNAPSHOT_FORMAT",
    "Answer",
    "CreatedSession",
    "Difference",
    "ParityConnectionError",
    "ParityError",
    "ParityInterrupted",
    "ParityResult",
    "ParityUsageError",
    "Scenario",
    "ScenarioJson",
    "Sender",
    "Snapshot",
    "SnapshotScenario",
    "Step",
    "Suggestion",
    "build_docs_snapshot",
    "built_in_scenarios",
    "compare",
    "load_snapshot",
    "normalise",
    "record",
    "run",
    "write_docs_snapshot",
]

DATA = Path(__file__).resolve().parent / "data"
#: Primer's documented request/response pairs (copied from its docs and SDK fixtures).
EXAMPLES_FILE = DATA / "primer-examples.json"
#: The shipped snapshot: Primer's documented answers, normalised, with known differences.
DOCS_SNAPSHOT = DATA / "parity-snapshot-primer-docs.json"
SNAPSHOT_FORMAT = "primer-nb parity snapshot 1"
#: How a JSONPath present on one side only shows on the other.
ABSENT = "<absent>"
#: Stands in a step's body or query for the client token an earlier step of the same
#: scenario received (on the same backend).
TOKEN = "{{clientToken}}"
TAXJAR_FLAG = "--no-tax-connection"


# --- errors ------------------------------------------------------------------------------


class ParityError(PrimerError):
    """`primer-nb parity` could not compare (exit status 2).

    Its message never shows PRIMER_API_KEY: a key pasted as a flag's value
    (`--against "$PRIMER_API_KEY"`, `--snapshot ...`) is quoted in the message as `***`.
    That holds for the key in the process environment and for one given to `run()`,
    `record()` or `resolve_against()` through `environ=`.
    """

    def __init__(self, message: str) -> None:
        super().__init__(redact(message, env_var("PRIMER_API_KEY")))


@contextmanager
def _key_hidden(environ: Mapping[str, str] | None) -> Iterator[None]:
    """A `ParityError` raised inside shows the PRIMER_API_KEY of `environ` as `***` too
    (`ParityError` itself hides only the process environment's)."""
    key = None if environ is None else env_var("PRIMER_API_KEY", environ)
    try:
        yield
    except ParityError as exc:
        if key:
            exc.args = tuple(redact(a, key) if isinstance(a, str) else a for a in exc.args)
        raise


class ParityInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run against a server: still an interrupt, which says which client
    sessions the run had created there (on a sandbox account they are real ones)."""


class ParityUsageError(ParityError):
    """Bad arguments: an unknown `--against`, a missing key, an unreadable snapshot."""


class ParityConnectionError(ParityError, PrimerConnectionError):
    """The other backend did not answer, or refused the API key."""


# --- scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One HTTP request of a scenario, in wire terms.

    `body` and `params` may hold `{{clientToken}}`: the token an earlier step of the same
    scenario received. `send_key=False` leaves `X-API-KEY` out.
    """

    label: str
    method: str
    body: object = None
    params: Mapping[str, str] | None = None
    api_version: str = "2.4"
    send_key: bool = True

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "label": self.label,
            "method": self.method,
            "apiVersion": self.api_version,
        }
        if self.body is not None:
            out["body"] = self.body
        if self.params is not None:
            out["params"] = dict(self.params)
        if not self.send_key:
            out["sendKey"] = False
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Step:
        return cls(
            label=str(data["label"]),
            method=str(data["method"]).upper(),
            body=data.get("body"),
            params=cast("Mapping[str, str] | None", data.get("params")),
            api_version=str(data.get("apiVersion", "2.4")),
            send_key=bool(data.get("sendKey", True)),
        )


class ScenarioJson(TypedDict, total=False):
    """`Scenario.to_json()`: a scenario as a snapshot file holds it (without answers)."""

    name: Required[str]
    description: Required[str]
    example: str
    steps: Required[list[dict[str, object]]]


@dataclass(frozen=True)
class Scenario:
    """A named list of steps; `example` is the id in primer-examples.json it comes from."""

    name: str
    description: str
    steps: tuple[Step, ...]
    example: str | None = None

    def to_json(self) -> ScenarioJson:
        steps = [step.to_json() for step in self.steps]
        if self.example:
            return {
                "name": self.name,
                "description": self.description,
                "example": self.example,
                "steps": steps,
            }
        return {"name": self.name, "description": self.description, "steps": steps}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Scenario:
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            steps=tuple(
                Step.from_json(s) for s in cast("list[Mapping[str, object]]", data["steps"])
            ),
            example=cast("str | None", data.get("example")),
        )


def _examples() -> dict[str, dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return {example["id"]: example for example in data}


_VERSIONS = ("2021-09-27", "2021-10-19", "2.1", "2.2", "2.3", "2.4")


def _version(example: Mapping[str, Any]) -> str:
    """The X-API-VERSION an example was written for (2.4 where it does not say)."""
    raw = str(example.get("api_version") or "").split(" ")[0]
    return raw if raw in _VERSIONS else "2.4"


def _request(example: Mapping[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = copy.deepcopy(example["request"])
    return request


def _post(example: Mapping[str, Any], body: object = None) -> Step:
    return Step(
        "create", "POST", _request(example) if body is None else body, None, _version(example)
    )


def _android_replay(example: Mapping[str, Any]) -> dict[str, Any]:
    """The request behind the captured Android response: what it echoes, minus what the API
    adds (token, expiry, amount), with a valid address for the `EMAIL_ADDRESS` placeholder."""
    shown = example["response"]
    body = {
        k: copy.deepcopy(v)
        for k, v in shown.items()
        if k not in {"clientToken", "clientTokenExpirationDate", "amount"}
    }
    body["customer"]["emailAddress"] = "someone@example.com"
    return body


#: The request the first tutorial sends: the example on Primer's API reference page
#: (AED, every country code "AW", the payment-method placeholder sent literally).
REFERENCE_PAGE_REQUEST: dict[str, JsonValue] = {
    "orderId": "order-abc",
    "currencyCode": "AED",
    "order": {
        "lineItems": [
            {"itemId": "shoe-123", "description": "Blue Shoe", "amount": 100, "quantity": 10}
        ],
        "countryCode": "AW",
        "retailerCountryCode": "AW",
    },
    "customerId": "customer-123",
    "customer": {
        "emailAddress": "john@primer.io",
        "billingAddress": {"countryCode": "AW"},
        "shippingAddress": {"countryCode": "AW"},
    },
    "paymentMethod": {
        "paymentType": "FIRST_PAYMENT",
        "options": {"<PAYMENT_METHOD_TYPE>": {"surcharge": {}}},
        "authorizationType": "ESTIMATED",
    },
}

#: The session the v2.4 PATCH example's documented answer starts from (its metadata,
#: fee and shipping), created before the example's PATCH is sent.
_PATCH_EXAMPLE_BASE: dict[str, Any] = {
    "currencyCode": "GBP",
    "metadata": {"productType": "Clothing"},
    "order": {"fees": [{"type": "SURCHARGE", "amount": 100}], "shipping": {"amount": 50}},
}


def _fixed_typo(request: dict[str, Any]) -> dict[str, Any]:
    """The v2.4 example with its typo `"countryCode": "FR,"` read as `"FR"` (behaviour.md §5)."""
    fixed = copy.deepcopy(request)
    fixed["order"]["countryCode"] = "FR"
    return fixed


def _flow() -> Scenario:
    create = {
        "orderId": "parity-flow-1",
        "currencyCode": "EUR",
        "customerId": "parity-customer",
        "customer": {"emailAddress": "someone@example.com"},
        "order": {
            "countryCode": "DE",
            "lineItems": [{"itemId": "mug", "amount": 1250, "quantity": 2}],
        },
        "metadata": {"source": "primer-nb parity"},
    }
    patch = {
        "clientToken": TOKEN,
        "order": {
            "lineItems": [
                {"itemId": "mug", "amount": 1250, "quantity": 1},
                {"itemId": "tea", "amount": 499, "quantity": 1, "discountAmount": 50},
            ]
        },
        "customer": {"emailAddress": "other@example.com"},
    }
    get = Step("get", "GET", params={"clientToken": TOKEN})
    return Scenario(
        "create-get-patch-get",
        "create a session, read it, replace its line items and change the e-mail, read it again",
        (
            Step("create", "POST", create),
            get,
            Step("patch", "PATCH", patch),
            Step("get-after-patch", "GET", params={"clientToken": TOKEN}),
        ),
    )


def built_in_scenarios() -> tuple[Scenario, ...]:
    """The scenario set, built from primer-examples.json and the documented errors."""
    ex = _examples()
    v24, v22 = ex["v2.4-create-200"], ex["v2.2-create-200"]
    patch_example = ex["v2.4-patch-200"]
    android = ex["sdk-android-captured-create-response"]
    bad_token = "not-a-client-token"
    scenarios = [
        Scenario(
            "v2.4-create",
            "the v2.4 reference example, its typo 'FR,' read as 'FR' (as the emulator reads it)",
            (_post(v24, _fixed_typo(v24["request"])),),
            v24["id"],
        ),
        Scenario(
            "v2.4-create-as-documented",
            "the v2.4 reference example as printed: 'FR,' is not a country code (422)",
            (_post(v24),),
            v24["id"],
        ),
        Scenario(
            "v2.4-patch",
            "the v2.4 PATCH example on a session holding its documented fee and shipping",
            (
                Step("create", "POST", _PATCH_EXAMPLE_BASE, None, "2.4"),
                Step("patch", "PATCH", {**_request(patch_example), "clientToken": TOKEN}),
            ),
            patch_example["id"],
        ),
        Scenario("v2.2-create", "the v2.2 reference example under 2.2", (_post(v22),), v22["id"]),
    ]
    for example_id, name in (
        ("guide-manage-client-sessions-2.2", "guide-manage-client-sessions"),
        ("guide-get-started-android-java", "guide-get-started"),
        ("migration-v2-2021-09-27-request", "migration-v2-request"),
        ("example-web-checkout-server-request", "web-checkout-sample-server"),
        ("checkout-web-cobadged-request", "web-checkout-co-badged"),
    ):
        example = ex[example_id]
        described = f"{example_id} under X-API-VERSION {_version(example)}"
        scenarios.append(Scenario(name, described, (_post(example),), example_id))
    scenarios += [
        Scenario(
            "android-fixture-replay",
            "the request behind the captured Android SDK response (full shipping address)",
            (Step("create", "POST", _android_replay(android)),),
            android["id"],
        ),
        Scenario(
            "reference-page-request",
            "the API reference page's request that tutorial 01 sends (AED, addresses 'AW')",
            (Step("create", "POST", REFERENCE_PAGE_REQUEST),),
        ),
        Scenario(
            "disabled-currency",
            "a currency Primer disables by default (HUF): DisabledCurrencyError "
            "(Primer states no status: the 400 is the emulator's choice)",
            (_post(ex["currencies-disabled-currency-error"]),),
            "currencies-disabled-currency-error",
        ),
        Scenario(
            "post-422-customer-id",
            "customerId that is not a string: 422 RequestValidationError at $.customerId",
            (Step("create", "POST", {"customerId": 123}),),
            "v2.4-post-422-RequestValidationError",
        ),
        Scenario(
            "post-422-customer-id-v2.2",
            "the same under X-API-VERSION 2.2",
            (Step("create", "POST", {"customerId": 123}, None, "2.2"),),
            "v2.2-post-422",
        ),
        Scenario(
            "post-422-two-fields",
            "two fields that break the schema at once (customerId a number, currencyCode "
            "no currency code): 422 listing both (how many violations a 422 lists, and in "
            "which order, is the emulator's choice: Primer's examples show one)",
            (Step("create", "POST", {"customerId": 123, "currencyCode": "EURO"}),),
        ),
        Scenario(
            "post-400-metadata-empty-key",
            "metadata with an empty key on POST: 400 MetadataContainsEmptyKey",
            (Step("create", "POST", {"currencyCode": "EUR", "metadata": {"": "x"}}),),
            "v2.4-post-400-MetadataContainsEmptyKey",
        ),
        Scenario(
            "patch-400-metadata-empty-key",
            "metadata with an empty key on PATCH: 400 MetadataContainsEmptyKey",
            (
                Step("create", "POST", {"currencyCode": "EUR", "amount": 100}),
                Step("patch", "PATCH", {"clientToken": TOKEN, "metadata": {"": "x"}}),
            ),
            "v2.4-patch-400-MetadataContainsEmptyKey",
        ),
        Scenario(
            "get-400-invalid-token",
            "GET with a client token that is not one: 400 ClientSessionValidationError "
            "(the emulator's choice: Primer documents this error for POST and PATCH only)",
            (Step("get", "GET", params={"clientToken": bad_token}),),
        ),
        Scenario(
            "patch-400-invalid-token",
            "PATCH with a client token that is not one: 400 ClientSessionValidationError",
            (Step("patch", "PATCH", {"clientToken": bad_token, "amount": 100}),),
            "v2.4-patch-400-ClientSessionValidationError",
        ),
        Scenario(
            "post-422-python-style-key",
            "a Python-style key at the top level is not a field of Primer's schema (422)",
            (
                Step(
                    "create", "POST", {"order_id": "parity-1", "currencyCode": "EUR", "amount": 100}
                ),
            ),
        ),
        Scenario(
            "no-api-key",
            "POST without X-API-KEY: refused before anything else (the emulator's 403 and "
            "its body are its choice: Primer does not document them)",
            (Step("create", "POST", {"currencyCode": "EUR", "amount": 100}, send_key=False),),
        ),
        _flow(),
    ]
    return tuple(scenarios)


SCENARIOS: tuple[Scenario, ...] = built_in_scenarios()

#: Scenarios whose answer Primer does not document, so the emulator's is its own choice
#: (behaviour.md §2): a difference there is a fact about the account, not a fault of the
#: emulator, and the report says so.
_EMULATORS_CHOICE: dict[str, str] = {
    "disabled-currency": "the status of DisabledCurrencyError",
    "get-400-invalid-token": "a GET with a token that is not one",
    "no-api-key": "a request without X-API-KEY",
    "post-422-two-fields": "how many violations a 422 lists, and in which order",
}


# --- normalising ---------------------------------------------------------------------------

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?P<sep>[T ])\d{2}:\d{2}(?::\d{2}(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)


def _jwt_shape(token: str) -> str | None:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not isinstance(claims, dict):
        return None
    head = " ".join(f"{k}={header[k]}" for k in sorted(header))
    return f"<JWT {head}; claims: {', '.join(sorted(claims))}>"


def _datetime_shape(text: str) -> str | None:
    match = _DATETIME.match(text)
    if match is None:
        return None
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    zone = match.group("zone")
    where = "naive UTC" if zone is None else ("UTC with Z" if zone == "Z" else f"offset {zone}")
    digits = len(match.group("fraction") or "")
    space = ", a space for T" if match.group("sep") == " " else ""
    return f"<{where}, {digits} fractional digits{space}>"


#: The shape of a token expiry given as a number (epoch seconds, say), not ISO text.
_NUMBER_EXPIRY = "<a number, not ISO 8601 text>"
#: The key of a session's token expiry, compared relative to the time the request was sent.
EXPIRY_KEY = "clientTokenExpirationDate"
#: How long a client token lasts (client-session-api.md: creation + 24 h).
TOKEN_LIFETIME = timedelta(hours=24)
#: How far an expiry may lie from request time + 24 h and still count as 24 h: the
#: other side's clock and this machine's may differ a little, and a request takes time.
EXPIRY_TOLERANCE = timedelta(minutes=5)


def _as_utc(text: str) -> datetime | None:
    """An ISO date-time as an aware UTC datetime (naive means UTC, as Primer sends it)."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _lifetime(expiry: datetime, sent_at: datetime) -> str:
    """`request time + 24 h` when `expiry` is 24 h (within `EXPIRY_TOLERANCE`) after the
    request was sent, else the actual distance to the minute."""
    delta = expiry - sent_at
    if abs(delta - TOKEN_LIFETIME) <= EXPIRY_TOLERANCE:
        return "request time + 24 h"
    minutes = round(delta.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"request time {sign} {hours} h {rest:02d} min"


def _exp_check(token: str, expiry_text: str) -> str | None:
    """How a JWT's `exp` claim relates to the expiry floored to seconds, or None when the
    token is not a JWT with a numeric `exp` or the expiry is not a date-time."""
    expiry = _as_utc(expiry_text)
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if expiry is None or isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    floored = math.floor(expiry.timestamp())
    if exp == floored:
        return f"exp = {EXPIRY_KEY} to the second"
    return f"exp = {EXPIRY_KEY} to the second {exp - floored:+} s"


def normalise(value: object, key: str | None = None, *, sent_at: datetime | None = None) -> object:
    """`value` with volatile parts replaced by their shapes (see the module docstring).

    A client token becomes the shape of its JWT (header and claim names, and whether its
    `exp` is the session's expiry to the second), or `<client token: not a JWT, N chars>`;
    a `diagnosticsId` of digits `<digits>` (other text `<not digits: N chars>`, a number
    `<a number>`); an ISO date-time its form (zone, number of fractional digits, a space
    for the `T`), and a token expiry given as a number `<a number, not ISO 8601 text>`.
    With `sent_at` (when the request was sent, UTC), the token expiry also says how far
    it lies from that time (`request time + 24 h`). Anything else stays as it is.
    """
    if isinstance(value, Mapping):
        out = {str(k): normalise(v, str(k), sent_at=sent_at) for k, v in value.items()}
        token, expiry = value.get("clientToken"), value.get(EXPIRY_KEY)
        shape = out.get("clientToken")
        if isinstance(token, str) and isinstance(expiry, str) and isinstance(shape, str):
            check = _exp_check(token, expiry) if shape.startswith("<JWT ") else None
            if check is not None:
                out["clientToken"] = f"{shape[:-1]}; {check}>"
        return out
    if isinstance(value, list):
        return [normalise(item, sent_at=sent_at) for item in value]
    if key in (EXPIRY_KEY, "diagnosticsId") and type(value) in (int, float):
        # a new value every run in any form: its form is what can differ, run after run
        return "<a number>" if key == "diagnosticsId" else _NUMBER_EXPIRY
    if isinstance(value, str):
        if key == "diagnosticsId":
            return "<digits>" if value.isdigit() else f"<not digits: {len(value)} chars>"
        if _JWT.match(value):
            shape = _jwt_shape(value)
            if shape is not None:
                return shape
        if key == "clientToken":  # never shown: it may be a credential of another form
            return f"<client token: not a JWT, {len(value)} chars>"
        shape = _datetime_shape(value)
        if shape is not None:
            expiry = _as_utc(value) if key == EXPIRY_KEY and sent_at is not None else None
            if expiry is not None and sent_at is not None:
                return f"{shape[:-1]}, {_lifetime(expiry, sent_at)}>"
            return shape
    return value


# --- comparing -----------------------------------------------------------------------------


def _member(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _diff(left: object, right: object, path: str) -> Iterator[tuple[str, object, object]]:
    """(JSONPath, left value, right value) wherever the two JSON values differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(left) + [k for k in right if k not in left]:
            yield from _diff(left.get(key, ABSENT), right.get(key, ABSENT), _member(path, key))
    elif isinstance(left, list) and isinstance(right, list):
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else ABSENT
            b = right[index] if index < len(right) else ABSENT
            yield from _diff(a, b, f"{path}[{index}]")
    elif type(left) is not type(right) or left != right:
        yield path, left, right


@dataclass(frozen=True)
class Difference:
    """One JSONPath of one step where the emulator and the other side disagree.

    `path` is `status` for the HTTP status, else a JSONPath into the body. `reason` is
    set when a snapshot lists this difference as known.
    """

    scenario: str
    step: str
    path: str
    emulator: object
    other: object
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.reason is not None

    def key(self) -> tuple[str, str, str]:
        return (self.scenario, self.step, self.path)

    def to_json(self) -> dict[str, object]:
        out = {
            "scenario": self.scenario,
            "step": self.step,
            "path": self.path,
            "emulator": self.emulator,
            "other": self.other,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Suggestion:
    """An emulator flag (or a note, `flag=None`) that would remove some differences."""

    message: str
    flag: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"flag": self.flag, "message": self.message}


@dataclass(frozen=True)
class CreatedSession:
    """A client session a parity run created on the other side (a POST answered 2xx)."""

    scenario: str
    step: str
    order_id: str | None

    def to_json(self) -> dict[str, object]:
        return {"scenario": self.scenario, "step": self.step, "orderId": self.order_id}

    def describe(self) -> str:
        order = "no orderId" if self.order_id is None else f"orderId {self.order_id!r}"
        return f"{self.scenario} ({self.step}): {order}"


def _created_note(created: Sequence[CreatedSession], where: str) -> str:
    """`created N client sessions on WHERE: ...` (each scenario, step and orderId)."""
    if not created:
        return f"created no client session on {where}"
    items = "; ".join(c.describe() for c in created)
    return f"created {len(created)} client sessions on {where}: {items}"


@dataclass
class ParityResult:
    """What one parity run found: `to_frame()`, `to_json()`, `render()`."""

    against: str
    flags: list[str]
    scenarios: list[str]
    differences: list[Difference]
    known: list[Difference] = field(default_factory=list)
    stale: list[Difference] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    #: Scenarios of more than one step: their rows name the step (`name/step`).
    multi_step: set[str] = field(default_factory=set)
    #: The client sessions this run created on the other side (none for a snapshot).
    created: list[CreatedSession] = field(default_factory=list)
    #: Whether the other side is a server (sessions are created there) or a snapshot.
    live: bool = False
    #: `record()` over an existing snapshot: how many known differences it kept.
    kept_known: int | None = None
    #: Remarks about the run itself (e.g. a snapshot recorded by an earlier version).
    notes: list[str] = field(default_factory=list)

    @property
    def differing(self) -> list[str]:
        """Scenarios with a difference no snapshot explains, or with a known difference
        that no longer occurs (stale), in run order."""
        names = {d.scenario for d in self.differences} | {d.scenario for d in self.stale}
        return [name for name in self.scenarios if name in names]

    @property
    def summary(self) -> str:
        return f"parity: {len(self.scenarios)} scenarios, {len(self.differing)} differ"

    @property
    def exit_status(self) -> int:
        """0 when nothing differs, 1 otherwise: known differences that still occur do not
        count, stale ones do."""
        return 1 if self.differing else 0

    def to_json(self) -> dict[str, object]:
        return {
            "against": self.against,
            "emulatorFlags": list(self.flags),
            "scenarios": len(self.scenarios),
            "differ": len(self.differing),
            "differingScenarios": self.differing,
            "differences": [d.to_json() for d in self.differences],
            "knownDifferences": [d.to_json() for d in self.known],
            "staleKnownDifferences": [d.to_json() for d in self.stale],
            "suggestions": [s.to_json() for s in self.suggestions],
            "createdSessions": [c.to_json() for c in self.created],
            "notes": list(self.notes),
            "summary": self.summary,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per difference (known ones too, with their reason); the run's summary,
        suggestions and counts in `.attrs`."""
        import pandas as pd

        columns = ["scenario", "step", "path", "emulator", "other", "known", "reason"]
        rows = [
            [d.scenario, d.step, d.path, d.emulator, d.other, False, None] for d in self.differences
        ]
        rows += [
            [
                d.scenario,
                d.step,
                d.path,
                d.emulator,
                d.other,
                False,
                f"no longer differs: {d.reason}",
            ]
            for d in self.stale
        ]
        rows += [
            [d.scenario, d.step, d.path, d.emulator, d.other, True, d.reason] for d in self.known
        ]
        frame = pd.DataFrame(rows, columns=columns)
        frame.attrs.update(
            {
                "against": self.against,
                "emulator_flags": list(self.flags),
                "scenarios": len(self.scenarios),
                "differ": len(self.differing),
                "summary": self.summary,
                "suggestions": [s.message for s in self.suggestions],
                "created_sessions": [c.to_json() for c in self.created],
            }
        )
        return frame

    def render(self, width: int = 44, *, show_known: bool = False) -> str:
        """The text report: header, table, suggestions, and `parity: N scenarios, D differ`."""
        flags = " ".join(self.flags) or "default flags"
        lines = [f"emulator ({flags}) vs {self.against}"]
        rows = [(d.scenario, d.step, d.path, d.emulator, d.other) for d in self.differences]
        rows += [
            (d.scenario, d.step, d.path, "(both sides agree now)", "(a known difference)")
            for d in self.stale
        ]
        if rows:
            lines.append("")
            lines += _table(
                ("scenario", "JSONPath", "emulator", "other"), rows, width, self.multi_step
            )
        if self.stale:
            lines.append("")
            lines.append(
                "a known difference that no longer occurs is stale: remove it from the "
                "snapshot's knownDifferences"
            )
        if self.known:
            lines.append("")
            lines.append(
                f"{len(self.known)} known differences listed in the snapshot, not counted"
                + (":" if show_known else " (--show-known lists them with their reasons)")
            )
            if show_known:
                by_reason: dict[str, list[str]] = {}
                for d in self.known:
                    by_reason.setdefault(str(d.reason), []).append(
                        f"{_label(d.scenario, d.step, self.multi_step)} {d.path}"
                    )
                for reason, where in by_reason.items():
                    lines.append(f"  - {reason}:")
                    lines += [f"      {item}" for item in where]
        for note in self.notes:
            lines.append("")
            lines.append(f"note: {note}")
        if self.suggestions:
            lines.append("")
            lines.append("suggestions:")
            lines += [f"  - {s.message}" for s in self.suggestions]
        if self.live:
            lines.append("")
            lines.append(
                _created_note([], self.against)
                if not self.created
                else f"created {len(self.created)} client sessions on {self.against}:"
            )
            lines += [f"  - {c.describe()}" for c in self.created]
        lines.append("")
        lines.append(self.summary)
        return "\n".join(lines)


def _text(value: object) -> str:
    if isinstance(value, str) and (value.startswith("<") and value.endswith(">")):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _label(scenario: str, step: str, multi_step: Iterable[str] = ()) -> str:
    return f"{scenario}/{step}" if scenario in multi_step else scenario


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cut_pair(left: str, right: str, width: int) -> tuple[str, str]:
    """Both texts cut to `width`, around the first character where they differ, so that
    two long values that differ near their end do not show as the same cell."""
    if len(left) <= width and len(right) <= width:
        return left, right
    first = next(
        (i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b),
        min(len(left), len(right)),
    )
    longest = max(len(left), len(right))
    start = min(first - width // 3, longest - width)  # as much as fits before it
    if start <= 0:
        return _cut(left, width), _cut(right, width)
    return _cut("…" + left[start + 1 :], width), _cut("…" + right[start + 1 :], width)


def _table(
    header: tuple[str, str, str, str],
    rows: Sequence[tuple[str, str, str, object, object]],
    width: int,
    multi_step: Iterable[str],
) -> list[str]:
    cells = [
        (
            _label(scenario, step, multi_step),
            path,
            *_cut_pair(
                emu if isinstance(emu, str) and emu.startswith("(") else _text(emu),
                other if isinstance(other, str) and other.startswith("(") else _text(other),
                width,
            ),
        )
        for scenario, step, path, emu, other in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return out


# --- backends ------------------------------------------------------------------------------


class Answer(TypedDict, total=False):
    """One HTTP answer as parity compares it: `status` and the decoded JSON `body` (a
    `<not JSON: ...>` text when it was not JSON); `step`, the step's label, once played."""

    step: str
    status: Required[int]
    body: Required[object]


#: Sends one step: `(step, body, query params)` -> the answer (token placeholders filled).
Sender = Callable[[Step, object, Mapping[str, str] | None], Answer]


def _parse(response: httpx.Response) -> Answer:
    try:
        body: object = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        body = f"<not JSON: {kind}, {len(response.content)} bytes>"
    return {"status": response.status_code, "body": body}


_RATE_LIMIT_TRIES = 3
SANDBOX_LABEL = "Primer's sandbox"


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait after a 429: its `Retry-After` (at most 10 s), else 1 s."""
    try:
        return min(max(float(response.headers.get("retry-after", "1")), 0.0), 10.0)
    except ValueError:
        return 1.0


class _TimedOut(ParityConnectionError):
    """A request got no answer within the timeout (the message names the step)."""

    def __init__(self, where: str, step: Step, seconds: float | None) -> None:
        self.where, self.step, self.seconds = where, step, seconds
        super().__init__(self.describe())

    def describe(self, scenario: str | None = None) -> str:
        within = "in time" if self.seconds is None else f"within {self.seconds:g} s"
        what = f"{self.step.method} {self.step.label}"
        if scenario is not None:
            what = f"scenario {scenario} ({what})"
        text = f"{self.where} did not answer {what} {within}"
        if self.step.method == "POST":
            text += "; the POST may still have created a session there"
        return text + "; raise --timeout (Primer's gateway itself waits up to 90 s)."


#: A GET answered by a gateway error is sent once more (a GET changes nothing).
_GATEWAY_ERRORS = (502, 503, 504)


#: Failures before the request reached the other side: no session can have been made.
_NOTHING_SENT = (
    httpx.ConnectError,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def _http_sender(http: httpx.Client, key: str | None, where: str) -> Sender:
    def send(step: Step, body: object, params: Mapping[str, str] | None) -> Answer:
        headers = {"X-API-VERSION": step.api_version, "Accept": "application/json"}
        if step.send_key and key:
            headers["X-API-KEY"] = key
        retried_gateway = False
        try:
            attempt = 0
            while True:
                response = http.request(
                    step.method,
                    API_PATH,
                    params=dict(params) if params is not None else None,
                    json=body,
                    headers=headers,
                )
                status = response.status_code
                if status == 429 and attempt < _RATE_LIMIT_TRIES - 1:
                    attempt += 1
                    time.sleep(_retry_after(response))  # rate-limited: nothing was processed
                    continue
                if status in _GATEWAY_ERRORS and step.method == "GET" and not retried_gateway:
                    retried_gateway = True
                    continue
                break
        except httpx.TimeoutException:
            raise _TimedOut(where, step, http.timeout.read) from None
        except httpx.HTTPError as exc:
            reason = (redact(str(exc), key) or type(exc).__name__).rstrip(".")
            if not isinstance(exc, _NOTHING_SENT):
                # it went out, and the connection closed before an answer came back
                may = (
                    "; the POST may still have created a session there"
                    if step.method == "POST"
                    else ""
                )
                raise ParityConnectionError(
                    f"{where} gave no answer to {step.method} {step.label} ({reason}){may}. "
                    "Run parity again."
                ) from None
            if isinstance(exc, httpx.ProxyError):
                hint = "Check the proxy this machine uses (HTTPS_PROXY, HTTP_PROXY) and its login."
            elif where == SANDBOX_LABEL:
                hint = (
                    "Check this machine's network connection (and any proxy) to "
                    "api.sandbox.primer.io."
                )
            else:
                hint = "Is the server running at that address?"
            raise ParityConnectionError(f"cannot reach {where}: {reason}. {hint}") from None
        return _parse(response)

    return send


@dataclass(frozen=True)
class _Other:
    """The other backend: where it is, for messages, and its HTTP client settings."""

    label: str
    base_url: str
    key: str | None
    #: True when PRIMER_API_KEY is unset and `key` is the kit's default emulator key.
    default_key: bool = False


def resolve_against(against: str, environ: Mapping[str, str] | None = None) -> _Other:
    """`sandbox` or an http(s) URL (a trailing `/client-session` is allowed) -> backend.

    The sandbox needs `PRIMER_API_KEY`; a URL gets it too when set, else the key the
    kit sends to emulators. The key goes over plain `http://` only to this machine. A key
    an HTTP header cannot carry (a control or non-ASCII character) is refused here, naming
    the position and the rule, never the key: httpx's own error would repeat it as bytes.
    An error quoting `against` shows the key as `***`, from `environ` as from the process
    environment.
    """
    with _key_hidden(environ):
        return _resolve_against(against, env_var("PRIMER_API_KEY", environ))


def _resolve_against(against: str, key: str | None) -> _Other:
    problem = api_key_problem(key) if key else None
    if problem is not None:
        raise ParityUsageError(
            f"PRIMER_API_KEY {problem}: check how the key was read or pasted "
            "(the key is not shown)."
        )
    if against.strip().lower() == "sandbox":
        if not key:
            raise ParityUsageError(
                "--against sandbox needs your sandbox API key in PRIMER_API_KEY "
                "(it is sent as X-API-KEY and never printed)."
            )
        return _Other(SANDBOX_LABEL, BASE_URLS["sandbox"], key)
    url = against.strip().rstrip("/")
    if url.endswith(API_PATH):
        url = url[: -len(API_PATH)]
    problem = http_url_problem(url)
    if problem is not None:
        raise ParityUsageError(
            f"--against must be 'sandbox' or an http(s) URL such as http://127.0.0.1:8010: "
            f"{against!r} {problem}"
        )
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ParityUsageError("--against: put no credentials in the URL; use PRIMER_API_KEY")
    host = (parts.hostname or "").lower().rstrip(".")  # "api.primer.io." is the same host
    if host == urlsplit(BASE_URLS["production"]).hostname:
        raise ParityUsageError("--against: parity never sends its scenarios to production")
    if parts.scheme == "http" and (host == "primer.io" or host.endswith(".primer.io")):
        # the key would cross the network in clear text (and Primer answers with a 301)
        raise ParityUsageError(
            f"--against: Primer's API is served over https only: use https://{host} "
            "(or --against sandbox)"
        )
    problem = clear_text_key_problem("--against", parts.scheme, host)
    if key and problem is not None:
        raise ParityUsageError(problem)
    # the key pasted into the URL's path would be printed with every result line, and
    # saved as a recorded file's `source` (a file teams commit): shown as `***`
    label = redact(url, key) if key else url
    return _Other(label, url, key or EMULATOR_KEY, default_key=not key)


# --- running -------------------------------------------------------------------------------


def _fill(value: object, token: str) -> object:
    if value == TOKEN:
        return token
    if isinstance(value, Mapping):
        return {k: _fill(v, token) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, token) for v in value]
    return value


_NO_TOKEN = "no-client-token-from-an-earlier-step"


def _play(scenario: Scenario, send: Sender, secret: str | None = None) -> list[Answer]:
    """Send a scenario's steps in order; return each answer, normalised and with `secret`
    (the API key) redacted from every string, with its step's label."""
    token = _NO_TOKEN
    answers: list[Answer] = []
    for step in scenario.steps:
        params = cast("Mapping[str, str] | None", _fill(step.params, token))
        sent_at = datetime.now(UTC)
        answer = send(step, _fill(step.body, token), params)
        body = answer["body"]
        if isinstance(body, dict) and isinstance(body.get("clientToken"), str):
            token = body["clientToken"]
        shown = redact_json(cast("JsonValue", normalise(body, sent_at=sent_at)), secret)
        answers.append({"step": step.label, "status": answer["status"], "body": shown})
    return answers


def _compare_answers(scenario: str, mine: Answer, theirs: Answer | None) -> list[Difference]:
    if theirs is None:  # a snapshot step whose answer is not documented
        return []
    found = []
    if mine["status"] != theirs.get("status"):
        found.append(
            Difference(scenario, mine["step"], "status", mine["status"], theirs.get("status"))
        )
    for path, a, b in _diff(mine["body"], theirs.get("body", ABSENT), "$"):
        found.append(Difference(scenario, mine["step"], path, a, b))
    return found


def _is_api_answer(answer: Answer) -> bool:
    """An answer a Client Session API could give: a JSON object, neither 3xx nor 5xx."""
    return isinstance(answer["body"], dict) and not _passing_fault(answer)


def _passing_fault(answer: Answer) -> bool:
    """A redirect or a 5xx: a fault of the other side for the moment (a gateway, a
    restart), not its answer to the request. A 4xx is an answer, JSON or not (a gateway's
    plain-text 401 to a request without a key is what that account answers)."""
    status = answer.get("status")
    return isinstance(status, int) and (300 <= status < 400 or status >= 500)


def _what(answer: Answer) -> str:
    """`502, <not JSON: text/html, 24 bytes>`: an answer's status and the kind of its body."""
    body = answer["body"]
    if isinstance(body, str) and body.startswith("<not JSON"):
        kind = body
    elif isinstance(body, dict):
        kind = "a JSON object"
    else:
        kind = f"JSON {type(body).__name__}"
    return f"{answer['status']}, {kind}"


def _emulator_flags(enable_currencies: Sequence[str], tax_connection: bool) -> list[str]:
    flags = [f"--enable-currency {code.strip().upper()}" for code in enable_currencies]
    if not tax_connection:
        flags.append(TAXJAR_FLAG)
    return flags


@contextmanager
def _emulator_sender(enable_currencies: Sequence[str], tax_connection: bool) -> Iterator[Sender]:
    from primer_nb.emulator import Emulator

    try:  # checked apart, so each error names its own setting
        tax_connection = true_or_false("tax_connection", tax_connection)
    except TypeError as exc:
        raise ParityUsageError(str(exc)) from None
    try:
        emulator = Emulator(enabled_currencies=enable_currencies, tax_connection=tax_connection)
    except (ValueError, TypeError) as exc:
        raise ParityUsageError(f"--enable-currency: {exc}") from None
    try:
        with httpx.Client(transport=emulator.transport(), base_url="http://emulator") as http:
            yield _http_sender(http, EMULATOR_KEY, "the in-process emulator")
    finally:
        emulator.close()


def _warning_types(answer: Answer | None) -> set[str]:
    body = answer.get("body") if answer else None
    warnings = body.get("warnings") if isinstance(body, dict) else None
    if isinstance(warnings, dict):
        warnings = [warnings]
    if not isinstance(warnings, list):
        return set()
    return {str(w.get("type")) for w in warnings if isinstance(w, dict)}


def _session(answer: Answer | None) -> bool:
    """A 200 whose body is a client session (what a warning or a currency is judged on)."""
    if answer is None or answer.get("status") != 200:
        return False
    body = answer.get("body")
    return isinstance(body, dict) and ("clientToken" in body or "currencyCode" in body)


def _currency(answer: Answer | None) -> object:
    body = answer.get("body") if answer else None
    return body.get("currencyCode") if isinstance(body, dict) else None


def _disabled_currency(answer: Answer | None) -> str | None:
    body = answer.get("body") if answer else None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("errorId") == "DisabledCurrencyError":
        match = re.match(r"^([A-Z]{3}) ", str(error.get("description", "")))
        return match.group(1) if match else None
    return None


def _suggest(
    pairs: Sequence[tuple[Answer, Answer | None]],
    enable_currencies: Sequence[str],
    tax_connection: bool,
    differences: Sequence[Difference],
) -> list[Suggestion]:
    """The flags that would remove differences, from the pairs of answers that differ.

    Warnings are judged only where both sides answered 200 with a session, currencies
    only where one side refused the currency and the other answered 200 with a session
    in it: an error page or another error says nothing about either.
    """
    out: list[Suggestion] = []
    sessions = [(m, t) for m, t in pairs if _session(m) and _session(t)]
    taxjar_only_mine = any(
        "TAXJAR" in _warning_types(m) and "TAXJAR" not in _warning_types(t) for m, t in sessions
    )
    taxjar_only_theirs = any(
        "TAXJAR" not in _warning_types(m) and "TAXJAR" in _warning_types(t) for m, t in sessions
    )
    if taxjar_only_mine and not taxjar_only_theirs:
        out.append(
            Suggestion("your account has no tax connection: use `--no-tax-connection`", TAXJAR_FLAG)
        )
    elif taxjar_only_theirs and not tax_connection:
        out.append(
            Suggestion(
                "the other side has a tax connection (TAXJAR warnings): drop `--no-tax-connection`",
                None,
            )
        )
    elif taxjar_only_theirs:
        out.append(
            Suggestion(
                "the other side gives TAXJAR warnings where the emulator gives none: its tax "
                "connection asks for more than a shipping countryCode and postalCode (and "
                "state in US/CA); no flag changes the emulator's rule",
                None,
            )
        )
    enabled = {code.strip().upper() for code in enable_currencies}
    seen: set[str] = set()
    for mine, theirs in pairs:
        if theirs is None:
            continue
        code = _disabled_currency(mine)
        if code and _session(theirs) and _currency(theirs) == code and code not in seen:
            seen.add(code)
            out.append(
                Suggestion(
                    f"your account accepts {code}, which Primer disables by default: "
                    f"use `--enable-currency {code}`",
                    f"--enable-currency {code}",
                )
            )
        code = _disabled_currency(theirs)
        if code and _session(mine) and _currency(mine) == code and code not in seen:
            seen.add(code)
            if code in enabled:
                message = f"your account refuses {code}: drop `--enable-currency {code}`"
            else:
                message = (
                    f"your account refuses {code}, which the emulator accepts: "
                    "the emulator has no flag to disable it"
                )
            out.append(Suggestion(message, None))
    if any(d.path == "$.clientToken" and ABSENT not in (d.emulator, d.other) for d in differences):
        out.append(
            Suggestion(
                "the client tokens differ in their JWT header or claims: no flag changes "
                "what the emulator puts in a token",
                None,
            )
        )
    return out


def _run(
    scenarios: Sequence[Scenario],
    other: Callable[[Scenario], list[Answer | None]],
    against: str,
    enable_currencies: Sequence[str],
    tax_connection: bool,
    known: Mapping[tuple[str, str, str], Mapping[str, object]] | None = None,
    secret: str | None = None,
) -> tuple[ParityResult, dict[str, list[Answer | None]]]:
    differences: list[Difference] = []
    notes: list[str] = []
    faulted: set[str] = set()  # scenarios a passing fault of the other side stopped
    pairs: dict[tuple[str, str], tuple[Answer, Answer | None]] = {}
    recorded: dict[str, list[Answer | None]] = {}
    with _emulator_sender(enable_currencies, tax_connection) as emulator:
        for scenario in scenarios:
            theirs = other(scenario)
            recorded[scenario.name] = theirs
            mine = _play(scenario, emulator, secret)
            stopped: str | None = None
            for m, t in zip(mine, theirs, strict=True):
                pairs[(scenario.name, m["step"])] = (m, t)
                if stopped is not None:
                    continue
                if t is not None and _passing_fault(t):
                    # a 5xx or a redirect: a passing fault of the other side, not a
                    # difference of the emulator; one row, and the later steps (sent with
                    # no client token from it) are not compared
                    stopped = m["step"]
                    differences.append(
                        Difference(
                            scenario.name, m["step"], "status", m["status"],
                            f"<{_what(t)}: no API answer; run parity again>",
                        )
                    )  # fmt: skip
                    continue
                differences += _compare_answers(scenario.name, m, t)
            if stopped is not None:
                faulted.add(scenario.name)
            steps = [m["step"] for m in mine]
            later = steps[steps.index(stopped) + 1 :] if stopped is not None else []
            if later:
                notes.append(
                    f"{scenario.name}: {stopped} got no API answer (a 5xx or a redirect), so "
                    f"its later steps ({', '.join(later)}) were not compared: run parity again"
                )
    result = ParityResult(
        against=against,
        flags=_emulator_flags(enable_currencies, tax_connection),
        scenarios=[s.name for s in scenarios],
        differences=[],
        multi_step={s.name for s in scenarios if len(s.steps) > 1},
        notes=notes,
    )
    listed = dict(known or {})
    for difference in differences:
        entry = listed.pop(difference.key(), None)
        if entry is not None and _same(entry, difference):
            result.known.append(
                Difference(**{**difference.__dict__, "reason": str(entry["reason"])})
            )
        else:
            result.differences.append(difference)
    result.stale = [
        Difference(
            k[0], k[1], k[2], entry.get("emulator"), entry.get("other"), str(entry["reason"])
        )
        for k, entry in listed.items()
        if k[0] in result.scenarios
    ]
    # (not where the other side failed for a moment: that row says to run again)
    chosen = sorted({d.scenario for d in result.differences} & _EMULATORS_CHOICE.keys() - faulted)
    if chosen:
        result.notes.append(
            f"Primer documents no answer for {', '.join(chosen)} "
            f"({'; '.join(_EMULATORS_CHOICE[name] for name in chosen)}): the emulator's "
            "answer there is its own choice (docs/emulator.md), so your account's is the "
            "one to trust. List those rows in the snapshot's knownDifferences with a reason, "
            "and tell the primer-nb team what your account answered"
        )
    unexplained = [pairs[d.scenario, d.step] for d in result.differences]
    result.suggestions = _suggest(
        list({id(p): p for p in unexplained}.values()),
        enable_currencies,
        tax_connection,
        result.differences,
    )
    return result, recorded


_OLD_DIGITS = re.compile(r"^<\d+ digits>$")


def _gaps(answers: Mapping[str, Sequence[Answer | None]]) -> list[str]:
    """Notes for a recorded snapshot that checks less than a run would: the kit's
    scenarios it does not hold (an older primer-nb's file, or one cut by hand) and the
    steps it holds no answer for. A difference can hide in either, unseen."""
    notes = []
    missing = [s.name for s in SCENARIOS if s.name not in answers]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        notes.append(
            f"this snapshot holds {len(SCENARIOS) - len(missing)} of the {len(SCENARIOS)} "
            f"scenarios this primer-nb plays (not: {shown}): record it again with --record "
            "to compare them too"
        )
    empty = sum(answer is None for steps in answers.values() for answer in steps)
    if empty:
        notes.append(
            f"{empty} step{'s' if empty > 1 else ''} of this snapshot "
            f"{'have' if empty > 1 else 'has'} no recorded answer (null) and "
            f"{'were' if empty > 1 else 'was'} not compared"
        )
    return notes


def _older_shapes(answers: Mapping[str, Sequence[Answer | None]]) -> bool:
    """Whether recorded answers hold shapes of an earlier primer-nb: `<19 digits>`, or a
    token expiry without its distance from the request time."""
    for steps in answers.values():
        for answer in steps:
            body = answer.get("body") if answer else None
            if not isinstance(body, dict):
                continue
            error = body.get("error")
            diagnostics = error.get("diagnosticsId") if isinstance(error, dict) else None
            if isinstance(diagnostics, str) and _OLD_DIGITS.match(diagnostics):
                return True
            expiry = body.get(EXPIRY_KEY)
            if (
                isinstance(expiry, str)
                and expiry.startswith("<")
                and "request time" not in expiry
                and expiry != _NUMBER_EXPIRY  # today's shape of an expiry given as a number
            ):
                return True
    return False


def _known(
    entries: Iterable[Mapping[str, object]],
) -> dict[tuple[str, str, str], Mapping[str, object]]:
    return {(str(d["scenario"]), str(d["step"]), str(d["path"])): d for d in entries}


def _same(entry: Mapping[str, object], difference: Difference) -> bool:
    return bool(
        entry.get("emulator") == difference.emulator and entry.get("other") == difference.other
    )


@dataclass
class _ServerRun:
    """What a run against a server has seen so far: the sessions it created, and how many
    keyed answers were not a Client Session API's."""

    target: _Other
    scenario: str = ""
    first_checked: bool = False
    keyed: int = 0
    not_api: list[tuple[str, str, Answer]] = field(default_factory=list)
    created: list[CreatedSession] = field(default_factory=list)

    def note(self) -> str:
        return _created_note(self.created, self.target.label) + "."

    def check_first(self, step: Step, answer: Answer) -> None:
        """The first keyed answer decides whether the key and the URL are right: later
        401/403/404 answers are compared like any other (a WAF may refuse one body)."""
        label, status = self.target.label, answer["status"]
        if status in (401, 403):
            body = answer["body"]
            error = body.get("error", {}) if isinstance(body, dict) else {}
            error_id = error.get("errorId") if isinstance(error, dict) else None
            what = f"{status} {redact(str(error_id), self.target.key)}" if error_id else str(status)
            if self.target.default_key:
                raise ParityConnectionError(
                    f"{label} refused the API key ({what}): {DEFAULT_KEY_REFUSED_HINT}."
                )
            raise ParityConnectionError(
                f"{label} refused the API key ({what}). Check that PRIMER_API_KEY "
                "holds an active key of that account (sent as the X-API-KEY header)."
            )
        if status == 404:
            raise ParityConnectionError(
                f"{label} has no {API_PATH} (it answered 404): give the base URL "
                "of a Client Session API, e.g. http://127.0.0.1:8010"
            )
        if not _is_api_answer(answer):
            raise ParityConnectionError(
                f"{label} does not answer as a Client Session API ({step.method} "
                f"{API_PATH}: {_what(answer)}): check the URL (an http:// URL that redirects "
                "to https://, a proxy's error page and a server error are not answers to compare)"
            )

    def check_most(self) -> None:
        """After the run: most keyed answers not the API's is not a comparison either."""
        if self.keyed and len(self.not_api) * 2 > self.keyed:
            scenario, step, answer = self.not_api[0]
            raise ParityConnectionError(
                f"{self.target.label} did not answer as a Client Session API: "
                f"{len(self.not_api)} of {self.keyed} keyed requests got no JSON object or a "
                f"3xx/5xx status (first: {scenario} {step}: {_what(answer)}); these are not "
                "differences of the emulator"
            )


def _against_server(
    target: _Other, timeout: float
) -> tuple[httpx.Client, Callable[[Scenario], list[Answer | None]], _ServerRun]:
    http = httpx.Client(base_url=target.base_url, timeout=timeout, follow_redirects=False)
    raw_send = _http_sender(http, target.key, target.label)
    state = _ServerRun(target)

    def send(step: Step, body: object, params: Mapping[str, str] | None) -> Answer:
        try:
            answer = raw_send(step, body, params)
        except _TimedOut as exc:
            raise ParityConnectionError(exc.describe(state.scenario)) from None
        if step.method == "POST" and 200 <= answer["status"] < 300:
            order_id = body.get("orderId") if isinstance(body, dict) else None
            state.created.append(
                CreatedSession(
                    state.scenario, step.label, None if order_id is None else str(order_id)
                )
            )
        if step.send_key:
            state.keyed += 1
            if not _is_api_answer(answer):
                state.not_api.append((state.scenario, step.label, answer))
            if not state.first_checked:
                state.first_checked = True
                state.check_first(step, answer)
        return answer

    secret = None if target.key == EMULATOR_KEY else target.key  # the kit's key is public

    def play(scenario: Scenario) -> list[Answer | None]:
        state.scenario = scenario.name
        return list(_play(scenario, send, secret))

    return http, play, state


def run(
    against: str | None = None,
    *,
    snapshot: str | Path | None = None,
    enable_currencies: Iterable[str] = (),
    tax_connection: bool = True,
    scenarios: Sequence[Scenario] | None = None,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
) -> ParityResult:
    """Compare the in-process emulator (configured like `primer-nb emulator`'s flags) with
    `against` (`"sandbox"` or a URL) or with a `snapshot` file (offline).

    With neither, the shipped snapshot of Primer's documented examples is used. Raises
    `ParityUsageError` or `ParityConnectionError` when no comparison can be made.
    """
    currencies = list(enable_currencies)
    with _key_hidden(environ):
        result, _ = _run_with_answers(
            against, snapshot, currencies, tax_connection, scenarios, timeout, environ
        )
    return result


def _run_with_answers(
    against: str | None,
    snapshot: str | Path | None,
    enable_currencies: list[str],
    tax_connection: bool,
    scenarios: Sequence[Scenario] | None,
    timeout: float,
    environ: Mapping[str, str] | None,
    keep: Sequence[Mapping[str, object]] = (),
) -> tuple[ParityResult, dict[str, list[Answer | None]]]:
    """`run()`, and the other side's answers per scenario. `keep`: known differences
    (a snapshot's, kept by `record()`) that the run against a server reports apart."""
    if against is not None and snapshot is not None:
        raise ParityUsageError("give either --against or --snapshot, not both")
    if against is None:
        data = load_snapshot(DOCS_SNAPSHOT if snapshot is None else snapshot)
        chosen = [Scenario.from_json(s) for s in data["scenarios"]]
        answers = {s["name"]: s["answers"] for s in data["scenarios"]}
        known = _known(data.get("knownDifferences", []))
        label = f"snapshot {Path(DOCS_SNAPSHOT if snapshot is None else snapshot).name}"
        # a file named as the key: `environ`'s, or the process environment's
        keys = [env_var("PRIMER_API_KEY", environ) or "", env_var("PRIMER_API_KEY") or ""]
        label = redact_all(label, keys)
        result, recorded = _run(
            chosen,
            lambda s: list(answers[s.name]),
            label,
            enable_currencies,
            tax_connection,
            known,
        )
        if "recorded" in data:
            result.notes.extend(_gaps(answers))
        if "recorded" in data and _older_shapes(answers):
            result.notes.append(
                "this snapshot was recorded by an earlier primer-nb, whose shapes of "
                "diagnosticsId, client tokens and token expiry differ from today's: record it "
                "again with --record (its knownDifferences are kept)"
            )
        return result, recorded
    target = resolve_against(against, environ)
    http, play, state = _against_server(target, timeout)
    with http:
        try:
            result, recorded = _run(
                list(SCENARIOS if scenarios is None else scenarios),
                play,
                target.label,
                enable_currencies,
                tax_connection,
                _known(keep),
                None if target.key == EMULATOR_KEY else target.key,  # that one is public
            )
            state.check_most()
        except ParityConnectionError as exc:
            if not state.created:
                raise
            raise ParityConnectionError(
                f"{exc} The run stopped part-way; it {state.note()}"
            ) from None
        except KeyboardInterrupt:
            raise ParityInterrupted(
                redact(f"interrupted part-way; it {state.note()}", env_var("PRIMER_API_KEY"))
            ) from None
    result.created = list(state.created)
    result.live = True
    return result, recorded


def compare(
    against: str | None = None,
    *,
    snapshot: str | Path | None = None,
    enable_currencies: Iterable[str] = (),
    tax_connection: bool = True,
    timeout: float = 30.0,
) -> pd.DataFrame:
    """`run(...)` as a DataFrame for notebooks: one row per difference (scenario, step,
    path, emulator, other, known, reason); `.attrs` holds `summary`, `suggestions`,
    `scenarios`, `differ`, `against`, `emulator_flags` and `created_sessions` (the client
    sessions the run created on the other side: scenario, step, orderId).

    ```python
    # against `primer-nb emulator --no-tax-connection` on port 8010
    frame = compare(against="http://127.0.0.1:8010", tax_connection=False)
    frame.attrs["summary"]   # 'parity: 22 scenarios, 0 differ'
    ```
    """
    return run(
        against,
        snapshot=snapshot,
        enable_currencies=enable_currencies,
        tax_connection=tax_connection,
        timeout=timeout,
    ).to_frame()


# --- snapshots -----------------------------------------------------------------------------


class _SnapshotExtra(TypedDict, total=False):
    recorded: str
    suggestedFlags: list[str]
    notReplayed: list[dict[str, str]]
    knownDifferences: list[dict[str, object]]


class SnapshotScenario(ScenarioJson, total=False):
    """A scenario in a snapshot file: `Scenario.to_json()` plus one answer per step."""

    answers: Required[list[Answer | None]]


class Snapshot(_SnapshotExtra, total=False):
    """A parity snapshot file (`SNAPSHOT_FORMAT`): where its answers come from, the
    scenarios with the other side's answers, and the differences known, with reasons.
    A recorded one also has `recorded` (UTC) and `suggestedFlags`; the shipped one
    `notReplayed`."""

    format: Required[str]
    source: Required[str]
    scenarios: Required[list[SnapshotScenario]]


class _FileModel(BaseModel):
    """What a snapshot file must hold (checked on load; other keys are left alone)."""

    model_config = ConfigDict(strict=True, extra="allow")


class _StepFile(_FileModel):
    label: StrictStr
    method: StrictStr
    body: JsonValue = None
    params: dict[StrictStr, StrictStr] | None = None
    apiVersion: StrictStr = "2.4"
    sendKey: StrictBool = True


class _AnswerFile(_FileModel):
    step: StrictStr | None = None
    status: StrictInt | None  # None: a status Primer does not state
    body: JsonValue


class _ScenarioFile(_FileModel):
    name: StrictStr
    description: StrictStr = ""
    example: StrictStr | None = None
    steps: list[_StepFile]
    answers: list[_AnswerFile | None]


class _KnownFile(_FileModel):
    scenario: StrictStr
    step: StrictStr
    path: StrictStr
    emulator: JsonValue
    other: JsonValue
    reason: StrictStr


class _SnapshotFile(_FileModel):
    format: StrictStr
    source: StrictStr
    scenarios: list[_ScenarioFile]
    knownDifferences: list[_KnownFile] = []


def _json_path(loc: Sequence[int | str]) -> str:
    path = "$"
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else _member(path, part)
    return path


def _snapshot_problem(exc: PydanticValidationError) -> str:
    """The first problem pydantic found, as `$.knownDifferences[0].step is required`."""
    error = exc.errors()[0]
    path = _json_path(error["loc"])
    rule = _RULES.get(error["type"])
    if rule is not None:
        return f"{path} {rule}"
    message = str(error["msg"])
    return f"{path}: {message[:1].lower()}{message[1:]}"


#: pydantic's error types, as the rule a snapshot field breaks.
_RULES = {
    "missing": "is required",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
}


def load_snapshot(path: str | Path, option: str = "--snapshot") -> Snapshot:
    """A snapshot file, checked: its format, the type of every field parity reads (each
    scenario's steps and answers, each known difference with its reason), one answer per
    step and unique scenario names. `ParityUsageError` naming the JSONPath otherwise."""
    where = Path(path)
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParityUsageError(f"{option}: no such file: {where}") from None
    except (OSError, ValueError) as exc:
        raise ParityUsageError(f"{option}: cannot read {where}: {exc}") from None
    if isinstance(data, dict) and "format" in data and "scenarios" in data:
        if data["format"] != SNAPSHOT_FORMAT:
            found = repr(data["format"])[:80]
            raise ParityUsageError(
                f"{option}: {where} is a parity snapshot of format {found}; "
                f"this primer-nb reads format {SNAPSHOT_FORMAT!r}: record it again with "
                "--record, or use the primer-nb that wrote it"
            )
    elif not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise ParityUsageError(f"{option}: {where} is not a primer-nb parity snapshot")
    try:
        checked = _SnapshotFile.model_validate(data)
    except PydanticValidationError as exc:
        raise ParityUsageError(f"{option} {where}: {_snapshot_problem(exc)}") from None
    if not checked.scenarios:
        raise ParityUsageError(f"{option} {where}: $.scenarios is empty: nothing to compare")
    if all(answer is None for s in checked.scenarios for answer in s.answers):
        raise ParityUsageError(
            f"{option} {where}: every answer is null (no answer to compare): record the "
            "file again with --record"
        )
    names: set[str] = set()
    for index, scenario in enumerate(checked.scenarios):
        at = f"$.scenarios[{index}]"
        if len(scenario.answers) != len(scenario.steps):
            raise ParityUsageError(
                f"{option} {where}: {at}: scenario {scenario.name!r} needs one answer per step "
                f"({len(scenario.steps)} steps, {len(scenario.answers)} answers)"
            )
        if scenario.name in names:
            raise ParityUsageError(
                f"{option} {where}: {at}.name: {scenario.name!r} is the name of an earlier scenario"
            )
        names.add(scenario.name)
    return cast(Snapshot, data)  # every field parity reads, checked above


def _snapshot(
    source: str,
    scenarios: Sequence[Scenario],
    answers: Mapping[str, Sequence[Answer | None]],
    **extra: Unpack[_SnapshotExtra],
) -> Snapshot:
    return {
        "format": SNAPSHOT_FORMAT,
        "source": source,
        **extra,
        "scenarios": [
            {**scenario.to_json(), "answers": list(answers[scenario.name])}
            for scenario in scenarios
        ],
    }


def _write(path: str | Path, data: Mapping[str, object]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ParityUsageError(f"--record: cannot write {path}: {exc}") from None


def _record_target(path: Path) -> list[dict[str, object]] | None:
    """Checks, before any request, that `path` can be written; the known differences of
    the snapshot already there (None when there is none)."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ParityUsageError(f"--record: no such folder: {folder}")
    if path.is_dir():
        raise ParityUsageError(f"--record: {path} is a folder: give a file name")
    if path.is_symlink() and not path.exists():  # writing would create the link's target
        raise ParityUsageError(
            f"--record: {path} is a link to {os.readlink(path)}, which does not exist: "
            "give a file name"
        )
    if not path.exists():
        if not os.access(folder, os.W_OK):
            raise ParityUsageError(f"--record: cannot write {path}: the folder is read-only")
        return None
    if not os.access(path, os.W_OK):
        raise ParityUsageError(f"--record: cannot write {path}: the file is read-only")
    try:
        old = load_snapshot(path, "--record")
    except ParityUsageError as exc:
        raise ParityUsageError(
            f"{exc}. --record replaces only an earlier snapshot (keeping its known "
            "differences): give another file name"
        ) from None
    return list(old.get("knownDifferences", []))


def _refuse_unrecordable(
    result: ParityResult, answers: Mapping[str, Sequence[Answer | None]], path: Path
) -> None:
    """A snapshot holds the account's API answers: never an error page, a redirect or a
    server error (5xx), which say nothing about the account."""
    for scenario, steps in answers.items():
        for answer in steps:
            if answer is not None and not _is_api_answer(answer):
                raise ParityConnectionError(
                    f"--record: {path} not written: {result.against} answered {scenario} "
                    f"({answer.get('step')}) with {_what(answer)}, which is not an answer of "
                    "a Client Session API; run again later. "
                    f"This run {_created_note(result.created, result.against)}."
                )


def record(
    against: str,
    path: str | Path,
    *,
    enable_currencies: Iterable[str] = (),
    tax_connection: bool = True,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
) -> ParityResult:
    """Run the comparison against `against` and save the other side's normalised answers
    (with the requests) to `path`, for `--snapshot` later. The key is never written.

    `path` is checked before any request is sent. When it holds a snapshot already, its
    `knownDifferences` are kept (and reported apart in this run, stale ones too);
    `result.kept_known` says how many. A run whose answers include a non-JSON body, a
    3xx or a 5xx writes nothing (`ParityConnectionError`).
    """
    with _key_hidden(environ):
        return _record(
            against,
            Path(path),
            currencies=list(enable_currencies),
            tax_connection=tax_connection,
            timeout=timeout,
            environ=environ,
        )


def _record(
    against: str,
    target: Path,
    *,
    currencies: list[str],
    tax_connection: bool,
    timeout: float,
    environ: Mapping[str, str] | None,
) -> ParityResult:
    kept = _record_target(target)
    result, answers = _run_with_answers(
        against, None, currencies, tax_connection, None, timeout, environ, kept or ()
    )
    _refuse_unrecordable(result, answers, target)
    recorded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    data = _snapshot(
        result.against,
        SCENARIOS,
        answers,
        recorded=recorded_at,
        suggestedFlags=[s.flag for s in result.suggestions if s.flag],
        knownDifferences=kept or [],
    )
    _write(target, data)
    result.kept_known = None if kept is None else len(kept)
    return result


# --- the shipped snapshot of Primer's documented examples ---------------------------------

#: Scenario -> the documented example whose response answers each step (None: no
#: documented answer for that step, it is not compared).
_DOCS_ANSWERS: dict[str, tuple[str | None, ...]] = {
    "v2.4-create": ("v2.4-create-200",),
    "v2.4-patch": (None, "v2.4-patch-200"),
    "v2.2-create": ("v2.2-create-200",),
    "guide-manage-client-sessions": ("guide-manage-client-sessions-2.2",),
    "guide-get-started": ("guide-get-started-android-java",),
    "android-fixture-replay": ("sdk-android-captured-create-response",),
    "disabled-currency": ("currencies-disabled-currency-error",),
    "post-422-customer-id": ("v2.4-post-422-RequestValidationError",),
    "post-422-customer-id-v2.2": ("v2.2-post-422",),
    "post-400-metadata-empty-key": ("v2.4-post-400-MetadataContainsEmptyKey",),
    "patch-400-metadata-empty-key": (None, "v2.4-patch-400-MetadataContainsEmptyKey"),
    "patch-400-invalid-token": ("v2.4-patch-400-ClientSessionValidationError",),
}

#: Documented examples the shipped snapshot does not replay, and why.
_NOT_REPLAYED: dict[str, str] = {
    "v2.4-post-400-ClientSessionValidationError": (
        "Primer documents 'The client token is invalid.' for POST, but a POST carries no "
        "client token: no request is known to produce it (the same answer on GET and PATCH "
        "is replayed)"
    ),
    "migration-v2-2021-09-27-request": "request only: no documented answer to compare",
    "example-web-checkout-server-request": "request only: no documented answer to compare",
    "checkout-web-cobadged-request": "request only: no documented answer to compare",
}

_INCONSISTENT = (
    "Primer's example response is not the answer to its own request (see the example's "
    "notes in primer-examples.json); the emulator answers the request"
)
_TRUNCATED = "Primer's guide shows this response cut short"

_DEFAULT_NETWORKS = (
    "the emulator fills in Primer's default list of 17 card networks when paymentMethod is "
    "sent without one (Primer's schema gives the list); no documented response shows "
    "the list, the captured Android one included"
)
_EXPIRY_KEY = (
    "the example's response spells the key 'clientExpirationDate' with a 'Z' value; the "
    "schema and real responses use clientTokenExpirationDate, naive UTC"
)
_EXPIRY_THEN = (
    "a documented answer was given long ago, not to this replay: its expiry has no request "
    "time to be compared with (the emulator's is request time + 24 h, Primer's documented rule)"
)
_MISNESTED = (
    "the documented response nests paymentMethod and authorizationType inside order "
    "(a documentation error, see the example's notes)"
)

#: Why each documented difference exists: (scenario or "*", JSONPath prefix, reason).
#: The first entry whose prefix covers a difference's path gives its reason.
_DOCS_REASONS: tuple[tuple[str, str, str], ...] = (
    (
        "android-fixture-replay",
        "$.clientToken",
        "the captured staging token has claims the emulator's tokens lack (analyticsUrl, "
        "analyticsUrlV2): the emulator runs no analytics service",
    ),
    (
        "android-fixture-replay",
        "$.customer.emailAddress",
        "the fixture's e-mail is the placeholder 'EMAIL_ADDRESS', which is not an e-mail "
        "address; the replay sends a valid one",
    ),
    ("android-fixture-replay", "$.clientTokenExpirationDate", _EXPIRY_THEN),
    ("guide-get-started", "$.clientTokenExpirationDate", _EXPIRY_THEN),
    ("*", "$.paymentMethod.orderedAllowedCardNetworks", _DEFAULT_NETWORKS),
    ("*", "$.clientToken", "the documented token is a placeholder, not a JWT"),
    ("*", "$.clientExpirationDate", _EXPIRY_KEY),
    ("*", "$.clientTokenExpirationDate", _EXPIRY_KEY),
    ("v2.4-patch", "$.order.paymentMethod", _MISNESTED),
    ("v2.4-patch", "$.order.authorizationType", _MISNESTED),
    ("v2.4-patch", "$.paymentMethod", _MISNESTED),
    ("v2.4-create", "$", _INCONSISTENT),
    ("v2.2-create", "$", _INCONSISTENT),
    ("v2.4-patch", "$", _INCONSISTENT),
    (
        "guide-manage-client-sessions",
        "$.amount",
        "the guide shows 5000 (2 x 2500) although its request sends amount 4999, against "
        "the documented rule that a top-level amount overrides",
    ),
    (
        "guide-manage-client-sessions",
        "$.orderId",
        "the guide's response shows orderId 'order-abc' for a request that sent '<YOUR_ORDER_ID>'",
    ),
    ("guide-manage-client-sessions", "$", _TRUNCATED + " ('heavily truncated', its words)"),
    ("guide-get-started", "$", _TRUNCATED + " (after customerId)"),
    (
        "disabled-currency",
        "status",
        "Primer's currencies page does not state the HTTP status; the emulator answers "
        "400 (see docs/emulator.md, where the emulator differs from Primer)",
    ),
    (
        "post-422-customer-id-v2.2",
        "$.error.description",
        "the emulator gives the v2.4 wording ('/docs/api') under every version; the v2.2 "
        "description pointed to https://primer.io/docs/api",
    ),
)


def _reason(scenario: str, path: str) -> str | None:
    for name, prefix, reason in _DOCS_REASONS:
        covered = path == prefix or path.startswith((prefix + ".", prefix + "["))
        if name in ("*", scenario) and covered:
            return reason
    return None


def build_docs_snapshot() -> Snapshot:
    """The shipped snapshot, rebuilt: Primer's documented answers, normalised, for the
    scenarios that have them, and every difference the emulator shows from them with its
    reason. Raises `ParityError` for a difference that has no reason yet.

    Maintainers regenerate the file after a deliberate change:
    `python -c "from primer_nb.parity import write_docs_snapshot; write_docs_snapshot()"`.
    """
    examples = _examples()
    by_name = {s.name: s for s in SCENARIOS}
    chosen = [by_name[name] for name in _DOCS_ANSWERS]
    answers: dict[str, list[Answer | None]] = {}
    for scenario in chosen:
        answers[scenario.name] = []
        for step, example_id in zip(scenario.steps, _DOCS_ANSWERS[scenario.name], strict=True):
            if example_id is None:
                answers[scenario.name].append(None)
                continue
            example = examples[example_id]
            answers[scenario.name].append(
                {
                    "step": step.label,
                    "status": example["status"],
                    "body": normalise(example["response"]),
                }
            )
    result, _ = _run(chosen, lambda s: answers[s.name], "Primer's documented examples", [], True)
    known = []
    for difference in result.differences:
        reason = _reason(difference.scenario, difference.path)
        if reason is None:
            raise ParityError(
                f"no reason for the documented difference {difference.scenario} "
                f"{difference.step} {difference.path}: add one to _DOCS_REASONS"
            )
        known.append({**difference.to_json(), "reason": reason})
    return _snapshot(
        "Primer's documented request/response pairs (primer_nb/data/primer-examples.json), "
        "normalised; steps whose answer Primer does not document are null and not compared",
        chosen,
        answers,
        notReplayed=[{"example": k, "reason": v} for k, v in _NOT_REPLAYED.items()],
        knownDifferences=known,
    )


def write_docs_snapshot(path: str | Path = DOCS_SNAPSHOT) -> None:
    """Write `build_docs_snapshot()` to `path` (the shipped file by default)."""
    _write(path, build_docs_snapshot())
