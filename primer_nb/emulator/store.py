"""Client sessions in memory, keyed by the token's `accessToken`; thread-safe.

One `Emulator` may serve uvicorn's event loop, the sync transport's loop thread and
a notebook's loop at once, so every read and write goes through one `threading.Lock`.
A session's `data` is its body as the API stores it: the request's keys as sent,
a top-level `amount` only when it overrides the computed one.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

__all__ = ["SessionStore", "StoredSession"]


@dataclass(frozen=True)
class StoredSession:
    """One client session: its token, times, the API version that created it, its data."""

    access_token: str
    client_token: str
    created: datetime
    expires: datetime
    api_version: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def amount_override(self) -> bool:
        """True while a top-level `amount` overrides the amount computed from the order."""
        return self.data.get("amount") is not None

    def expired(self, now: datetime) -> bool:
        """True once `now` (emulator clock) reaches the expiry."""
        return now >= self.expires


class SessionStore:
    """Sessions by access token, in creation order. Callers get deep copies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, StoredSession] = {}

    def add(self, session: StoredSession) -> None:
        """Store a new session (its data is copied)."""
        with self._lock:
            self._sessions[session.access_token] = replace(
                session, data=copy.deepcopy(session.data)
            )

    def get(self, access_token: str) -> StoredSession | None:
        """The session for an access token, or None."""
        with self._lock:
            found = self._sessions.get(access_token)
            return None if found is None else replace(found, data=copy.deepcopy(found.data))

    def update(
        self,
        access_token: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        alive_at: datetime | None = None,
    ) -> StoredSession | None:
        """Replace a session's data with `change(data)` atomically.

        `change` must not modify its argument (it returns new data). Returns None when
        the session is unknown, or expired at `alive_at`.
        """
        with self._lock:
            found = self._sessions.get(access_token)
            if found is None or (alive_at is not None and found.expired(alive_at)):
                return None
            updated = replace(found, data=change(found.data))
            self._sessions[access_token] = updated
            return replace(updated, data=copy.deepcopy(updated.data))

    def all(self) -> list[StoredSession]:
        """Every session, oldest first."""
        with self._lock:
            return [replace(s, data=copy.deepcopy(s.data)) for s in self._sessions.values()]

    def clear(self) -> None:
        """Forget every session."""
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
