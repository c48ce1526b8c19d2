"""R3 faults: injected 429 (with Retry-After), 503, 504 and dropped connections.

Each drill runs against the in-process emulator and against a real `primer-nb
emulator` process (faults injected through `POST /_emulator/faults`, sessions counted
through `GET /_emulator/sessions`). The client's sleeps are captured through its
injectable `_sleep`, so nothing waits; attempts are counted with a hook.

What must hold (behaviour.md §4):
- GET is retried after 429, 503, 504 and dropped connections, and succeeds;
- a POST that was answered (503, 504) is never sent again: it raises, the emulator's
  session count is unchanged, and a manual retry then adds exactly one session;
- a POST or PATCH answered 429 is not sent again either (Primer documents no 429);
- a POST whose connection dropped may have been processed: it is not resent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from primer_nb.client import Exchange, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import (
    GatewayTimeoutError,
    PrimerConnectionError,
    RateLimitError,
    ServerError,
)
from tests.reliability.conftest import SERVER_KEY

BODY: dict[str, Any] = {
    "orderId": "order-r3",
    "currencyCode": "EUR",
    "order": {"lineItems": [{"itemId": "a", "amount": 1299, "quantity": 2}]},
}
HEADERS = {"X-API-KEY": SERVER_KEY, "X-API-VERSION": "2.4"}


@dataclass
class Drill:
    """A client wired to one emulator, its recorded sleeps and attempts."""

    client: PrimerClient
    inject_fn: Any
    count_fn: Any
    sleeps: list[float] = field(default_factory=list)
    attempts: list[Exchange] = field(default_factory=list)

    def inject(self, status: int = 0, times: int = 1, retry_after: float | None = None) -> None:
        self.inject_fn(status, times, retry_after)

    def count(self) -> int:
        result: int = self.count_fn()
        return result

    def calls(self, method: str) -> list[Exchange]:
        return [e for e in self.attempts if e.method == method]

    def reset_log(self) -> None:
        self.sleeps.clear()
        self.attempts.clear()


def _wire(client: PrimerClient, drill: Drill) -> Drill:
    client.add_hook(drill.attempts.append)
    client._sleep = drill.sleeps.append  # capture instead of waiting
    client._random = lambda: 1.0  # the longest backoff, so it is visible
    return drill


@pytest.fixture(params=["in-process", "subprocess"])
def drill(request: pytest.FixtureRequest) -> Iterator[Drill]:
    if request.param == "in-process":
        emulator = Emulator(seed=3)
        client = PrimerClient(emulator=emulator, max_retries=2)

        def inject(status: int, times: int, retry_after: float | None) -> None:
            emulator.inject(status, times=times, retry_after=retry_after)

        yield _wire(client, Drill(client, inject, lambda: emulator.session_count))
        client.close()
        emulator.close()
        return
    server = request.getfixturevalue("emulator_server")
    admin = httpx.Client(base_url=server.url, headers=HEADERS, timeout=10)
    admin.post("/_emulator/reset").raise_for_status()

    def inject_remote(status: int, times: int, retry_after: float | None) -> None:
        fault: dict[str, Any] = {"status": status, "times": times}
        if retry_after is not None:
            fault["retryAfter"] = retry_after
        if status == 0:
            fault = {"drop": True, "times": times}
        pending = admin.get("/_emulator/faults").json()["faults"]
        response = admin.post("/_emulator/faults", json={"faults": [*pending, fault]})
        assert response.status_code == 200, response.text

    def count_remote() -> int:
        return len(admin.get("/_emulator/sessions").json()["sessions"])

    client = PrimerClient(api_key=SERVER_KEY, base_url=server.url, max_retries=2, timeout=10)
    assert client.emulator is None and client.environment == "emulator"
    yield _wire(client, Drill(client, inject_remote, count_remote))
    client.close()
    admin.close()


def _session(drill: Drill) -> str:
    token = drill.client.create_session(BODY).client_token
    drill.reset_log()
    return token


# --- GET: retried until it succeeds ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [(429, 2), (503, None), (504, None), (0, None)],
    ids=["429-retry-after", "503", "504", "dropped"],
)
def test_get_succeeds_after_retries(drill: Drill, status: int, retry_after: float | None) -> None:
    token = _session(drill)
    drill.inject(status, times=2, retry_after=retry_after)
    session = drill.client.get_session(token)
    assert session.order_id == BODY["orderId"]
    gets = drill.calls("GET")
    assert len(gets) == 3, [(e.status, e.error) for e in gets]
    assert {e.request_id for e in gets} == {gets[0].request_id}
    assert [e.attempt for e in gets] == [1, 2, 3]
    assert gets[-1].status == 200
    if status == 0:
        assert gets[0].status is None and gets[0].error
    else:
        assert [e.status for e in gets[:2]] == [status, status]
    assert len(drill.sleeps) == 2
    if retry_after is not None:  # Retry-After honoured exactly
        assert drill.sleeps == [float(retry_after)] * 2
    else:  # backoff with jitter: 0.5 s then 1 s at most (random() pinned to 1)
        assert drill.sleeps == [0.5, 1.0]


def test_get_gives_up_after_max_retries(drill: Drill) -> None:
    token = _session(drill)
    drill.inject(503, times=3)
    with pytest.raises(ServerError) as caught:
        drill.client.get_session(token)
    assert caught.value.status_code == 503
    assert len(drill.calls("GET")) == 3
    assert len(drill.sleeps) == 2


# --- POST: never sent twice once answered ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"), [(503, ServerError), (504, GatewayTimeoutError)], ids=["503", "504"]
)
def test_answered_post_is_not_resent(drill: Drill, status: int, error: type[Exception]) -> None:
    before = drill.count()
    drill.inject(status, times=1)
    with pytest.raises(error):
        drill.client.create_session(BODY)
    posts = drill.calls("POST")
    assert len(posts) == 1 and posts[0].status == status
    assert drill.sleeps == []
    assert drill.count() == before
    # A manual retry (the user's decision) creates exactly one session.
    drill.client.create_session(BODY)
    assert drill.count() == before + 1
    assert len(drill.calls("POST")) == 2


def test_post_refused_with_429_is_not_resent(drill: Drill) -> None:
    """A 429 is an answer, and Primer documents none: nothing says the request was not
    processed, so the client raises with the server's hint and sends nothing again."""
    before = drill.count()
    drill.inject(429, times=1, retry_after=3)
    with pytest.raises(RateLimitError) as caught:
        drill.client.create_session(BODY)
    assert caught.value.retry_after == 3.0
    assert [e.status for e in drill.calls("POST")] == [429]
    assert drill.sleeps == []
    assert drill.count() == before
    # Sending it again is the user's decision: one session.
    assert drill.client.create_session(BODY).client_token
    assert drill.count() == before + 1


def test_post_with_dropped_connection_is_not_resent(drill: Drill) -> None:
    before = drill.count()
    drill.inject(0, times=1)
    with pytest.raises(PrimerConnectionError):
        drill.client.create_session(BODY)
    posts = drill.calls("POST")
    assert len(posts) == 1 and posts[0].status is None
    assert drill.sleeps == []
    assert drill.count() == before  # the emulator drops before processing; no resend
    drill.client.create_session(BODY)
    assert drill.count() == before + 1


# --- PATCH: same rule as POST ------------------------------------------------------------


def test_answered_patch_is_not_resent(drill: Drill) -> None:
    token = _session(drill)
    drill.inject(503, times=1)
    with pytest.raises(ServerError):
        drill.client.update_session(token, {"metadata": {"try": "1"}})
    assert len(drill.calls("PATCH")) == 1
    assert drill.client.get_session(token).model_dump(by_alias=True).get("metadata") is None
    drill.reset_log()
    drill.inject(429, times=1, retry_after=1)
    with pytest.raises(RateLimitError):
        drill.client.update_session(token, {"metadata": {"try": "2"}})
    assert [e.status for e in drill.calls("PATCH")] == [429]
    assert drill.sleeps == []
