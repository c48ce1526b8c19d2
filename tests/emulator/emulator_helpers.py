"""Helpers shared by the emulator tests (a module, so test files can import it)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from primer_nb.emulator import Emulator

T = TypeVar("T")
START = "2026-01-15T09:00:00"
KEY = "test-key"
HEADERS = {"X-API-KEY": KEY, "X-API-VERSION": "2.4"}


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh loop in a worker thread.

    A thread of its own, so the test does not depend on what the calling thread's
    event-loop state is (another test or plugin may have left a loop running there).
    """
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def create(http: httpx.Client, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """POST a body, assert 200, return the JSON answer."""
    response = http.post("/client-session", json=body, **kw)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def error_of(response: httpx.Response, status: int, error_id: str) -> dict[str, Any]:
    """Assert a Primer envelope with this status and errorId; return the inner object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    inner: dict[str, Any] = body["error"]
    assert inner["errorId"] == error_id
    assert isinstance(inner["description"], str) and inner["description"]
    assert inner["diagnosticsId"].isdigit() and len(inner["diagnosticsId"]) == 19
    return inner


def paths(inner: dict[str, Any]) -> list[str]:
    """Every JSONPath of a 422 envelope's validationErrors."""
    return [e["path"] for group in inner["validationErrors"] for e in group["errors"]]


def live_token(emulator: Emulator, key: str) -> str:
    """A client token of a session just created on `emulator` (whose API key is `key`)."""
    with httpx.Client(transport=emulator.transport(), base_url="http://emulator") as http:
        made = http.post("/client-session", json={"orderId": "live"}, headers={"X-API-KEY": key})
    token: str = made.json()["clientToken"]
    return token


ROOT = Path(__file__).resolve().parents[2]


def start_cli_emulator(*args: str) -> subprocess.Popen[str]:
    """`primer-nb emulator --port 0 ARGS` as a child of the test, from the repository, its
    output piped and unbuffered. The test stops it by PID (`kill`, then `wait`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "primer_nb.cli", "emulator", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
