"""httpx transports that call an `Emulator`'s ASGI app in-process (no socket).

```python
import httpx
from primer_nb.emulator import Emulator

emulator = Emulator()
sync_http = httpx.Client(transport=emulator.transport(), base_url="http://emulator")
async_http = httpx.AsyncClient(transport=emulator.async_transport(), base_url="http://emulator")
```

The sync transport works inside a running Jupyter kernel (whose main thread already
runs an asyncio loop): it runs the app on a private event loop in a daemon thread
(`loop.LoopThread`, re-exported here), one per emulator, and hands back a fully read
`httpx.Response`. An injected dropped connection surfaces as
`httpx.RemoteProtocolError`, as it would over a socket.

The transports take a `protocols.TransportBackend` (an `Emulator`, or anything with its
`app` and `background_loop()`), so this module never imports `core`.
"""

from __future__ import annotations

import asyncio

import httpx

from primer_nb.emulator.faults import ConnectionDropped
from primer_nb.emulator.loop import LoopThread
from primer_nb.emulator.protocols import TransportBackend

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport", "LoopThread"]


def _dropped(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "Server disconnected without sending a complete response "
        "(a dropped connection injected into the emulator).",
        request=request,
    )


def _read_timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout")
    value = timeouts.get("read") if isinstance(timeouts, dict) else None
    return float(value) if isinstance(value, int | float) else None


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """`httpx.ASGITransport` into an emulator, with dropped connections as httpx errors."""

    def __init__(self, emulator: TransportBackend) -> None:
        self._asgi = httpx.ASGITransport(app=emulator.app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` through the app; a read timeout applies as over a socket."""
        try:
            return await asyncio.wait_for(
                self._asgi.handle_async_request(request), _read_timeout(request)
            )
        except ConnectionDropped:
            raise _dropped(request) from None
        except TimeoutError:
            raise httpx.ReadTimeout(
                "The emulator did not answer in time.", request=request
            ) from None


class EmulatorTransport(httpx.BaseTransport):
    """A sync transport: the app runs on the emulator's private loop thread."""

    def __init__(self, emulator: TransportBackend) -> None:
        self._emulator = emulator
        self._inner = AsyncEmulatorTransport(emulator)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` (body read first) and return a fully read response."""
        body = request.read()
        inner = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )
        try:
            answer = self._emulator.background_loop().run(self._call(inner), _read_timeout(request))
        except TimeoutError:
            raise httpx.ReadTimeout(
                "The emulator did not answer in time.", request=request
            ) from None
        except httpx.RemoteProtocolError:
            raise _dropped(request) from None
        status, headers, content = answer
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, request: httpx.Request) -> tuple[int, httpx.Headers, bytes]:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers, content
