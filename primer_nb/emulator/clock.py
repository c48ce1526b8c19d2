"""The emulator's controllable clock: real time from a start, plus offsets, or frozen.

Tokens, expiry dates and the store all read time from here, never from the wall
clock, so a notebook can jump a day ahead and watch a client token expire:

```python
from primer_nb.emulator import Emulator

emulator = Emulator(start="2026-01-15T09:00:00", frozen=True)
emulator.clock.now()              # datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
emulator.clock.advance(hours=25)  # every token issued before now is expired
```
"""

from __future__ import annotations

import math
import numbers
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from primer_nb.arguments import aware

__all__ = ["Clock", "parse_instant"]

#: The clock refuses to move outside these years (tokens need `exp` and room for +24 h).
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def parse_instant(value: datetime | str, name: str = "the instant") -> datetime:
    """An ISO 8601 text or an aware datetime -> aware UTC datetime.

    Naive text is read as UTC (Primer's convention); `Z` and offsets are honoured. A naive
    `datetime` object is a `ValueError` naming `name` (`arguments.aware`: Python reads it
    as local time). Raises `ValueError` for text that is not ISO 8601 and `TypeError` for
    other types.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            if "offset must be a timedelta" in str(exc):  # Python's words, with a repr
                raise ValueError("a UTC offset must lie between -23:59 and +23:59") from None
            raise
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime or an ISO 8601 string, not {type(value).__name__}")
    return aware(name, value).astimezone(UTC)


def _is_numpy_timedelta(value: object) -> bool:
    """True for a numpy `timedelta64` (a column of durations hands them out), found without
    importing numpy."""
    kind = type(value)
    return kind.__name__ == "timedelta64" and kind.__module__ == "numpy"


def _numpy_timedelta(value: Any) -> timedelta:
    """A numpy `timedelta64` as a `timedelta` (to the microsecond); NaT is a ValueError."""
    step = value.astype("timedelta64[us]").item()
    if not isinstance(step, timedelta):  # NaT reads as None
        raise ValueError(f"seconds must be a duration, not {value}")  # str: 'NaT' in any numpy
    return step


class Clock:
    """Emulator time: `start` plus the real time elapsed (unless frozen) plus an offset.

    Thread-safe. `reset()` drops the offset (what `advance` and `set` changed).
    """

    def __init__(self, start: datetime | str | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._start = parse_instant(start, "start") if start is not None else datetime.now(UTC)
        self._origin = time.monotonic()
        self._offset = timedelta()
        # start + offset, replaced (never changed in place) under the lock whenever the
        # offset changes, so `now()` reads it without taking the lock
        self._base = self._start
        self._frozen = frozen

    @property
    def frozen(self) -> bool:
        """True when time only moves through `advance` and `set`."""
        return self._frozen

    @property
    def start(self) -> datetime:
        """The instant the clock started from (aware UTC)."""
        return self._start

    def _elapsed(self) -> timedelta:
        if self._frozen:
            return timedelta()
        return timedelta(seconds=time.monotonic() - self._origin)

    def now(self) -> datetime:
        """The emulator's current time, an aware UTC datetime."""
        base = self._base
        if self._frozen:
            return base
        return base + timedelta(seconds=time.monotonic() - self._origin)

    def advance(
        self,
        seconds: float | timedelta = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> datetime:
        """Move time forward (negative values move it back); returns the new `now()`.

        `seconds` may also be a `timedelta` (`clock.advance(timedelta(hours=25))`; a pandas
        `Timedelta` or numpy `timedelta64` too). The clock stays between 1970 and 9000: a
        step past that is a `ValueError`.
        """
        if _is_numpy_timedelta(seconds):  # numpy counts it as an int: read it as a duration
            seconds = _numpy_timedelta(seconds)
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        amounts = {"seconds": seconds, "minutes": minutes, "hours": hours, "days": days}
        for name, amount in amounts.items():
            if _is_numpy_timedelta(amount) or (
                isinstance(amount, bool) or not isinstance(amount, numbers.Real | Decimal)
            ):
                raise TypeError(
                    f"{name} must be a number (or seconds a timedelta), not {type(amount).__name__}"
                )
            if not math.isfinite(amount):
                raise ValueError(f"{name} must be a finite number, not {amount!r}")
        try:  # numpy numbers and Decimals as floats: timedelta takes neither
            step = timedelta(**{name: float(amount) for name, amount in amounts.items()})
        except OverflowError:  # a step no date can take: past 1970..9000 whatever the clock
            raise ValueError("the emulator clock stays between 1970 and 9000") from None
        with self._lock:
            self._move(self._offset + step)
        return self.now()

    def set(self, instant: datetime | str) -> datetime:
        """Jump to `instant`: an aware datetime, or ISO text (naive text means UTC; a naive
        datetime is a `ValueError`). Returns `now()`."""
        target = parse_instant(instant, "instant")
        with self._lock:
            self._move(target - (self._start + self._elapsed()))
        return self.now()

    def _move(self, offset: timedelta) -> None:
        """Take `offset` unless it leaves 1970..9000 (`ValueError`); the lock is held."""
        try:
            moved = self._start + self._elapsed() + offset
        except OverflowError:
            moved = LATEST
        if not EARLIEST <= moved < LATEST:
            raise ValueError("the emulator clock stays between 1970 and 9000")
        self._offset = offset
        self._base = self._start + offset

    def reset(self) -> None:
        """Drop every `advance` and `set`: back to start plus elapsed real time."""
        with self._lock:
            self._offset = timedelta()
            self._base = self._start

    def __repr__(self) -> str:
        state = "frozen" if self._frozen else "running"
        return f"Clock({self.now().replace(tzinfo=None).isoformat()!r}, {state})"
