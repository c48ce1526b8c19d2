"""A SQLite ledger of every request the client makes and every answer it gets.

```python
from primer_nb import PrimerClient
from primer_nb.ledger import Ledger
from primer_nb.tables import sessions_frame

ledger = Ledger()                  # ~/.local/share/primer-nb/ledger.sqlite3 (or PRIMER_NB_LEDGER)
client = PrimerClient()
ledger.attach(client)              # the one way to record a client's exchanges
client.create_session({"orderId": "order-1", "currencyCode": "EUR", "amount": 1299})
ledger.frame(status=200)           # one row per HTTP attempt
sessions_frame(ledger)             # every session it saw created, with environment and time
```

**Where.** `Ledger(path)`; else `$PRIMER_NB_LEDGER`; else `ledger.sqlite3` in
`platformdirs.user_data_dir("primer-nb")`. `Ledger(":memory:")` keeps it in memory (tests);
notebooks use a temporary file.

**Attaching.** `ledger.attach(client)` records every exchange of a `PrimerClient` or
`AsyncPrimerClient` until `ledger.detach(client)` or `ledger.close()`; it also adds the
client's API key to the strings never stored. `create_sessions(..., ledger=ledger)`
attaches it for the batch. (`attach` installs `ledger.record` as the client's hook; call
`record` yourself only to write an exchange you hold.)

**Private to you.** The ledger holds customers' e-mail and postal addresses and full
client tokens: the folders it creates are `0700` and the database file `0600`, and
SQLite gives its WAL, shared-memory and journal files the database's mode. A file or
folder that already exists keeps its mode; a ledger file other users may read (in a
folder they may enter) gets a `UserWarning` saying so, and one another user owns is
refused (`LedgerError`; for root, only in a folder everyone may write to), as is a
file with triggers or views, which a ledger never has (they could drop, rewrite or copy
each exchange as it is written).

**One row per HTTP attempt** (`Exchange` from the client's hooks), written in its own
transaction right after the answer arrives and before the client returns it. Columns:
`id, recorded_at, started_at, environment, api_version, method, path, query_params, status,
error_id, duration_ms, order_id, client_token, request_id, attempt, request_body,
response_body, error` (bodies and query parameters as JSON text; times as ISO 8601 UTC text).
A body is stored as the JSON text that went over the wire when the client hands it on
(`Exchange.request_json`) and it names no secret and holds no escape; else it is encoded
from the decoded body, after the walk that scrubs secret names.

**Secrets.** The API key is never stored: any key named like an API key (`X-API-KEY`,
`apiKey`, `api_key`, ...) at any depth of a body or the query is replaced by `***`, and the
key's text itself (the attached client's key, `PRIMER_API_KEY`, or `secrets=`) is replaced
wherever it appears: in every string of a body (keys too, replaced in the decoded body, so
a secret that also spells JSON, such as digits of a number, never breaks the stored
JSON) and in every text column. Request headers are not stored at all. The **client
token** is stored in full: it is not the API key but a short-lived (24 h) credential for
one checkout session, and `get_session`/`update_session` and batch resume need it. Tables show it
shortened (`eyJhbGci…x9Qk`); `frame()` does too unless `full_tokens=True`.

**Several notebooks at once.** WAL journal (readers never block the writer), a 10 s busy
timeout, and one `INSERT` per exchange in autocommit mode (a transaction of its own):
processes and threads can record into one file concurrently. `synchronous=NORMAL`: a
committed exchange survives the process being killed
(even with SIGKILL); a power cut may lose the commits since the last checkpoint (the
WAL is synced then): up to 100 exchanges, whatever their size (SQLite's own rule, every
1000 pages, meant about 100 exchanges of 2 KB, fewer large ones and more small ones). The
checkpoint (sync the WAL, copy it into the database, sync that) runs on a thread of the
ledger's own, so no `record` waits for it. The WAL file (`ledger.sqlite3-wal`, removed
when the last connection closes) stays below about 5 MB with 1 KiB pages, 10 MB if that
thread falls behind, where SQLite's own checkpoint on commit takes over. A new file has
1 KiB pages: an exchange of 2 KB dirties eight pages or more, about nine and a half on
average (its row's leaf page and about two overflow pages, three index entries, the header
and the AUTOINCREMENT counter; more when a page splits or a body is longer), each written
whole to the WAL at commit.

**Schema version.** `PRAGMA user_version` holds `SCHEMA_VERSION` (2: the `exchanges`
table with `request_id`, one id for all attempts of one call, and indexes on `order_id`,
`started_at` and `(method, status)`). A new file (or an empty database) gets the schema on
open; a file of another version is refused with `LedgerError` rather than misread, and
so is a SQLite database of another program (tables, but no schema version), which is
left unchanged. A later schema adds
its migration step here.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import numbers
import os
import re
import sqlite3
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from primer_nb.arguments import aware
from primer_nb.config import env_var
from primer_nb.redaction import (
    longest_first,
    may_name_a_secret,
    redact_each,
    redact_json_each,
    scrub_secret_names,
    short_token,
    spellings,
)
from primer_nb.storage import private_folders

if TYPE_CHECKING:
    import pandas as pd

    from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient
    from primer_nb.models import ClientSessionWithToken

    Client = PrimerClient | AsyncPrimerClient

__all__ = [
    "LEDGER_COLUMNS",
    "SCHEMA_VERSION",
    "Ledger",
    "LedgerError",
    "SessionRecord",
    "default_path",
]

#: The schema version this code writes and reads (`PRAGMA user_version`).
SCHEMA_VERSION = 2
#: `Ledger.frame()` columns and dtypes, in order.
LEDGER_COLUMNS: Mapping[str, str] = {
    "id": "Int64",
    "recorded_at": "datetime64[ns, UTC]",
    "started_at": "datetime64[ns, UTC]",
    "environment": "string",
    "api_version": "string",
    "method": "string",
    "path": "string",
    "query_params": "object",
    "status": "Int64",
    "error_id": "string",
    "duration_ms": "float64",
    "order_id": "string",
    "client_token": "string",
    "request_id": "string",
    "attempt": "Int64",
    "request_body": "object",
    "response_body": "object",
    "error": "string",
}
_JSON_COLUMNS = ("query_params", "request_body", "response_body")
#: The Python types SQLite hands back for each `LEDGER_COLUMNS` dtype in a row this
#: ledger wrote (the JSON and time columns are checked as they are decoded).
_CELL_TYPES: Mapping[str, tuple[type, ...]] = {
    "Int64": (int,),
    "float64": (float, int),
    "string": (str,),
}
_TIME_COLUMNS = ("recorded_at", "started_at")
BUSY_TIMEOUT_S = 10.0
#: The page size of a new ledger file, in bytes (SQLite's default is 4096).
PAGE_SIZE = 1024
#: A file ledger's own thread checkpoints the WAL after this many exchanges (about 1000
#: pages of 1 KiB: SQLite's own threshold), so no `record` waits for the checkpoint.
CHECKPOINT_EVERY = 100
#: Once the WAL has this many pages, the writer itself checkpoints the few exchanges the
#: thread's last checkpoint did not see, so that the WAL starts again from the beginning.
RESTART_PAGES = 4000
#: SQLite's checkpoint on commit, kept for when that thread falls behind or cannot run.
BACKSTOP_PAGES = 10_000

logger = logging.getLogger("primer_nb")


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A created session as a ledger holds it: the POST's answer plus where and when.

    `body` is the response JSON (camelCase dict) with the **full** client token; the
    client token is a short-lived, per-session credential for the checkout, not the API
    key (which is never stored). `environment`, `api_version` and `created_at` come from
    the exchange that created it.
    """

    body: Mapping[str, object]
    environment: str | None = None
    api_version: str | None = None
    created_at: datetime | None = None
    request_id: str | None = None
    #: The POST's request body as stored (secrets replaced by `***`); None if not stored.
    request_body: Mapping[str, object] | None = None

    @property
    def order_id(self) -> str | None:
        """The session's `orderId`, if it has one."""
        value = self.body.get("orderId")
        return value if isinstance(value, str) else None

    def model(self) -> ClientSessionWithToken:
        """The body parsed as a `ClientSessionWithToken`."""
        from primer_nb.models import ClientSessionWithToken

        return ClientSessionWithToken.model_validate(self.body)

    def __repr__(self) -> str:

        token = self.body.get("clientToken")
        shown = short_token(token) if isinstance(token, str) else None
        return (
            f"SessionRecord(order_id={self.order_id!r}, client_token={shown!r}, "
            f"environment={self.environment!r})"
        )


class _Filters(TypedDict, total=False):
    """What `Ledger._select` may filter on (None: no filter)."""

    since: datetime | str | None
    until: datetime | str | None
    status: int | Iterable[int] | None
    order_id: str | Iterable[str] | None
    method: str | None
    environment: str | None
    path: str | None


class LedgerError(Exception):
    """The ledger file cannot be opened or read as a ledger (e.g. newer schema, not a
    database, a row another program wrote).

    A failed write in `record` raises SQLite's own `sqlite3.Error` instead, and is listed
    in `failures`.
    """


def default_path() -> Path:
    """`$PRIMER_NB_LEDGER`, else `ledger.sqlite3` in the user data directory."""
    env = env_var("PRIMER_NB_LEDGER")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("primer-nb")) / "ledger.sqlite3"


#: This process's id, kept current in forked children: `os.getpid()` is a system call,
#: and the ledger asks on every write whether its connection was made in this process.
_this_process = [os.getpid()]


_INSERT = (
    "INSERT INTO exchanges (recorded_at, started_at, environment, api_version,"
    " method, path, query_params, status, error_id, duration_ms, order_id,"
    " client_token, request_id, attempt, request_body, response_body, error)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


#: Held while a checkpointer thread is inside SQLite, and by `os.fork()`: a child forked
#: in the middle of a checkpoint would inherit SQLite's process-wide locks held by a
#: thread it does not have, and could hang opening its own connection.
_checkpointing = threading.Lock()


#: Every open ledger, so that a forked child can give each a fresh lock.
_ledgers: weakref.WeakSet[Ledger] = weakref.WeakSet()


def _fork_child() -> None:
    _this_process[0] = os.getpid()  # first: `_Checkpointer.stop` compares it
    _checkpointing.release()  # the copy the forking thread held
    # a ledger's lock copied while another thread held it (a batch thread inside
    # `record`) would be held for ever in the child, which has only the forking thread
    for ledger in list(_ledgers):
        ledger._lock = threading.RLock()


os.register_at_fork(
    before=_checkpointing.acquire,
    after_in_parent=_checkpointing.release,
    after_in_child=_fork_child,
)


#: Every checkpoint thread's `_Checkpointer`, for `_stop_all` at exit.
_checkpointers: weakref.WeakSet[_Checkpointer] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """At exit, let a checkpoint under way finish and close its connection: a ledger
    left open is closed after this, its writer's connection the last one, and SQLite
    then removes the WAL (a daemon thread killed mid-checkpoint kept it there)."""
    for checkpointer in list(_checkpointers):
        checkpointer.stop()


class _Checkpointer:
    """Copies a file ledger's WAL into the database on a thread of its own.

    SQLite checkpoints on the commit that takes the WAL past 1000 pages: that `record`
    (and every thread waiting for the ledger's lock) then waits while the WAL is synced,
    copied and the database synced, about 2.5 ms every 100 exchanges here. This thread
    does that work (`PRAGMA wal_checkpoint(PASSIVE)`, which never blocks a writer) when
    `record` pokes it, on a connection of its own; SQLite releases the GIL meanwhile.
    Each exchange is still committed before `record` returns, so it survives the process
    being killed; the WAL is synced every 100 exchanges (what a power cut may lose).

    The WAL starts again from its beginning only when a write finds every page of it
    checkpointed, which a checkpoint running beside the writes never leaves: once the WAL
    has `RESTART_PAGES`, the thread asks the writer (`restart_due`) to checkpoint the few
    exchanges written meanwhile itself. SQLite's own checkpoint at `BACKSTOP_PAGES`
    covers a thread that cannot run.
    """

    def __init__(self, path: Path) -> None:
        self.pid = _this_process[0]
        self._uri = f"{path.as_uri()}?mode=rw"  # never create a file that was removed
        self._wake = threading.Event()
        self._stopping = False
        self.restart_due = False
        self._thread = threading.Thread(
            target=self._run, name="primer-nb-ledger-checkpoint", daemon=True
        )
        self._thread.start()
        _checkpointers.add(self)

    def poke(self) -> None:
        self._wake.set()

    def stop(self, wait: bool = True) -> None:
        if self.pid != _this_process[0]:
            return  # a forked child's copy: the thread is the parent's (its locks too)
        self._stopping = True
        self._wake.set()
        if wait and self._thread is not threading.current_thread():
            self._thread.join(timeout=BUSY_TIMEOUT_S)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                with _checkpointing:
                    _, pages, _ = self._checkpoint()
                self.restart_due = pages >= RESTART_PAGES
            except sqlite3.Error as exc:  # a removed file, a full disk: try next time
                logger.debug("ledger checkpoint failed: %s", exc)

    def _checkpoint(self) -> tuple[int, int, int]:
        # A connection for each checkpoint (about 0.1 ms every 100 exchanges): one kept
        # open would outlive the writer's at exit (the thread is a daemon), and SQLite
        # removes the WAL, once copied into the database, only when the last connection
        # closes: the database file alone would lack the latest exchanges.
        db = sqlite3.connect(
            self._uri, uri=True, isolation_level=None, check_same_thread=False, timeout=0
        )
        try:
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA synchronous = NORMAL")
            busy, pages, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return int(busy), int(pages), int(done)
        finally:
            db.close()


# --- schema ---------------------------------------------------------------------------


def _create_schema(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS exchanges (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            started_at TEXT NOT NULL,
            environment TEXT,
            api_version TEXT,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            query_params TEXT,
            status INTEGER,
            error_id TEXT,
            duration_ms REAL,
            order_id TEXT,
            client_token TEXT,
            attempt INTEGER,
            request_body TEXT,
            response_body TEXT,
            error TEXT,
            request_id TEXT
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS exchanges_order_id ON exchanges (order_id)")
    db.execute("CREATE INDEX IF NOT EXISTS exchanges_started_at ON exchanges (started_at)")
    db.execute("CREATE INDEX IF NOT EXISTS exchanges_method_status ON exchanges (method, status)")


def _open_folder(path: Path, bits: int) -> bool:
    """True when the folder holding `path` gives group or others any of `bits` (0o022:
    they may write there; 0o011: they may enter it)."""
    try:
        return bool(path.parent.stat().st_mode & bits)
    except OSError:
        return True


def _private_file(path: Path) -> None:
    """Create `path` and its missing folders for the owner alone (folders 0700, file 0600).

    SQLite creates the WAL, shared-memory and journal files with the database's mode, so
    they are 0600 too. What already exists is left as it is.
    """
    private_folders(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return
    os.chmod(path, 0o600)


# --- redaction ------------------------------------------------------------------------


class _NotPlainJson(Exception):
    """A mapping that is not a dict: `scrub_secret_names` must turn it into one first."""


def _plain_default(value: object) -> str:
    if isinstance(value, Mapping):
        raise _NotPlainJson
    return str(value)


def _text(value: Any, secrets: Sequence[str], wire: object = None) -> str | None:
    """`value` as JSON text, secret names scrubbed and secrets redacted.

    `wire` is the body's JSON text as it went over the wire (`Exchange.request_json`),
    when the client could hand it on: it is stored as it is, without encoding `value`
    again, if it names no secret and holds no backslash (no JSON escape can hide a
    name or a secret from the checks on the text: its strings are as they are).
    """
    if value is None:
        return None
    if isinstance(wire, str) and "\\" not in wire and not may_name_a_secret(wire):
        text = wire
    else:
        try:  # the usual body names no secret: written as it is, without a walk through it
            text = json.dumps(
                value, ensure_ascii=False, separators=(",", ":"), default=_plain_default
            )
            if may_name_a_secret(text):
                raise _NotPlainJson
        except _NotPlainJson:
            value = scrub_secret_names(value)
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _without_secrets(text, value, secrets)


def _without_secrets(text: str, value: Any, secrets: Sequence[str]) -> str:
    """`text`, the JSON of `value`, with every secret in its strings (keys too) as `***`.

    The usual text holds no secret and is returned as it is. Otherwise the secrets are
    replaced inside the decoded value and the JSON written again, never in the text:
    a secret that also spells JSON (`true`, digits of a number, part of a `\\u` escape)
    would break the text there, and one that JSON or a message escapes (a quote, a
    backslash: `$['it\\'s']`) is not in the text as it is. Secrets with more than one
    of `redaction.spellings` therefore always take the walk.
    """
    if not any(s in text or _spelled_otherwise(s) for s in secrets):
        return text
    value = redact_json_each(value, secrets)  # longest first, as `redact_each`
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _spelled_otherwise(secret: str) -> bool:
    """True when JSON, a `repr()` or a JSONPath may write `secret` otherwise than as it
    is (quotes, backslashes...): then the text of a body may hide it."""
    return len(spellings(secret)) > 1


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, str):
        return _iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise TypeError(f"expected a datetime or ISO 8601 text, not {type(value).__name__}")


def _filter_moment(name: str, value: object) -> str:
    """A `since`/`until` filter as stored text, or an error naming the filter."""
    rule = "a datetime or ISO 8601 text such as '2024-06-01T12:00:00Z'"
    if not isinstance(value, (datetime, str)):
        raise TypeError(f"{name} must be {rule}, not {type(value).__name__} {value!r}"[:200])
    if isinstance(value, datetime):
        aware(name, value)  # naive: Python's local time; refused rather than read as UTC
    try:
        return _iso(value)
    except ValueError:
        raise ValueError(f"{name} must be {rule}, not {value!r}"[:200]) from None


def _filter_values(name: str, value: object) -> list[int] | list[str]:
    """A `status` (ints) or `order_id` (texts) filter as a list, one value or several; a
    numpy int from a DataFrame is an int. Anything else is an error naming the filter."""
    if name == "status":
        rule = "an HTTP status code such as 200, or several (a list of them)"

        def one(item: object) -> bool:
            return isinstance(item, numbers.Integral) and not isinstance(item, bool)

        single = one(value)
    else:
        rule = "an order id as text, or several (a list of them)"

        def one(item: object) -> bool:
            return isinstance(item, str)

        single = isinstance(value, str)
    if single:
        items: list[Any] = [value]
    elif isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be {rule}, not {type(value).__name__} {value!r}"[:200])
    else:
        items = list(value)
    for index, item in enumerate(items):
        if not one(item):
            where = name if single else f"{name}[{index}]"
            raise TypeError(
                f"{name} must be {rule}: {where} is {type(item).__name__} {item!r}"[:200]
            )
    return [int(i) for i in items] if name == "status" else items


#: A JSON Web Token, as client tokens are (its header's JSON starts `{"`: base64 `eyJ`).
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _shortened(match: re.Match[str]) -> str:
    return short_token(match.group())


def _attribute(exchange: object, name: str) -> Any:
    return getattr(exchange, name, None)


def _find(bodies: Iterable[Any], key: str) -> str | None:
    for body in bodies:
        if isinstance(body, (dict, Mapping)):  # a dict is found before the ABC check
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def _home_short(path: str) -> str:
    try:
        home = str(Path.home())
    except (RuntimeError, KeyError):  # no HOME and no passwd entry (a container's --user)
        return path
    if path == home or path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


class Ledger:
    """A SQLite file recording every exchange of the clients it is attached to.

    **Parameters:**

    * **path** - the database file (created with its folders), `":memory:"`, or None for
      `default_path()`.
    * **secrets** - a list of extra strings never to store (e.g. `[key_from_vault]`; a single
      str is refused: it would be read one character at a time). The attached
      clients' keys and `PRIMER_API_KEY` are always included.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, secrets: Iterable[str] = ()):
        given_none = path is None
        if path is None:
            path = default_path()
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"path must be a file path (str or Path), e.g. Ledger('ledger.db'), or "
                f"':memory:', not {type(path).__name__}"
            )
        self._memory = str(path) == ":memory:"
        self.path: Path | None = None if self._memory else Path(path).expanduser().resolve()
        if self.path is not None and self.path.is_dir():
            given = " (PRIMER_NB_LEDGER)" if env_var("PRIMER_NB_LEDGER") and given_none else ""
            raise LedgerError(
                f"the ledger {self._shown()}{given} is a folder: name a file in it, such as "
                f"{_home_short(str(self.path / 'ledger.sqlite3'))}"
            )
        # (`longest_first` refuses a single str: each character would be a secret, the key none)
        self._secrets: set[str] = set(longest_first(secrets))
        self._sorted_secrets: tuple[object, tuple[list[str], tuple[str, ...]]] = (None, ([], ()))
        self._lock = threading.RLock()
        _ledgers.add(self)
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._checkpointer: _Checkpointer | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._no_thread = 0  # the process in which no checkpoint thread could start
        self._commits = 0
        self._attached: list[Client] = []
        self._failures: list[tuple[str | None, str]] = []
        info: os.stat_result | None = None
        if self.path is not None:
            try:
                _private_file(self.path)
            except OSError as exc:  # a read-only folder, a file where a folder should be
                reason = exc.strerror or type(exc).__name__
                raise LedgerError(
                    f"cannot create the ledger {self._shown()}: {reason} "
                    f"({_home_short(exc.filename) if exc.filename else 'its folder'})"
                ) from exc
            info = self._check_owner(self.path)
        self._connection()
        if (
            self.path is not None
            and info is not None
            and info.st_mode & 0o077
            and _open_folder(self.path, 0o011)
        ):
            # a ledger others may read, in a folder they may enter (0700 keeps them out)
            warnings.warn(
                f"{self._shown()} can be read or written by other users (mode "
                f"{info.st_mode & 0o777:04o}), and it holds client tokens and customer "
                f"details: `chmod 600 {self._shown()}` (new ledgers are made 0600)",
                UserWarning,
                stacklevel=2,
            )

    def _check_owner(self, path: Path) -> os.stat_result | None:
        """`LedgerError` for a file another user owns (planted, say in /tmp, its owner
        would read every client token and customer written to it); for root, only in a
        folder everyone may write to (root using a user's mounted project is fine); else
        its `stat` (None where there is no owner to compare: Windows, or no file SQLite
        could open)."""
        owner = getattr(os, "geteuid", None)  # POSIX only
        try:
            info = path.stat()
        except OSError:  # not a file SQLite can open either: its own error follows
            return None
        if owner is None:
            return None
        # root may use a file a user owns (a project mounted into a container) unless it
        # lies in a folder everyone may write to, as /tmp, where anyone could plant it
        if info.st_uid != owner() and (owner() != 0 or _open_folder(path, 0o002)):
            raise LedgerError(
                f"{self._shown()} belongs to another user (uid {info.st_uid}): what this "
                "ledger records (client tokens, customers) would be theirs to read; it was "
                "left unchanged. Use a ledger file of your own."
            )
        return info

    # --- connection and schema ----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target = ":memory:" if self.path is None else str(self.path)
        try:
            db = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA trusted_schema = OFF")  # the file's schema runs no function
            self._refuse_foreign(db)  # before any PRAGMA that would change the file
            if self.path is not None:
                # A new file gets small pages: an exchange dirties about ten pages, and
                # every commit writes and checksums them whole into the WAL. An existing
                # file keeps its page size. The checkpoint (when the WAL is synced) runs
                # on the ledger's thread; SQLite's own on commit only as a backstop.
                db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                self._retry(lambda: db.execute("PRAGMA journal_mode = WAL"))
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")  # _Checkpointer
            self._migrate(db)
        except sqlite3.DatabaseError as exc:
            hint = ""
            if self.path is not None and not os.access(self.path.parent, os.W_OK):
                hint = (
                    f" (its folder {_home_short(str(self.path.parent))} is read-only, and "
                    "SQLite needs to create its WAL files next to the ledger: copy the "
                    "ledger somewhere writable)"
                )
            raise LedgerError(f"cannot open the ledger {self._shown()}: {exc}{hint}") from exc
        return db

    def _connection(self) -> sqlite3.Connection:
        """The connection, reopened in a forked child (a connection must not cross a fork)."""
        if self._db is None or self._pid != _this_process[0]:
            self._pid = _this_process[0]
            self._db = self._connect()
        return self._db

    @staticmethod
    def _retry(action: Callable[[], Any]) -> Any:
        """Run `action`, retrying while another process holds a lock past the busy timeout."""
        deadline = time.monotonic() + 3 * BUSY_TIMEOUT_S
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _refuse_foreign(self, db: sqlite3.Connection) -> None:
        """`LedgerError` for a SQLite file with tables but no ledger schema version: another
        program's database, which must not be converted into a ledger."""

        def foreign() -> tuple[bool, str | None]:
            # one statement, so one snapshot: read apart, another process creating the
            # ledger in between made version 0 and tables > 0 (a fresh ledger refused)
            version, tables, extra = db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT count(*) FROM sqlite_master),"
                " (SELECT group_concat(type || ' ' || name, ', ') FROM sqlite_master"
                "  WHERE type IN ('trigger', 'view'))"
            ).fetchone()
            return bool(version == 0 and tables > 0), extra

        other, added = self._retry(foreign)
        if other:
            db.close()
            raise LedgerError(
                f"{self._shown()} is a SQLite database but not a primer-nb ledger (it has "
                "tables and no ledger schema version); it was left unchanged. Use another "
                "file for the ledger."
            )
        if added:
            # a ledger never has them: a trigger can drop or rewrite each exchange as it
            # is written (a batch would then send its rows again) or copy it elsewhere
            db.close()
            raise LedgerError(
                f"{self._shown()} has {added[:200]}, which a primer-nb ledger never has: "
                "another program changed it, and they could drop, rewrite or copy what is "
                "recorded; it was left unchanged. Use another ledger file."
            )

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            # its version is a promise: a table or column gone (another program, a hand
            # edit) would fail later, in `frame()` or `record`, with SQLite's bare words
            columns = {row[1] for row in db.execute("PRAGMA table_info(exchanges)")}
            missing = [name for name in LEDGER_COLUMNS if name not in columns]
            if missing:
                what = "no exchanges table" if not columns else f"no column {', '.join(missing)}"
                raise LedgerError(
                    f"{self._shown()} says it is a version-{version} ledger but has {what}: "
                    "another program changed it; it was left unchanged. Use another ledger file."
                )
            return
        if version != 0:
            raise LedgerError(
                f"{self._shown()} has schema version {version}; this primer-nb reads "
                f"{SCHEMA_VERSION}. Use the primer-nb that wrote it, or another ledger file."
            )

        def step() -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have created the schema while we waited for the lock.
                if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                    _create_schema(db)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        self._retry(step)

    @property
    def schema_version(self) -> int:
        """The file's `PRAGMA user_version`."""
        with self._lock:
            return int(self._connection().execute("PRAGMA user_version").fetchone()[0])

    # --- writing --------------------------------------------------------------------------

    def attach(self, client: Client) -> None:
        """Record every exchange of `client` (a `PrimerClient` or `AsyncPrimerClient`).

        Its API key is added to the strings never stored. Attaching twice does nothing.
        """
        if not callable(getattr(client, "add_hook", None)):
            raise TypeError(
                f"client must be a PrimerClient or AsyncPrimerClient, not {type(client).__name__}"
            )
        key = getattr(getattr(client, "settings", None), "api_key", None)
        if isinstance(key, str) and key:
            self._secrets.add(key)
        if not self.is_attached(client):
            client.add_hook(self.record)
            self._attached.append(client)

    def detach(self, client: Client) -> None:
        """Stop recording `client`'s exchanges."""
        if self.is_attached(client):
            client.remove_hook(self.record)
        self._attached = [c for c in self._attached if c is not client]

    def is_attached(self, client: Client) -> bool:
        """True when `client` already calls `self.record` (via `attach` or `add_hook`)."""
        hooks = getattr(client, "hooks", ())
        return any(h == self.record for h in hooks)

    def _all_secrets(self) -> list[str]:
        """Every secret, longest first (`redact_each` replaces them in this order); sorted
        again only when `PRIMER_API_KEY` or the ledger's own secrets changed."""
        return self._secrets_and_forms()[0]

    def _secrets_and_forms(self) -> tuple[list[str], tuple[str, ...]]:
        """`_all_secrets()` and every spelling of each (`redaction.spellings`): a text
        that holds none of those has nothing `redact_each` would replace."""
        env = env_var("PRIMER_API_KEY")
        key = (env, len(self._secrets))  # secrets are only ever added
        if self._sorted_secrets[0] != key:
            ordered = longest_first([*self._secrets, env or ""])
            forms = tuple(form for secret in ordered for form in spellings(secret))
            self._sorted_secrets = (key, (ordered, forms))
        return self._sorted_secrets[1]

    def record(self, exchange: Exchange | Mapping[str, object]) -> None:
        """Write one `primer_nb.client.Exchange` (or a mapping with its fields).

        This is the hook `attach` installs; one transaction per call.
        """
        secrets, forms = self._secrets_and_forms()
        field: Callable[[str], Any]
        if isinstance(exchange, (dict, Mapping)):  # a dict is found before the ABC check
            field = exchange.get
        else:
            field = functools.partial(_attribute, exchange)

        request_body = field("request_body")
        response_body = field("response_body")
        query = field("query")
        status: Any = field("status")
        duration: Any = field("duration_ms")
        attempt: Any = field("attempt")
        # the text columns, as `str()` gives them (None stays None)
        texts = [
            None if value is None else str(value)
            for value in (
                field("environment"),
                field("api_version"),
                field("method") or "",
                field("path") or "",
                field("error_id"),
                _find((request_body, response_body), "orderId"),
                _find((response_body, request_body, query), "clientToken"),
                field("request_id"),
                field("error"),
            )
        ]
        # The method column is upper-cased, with secrets redacted before and after (a
        # secret spelled in upper case could appear only once the text is upper-cased).
        method = (texts[2] or "").upper()
        # the usual row holds no secret in any spelling: one look at all its texts
        joined = "\0".join([*(t for t in texts if t is not None), method])
        if any(form in joined for form in forms):
            texts = [None if t is None else redact_each(t, secrets) for t in texts]
            method = redact_each((texts[2] or "").upper(), secrets)
        environment, api_version, _, path, error_id, order_id, token, request_id, error = texts
        row = (
            datetime.now(UTC).isoformat(timespec="microseconds"),
            _iso(field("started_at") or datetime.now(UTC)),
            environment,
            api_version,
            method,
            path or "",
            _text(query or None, secrets),
            int(status) if status is not None else None,
            error_id,
            float(duration) if duration is not None else None,
            order_id,
            token,
            request_id,
            int(attempt) if attempt is not None else None,
            _text(request_body, secrets, field("request_json")),
            _text(response_body, secrets, field("response_json")),
            error,
        )

        def write() -> None:
            # one statement in autocommit mode: its own transaction, no BEGIN/COMMIT needed
            self._connection().execute(_INSERT, row)

        with self._lock:
            try:
                try:
                    write()
                except sqlite3.OperationalError:  # locked past the busy timeout: wait longer
                    self._retry(write)
            except sqlite3.Error as exc:
                self._failures.append((row[10], f"{type(exc).__name__}: {exc}"))
                raise
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0 and self.path is not None:
                thread = self._checkpoint_thread()
                if thread is not None:
                    thread.poke()
            elif self._checkpointer is not None and self._checkpointer.restart_due:
                self._checkpointer.restart_due = False
                self._restart_wal()

    def _restart_wal(self) -> None:
        """Checkpoint what the thread's checkpoint left (a few exchanges), so that the next
        write starts the WAL again from its beginning (see `_Checkpointer`)."""
        try:
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # the exchange is committed: the backstop remains
            logger.debug("ledger checkpoint failed: %s", exc)

    def _checkpoint_thread(self) -> _Checkpointer | None:
        """This process's checkpointer (a forked child starts its own), stopped when the
        ledger is closed or collected; None when no thread can be started (at a thread
        limit): SQLite then checkpoints on commit again, at its default of 1000 pages."""
        if self._checkpointer is not None and self._checkpointer.pid == _this_process[0]:
            return self._checkpointer
        if self._no_thread == _this_process[0]:
            return None
        assert self.path is not None
        if self._finalizer is not None:
            self._finalizer.detach()  # the last one, made before a close or a fork
        try:
            self._checkpointer = _Checkpointer(self.path)
        except RuntimeError as exc:  # "can't start new thread": the exchange is committed
            logger.debug("ledger checkpoints stay on the writer: %s", exc)
            self._checkpointer, self._finalizer = None, None
            self._no_thread = _this_process[0]
            try:
                self._connection().execute("PRAGMA wal_autocheckpoint = 1000")
            except sqlite3.Error as error:  # the exchange is committed: the backstop remains
                logger.debug("ledger checkpoints stay at the backstop: %s", error)
            return None
        self._finalizer = weakref.finalize(self, self._checkpointer.stop, False)
        return self._checkpointer

    @property
    def failures(self) -> tuple[tuple[str | None, str], ...]:
        """Every exchange `record` could not write since this `Ledger` was opened, oldest
        first: `(order_id, error)`. (The client logs a failing hook and goes on;
        `create_sessions` reads this to mark the rows the ledger does not hold.)"""
        with self._lock:
            return tuple(self._failures)

    # --- reading --------------------------------------------------------------------------

    def _select(self, columns: str, filters: _Filters) -> list[tuple[Any, ...]]:
        where: list[str] = []
        args: list[Any] = []
        for name in ("since", "until"):
            moment = filters.get(name)
            if moment is not None:
                where.append("started_at >= ?" if name == "since" else "started_at < ?")
                args.append(_filter_moment(name, moment))
        for name in ("status", "order_id"):
            value = filters.get(name)
            if value is None:
                continue
            values = _filter_values(name, value)
            where.append(f"{name} IN ({', '.join('?' * len(values))})")
            args.extend(values)
        method = filters.get("method")
        if method is not None:
            if not isinstance(method, str):
                raise TypeError(
                    "method must be one HTTP method as text, such as 'POST', not "
                    f"{type(method).__name__} {method!r}"[:200]
                )
            where.append("method = ?")
            args.append(method.upper())
        for name in ("environment", "path"):
            text = filters.get(name)
            if text is not None:
                if not isinstance(text, str):
                    raise TypeError(
                        f"{name} must be text such as 'emulator', not "
                        f"{type(text).__name__} {text!r}"[:200]
                    )
                where.append(f"{name} = ?")
                args.append(text)
        sql = f"SELECT {columns} FROM exchanges"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        with self._lock:
            db = self._connection()
            return list(self._retry(lambda: db.execute(sql, args).fetchall()))

    def frame(
        self,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        status: int | Iterable[int] | None = None,
        order_id: str | Iterable[str] | None = None,
        method: str | None = None,
        *,
        environment: str | None = None,
        full_tokens: bool = False,
    ) -> pd.DataFrame:
        """Recorded exchanges as a DataFrame, one row per HTTP attempt (`LEDGER_COLUMNS`).

        **Filters** (combined with AND): `since <= started_at < until` (aware datetimes, or
        ISO text, where naive means UTC; a naive datetime is a `ValueError`), `status`
        (one int or several; a numpy int from a DataFrame is an int), `order_id` (one or
        several), `method` (`"POST"`), `environment`. A filter of another type is a
        `TypeError` naming it. Bodies and query come back parsed from JSON. Client tokens
        are shortened, in the `client_token` column and inside bodies and query, unless
        `full_tokens=True`.
        """
        from primer_nb.frames import typed_frame, utc_times  # pandas loads only here

        rows = self._select(
            ", ".join(LEDGER_COLUMNS),
            {
                "since": since,
                "until": until,
                "status": status,
                "order_id": order_id,
                "method": method,
                "environment": environment,
            },
        )
        names = list(LEDGER_COLUMNS)
        token_at = names.index("client_token")
        columns: dict[str, Any] = {name: [r[i] for r in rows] for i, name in enumerate(names)}
        tokens = columns["client_token"]
        for name in _JSON_COLUMNS:
            values = columns[name]
            if not full_tokens:
                values = [
                    v.replace(r[token_at], short_token(r[token_at]))
                    if isinstance(v, str) and isinstance(r[token_at], str) and r[token_at]
                    else v
                    for v, r in zip(values, rows, strict=True)
                ]
                # and every other token in them (a list of sessions, `/_emulator/sessions`)
                values = [
                    _JWT.sub(_shortened, v) if isinstance(v, str) and "eyJ" in v else v
                    for v in values
                ]
            columns[name] = [
                self._json(v, row_id, name) for v, row_id in zip(values, columns["id"], strict=True)
            ]
        for name, dtype in LEDGER_COLUMNS.items():  # what SQLite let another program store
            kinds = _CELL_TYPES.get(dtype)
            if kinds is None or set(map(type, columns[name])) <= {*kinds, type(None)}:
                continue  # the usual case, found in C: no loop in Python per row
            for value, row_id in zip(columns[name], columns["id"], strict=True):
                if value is not None and type(value) not in kinds:
                    raise self._foreign_row(f"exchange {row_id}: {name} is {value!r:.60}")
        if not full_tokens:
            columns["client_token"] = [short_token(t) if t else t for t in tokens]
        try:
            for name in _TIME_COLUMNS:
                columns[name] = utc_times(columns[name], name)
            return typed_frame(columns, LEDGER_COLUMNS)
        except (ValueError, TypeError, OverflowError) as exc:  # a text status, a bad time
            raise self._foreign_row(str(exc)) from None

    def _foreign_row(self, what: str) -> LedgerError:
        """What to say of a row this ledger never wrote (another program, a hand edit)."""
        return LedgerError(
            f"{self._shown()}: {what}; primer-nb never writes such a row: another program "
            "changed the file. Use another ledger file, or delete the row."
        )

    def _json(self, text: Any, row_id: object, column: str) -> Any:
        """A JSON column's value decoded, or the `LedgerError` naming its exchange."""
        if text is None:
            return None
        try:
            return json.loads(text)
        except (ValueError, TypeError):
            raise self._foreign_row(f"exchange {row_id}: {column} is not JSON text") from None

    def _time(self, text: Any, row_id: object) -> datetime:
        try:
            return datetime.fromisoformat(text)
        except (ValueError, TypeError):
            raise self._foreign_row(
                f"exchange {row_id}: started_at is not an ISO 8601 time"
            ) from None

    def sessions(
        self, *, environment: str | None = None, order_id: str | Iterable[str] | None = None
    ) -> list[SessionRecord]:
        """Every session a `POST /client-session` created (status 200), oldest first.

        Each `SessionRecord` holds the full answer (with its full client token) plus the
        environment, API version and start time of the exchange; `sessions_frame(ledger)`
        tabulates them. Sessions are not deduplicated: two POSTs with one `orderId` made
        two sessions.
        """
        rows = self._select(
            "response_body, environment, api_version, started_at, request_id, request_body, id",
            {
                "status": 200,
                "method": "POST",
                "environment": environment,
                "order_id": order_id,
                "path": "/client-session",
            },
        )
        out: list[SessionRecord] = []
        for body, env, version, started, request_id, sent, row_id in rows:
            parsed = self._json(body, row_id, "response_body") if body else None
            request = self._json(sent, row_id, "request_body") if sent else None
            if isinstance(parsed, dict):
                out.append(
                    SessionRecord(
                        parsed,
                        env,
                        version,
                        self._time(started, row_id),
                        request_id,
                        request if isinstance(request, dict) else None,
                    )
                )
        return out

    def last_posts(
        self, *, environment: str | None = None, order_id: str | Iterable[str] | None = None
    ) -> dict[str, tuple[int | None, datetime, str | None]]:
        """For each `orderId`, its latest `POST /client-session` attempt: `(status,
        started_at, error)`; status None when no answer came."""
        rows = self._select(
            "order_id, status, started_at, error, id",
            {
                "method": "POST",
                "environment": environment,
                "order_id": order_id,
                "path": "/client-session",
            },
        )
        return {
            oid: (status, self._time(started, row_id), error)
            for oid, status, started, error, row_id in rows  # ordered by id: the latest wins
            if oid is not None
        }

    def stored_form(self, body: object) -> object:
        """`body` as this ledger would store it (secrets replaced), decoded again: what a
        recorded `request_body` is compared with."""
        text = _text(body, self._all_secrets())
        return None if text is None else json.loads(text)

    def __len__(self) -> int:
        with self._lock:
            db = self._connection()
            return int(db.execute("SELECT count(*) FROM exchanges").fetchone()[0])

    # --- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Detach from every client and close the connection.

        A batch writing to this ledger (`create_sessions(..., ledger=)`) then sends no
        new rows, and marks the rows answered after the close `recorded=False`.
        """
        for client in list(self._attached):
            self.detach(client)
        with self._lock:
            if self._checkpointer is not None and self._checkpointer.pid == os.getpid():
                self._checkpointer.stop()  # its connection closes before the writer's
            self._checkpointer = None
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _shown(self) -> str:
        return ":memory:" if self.path is None else _home_short(str(self.path))

    def __repr__(self) -> str:
        try:
            count = f", exchanges={len(self)}"
        except (sqlite3.Error, LedgerError):
            count = ""
        return f"Ledger({self._shown()!r}{count})"

    def _repr_html_(self) -> str:
        """Counts per method and status in notebooks (the file name only: no temp paths)."""
        from collections import Counter

        from primer_nb import display

        try:
            counts = Counter((str(m), s) for m, s in self._select("method, status", {}))
        except (sqlite3.Error, LedgerError):  # closed: show the name and no counts
            counts = Counter()
        return display.ledger_html(":memory:" if self.path is None else self.path.name, counts)
