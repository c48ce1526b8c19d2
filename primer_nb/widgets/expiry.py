"""`ExpiryCountdown`: the time left on a client token, ticking while it is displayed.

```python
countdown = ExpiryCountdown(session, clock=emulator.clock)
countdown            # ExpiryCountdown('expires in 24:00:00') on a frozen clock
                     # (Emulator(frozen=True)); a running one shows 23:59:59 at once
emulator.clock.advance(hours=25)
countdown.refresh()
countdown.value      # 'expired'
```

While displayed, a daemon thread refreshes the text every second and stops when the
token has expired or the widget is closed (`stop()` / `close()`). Nothing starts a
thread until the widget is displayed, so tests call `refresh()` themselves. With a
frozen emulator clock the text only changes when the clock is advanced, which keeps
notebook outputs deterministic.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, cast

import ipywidgets as w

from primer_nb.models import parse_expiry, short_token

__all__ = ["Clock", "Expiring", "ExpiryCountdown", "SystemClock", "format_remaining"]


class Clock(Protocol):
    """Anything with `now()` returning an aware datetime (the emulator's clock, say)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def format_remaining(remaining: timedelta) -> str:
    """`expires in HH:MM:SS` (hours may exceed 24), or `expired` when less than one whole
    second is left."""
    seconds = int(remaining.total_seconds())
    if seconds <= 0:
        return "expired"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"expires in {hours:02d}:{minutes:02d}:{secs:02d}"


class Expiring(Protocol):
    """Anything with a token expiry: `ClientSessionWithToken`, a ledger row's session."""

    @property
    def client_token_expiration_date(self) -> datetime | str | None: ...


def _expiry_of(session_or_expiry: Expiring | datetime | str) -> datetime:
    value = getattr(session_or_expiry, "client_token_expiration_date", session_or_expiry)
    try:
        parsed = parse_expiry(value)
    except ValueError:  # text, but no date: say so, shortened (it may be a client token)
        raise ValueError(
            "ExpiryCountdown needs a session, a datetime or an ISO date-time text such as "
            f"'2026-01-16T09:00:00', not the text {short_token(str(value))!r} (to count "
            "down a token's time, pass its session)"
        ) from None
    if not isinstance(parsed, datetime):
        raise TypeError(
            "ExpiryCountdown needs a session with client_token_expiration_date, "
            f"a datetime or an ISO text, not {type(session_or_expiry).__name__}"
        )
    return parsed


class _AnsweringBackendClock:
    """The clock of the backend that answered with a session (`display.backend_now`: the
    in-process emulator's, read live; a server's `Date` plus the time since), else the
    system's."""

    def __init__(self, session: object) -> None:
        self._session = session

    def now(self) -> datetime:
        from primer_nb.display import backend_now

        return backend_now(self._session) or datetime.now(UTC)


def _clock_of(clock: object, session: object = None) -> Clock:
    """The clock to count on: given, an `Emulator`'s, an in-process client's emulator's,
    or (None) the clock of the backend that answered with `session`, as the session card
    reads it, else the system's. Anything else is a `TypeError` naming `clock`."""
    if clock is None:
        from primer_nb.display import backend_now

        return SystemClock() if backend_now(session) is None else _AnsweringBackendClock(session)
    emulator = getattr(clock, "emulator", None)  # a PrimerClient on the in-process emulator
    source = getattr(emulator if emulator is not None else clock, "clock", clock)
    if not callable(getattr(source, "now", None)):
        raise TypeError(
            "clock must be an emulator clock (emulator.clock), an Emulator, a client on "
            f"the in-process emulator, or None for the answering backend's clock; not "
            f"{type(clock).__name__}"
        )
    return cast(Clock, source)


class ExpiryCountdown(w.HTML):  # type: ignore[misc]
    """Remaining time until a session's `clientTokenExpirationDate`."""

    def __init__(
        self,
        session_or_expiry: Expiring | datetime | str,
        clock: Clock | None = None,
        **kwargs: object,
    ):
        expiry = _expiry_of(session_or_expiry)  # a session without one is refused here
        super().__init__(**kwargs)
        self.expiry: datetime = expiry
        self.clock: Clock = _clock_of(clock, session_or_expiry)
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self.add_class("primer-countdown")
        self.refresh()

    @property
    def remaining(self) -> timedelta:
        """Time left (negative once expired)."""
        return self.expiry - self.clock.now()

    @property
    def text(self) -> str:
        return format_remaining(self.remaining)

    @property
    def expired(self) -> bool:
        return self.remaining.total_seconds() <= 0

    def refresh(self) -> None:
        """Recompute the text from the clock now."""
        self.value = self.text

    def start(self) -> None:
        """Refresh every second in a daemon thread until expired, `stop()` or `close()`."""
        if self._thread is not None or self.expired:
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._run, name="ExpiryCountdown", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop_event.wait(1.0):
            self.refresh()
            if self.expired:
                break

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop the refresh thread (idempotent)."""
        self._stop_event.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)

    def close(self) -> None:
        if "_stop_event" in vars(self):  # not a widget refused in __init__ (its __del__)
            self.stop()
        super().close()

    def _repr_mimebundle_(self, **kwargs: object) -> object:
        self.start()
        return super()._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"ExpiryCountdown({self.text!r})"
