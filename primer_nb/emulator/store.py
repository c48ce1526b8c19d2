"""Client sessions in memory, keyed by the token's `accessToken`; thread-safe.

One `Emulator` may serve uvicorn's event loop, the sync transport's loop thread and
a notebook's loop at once, so every read and write goes through one `threading.Lock`.
A session's `data` is its body as the API stores it: the request's keys as sent,
a top-level `amount` only when it overrides the computed one.

Compact by design (a long-running server may hold hundreds of thousands of sessions):

- `data` is kept as compact JSON (`orjson`; the standard library for what orjson cannot
  write, such as integers beyond 64 bits) and decoded on every read, so callers always
  get their own copy and nothing is deep-copied;
- with `client_token=` (a function of access token and expiry, as `Emulator` passes
  it), the client token is not kept either: HS256 signing is deterministic, so the
  token is made again, byte for byte, when a session is read;
- `max_sessions=N` keeps at most N sessions, dropping the oldest (by creation) first;
  a dropped session is simply unknown. The default (`None`) keeps every session.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from primer_nb.arguments import whole_number

__all__ = ["SessionStore", "StoredSession"]


@dataclass(frozen=True)
class StoredSession:
    """One client session: its token, times, the API version that created it, its data."""

    access_token: str
    client_token: str
    created: datetime
    expires: datetime
    api_version: str
    data: dict[str, object] = field(default_factory=dict)

    @property
    def amount_override(self) -> bool:
        """True while a top-level `amount` overrides the amount computed from the order."""
        return self.data.get("amount") is not None

    def expired(self, now: datetime) -> bool:
        """True once `now` (emulator clock) reaches the expiry."""
        return now >= self.expires


#: What the store keeps per session: JSON bytes (orjson), JSON text (the standard
#: library's fallback) or, for data that is not JSON at all, a private deep copy.
_Data = bytes | str | dict[str, Any]
#: created, expires, api_version, data, and the client token unless it can be remade.
_Record = tuple[datetime, datetime, str, _Data, str | None]


#: orjson writes datetimes and dataclasses by itself: refuse them, they are not JSON
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _pack(data: dict[str, Any]) -> _Data:
    try:
        # orjson's bytes keep a 4 KiB buffer whatever the length: copy to the exact size
        return bytes(memoryview(orjson.dumps(data, option=_STRICT)))
    except TypeError:  # orjson.JSONEncodeError: big integers, lone surrogates, non-JSON
        pass
    try:
        text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        if json.loads(text) == data:  # JSON after all (not tuples, int keys, ...)
            return text
    except (TypeError, ValueError):
        pass
    return copy.deepcopy(data)


def _unpack(packed: _Data) -> dict[str, Any]:
    if isinstance(packed, bytes):
        value: dict[str, Any] = orjson.loads(packed)
        return value
    if isinstance(packed, str):
        text_value: dict[str, Any] = json.loads(packed)
        return text_value
    return copy.deepcopy(packed)


class SessionStore:
    """Sessions by access token, in creation order. Callers get their own copies.

    - `max_sessions`: keep at most this many (the oldest are dropped first); None: all.
    - `client_token`: remakes a session's client token from its access token and expiry;
      when given, tokens are not stored.
    """

    def __init__(
        self,
        *,
        max_sessions: int | None = None,
        client_token: Callable[[str, datetime], str] | None = None,
    ) -> None:
        if max_sessions is not None:  # a numpy int (a DataFrame's length) is one too
            max_sessions = whole_number(
                "max_sessions", max_sessions, minimum=1, rule="a whole number >= 1, or None"
            )
        self.max_sessions = max_sessions
        self._client_token = client_token
        self._lock = threading.Lock()
        self._sessions: dict[str, _Record] = {}
        # creation order, kept only when there is a limit (popleft is O(1))
        self._order: deque[str] | None = deque() if max_sessions is not None else None
        self.dropped = 0

    def _token(self, access_token: str, record: _Record) -> str:
        """The session's client token: kept, or made again."""
        token = record[4]
        if token is None:
            assert self._client_token is not None
            token = self._client_token(access_token, record[1])
        return token

    def _session(
        self, access_token: str, record: _Record, data: dict[str, Any] | None = None
    ) -> StoredSession:
        created, expires, version, packed, _ = record
        if data is None:
            data = _unpack(packed)
        token = self._token(access_token, record)
        return StoredSession(access_token, token, created, expires, version, data)

    def _record(self, session: StoredSession, data: dict[str, Any]) -> _Record:
        token = None if self._client_token is not None else session.client_token
        return (session.created, session.expires, session.api_version, _pack(data), token)

    def add(self, session: StoredSession) -> None:
        """Store a new session (its data is copied); drop the oldest beyond `max_sessions`."""
        record = self._record(session, session.data)
        with self._lock:
            known = session.access_token in self._sessions
            self._sessions[session.access_token] = record
            if self._order is not None and self.max_sessions is not None and not known:
                self._order.append(session.access_token)
                while len(self._order) > self.max_sessions:
                    self._sessions.pop(self._order.popleft(), None)
                    self.dropped += 1

    def get(self, access_token: str) -> StoredSession | None:
        """The session for an access token, or None (unknown or dropped)."""
        with self._lock:
            found = self._sessions.get(access_token)
        return None if found is None else self._session(access_token, found)

    def update(
        self,
        access_token: str,
        change: Callable[[dict[str, object]], dict[str, object]],
        alive_at: datetime | None = None,
        client_token: object = None,
    ) -> StoredSession | None:
        """Replace a session's data with `change(data)` atomically.

        `change` gets its own copy of the data and returns the new data. Returns None
        when the session is unknown, expired at `alive_at`, or (with `client_token`)
        not the session that token was issued for.
        """
        with self._lock:
            found = self._sessions.get(access_token)
            if found is None or (alive_at is not None and alive_at >= found[1]):
                return None
            if client_token is not None and self._token(access_token, found) != client_token:
                return None
            created, expires, version, packed, token = found
            data = change(_unpack(packed))
            record = (created, expires, version, _pack(data), token)
            self._sessions[access_token] = record
        # `data` is the caller's now: the store keeps only its packed copy
        return self._session(access_token, record, data)

    def all(self) -> list[StoredSession]:
        """Every session, oldest first."""
        with self._lock:
            records = list(self._sessions.items())
        return [self._session(token, record) for token, record in records]

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()
            if self._order is not None:
                self._order.clear()
            self.dropped = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
