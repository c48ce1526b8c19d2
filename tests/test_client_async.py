"""`AsyncPrimerClient` behaves like `PrimerClient`: same settings, checks, errors, retries.

Runs on asyncio through anyio's pytest plugin (installed with httpx).
"""

from __future__ import annotations

import inspect
import json
import logging
import warnings
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import httpx
import pytest

from primer_nb import errors
from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient
from primer_nb.errors import PrimerConnectionError, PrimerValidationError, UnknownFieldWarning
from primer_nb.models import ClientSessionRequest
from tests.test_client import (
    INVALID_TOKEN,
    TOKEN,
    VALIDATION_422,
    Answer,
    Server,
    created,
    envelope,
    session,
    too_many,
    unavailable,
)
from tests.test_client import make as make_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make(
    *answers: Answer, sleeps: list[float] | None = None, **kwargs: Any
) -> tuple[AsyncPrimerClient, Server]:
    return make_client(*answers, sleeps=sleeps, client_class=AsyncPrimerClient, **kwargs)


def _public(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(getattr(cls, name))
        for name in dir(cls)
        if not name.startswith("_") and callable(getattr(cls, name))
    }


async def test_same_public_surface_as_the_sync_client() -> None:
    sync, tasks = _public(PrimerClient), _public(AsyncPrimerClient)
    assert set(sync) - {"close"} == set(tasks) - {"aclose"}
    for name in ("create_session", "get_session", "update_session", "request"):
        assert sync[name] == tasks[name], name
        assert inspect.iscoroutinefunction(getattr(AsyncPrimerClient, name))
    init_sync = inspect.signature(PrimerClient.__init__).parameters
    init_async = inspect.signature(AsyncPrimerClient.__init__).parameters
    assert list(init_sync) == list(init_async)


async def test_repr_and_settings(marker_key: str) -> None:
    client, _ = make(api_key=marker_key)
    assert repr(client) == (
        "AsyncPrimerClient(environment='sandbox', base_url='https://api.sandbox.primer.io', "
        "api_version='2.4', api_key='***')"
    )
    await client.aclose()


async def test_create_get_update() -> None:
    client, server = make(created, session, session)
    async with client:
        result = await client.create_session(ClientSessionRequest(order_id="o-1", amount=100))
        assert result.client_token == TOKEN
        assert (await client.get_session(TOKEN)).amount == 500
        assert (await client.update_session(TOKEN, {"amount": 5})).order_id == "order-1"
    assert client._http.is_closed
    assert [r.method for r in server.requests] == ["POST", "GET", "PATCH"]
    assert server.bodies == [
        {"orderId": "o-1", "amount": 100},
        None,
        {"clientToken": TOKEN, "amount": 5},
    ]
    assert server.requests[1].url.params["clientToken"] == TOKEN
    assert all(r.headers["X-API-VERSION"] == "2.4" for r in server.requests)


async def test_validation_before_the_network() -> None:
    client, server = make()
    with pytest.raises(PrimerValidationError) as info:
        await client.create_session({"order": {"lineItems": [{"amount": "100"}]}})
    assert info.value.local
    assert [d.path for d in info.value.validation_errors] == ["$.order.lineItems[0].amount"]
    with pytest.raises(errors.MetadataEmptyKeyError):
        await client.update_session(TOKEN, {"metadata": {"": "x"}})
    assert server.requests == []


async def test_snake_case_keys_are_refused_before_the_network() -> None:
    client, server = make()
    with pytest.raises(PrimerValidationError) as info:
        await client.create_session({"order_id": "x", "currency_code": "HUF"})
    assert [d.path for d in info.value.validation_errors] == ["$.order_id", "$.currency_code"]
    assert "did you mean `orderId`?" in str(info.value)
    with pytest.raises(PrimerValidationError):
        await client.update_session(TOKEN, {"customer_id": "c"})
    assert server.requests == []


async def test_validate_false_sends_the_raw_dict() -> None:
    client, server = make(httpx.Response(422, json=VALIDATION_422))
    with pytest.raises(PrimerValidationError) as info:
        await client.create_session({"amount": "100"}, validate=False)
    assert server.bodies == [{"amount": "100"}]
    assert not info.value.local


async def test_unknown_field_warns_at_the_callers_line() -> None:
    client, _ = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await client.create_session({"customer": {"emailAdress": "a@example.com"}})
    (warning,) = caught
    assert issubclass(warning.category, UnknownFieldWarning)
    assert "$.customer.emailAdress" in str(warning.message)
    assert "did you mean `emailAddress`?" in str(warning.message)
    assert warning.filename == __file__


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, INVALID_TOKEN, errors.InvalidClientTokenError),
        (403, envelope("SecurityPolicyBlock", "No key"), errors.AuthenticationError),
        (422, VALIDATION_422, errors.PrimerValidationError),
        (504, envelope("GatewayTimeout", "Too slow"), errors.GatewayTimeoutError),
    ],
)
async def test_error_classes(status: int, body: Any, cls: type[errors.PrimerAPIError]) -> None:
    client, server = make(httpx.Response(status, json=body))
    with pytest.raises(cls):
        await client.create_session({"orderId": "o-1"})
    assert len(server.requests) == 1


def _count(server: Server) -> int:
    return len(server.requests)


RETRY_CASES: list[tuple[str, Iterable[Answer], int, type[Exception] | None]] = [
    ("GET", [too_many("1"), too_many("2"), session], 3, None),
    ("GET", [unavailable()], 3, errors.ServerError),
    ("GET", [httpx.ReadError("reset"), session], 2, None),
    ("POST", [unavailable(), created], 1, errors.ServerError),
    ("POST", [httpx.ConnectError("refused"), created], 2, None),
    ("POST", [httpx.ReadError("reset"), created], 1, PrimerConnectionError),
    ("POST", [too_many("1"), created], 1, errors.RateLimitError),
    ("PATCH", [httpx.ReadTimeout("slow"), session], 1, errors.PrimerTimeoutError),
]


@pytest.mark.parametrize(("method", "answers", "calls", "raised"), RETRY_CASES)
async def test_retry_policy(
    method: str, answers: Iterable[Answer], calls: int, raised: type[Exception] | None
) -> None:
    sleeps: list[float] = []
    client, server = make(*answers, sleeps=sleeps)

    async def call() -> Any:
        if method == "GET":
            return await client.get_session(TOKEN)
        if method == "POST":
            return await client.create_session({"orderId": "o-1"})
        return await client.update_session(TOKEN, {"amount": 1})

    if raised is None:
        await call()
    else:
        with pytest.raises(raised):
            await call()
    assert _count(server) == calls
    assert len(sleeps) == calls - 1


async def test_retry_after_is_honoured() -> None:
    sleeps: list[float] = []
    client, _ = make(too_many("1"), too_many("2.5"), session, sleeps=sleeps)
    await client.get_session(TOKEN)
    assert sleeps == [1.0, 2.5]


async def test_raw_request() -> None:
    client, server = make(httpx.Response(400, json=envelope("BadRequest", "Malformed JSON")))
    response = await client.request("POST", "/client-session", content=b"[1]")
    assert response.status_code == 400
    assert server.requests[0].content == b"[1]"


async def test_raw_request_response_hides_the_key_in_its_request_repr(marker_key: str) -> None:
    client, server = make(httpx.Response(400, json=envelope("BadRequest", "x")), api_key=marker_key)
    response = await client.request("POST", "/client-session", content=b"[1]")
    assert marker_key not in repr(response.request.headers)
    assert "'x-api-key': '***'" in repr(response.request.headers)
    assert server.requests[0].headers["X-API-KEY"] == marker_key  # sent as it is


async def test_hooks_and_redaction(marker_key: str, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Exchange] = []
    client, _ = make(
        httpx.ConnectTimeout(f"slow for {marker_key}"),
        httpx.ConnectError(f"no route for {marker_key}"),
        created,
        api_key=marker_key,
        hooks=[seen.append],
    )
    with caplog.at_level(logging.DEBUG):
        await client.create_session({"orderId": "o-1"})
        with pytest.raises(PrimerValidationError) as info:
            await client.create_session({"orderId": 1})
    assert [e.attempt for e in seen] == [1, 2, 3]
    assert [e.status for e in seen] == [None, None, 200]
    assert len({e.request_id for e in seen}) == 1
    texts = [repr(client), str(info.value), repr(info.value)]
    texts += [r.getMessage() for r in caplog.records]
    texts += [json.dumps(asdict(e), default=str) for e in seen]
    assert "\n".join(texts).count(marker_key) == 0


# --- against the in-process emulator --------------------------------------------------


async def test_a_closed_client_says_so_and_reports_no_attempt() -> None:
    """As `PrimerClient` does (tests/test_client.py), after `async with` or `aclose()`."""
    seen: list[Exchange] = []
    async with make(created, hooks=[seen.append])[0] as client:
        pass
    closed = r"this AsyncPrimerClient was closed \(its `async with` block ended, or aclose\(\)"
    with pytest.raises(RuntimeError, match=closed + r" was called\), so nothing was sent"):
        await client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    assert seen == []


async def test_emulator_round_trip() -> None:
    module = pytest.importorskip("primer_nb.emulator")
    if not hasattr(module, "Emulator"):
        pytest.skip("primer_nb.emulator is not complete yet")
    emulator = module.Emulator(seed=1, frozen=True)
    async with AsyncPrimerClient(emulator=emulator) as client:
        result = await client.create_session({"orderId": "o-1", "amount": 100})
        assert (await client.update_session(result.client_token, {"amount": 5})).amount == 5
        assert (await client.get_session(result.client_token)).amount == 5
        with pytest.raises(errors.InvalidClientTokenError):
            await client.get_session("not-a-token")
