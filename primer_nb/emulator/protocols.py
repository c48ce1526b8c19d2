"""What the app and the transports need of an emulator, as `typing.Protocol`s.

`core.Emulator` builds its Starlette app (`app.build_app(self)`) and hands itself to
the in-process transports (`transport.EmulatorTransport(self)`). Those two modules are
written against the protocols below, not against `Emulator`, so the imports inside the
emulator all point one way:

```
__init__ ──► core ──► app, transport ──► protocols ──► clock, faults, loop, store, validation
```

`Emulator` satisfies both protocols structurally (mypy checks it where `core` passes
`self`); any other object with the same members can stand in, e.g. in a test. The
protocols exist for the type checker only: nothing here runs per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from primer_nb.emulator.clock import Clock
    from primer_nb.emulator.faults import Fault
    from primer_nb.emulator.loop import LoopThread
    from primer_nb.emulator.store import StoredSession
    from primer_nb.emulator.validation import ApiError, KeyRing

__all__ = ["AppBackend", "TransportBackend"]


class AppBackend(Protocol):
    """The emulator as its Starlette app uses it: settings, sessions, faults, errors."""

    @property
    def keys(self) -> KeyRing:
        """The API keys accepted (`KeyRing.check` raises 403)."""
        ...

    @property
    def clock(self) -> Clock:
        """The emulator's clock (the admin endpoint moves it)."""
        ...

    @property
    def enabled_currencies(self) -> frozenset[str]:
        """Currencies taken off Primer's disabled-by-default list."""
        ...

    @property
    def tax_connection(self) -> bool:
        """Whether POST answers carry the TaxJar missing-data warning."""
        ...

    @property
    def latency(self) -> float:
        """Seconds each API request waits before it is answered."""
        ...

    def create_session(self, body: dict[str, object], api_version: str) -> StoredSession:
        """Store a validated POST body as a new session."""
        ...

    def find_session(self, client_token: object) -> StoredSession:
        """The live session of a client token (400 otherwise)."""
        ...

    def update_session(self, client_token: object, changes: Mapping[str, object]) -> StoredSession:
        """Apply a validated PATCH body (without `clientToken`) to a live session."""
        ...

    def sessions(self) -> list[dict[str, object]]:
        """Stored sessions as `GET /_emulator/sessions` shows them."""
        ...

    def reset(self) -> None:
        """Drop sessions, faults and the clock offset."""
        ...

    def set_faults(self, faults: list[Fault]) -> None:
        """Replace the waiting faults."""
        ...

    def pending_faults(self) -> list[dict[str, object]]:
        """The waiting faults as the admin endpoint shows them."""
        ...

    def take_fault(self) -> Fault | None:
        """Use up one answer of the first waiting fault (once per API request)."""
        ...

    def error_body(self, error: ApiError) -> dict[str, dict[str, object]]:
        """Primer's envelope for `error`, with a fresh diagnosticsId."""
        ...


class TransportBackend(Protocol):
    """The emulator as the in-process httpx transports use it: its app and its loop."""

    @property
    def app(self) -> ASGIApp:
        """The ASGI app the transports call."""
        ...

    def background_loop(self) -> LoopThread:
        """The private event loop (daemon thread) the sync transport runs the app on."""
        ...
