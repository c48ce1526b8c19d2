"""`Emulator`: one stateful, in-memory stand-in for Primer's Client Session API.

```python
from primer_nb.emulator import Emulator

emulator = Emulator(seed=7, start="2026-01-15T09:00:00", frozen=True)
emulator.app                      # the ASGI app (serve it, or call it in-process)
emulator.clock.advance(hours=25)  # tokens issued before now have expired
emulator.inject(429, times=2, retry_after=1)
emulator.sessions()               # what GET /_emulator/sessions shows
```

With a `seed`, the token secret, the accessTokens and the diagnosticsIds come from
`random.Random(seed)`; with `frozen=True` too, identical requests get byte-identical
answers, so notebooks can store their outputs. Without a seed the secret is 32 bytes
from `secrets`.

`core` is the top of the emulator's modules: it builds the app (`app.build_app(self)`)
and the transports, which know the `Emulator` only through the protocols of
`protocols.py` (`AppBackend`, `TransportBackend`) and never import `core`.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from primer_nb.arguments import true_or_false, whole_number
from primer_nb.currency import CURRENCY_CODES, DISABLED_BY_DEFAULT
from primer_nb.emulator.app import build_app
from primer_nb.emulator.clock import EARLIEST, LATEST, Clock
from primer_nb.emulator.faults import Fault, FaultQueue
from primer_nb.emulator.loop import LoopThread
from primer_nb.emulator.patching import apply_patch
from primer_nb.emulator.responses import admin_view
from primer_nb.emulator.store import SessionStore, StoredSession
from primer_nb.emulator.tokens import TOKEN_LIFETIME, TokenIssuer
from primer_nb.emulator.transport import AsyncEmulatorTransport, EmulatorTransport
from primer_nb.emulator.validation import ApiError, KeyRing, check_patched, invalid_token
from primer_nb.errors import error_body, new_diagnostics_id

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["Emulator", "default_emulator"]


class Emulator:
    """A Client Session API in memory: sessions, clock, faults, tokens, and its ASGI app.

    - `seed`: deterministic secret, accessTokens and diagnosticsIds.
    - `start`: the clock's start (an aware datetime, or ISO text where naive means UTC; a
      naive datetime, Python's local time, is a `ValueError`), between 1970 and 9000 as
      the clock always stays; default now.
    - `frozen`: the clock moves only through `advance`/`set` (byte-stable answers).
    - `api_keys`: the keys accepted; none given -> any non-empty key. An empty or blank
      key is a `ValueError` (it would otherwise leave the emulator open).
    - `enabled_currencies`: codes taken off Primer's disabled-by-default list.
    - `tax_connection`: the TaxJar connection that warns about missing shipping data.
    - `latency`: seconds each API request waits before it is answered, from 0 to
      `MAX_LATENCY` (10); anything else (negative, NaN, infinite) is a `ValueError`.
    - `max_sessions`: keep at most this many sessions, dropping the oldest first (a
      dropped token then answers like an unknown one); None (default): no limit.
    """

    #: The longest `latency` in seconds. Enough for progress bars and for timeouts (with a
    #: client timeout below it); `primer-nb emulator` waits this long plus 5 s for requests
    #: in flight when stopped, so a stop never cuts one off with a 500 (`inf` hung forever).
    MAX_LATENCY = 10.0

    def __init__(
        self,
        *,
        seed: int | None = None,
        start: datetime | str | None = None,
        frozen: bool = False,
        api_keys: Iterable[str] = (),
        enabled_currencies: Iterable[str] = (),
        tax_connection: bool = True,
        latency: float = 0.0,
        max_sessions: int | None = None,
    ) -> None:
        if seed is not None:  # random.Random would take "abc" or 1.5; --seed takes an int
            seed = whole_number("seed", seed, minimum=None, rule="a whole number or None")
        self._seed = seed
        self.latency = latency  # checked by the setter, before anything else is made
        self.clock = Clock(start, frozen=true_or_false("frozen", frozen))
        if not EARLIEST <= self.clock.start < LATEST:  # 9999-12-31 would overflow its tokens
            raise ValueError("start must lie between 1970-01-02 and 9000-01-01 (UTC)")
        self._start_text = None if start is None else _short_iso(self.clock.start)
        self.keys = KeyRing(api_keys)
        self._enabled: frozenset[str] = frozenset()
        if isinstance(enabled_currencies, str):  # "HUF" would be read as "H", "U", "F"
            raise TypeError(
                "enabled_currencies must be a list of currency codes, such as "
                f"[{enabled_currencies!r}], not a single str"
            )
        for position, code in enumerate(enabled_currencies):
            checked = self.check_currency_code(code, f"enabled_currencies[{position}]")
            self._enabled = self._enabled | {checked}
        self.tax_connection = true_or_false("tax_connection", tax_connection)
        self._rng_lock = threading.Lock()
        # Held around `reset` and around a create's issue-and-store: a create racing a
        # reset (a client on another loop or thread) either comes first, and the reset
        # drops its session, or comes after, with the new secret. Interleaved, it signed
        # its token with the old secret and stored the session after the clear: listed,
        # yet its own token was refused.
        self._sessions_lock = threading.Lock()
        # tokens are remade from the secret when read, not stored (see store.py)
        self._store = SessionStore(
            max_sessions=max_sessions, client_token=lambda a, e: self._issuer.issue(a, e)
        )
        self._faults = FaultQueue()
        self._seed_randomness()
        self._loop: LoopThread | None = None
        self._loop_lock = threading.Lock()
        self.app: Starlette = build_app(self)

    def _seed_randomness(self) -> None:
        with self._rng_lock:
            self._rng = random.Random(self._seed)
            secret = self._rng.randbytes(32) if self._seed is not None else secrets.token_bytes(32)
            self._issuer = TokenIssuer(secret)

    def __repr__(self) -> str:
        return (
            f"Emulator(seed={self._seed!r}, start={self._start_text!r}, "
            f"frozen={self.clock.frozen!r}, sessions={self.session_count})"
        )

    # --- settings ---------------------------------------------------------------------

    @property
    def enabled_currencies(self) -> frozenset[str]:
        """Currencies taken off Primer's disabled-by-default list."""
        return self._enabled

    @staticmethod
    def check_currency_code(code: str, name: str = "code") -> str:
        """`code` stripped and upper-cased, if it is in Primer's v2.4 `Currency` enum or on
        its disabled-by-default list; else a `ValueError`, or a `TypeError` naming `name`
        when it is not a str.

        The SDK-only codes SLE and STN are refused: the API answers them 422 anyway, as
        they are not in its enum. (VED and VES, also SDK-only, are on the disabled list, so
        they are taken, but the API answers them 422 too.)
        """
        if not isinstance(code, str):
            raise TypeError(f"{name} must be a str such as 'HUF', not {type(code).__name__}")
        normalized = code.strip().upper()
        if normalized not in DISABLED_BY_DEFAULT and normalized not in CURRENCY_CODES:
            raise ValueError(
                f"{code!r} is not a currency code in Primer's v2.4 Currency enum or on its "
                "disabled-by-default list"
            )
        return normalized

    def enable_currency(self, code: str) -> None:
        """Accept `code` although Primer disables it by default (e.g. `"HUF"`)."""
        self._enabled = self._enabled | {self.check_currency_code(code)}

    @property
    def latency(self) -> float:
        """Seconds each API request waits before it is answered (0 to `MAX_LATENCY`)."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError(f"latency must be a number of seconds, not {type(seconds).__name__}")
        if not 0 <= seconds <= self.MAX_LATENCY:  # NaN fails both comparisons
            raise ValueError(
                f"latency must be a finite number of seconds from 0 to {self.MAX_LATENCY:g}, "
                f"not {seconds!r}"
            )
        self._latency = seconds

    # --- controls ---------------------------------------------------------------------

    def inject(
        self,
        status: int = 0,
        times: int = 1,
        retry_after: float | None = None,
        *,
        drop: bool = False,
        processed: bool = False,
    ) -> None:
        """Make the next `times` API requests answer `status` (0 or `drop=True`: drop).

        `processed=True`: each request is carried out first (a POST creates its session)
        and the fault's answer replaces the real one, as when an answer is lost.
        """
        fault = Fault(status, times, retry_after, drop=drop, processed=processed)
        self._faults.push(fault)

    def set_faults(self, faults: list[Fault]) -> None:
        """Replace the waiting faults (an empty list clears them)."""
        self._faults.replace(faults)

    def clear_faults(self) -> None:
        """Drop every waiting fault."""
        self._faults.clear()

    def pending_faults(self) -> list[dict[str, object]]:
        """The waiting faults as the admin endpoint shows them."""
        return self._faults.pending()

    def take_fault(self) -> Fault | None:
        """Use up one answer of the first waiting fault (called once per API request)."""
        return self._faults.take()

    def reset(self) -> None:
        """Drop sessions, faults and the clock offset; a seeded emulator restarts its sequence.

        A token from before the reset is refused (400) unless a seeded emulator issues
        the very same token again. Its random sequence starts again (the same secret,
        then the same accessTokens and diagnosticsIds as they are drawn), so a new
        session may get an old session's `accessToken`; as `exp` is whole seconds, its
        token is then the old one byte for byte when it expires in the same second. On a
        frozen clock (which the reset puts back at its start) that is when both were
        created at the same clock time; on a running clock, when both were created in the
        same second. The old token then finds that new session; in any other case it
        finds nothing (`find_session` takes only the very token a session was issued, so
        a token that differs in `exp` alone is refused).

        Atomic for `create_session`: a create in flight on another thread is wholly
        before the reset (its session is dropped) or wholly after it.
        """
        with self._sessions_lock:
            self._store.clear()
            self._faults.clear()
            self.clock.reset()
            self._seed_randomness()

    # --- sessions ---------------------------------------------------------------------

    @property
    def session_count(self) -> int:
        """How many sessions are stored."""
        return len(self._store)

    def sessions(self) -> list[dict[str, object]]:
        """Stored sessions as `GET /_emulator/sessions` shows them (token and expiry included)."""
        return [admin_view(s) for s in self._store.all()]

    def create_session(self, body: dict[str, object], api_version: str) -> StoredSession:
        """Store a validated POST body as a new session with a fresh client token."""
        with self._sessions_lock:  # one reset never falls between issuing and storing
            now = self.clock.now()
            with self._rng_lock:
                access_token = TokenIssuer.new_access_token(self._rng)
            expires = now + TOKEN_LIFETIME
            session = StoredSession(
                access_token=access_token,
                client_token=self._issuer.issue(access_token, expires),
                created=now,
                expires=expires,
                api_version=api_version,
                data=body,
            )
            self._store.add(session)
        return session

    def find_session(self, client_token: object) -> StoredSession:
        """The live session of a client token; 400 ClientSessionValidationError otherwise."""
        access_token = self._issuer.access_token(client_token)
        session = self._store.get(access_token) if access_token else None
        # Only the very token the session was issued: a seeded emulator draws its
        # accessTokens again after a reset, so a token from before it would name a session
        # made since. Their `exp` differ unless both expire in the same whole second (a
        # frozen clock at the same time, or a running clock in the same second): then the
        # tokens are one, and the old token finds the new session.
        if (
            session is None
            or session.client_token != client_token
            or session.expired(self.clock.now())
        ):
            raise invalid_token()
        return session

    def update_session(self, client_token: object, changes: Mapping[str, object]) -> StoredSession:
        """Apply a validated PATCH body (without `clientToken`) to a live session."""
        access_token = self._issuer.access_token(client_token)
        updated = None
        if access_token is not None:

            def change(data: dict[str, object]) -> dict[str, object]:
                after = apply_patch(data, changes)
                check_patched(data, after)  # 422: the session is left as it was
                return after

            updated = self._store.update(
                access_token, change, alive_at=self.clock.now(), client_token=client_token
            )
        if updated is None:
            raise invalid_token()
        return updated

    # --- errors -----------------------------------------------------------------------

    def new_diagnostics_id(self) -> str:
        """A fresh 19-digit diagnosticsId (from the seed when there is one)."""
        with self._rng_lock:
            return new_diagnostics_id(self._rng)

    def error_body(self, error: ApiError) -> dict[str, dict[str, object]]:
        """Primer's envelope for an `ApiError`."""
        return error_body(
            error.error_id,
            error.description,
            recovery_suggestion=error.recovery,
            diagnostics_id=self.new_diagnostics_id(),
            validation_errors=error.details,
        )

    # --- transports -------------------------------------------------------------------

    def transport(self) -> EmulatorTransport:
        """A sync httpx transport into this emulator (works inside a running event loop)."""
        return EmulatorTransport(self)

    def async_transport(self) -> AsyncEmulatorTransport:
        """An async httpx transport into this emulator (no socket)."""
        return AsyncEmulatorTransport(self)

    def background_loop(self) -> LoopThread:
        """The private event loop (daemon thread) the sync transport runs the app on."""
        with self._loop_lock:
            if self._loop is None or not self._loop.alive:
                self._loop = LoopThread(name=f"primer-nb-emulator-{id(self):x}")
            return self._loop

    def close(self) -> None:
        """Stop the background loop thread, if one was started (a new one starts on demand)."""
        with self._loop_lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()


def _short_iso(instant: datetime) -> str:
    naive = instant.replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds" if naive.microsecond else "seconds")


_default: Emulator | None = None
_default_lock = threading.Lock()


def default_emulator() -> Emulator:
    """The process-wide emulator the client uses when nothing else is configured."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Emulator()
        return _default
