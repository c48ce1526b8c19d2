"""Fuzz: no input yields a 5xx or a body that is not Primer's envelope (behaviour.md §2).

The default run sends 11,100 generated requests through the in-process (async)
transport: arbitrary JSON values placed at the top level and inside each object of a request,
mutated valid requests, random header and query values, and random bytes. The key pool
includes Python-style names (`order_id`, `line_items`): at the top level of a POST or
PATCH they must get a 422, wherever else they are unknown keys like any other. Each
hypothesis example sends several requests (generation is the slow part), and each
test asserts that it really sent its quota.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from primer_nb.emulator import Emulator
from tests.emulator.emulator_helpers import HEADERS, START

#: requests per test, and requests each hypothesis example sends
QUOTAS = {"json": 5200, "mutated": 2400, "headers": 1500, "bytes": 2000}
PER_EXAMPLE = {"json": 16, "mutated": 8, "headers": 1, "bytes": 2}
assert sum(QUOTAS.values()) >= 10_000
SENT: Counter[str] = Counter()
VALID = [
    {
        "orderId": "o",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"amount": 100, "quantity": 2}]},
    },
    {
        "customer": {
            "emailAddress": "a@b.co",
            "shippingAddress": {"countryCode": "US", "postalCode": "1"},
        }
    },
    {
        "paymentMethod": {
            "options": {"PAYMENT_CARD": {"networks": {"VISA": {"surcharge": {"amount": 1}}}}},
            "orderedAllowedCardNetworks": ["VISA"],
            "paymentType": "FIRST_PAYMENT",
        }
    },
    {"metadata": {"a": 1, "b": {"c": [1, "x"]}}, "amount": 5, "approvalMode": "AUTO"},
]
PLACES = [
    "",
    "order",
    "customer",
    "paymentMethod",
    "metadata",
    "order.lineItems.0",
    "customer.shippingAddress",
    "paymentMethod.options",
]


URL = "http://emulator/client-session"


class Sender:
    """Sends requests through the in-process async transport on one private event loop.

    (httpx.Client's own machinery, or a thread hop per request, would triple the run time.)
    """

    def __init__(self, emulator: Emulator) -> None:
        self.transport = emulator.async_transport()
        self.loop = asyncio.new_event_loop()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.loop.run_until_complete(self._send(request))

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self.transport.handle_async_request(request)
        await response.aread()
        response.request = request
        return response


@pytest.fixture(scope="module")
def client() -> Iterator[tuple[Sender, str]]:
    sender = Sender(Emulator(seed=5, start=START, frozen=True))
    made = sender(httpx.Request("POST", URL, headers=HEADERS, json=VALID[0]))
    yield sender, made.json()["clientToken"]
    sender.loop.close()


def check(response: httpx.Response) -> None:
    """Status < 500; a 200 is a JSON object; anything else is Primer's envelope."""
    assert response.status_code < 500, response.text
    if response.request.method == "HEAD":
        return
    body = response.json()
    assert isinstance(body, dict)
    if response.status_code == 200:
        return
    assert set(body) == {"error"}, body
    inner = body["error"]
    assert isinstance(inner["errorId"], str) and isinstance(inner["description"], str)
    assert inner["diagnosticsId"].isdigit() and len(inner["diagnosticsId"]) == 19


def send(http: Sender, kind: str, method: str, body: Any = None, **kw: Any) -> None:
    SENT[kind] += 1
    response = http(httpx.Request(method, URL, headers=HEADERS, **kw))
    check(response)
    if refused_for_snake_keys(method, body):
        assert response.status_code == 422, (body, response.text)
        SENT["snake"] += 1


def fuzz(kind: str) -> settings:
    """Settings of one fuzz test: enough examples for its quota, no deadline, no database."""
    return settings(
        max_examples=-(-QUOTAS[kind] // PER_EXAMPLE[kind]),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


def _run(kind: str, test: Any) -> None:
    """Run a hypothesis test in a worker thread (whatever loop state the main thread has)."""
    before = SENT[kind]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(test).result()
    assert SENT[kind] - before >= QUOTAS[kind]


#: Python-style names of wire fields: unknown keys like any other (behaviour.md §5)
SNAKE_KEYS = [
    "order_id",
    "currency_code",
    "customer_id",
    "payment_method",
    "approval_mode",
    "client_token",
    "line_items",
    "email_address",
    "country_code",
    "discount_amount",
]


def refused_for_snake_keys(method: str, body: Any) -> bool:
    """A POST/PATCH object with a snake_case key at the top level must be a 422."""
    return (
        method in ("POST", "PATCH") and isinstance(body, dict) and bool(set(body) & set(SNAKE_KEYS))
    )


keys = st.sampled_from(
    [
        "orderId",
        "amount",
        "order",
        "lineItems",
        "customer",
        "metadata",
        "",
        "paymentMethod",
        "currencyCode",
        "quantity",
        "countryCode",
        "options",
        "clientToken",
        "approvalMode",
        *SNAKE_KEYS,
    ]
) | st.text(max_size=4)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
)


def _place(value: Any, where: str) -> Any:
    """`value` at a dotted place of an otherwise empty request ("" = the whole body)."""
    for part in reversed([p for p in where.split(".") if p]):
        value = [value] if part.isdigit() else {part: value}
    return value


def test_fuzz_json_values(client: tuple[Sender, str]) -> None:
    http, token = client

    @fuzz("json")
    @given(st.dictionaries(keys, json_values, max_size=5) | json_values)
    def body_test(value: Any) -> None:
        for where in PLACES:
            body = _place(value, where)
            send(http, "json", "POST", body, content=json.dumps(body).encode())
            if isinstance(body, dict):
                body = {**body, "clientToken": token}
            send(http, "json", "PATCH", body, content=json.dumps(body).encode())

    snake = SENT["snake"]
    _run("json", body_test)
    assert SENT["snake"] - snake >= 30  # top-level snake_case keys were really sent (~100)


def _set_path(body: Any, path: list[int], value: Any) -> Any:
    if not path:
        return value
    if isinstance(body, dict) and body:
        key = sorted(body)[path[0] % len(body)]
        return {**body, key: _set_path(body[key], path[1:], value)}
    if isinstance(body, list) and body:
        i = path[0] % len(body)
        return [*body[:i], _set_path(body[i], path[1:], value), *body[i + 1 :]]
    return value


def test_fuzz_mutated_valid_requests(client: tuple[Sender, str]) -> None:
    http, token = client

    @fuzz("mutated")
    @given(
        st.lists(st.integers(0, 7), min_size=1, max_size=5),
        json_values,
        st.dictionaries(keys, scalars, max_size=2),
    )
    def mutated_test(path: list[int], value: Any, extra: dict[str, Any]) -> None:
        for base in VALID:
            body = _set_path(base, path, value)
            body = {**body, **extra} if isinstance(body, dict) else body
            send(http, "mutated", "POST", body, json=body)
            if isinstance(body, dict):
                body = {**body, "clientToken": token}
            send(http, "mutated", "PATCH", body, json=body)

    _run("mutated", mutated_test)


header_values = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30).map(
    lambda t: t.strip().encode("latin-1")
)


def test_fuzz_headers_and_queries(client: tuple[Sender, str]) -> None:
    http, token = client

    @fuzz("headers")
    @given(
        st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"]),
        st.none() | header_values | st.just(b"2.4"),
        st.none() | header_values,
        st.none() | st.text(max_size=40) | st.just(token),
        header_values,
        st.sampled_from([b"", b'{"orderId": "h"}', b"[]", b"{"]),
    )
    def header_test(
        method: str, version: Any, key: Any, query: Any, content_type: bytes, content: bytes
    ) -> None:
        headers = [(b"content-type", content_type)]
        headers += [
            (n, v) for n, v in ((b"X-API-VERSION", version), (b"X-API-KEY", key)) if v is not None
        ]
        params = None if query is None else {"clientToken": query}
        SENT["headers"] += 1
        check(http(httpx.Request(method, URL, params=params, content=content, headers=headers)))

    _run("headers", header_test)


def test_fuzz_random_bytes(client: tuple[Sender, str]) -> None:
    http, _ = client

    @fuzz("bytes")
    @given(
        st.binary(max_size=200)
        | st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
    def bytes_test(raw: bytes) -> None:
        send(http, "bytes", "POST", content=raw)
        send(http, "bytes", "PATCH", content=raw)

    _run("bytes", bytes_test)
