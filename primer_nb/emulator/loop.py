"""`LoopThread`: an asyncio event loop running forever in a daemon thread.

Each `Emulator` starts one on demand (`Emulator.background_loop()`); the sync transport
runs the app on it, so a blocking `httpx.Client` works inside a Jupyter kernel whose
main thread already runs a loop. It lives here, below `core` and `transport`, because
both need it and neither may import the other's way (ARCHITECTURE.md, the emulator).
`from primer_nb.emulator.transport import LoopThread` keeps working.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """An asyncio event loop running forever in a daemon thread."""

    def __init__(self, name: str = "primer-nb-emulator") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def alive(self) -> bool:
        """True while the loop thread runs."""
        return self._thread.is_alive() and not self._loop.is_closed()

    def run(self, coro: Coroutine[object, object, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and wait for its result (`TimeoutError` after `timeout`)."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def stop(self) -> None:
        """Stop the loop and let the thread end."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
