"""Injected faults: the next API requests answer 429, 5xx, or a dropped connection.

Faults form a queue; each one answers its `times` next API requests (`GET`, `POST` or
`PATCH` of `/client-session`: admin calls, a `HEAD` or an `OPTIONS` never use them up),
then the next fault takes over.

```python
emulator.inject(429, times=2, retry_after=1)   # two 429s with `Retry-After: 1`
emulator.inject(drop=True)                     # the connection closes mid-answer
emulator.inject(504, processed=True)           # a session is created, the answer is a 504
```

A fault answers **instead of** the request: nothing is stored. With `processed=True`
(`"processed": true`) the request is carried out first, as a server whose answer is lost
on the way back would (a POST creates its session, a PATCH changes it), and the fault's
answer replaces the real one: the case a client cannot tell from the first, and why a
POST without an answer is never simply sent again.

A 429 always carries `Retry-After`: its `retryAfter` rounded up to whole seconds (1 when
none was given); other statuses carry it only when `retryAfter` is set.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any

__all__ = ["ConnectionDropped", "Fault", "FaultQueue", "fault_error", "parse_faults"]

#: Primer publishes no errorIds for 429 and 5xx; ours are in behaviour.md §5. A status
#: the emulator also answers by itself gets the errorId it uses then, so a client that
#: branches on `errorId` sees one id per status; any other is made from the status phrase.
_ERROR_IDS = {
    400: "BadRequest",
    403: "SecurityPolicyBlock",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "RequestTooLarge",
    422: "RequestValidationError",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class ConnectionDropped(Exception):
    """Raised inside the app after the response started: the connection is dropped.

    Over uvicorn the socket closes mid-answer; the in-process transports turn it into
    `httpx.RemoteProtocolError`.
    """


@dataclass(frozen=True)
class Fault:
    """One kind of failure: `status` (0 with `drop=True` is a dropped connection);
    `processed`: the request is carried out before the fault answers."""

    status: int = 0
    times: int = 1
    retry_after: float | None = None
    drop: bool = False
    processed: bool = False

    def __post_init__(self) -> None:
        # Types first, by the Python names (`inject`'s parameters): the admin endpoint's
        # JSON is type-checked by `parse_faults` before it gets here.
        for name, rule in (
            ("status", "an HTTP status code as an int (400..599), e.g. 500"),
            ("times", "a whole number of answers >= 1"),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be {rule}, not {type(value).__name__} {value!r}")
            object.__setattr__(self, name, int(value))  # a numpy int -> int
        if self.retry_after is not None:
            value = self.retry_after
            if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
                raise TypeError(
                    "retry_after must be a number of seconds >= 0 (e.g. 5), not "
                    f"{type(value).__name__} {value!r}"
                )
            if type(value) not in (int, float):  # numpy, Decimal -> float; 1 stays 1
                object.__setattr__(self, "retry_after", float(value))
            if type(self.retry_after) is int and self.retry_after > MAX_RETRY_AFTER_S:
                object.__setattr__(self, "retry_after", math.inf)  # 10**400: no float holds it
        for name in ("drop", "processed"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a boolean (true or false)")
        if self.drop and self.status != 0:
            raise ValueError(
                "a dropped connection has no status: send drop: true without a status (or status 0)"
            )
        if self.drop or self.status == 0:
            object.__setattr__(self, "drop", True)
            object.__setattr__(self, "status", 0)
        elif not 400 <= self.status <= 599:
            raise ValueError("a fault's status must be 400..599, or 0 for a dropped connection")
        if not 1 <= self.times <= MAX_TIMES:
            raise ValueError(f"a fault's times must be 1..{MAX_TIMES}")
        if self.retry_after is not None and not (
            math.isfinite(self.retry_after) and 0 <= self.retry_after <= MAX_RETRY_AFTER_S
        ):
            # a 1e308 became a Retry-After header of 309 digits
            raise ValueError(f"a fault's retryAfter must be 0..{MAX_RETRY_AFTER_S} seconds (a day)")

    def to_wire(self) -> dict[str, object]:
        """The admin endpoint's JSON form of this fault."""
        out: dict[str, object] = {"status": self.status, "times": self.times}
        if self.retry_after is not None:
            out["retryAfter"] = self.retry_after
        if self.drop:
            out["drop"] = True
        if self.processed:
            out["processed"] = True
        return out


def fault_error(fault: Fault) -> tuple[str, str, dict[str, str]]:
    """`(errorId, description, headers)` of the answer to an injected HTTP fault."""
    try:
        phrase = HTTPStatus(fault.status).phrase
    except ValueError:
        phrase = "Error"
    error_id = _ERROR_IDS.get(fault.status) or "".join(
        "".join(c for c in w.capitalize() if c.isalnum())  # I'm a Teapot -> ImATeapot
        for w in phrase.replace("-", " ").split()
    )
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(fault.retry_after))
    elif fault.status == 429:
        headers["Retry-After"] = "1"
    return error_id, f"{phrase} (a fault injected into the emulator).", headers


def _number(item: Mapping[str, object], key: str, at: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{at}.{key} must be a number")
    try:
        return float(value)
    except OverflowError:  # an int of hundreds of digits: past any range
        return math.inf


def _integer(item: Mapping[str, object], key: str, default: int, at: str) -> int:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{at}.{key} must be an integer")
    return value


#: The most answers one fault may take, and the longest Retry-After it may carry.
MAX_TIMES = 1_000_000
MAX_RETRY_AFTER_S = 86_400

_FAULT_KEYS = frozenset({"status", "times", "retryAfter", "drop", "processed"})


def parse_faults(body: object) -> list[Fault]:
    """`{"faults": [{"status": 429, "times": 2, "retryAfter": 1}, ...]}` -> faults.

    Raises `ValueError` with a readable message for anything else.
    """
    if (
        not isinstance(body, dict)
        or set(body) != {"faults"}
        or not isinstance(body["faults"], list)
    ):
        raise ValueError('expected {"faults": [{"status": 429, "times": 1, "retryAfter": 1}]}')
    faults = []
    for index, item in enumerate(body["faults"]):
        at = f"$.faults[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f'{at} must be an object such as {{"status": 429}}')
        unknown = sorted(set(item) - _FAULT_KEYS)
        if unknown:
            raise ValueError(
                f"{at}.{unknown[0]} is not a fault's key: a fault takes status, times, "
                "retryAfter, drop and processed"
            )
        drop, processed = item.get("drop", False), item.get("processed", False)
        status = item.get("status")
        if type(status) is int and status != 0 and not 400 <= status <= 599:
            # (the Python API's "or 0 for a dropped connection" is refused here)
            raise ValueError(f'{at}.status must be 400..599 (or send "drop": true)')
        try:
            fault = Fault(
                status=_integer(item, "status", 0, at),
                times=_integer(item, "times", 1, at),
                retry_after=_number(item, "retryAfter", at),
                drop=drop,
                processed=processed,
            )
        except (TypeError, ValueError) as exc:
            text = str(exc)
            raise ValueError(text if text.startswith("$") else f"{at}: {text}") from None
        if item.get("status", 0) == 0 and drop is not True:
            # no status, or 0 (the Python API's spelling of a drop), became a dropped
            # connection, which the docs give only to "drop": true
            raise ValueError(f'{at}: give a status (400..599) or "drop": true')
        faults.append(fault)
    return faults


class FaultQueue:
    """Thread-safe queue of faults; `take()` uses up one answer of the first fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[Any]] = deque()  # [fault, remaining]

    def push(self, fault: Fault) -> None:
        """Append a fault after those already waiting."""
        with self._lock:
            self._queue.append([fault, fault.times])

    def replace(self, faults: list[Fault]) -> None:
        """Drop waiting faults and queue `faults` instead (an empty list clears).

        Each must be a `Fault` (`Fault(status=500)`); anything else is a `TypeError`
        naming its position, and nothing is replaced."""
        if isinstance(faults, (Fault, Mapping, str, bytes)) or not isinstance(
            faults, (list, tuple)
        ):
            raise TypeError(
                "set_faults takes a list of Fault, e.g. [Fault(status=500)], not "
                f"{type(faults).__name__}"
            )
        for index, fault in enumerate(faults):
            if not isinstance(fault, Fault):
                hint = ""
                if isinstance(fault, Mapping):
                    hint = (
                        " (from primer_nb.emulator.faults import Fault; Fault(status=500); "
                        "the dict form is the admin endpoint's JSON)"
                    )
                raise TypeError(
                    f"set_faults takes a list of Fault: faults[{index}] is "
                    f"{type(fault).__name__}{hint}"
                )
        with self._lock:
            self._queue = deque([f, f.times] for f in faults)

    def clear(self) -> None:
        """Drop every waiting fault."""
        self.replace([])

    def take(self) -> Fault | None:
        """The fault that answers the current API request, or None."""
        with self._lock:
            if not self._queue:
                return None
            entry = self._queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                self._queue.popleft()
            fault: Fault = entry[0]
            return fault

    def pending(self) -> list[dict[str, object]]:
        """Waiting faults in JSON form, `times` being what is left of each."""
        with self._lock:
            return [{**f.to_wire(), "times": n} for f, n in self._queue]

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)
