"""The client's cheaper request building sends exactly what the plain httpx way sends.

`PrimerClient` keeps its own headers on the httpx client, reuses the ready URL of
`/client-session` and encodes the JSON body itself. A user relies on the wire being the
same as `httpx.Client.post(path, json=body, headers=...)`: same URL, same headers in the
same order, same bytes, and the same errors before anything is sent.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient, _decode, _loads
from primer_nb.errors import PrimerValidationError

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDIzNzI2ODJ9.c2lnbmF0dXJlX3g5UWs"
ANSWER = {
    "orderId": "o-1",
    "clientToken": TOKEN,
    "clientTokenExpirationDate": "2030-01-01T00:00:00",
}


def _recording(
    base_url: str = "https://api.sandbox.primer.io",
) -> tuple[PrimerClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=ANSWER)

    client = PrimerClient(
        api_key="sk_test_fast", base_url=base_url, transport=httpx.MockTransport(answer)
    )
    return client, sent


def _plain_httpx(client: PrimerClient, method: str, path: str, **kwargs: Any) -> httpx.Request:
    """The request plain httpx builds for the same call (the way the client used to)."""
    plain = httpx.Client(base_url=client.base_url)
    try:
        return plain.build_request(method, path, headers=client._headers(), **kwargs)
    finally:
        plain.close()


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(extra=JSON)
def test_wire_is_what_plain_httpx_sends(extra: Any) -> None:
    client, sent = _recording()
    body = {"orderId": "o-1", "currencyCode": "EUR", "amount": 100, "anything": extra}
    client.request("POST", "/client-session", json=body)
    client.create_session(body, validate=False)
    expected = _plain_httpx(client, "POST", "/client-session", json=body)
    for request in sent:
        assert request.url == expected.url
        assert request.headers.raw == expected.headers.raw
        assert request.content == expected.content


@pytest.mark.parametrize(
    "base_url", ["https://api.sandbox.primer.io", "http://127.0.0.1:8765/prefix/"]
)
def test_every_typed_method_uses_the_url_httpx_would_make(base_url: str) -> None:
    client, sent = _recording(base_url)
    client.create_session({"orderId": "o-1"})
    client.update_session(TOKEN, {"amount": 5})
    client.get_session(TOKEN)
    post, patch, get = sent
    assert post.url == _plain_httpx(client, "POST", "/client-session").url
    assert patch.url == post.url
    assert (
        get.url == _plain_httpx(client, "GET", "/client-session", params={"clientToken": TOKEN}).url
    )
    assert json.loads(patch.content) == {"clientToken": TOKEN, "amount": 5}
    assert get.content == b""


def test_a_raw_call_overrides_the_clients_headers() -> None:
    client, sent = _recording()
    client.request("GET", "/other?x=1", headers={"X-API-VERSION": "9", "X-Extra": "y"})
    (request,) = sent
    assert request.url == _plain_httpx(client, "GET", "/other?x=1").url
    assert request.headers["X-API-VERSION"] == "9"
    assert request.headers["X-Extra"] == "y"
    assert request.headers["X-API-KEY"] == "sk_test_fast"
    assert request.headers.get_list("X-API-VERSION") == ["9"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (math.nan, ValueError),
        (math.inf, ValueError),
        (Decimal("1.5"), TypeError),
        ({1j}, TypeError),
    ],
)
def test_a_body_json_cannot_hold_fails_before_sending_as_with_httpx(
    value: object, error: type[Exception]
) -> None:
    """httpx fails with the encoder's error; the client, before sending too, with a
    local 422 saying the body cannot be written as JSON, at the value's JSONPath."""
    client, sent = _recording()
    body = {"orderId": "o-1", "metadata": {"x": value}}
    with pytest.raises(error):
        _plain_httpx(client, "POST", "/client-session", json=body)
    for send in (
        lambda: client.create_session(body, validate=False),
        lambda: client.request("POST", "/client-session", json=body),
    ):
        with pytest.raises(PrimerValidationError, match="cannot be written as JSON") as caught:
            send()
        assert caught.value.local
        assert [v.path for v in caught.value.validation_errors] == ["$.metadata.x"]
    assert sent == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_client_sends_the_same_wire() -> None:
    sent: list[httpx.Request] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=ANSWER)

    client = AsyncPrimerClient(api_key="sk_test_fast", transport=httpx.MockTransport(answer))
    body = {"orderId": "o-1", "customer": {"firstName": "Zoë"}}
    await client.create_session(body)
    await client.aclose()
    sync, _ = _recording()
    expected = _plain_httpx(sync, "POST", "/client-session", json=body)
    assert sent[0].url == expected.url
    assert sent[0].headers.raw == expected.headers.raw
    assert sent[0].content == expected.content


def test_request_ids_are_fresh_per_call_and_shared_by_attempts() -> None:
    seen: list[Exchange] = []
    client, _ = _recording()
    client.add_hook(seen.append)
    for _ in range(50):
        client.create_session({"orderId": "o-1"})
    ids = [e.request_id for e in seen]
    assert len(set(ids)) == 50
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


# --- reading bodies for hooks ------------------------------------------------------------

ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=ANY_JSON, ensure_ascii=st.booleans(), indent=st.none() | st.just(1))
def test_bodies_read_for_hooks_are_what_json_reads(
    value: Any, ensure_ascii: bool, indent: int | None
) -> None:
    """orjson reads them where it agrees with json (ints beyond 64 bits, NaN, escapes...)."""
    content = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent).encode()
    fast, by_orjson = _loads(content)
    assert json.dumps(fast) == json.dumps(json.loads(content))  # same types, ints stay ints
    if by_orjson:  # then the text can be handed on as UTF-8 JSON
        assert json.loads(content.decode("utf-8")) == fast or fast != fast


@pytest.mark.parametrize(
    ("content", "by_orjson"),
    [
        (b"123456789012345678901234567890", False),  # orjson: a float
        (b"[-9223372036854775809]", False),
        (b'{"n":18446744073709551616}', False),
        (b'{"a":NaN,"b":Infinity}', False),  # orjson refuses these
        (b"1e400", False),
        (b'"\\ud800"', False),
        (b'\xef\xbb\xbf{"a":1}', False),
        ('{"a":"é"}'.encode("utf-16"), False),
        (b'{"a":1,"a":2}', True),  # the last one wins in both
        (b'{"n":922337203685477580}', True),  # 18 digits fit in 64 bits
    ],
)
def test_what_orjson_reads_differently_is_read_by_json(content: bytes, by_orjson: bool) -> None:
    value, used_orjson = _loads(content)
    assert used_orjson is by_orjson
    assert json.dumps(value) == json.dumps(json.loads(content))
    assert json.dumps(_decode(content)) == json.dumps(value)


def test_exchange_headers_are_safe_and_each_exchange_has_its_own() -> None:
    seen: list[Exchange] = []
    client, sent = _recording()
    client.add_hook(seen.append)
    client.create_session({"orderId": "o-1"})
    client.create_session({"orderId": "o-1"})
    client.create_session({"orderId": "o-22", "amount": 5})
    first, second, third = seen
    assert first.request_headers == second.request_headers
    assert first.request_headers is not second.request_headers
    for exchange, request in zip(seen, sent, strict=True):
        assert list(exchange.request_headers) == [k.decode() for k, _ in request.headers.raw]
        assert exchange.request_headers["X-API-KEY"] == "***"
        assert exchange.request_headers["Content-Length"] == str(len(request.content))
        assert "sk_test_fast" not in repr(exchange)
    first.request_headers["X-Extra"] = "mutated by a hook"
    client.create_session({"orderId": "o-1"})
    assert "X-Extra" not in second.request_headers
    assert "X-Extra" not in seen[-1].request_headers
    assert third.request_headers["Content-Length"] != second.request_headers["Content-Length"]


def _cookie_server() -> tuple[httpx.MockTransport, list[str | None]]:
    """A server that sets a cookie on its first answer, deletes it on its fourth, and
    records the `Cookie` header of every request."""
    cookies: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        cookies.append(request.headers.get("cookie"))
        headers = {
            1: {"set-cookie": "__cf_bm=abc; Path=/; Secure"},
            4: {"set-cookie": "__cf_bm=; Path=/; Max-Age=0"},
        }.get(len(cookies), {})
        return httpx.Response(200, json=ANSWER, headers=headers)

    return httpx.MockTransport(answer), cookies


def test_cookies_a_server_sets_are_sent_back_as_httpx_does() -> None:
    """The jar skips answers without `Set-Cookie` (httpx copies every answer into urllib
    objects first): a cookie set once is still sent on every later call until the
    server deletes it, as with plain httpx."""
    transport, cookies = _cookie_server()
    with PrimerClient(api_key="k" * 24, transport=transport, max_retries=0) as client:
        for _ in range(5):
            client.get_session(TOKEN)
    plain_transport, plain_cookies = _cookie_server()
    with httpx.Client(transport=plain_transport, base_url="https://api.sandbox.primer.io") as raw:
        for _ in range(5):
            raw.get("/client-session", params={"clientToken": TOKEN})
    assert cookies == [None, "__cf_bm=abc", "__cf_bm=abc", "__cf_bm=abc", None]
    assert cookies == plain_cookies


@pytest.mark.anyio
async def test_async_client_sends_cookies_back_too() -> None:
    transport, cookies = _cookie_server()
    async with AsyncPrimerClient(api_key="k" * 24, transport=transport, max_retries=0) as client:
        for _ in range(5):
            await client.get_session(TOKEN)
    assert cookies == [None, "__cf_bm=abc", "__cf_bm=abc", "__cf_bm=abc", None]
