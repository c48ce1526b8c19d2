"""`primer-nb parity --against` when the other side does not answer like the emulator: an
echoed key, tokens that are not JWTs, error pages, a WAF refusing one body, a 404 for
one GET, a short token lifetime, sessions created on the account.

The other side is a stand-in "sandbox" at http://sandbox.test: an in-process emulator
behind httpx's network transport (no socket, no byte leaves the machine), whose answers
each test changes with a hook.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from primer_nb.cli import main

URL = "http://sandbox.test"
ROOT = Path(__file__).resolve().parents[1]
Forward = Callable[[], httpx.Response]
Hook = Callable[[httpx.Request, Forward], httpx.Response]


@dataclass
class Fake:
    """The stand-in sandbox: `hook(request, forward)` answers each request (`forward()`
    gives the emulator's answer); `seen` holds (request, response) pairs."""

    send: Callable[[httpx.Request], httpx.Response]
    hook: Hook | None = None
    seen: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)

    def created(self) -> list[str | None]:
        """The orderId of each POST the stand-in answered 2xx (a session it created)."""
        out = []
        for request, response in self.seen:
            if request.method == "POST" and 200 <= response.status_code < 300:
                out.append(json.loads(request.content).get("orderId"))
        return out


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, marker_key: str) -> Iterator[Fake]:
    from primer_nb.emulator import Emulator

    stand_in = Emulator()
    inner = stand_in.transport()
    state = Fake(inner.handle_request)

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "sandbox.test", request.url
        request.read()

        def forward() -> httpx.Response:
            response = inner.handle_request(request)
            response.read()
            return response

        response = forward() if state.hook is None else state.hook(request, forward)
        state.seen.append((request, response))
        return response

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    try:
        yield state
    finally:
        stand_in.close()


def parity(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["parity", *args])
    out, err = capsys.readouterr()
    return status, out, err


def parity_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = parity(capsys, *args, "--json")
    data: dict[str, Any] = json.loads(out)
    return status, data


def changed(edit: Callable[[httpx.Request, dict[str, Any]], None]) -> Hook:
    """A hook that lets `edit` change the emulator's JSON answer in place."""

    def hook(request: httpx.Request, forward: Forward) -> httpx.Response:
        response = forward()
        data = response.json()
        edit(request, data)
        return httpx.Response(response.status_code, json=data)

    return hook


def page(status: int, text: str = "<html>Bad gateway</html>", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=text.encode(), headers={"content-type": "text/html"})


# --- secrets (finding 7, 13) -------------------------------------------------------------


def test_a_key_the_other_side_echoes_is_redacted_from_every_output(
    capsys: pytest.CaptureFixture[str], fake: Fake, marker_key: str, tmp_path: Path
) -> None:
    def echo(request: httpx.Request, data: dict[str, Any]) -> None:
        key = request.headers.get("x-api-key", "")
        if "error" in data:
            data["error"]["description"] += f" key={key}"
            data["error"][f"seen-{key}"] = [key]  # in a name too

    fake.hook = changed(echo)
    status, out, err = parity(capsys, "--against", URL)
    json_status, data = parity_json(capsys, "--against", URL)
    snapshot = tmp_path / "team.json"
    record_status, record_out, record_err = parity(
        capsys, "--against", URL, "--record", str(snapshot)
    )
    assert status == json_status == record_status == 1
    written = snapshot.read_text()
    everything = out + err + json.dumps(data) + record_out + record_err + written
    assert marker_key not in everything
    # redacted, not dropped: the difference is still reported, with the key as ***
    descriptions = [
        d["other"]
        for d in data["differences"]
        if d["path"] == "$.error.description" and d["scenario"] != "no-api-key"  # no key sent
    ]
    assert descriptions and all(text.endswith(" key=***") for text in descriptions)
    assert any(d["path"] == '$.error["seen-***"]' for d in data["differences"])


def test_a_client_token_that_is_not_a_jwt_is_never_shown_or_recorded(
    capsys: pytest.CaptureFixture[str], fake: Fake, tmp_path: Path
) -> None:
    opaque = "opaque-SECRET-client-token-abc123"

    def swap(request: httpx.Request, data: dict[str, Any]) -> None:
        if "clientToken" in data:
            data["clientToken"] = opaque

    fake.hook = changed(swap)
    status, out, _ = parity(capsys, "--against", URL, "--record", str(tmp_path / "r.json"))
    _, data = parity_json(capsys, "--against", URL)
    assert status == 1
    assert opaque not in out + json.dumps(data) + (tmp_path / "r.json").read_text()
    tokens = {d["other"] for d in data["differences"] if d["path"] == "$.clientToken"}
    assert tokens == {f"<client token: not a JWT, {len(opaque)} chars>"}


@pytest.mark.parametrize("url", ["https://API.PRIMER.IO.", "https://api.primer.io./client-session"])
def test_production_with_a_trailing_dot_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("nothing may be sent to production")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    status, _, err = parity(capsys, "--against", url)
    assert status == 2
    assert "parity never sends its scenarios to production" in err
