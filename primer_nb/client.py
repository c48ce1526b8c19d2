"""`PrimerClient` and `AsyncPrimerClient`: the Client Session API over httpx.

```python
from primer_nb import PrimerClient

with PrimerClient() as client:                 # in-process emulator, no socket
    session = client.create_session({"orderId": "order-1", "currencyCode": "EUR", "amount": 1299})
    client.update_session(session.client_token, {"amount": 1499})
    client.get_session(session.client_token).amount     # 1499
```

`AsyncPrimerClient` has the same constructor and the same methods, to be awaited
(`async with AsyncPrimerClient() as client: await client.create_session(...)`).
Both sit on one `_BaseClient` that owns everything but the I/O: settings, headers,
request checks, response parsing, retry decisions, hooks and logging.

Where requests go is decided once, by `primer_nb.config.resolve_settings`
(arguments first, then `PRIMER_API_KEY`, `PRIMER_ENV`, `PRIMER_API_VERSION`,
`PRIMER_BASE_URL`): with nothing configured the client talks to an in-process
emulator; with a key, to Primer's sandbox. Production needs `PRIMER_ENV=production`
and `allow_production=True`.

**Validation.** Requests (models, or dicts in the API's camelCase) are checked before
anything is sent, with the same `(model, JSONPath, description)` the emulator answers:
a bad request raises `PrimerValidationError` with `local=True`, and keys Primer's schema
does not declare below the top level raise an `UnknownFieldWarning` (but in the card
networks' options, where Primer's schema refuses them too: a 422). A dict is read by
wire names only: `{"order_id": ...}` is refused at `$.order_id` ("did you mean
`orderId`?"), and a nested `order.line_items` is sent as written with a warning. Pass
`validate=False` to send a dict as written and see what the server says (a PATCH body's
`clientToken` is still the `client_token` argument's).

**Retries.** At most `max_retries` (default 2) more attempts, with exponential backoff
and full jitter (0.5 s base, 8 s cap), or the server's `Retry-After`. A `Retry-After` over
30 s is not waited for: the `RateLimitError` is raised at once with its `retry_after`, since
an earlier retry would only meet more 429s.

| outcome | GET | POST / PATCH |
|---|---|---|
| 429, 502, 503, 504 | retried | never: an answer came, and the request may have been processed |
| connect error / connect timeout (nothing was sent) | retried | retried |
| read error, read timeout, protocol error | retried | never |

**Secrets.** `X-API-KEY` never appears in a repr, a log record, an exception or an
`Exchange` (headers there show `***`).

**Hooks.** Every HTTP attempt is reported to each hook as a frozen `Exchange`; the
ledger is such a hook. A hook is a plain callable, called by both clients (an `async def`
is refused: it would never be awaited). A failing hook is logged and never breaks a call.
An interrupt (Ctrl-C) while a hook runs is raised once every hook has the exchange, so a
ledger attached after that hook still records it.

**Closing.** A client is closed by `close()` / `aclose()` or at the end of its `with` /
`async with` block. A call on a closed client raises `RuntimeError` ("this PrimerClient
was closed ...; make a new client") before anything is sent, and no hook hears of it.

**Processes.** A client made before `os.fork()` (multiprocessing's default start on
Linux) opens a connection pool of its own in the child on its first request: sockets
shared across a fork would let answers cross between processes. A `transport=` you
passed is yours, and is kept as it is.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import os
import random
import sys
import time
import warnings
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypedDict, TypeVar
from urllib.parse import urlsplit

import httpx

from primer_nb._version import __version__
from primer_nb.arguments import true_or_false, whole_number
from primer_nb.config import (
    API_PATH,
    EMULATOR_KEY,
    REDACTED,
    Settings,
    env_var,
    resolve_settings,
)
from primer_nb.errors import (
    DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT,
    DEFAULT_KEY_REFUSED_HINT,
    INVALID_TOKEN,
    METADATA_EMPTY_KEY,
    NESTED_TOO_DEEP,
    REQUEST_VALIDATION,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PrimerAPIError,
    PrimerConnectionError,
    PrimerTimeoutError,
    UnknownFieldWarning,
    ValidationErrorDetail,
    error_body,
    error_from_response,
)
from primer_nb.fastjson import exact_orjson  # imports orjson (0.6 ms)
from primer_nb.redaction import (
    is_secret_name,
    longest_first,
    redact_each,
    redact_json_each,
    remember_secrets,
    remembered_secrets,
    short_token,
)

if TYPE_CHECKING:
    import asyncio

    import pydantic
    from pydantic import JsonValue

    from primer_nb.emulator import Emulator
    from primer_nb.models import (
        ClientSession,
        ClientSessionRequest,
        ClientSessionUpdateRequest,
        ClientSessionWithToken,
        check_request_keys,
        metadata_has_empty_key,
        nested_too_deep,
    )


def _load_models() -> None:
    """Import the models (and pydantic) when the first client is made, not with this module.

    `from primer_nb import PrimerClient` then costs about what `import httpx` does
    (benchmarks/import_time.py); a client needs pydantic and the models for its first
    request anyway, so that request is no slower.
    """
    global ClientSession, ClientSessionRequest, ClientSessionUpdateRequest
    global ClientSessionWithToken, check_request_keys, metadata_has_empty_key, nested_too_deep
    global pydantic
    import pydantic

    from primer_nb.models import (
        ClientSession,
        ClientSessionRequest,
        ClientSessionUpdateRequest,
        ClientSessionWithToken,
        check_request_keys,
        metadata_has_empty_key,
        nested_too_deep,
    )


__all__ = ["AsyncPrimerClient", "Exchange", "Hook", "PrimerClient"]

logger = logging.getLogger("primer_nb")

SESSION_PATH = API_PATH
#: Backoff: attempt n waits uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (n - 1))) s.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
#: The longest `Retry-After` the client waits for, in seconds; a longer one is raised.
RETRY_AFTER_CAP = 30.0

#: How many distinct header lists `_safe_headers` remembers (then it starts again).
_SAFE_HEADER_CACHE_SIZE = 256
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Failures that prove nothing reached the server: safe to resend any request.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Failures where the request never left this machine either (a proxy that refused, a URL
# or header httpx would not send), though another try would not help: `sent=False`.
_NEVER_LEFT: tuple[type[Exception], ...] = (
    *_NOT_SENT,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
# Failures worth another try for requests that are safe to repeat.
_TRANSIENT: tuple[type[Exception], ...] = (
    httpx.NetworkError,
    httpx.TimeoutException,
    httpx.RemoteProtocolError,
)


class _UndecodableAnswer(httpx.RemoteProtocolError):
    """An answer whose body httpx could not decode (a corrupt gzip or brotli stream, an
    unknown Content-Encoding): the server answered, so the request was processed, and
    its answer is lost. Raised as `httpx.DecodingError`, it escaped the client's errors
    with the key in `exc.request.headers`; as a protocol error of the server's it is a
    `PrimerConnectionError` with `sent=True`, and a GET is tried again."""


#: The longest `timeout=` in seconds: past about 9.2e9 the sync client's socket wait
#: overflowed the platform's time_t (a raw `OverflowError` at the first request).
MAX_TIMEOUT = 1e9

_M = TypeVar("_M", bound="pydantic.BaseModel")
_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass(frozen=True)
class Exchange:
    """One HTTP attempt, as hooks see it. Nothing in it holds the API key.

    ```python
    seen: list[Exchange] = []
    client = PrimerClient(hooks=[seen.append])
    client.create_session({"orderId": "o-1"})
    seen[0].method, seen[0].path, seen[0].status      # ('POST', '/client-session', 200)
    ```

    `request_id` is the same for every attempt of one call; `attempt` counts from 1.
    `status` is None and `error` says what happened when no answer came back.
    `request_json` / `response_json` are the bodies' JSON text as it went over the wire,
    for hooks that store text (the ledger) without encoding the bodies again: given only
    for a JSON object or array in UTF-8 that holds neither the API key nor a backslash
    (so no escapes can hide anything in it), else None. A hook that hands on a changed
    copy must set them to None itself, or the ledger stores the text as it was sent
    (`dataclasses.replace` keeps every field it is not given):

    ```python
    def without_customer(exchange: Exchange) -> None:
        body = {k: v for k, v in exchange.request_body.items() if k != "customer"}
        ledger.record(dataclasses.replace(exchange, request_body=body, request_json=None))
    ```
    """

    started_at: datetime
    duration_ms: float
    environment: str
    api_version: str
    method: str
    path: str
    query: dict[str, str]
    request_body: JsonValue
    status: int | None
    response_body: JsonValue
    error_id: str | None
    attempt: int
    error: str | None
    request_id: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_json: str | None = field(default=None, repr=False, compare=False)
    response_json: str | None = field(default=None, repr=False, compare=False)


#: A hook receives each `Exchange`; its return value is ignored.
Hook = Callable[[Exchange], None]


def _default_emulator() -> Emulator:
    # imported here, not at the top: the client module never loads the emulator by itself
    from primer_nb.emulator import default_emulator

    return default_emulator()


_NOT_STARTED = datetime.min.replace(tzinfo=UTC)

#: Forks this process descends from (a child counts one more than its parent). A client
#: made before `os.fork()` opens a connection pool of its own in the child: the parent's
#: keep-alive sockets are shared after a fork, and answers would cross between processes.
_forks = [0]


def _forked() -> None:
    _forks[0] += 1


os.register_at_fork(after_in_child=_forked)


class _KeyHidingHeaders(httpx.Headers):
    """Request headers whose repr shows `***` for the API key, as httpx does for
    `Authorization` (httpx hides only that): what `request()` hands back keeps the key
    out of `repr(response.request.headers)`. Reading the header still gives it."""

    def __repr__(self) -> str:
        shown = [(k, REDACTED if is_secret_name(k) else v) for k, v in self.multi_items()]
        as_dict = dict(shown)
        return f"Headers({as_dict if len(as_dict) == len(shown) else shown!r})"


def _hide_key(response: httpx.Response) -> httpx.Response:
    """`response`, its request's headers (already sent) wrapped in `_KeyHidingHeaders`."""
    request = response.request
    request.headers = _KeyHidingHeaders(request.headers)
    return response


@dataclass
class _Call:
    """One logical call: what to send, and how its attempts went so far."""

    method: str
    path: str
    params: httpx.QueryParams | dict[str, str] | None = None
    json_body: Any = None
    content: bytes | str | None = None
    headers: Mapping[str, str] | None = None
    #: the absolute URL of `path` when the client has it ready (the typed methods' path)
    url: httpx.URL | None = None
    request_id: str = field(default_factory=lambda: os.urandom(16).hex())
    attempt: int = 0
    started_at: datetime = _NOT_STARTED  # set by each attempt
    clock: float = 0.0


#: httpx's own JSON encoding (`json=`), made once: compact, UTF-8, no NaN.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_bytes(value: object, secrets: Sequence[str] = ()) -> bytes:
    """`value` as the request body httpx would send for `json=value`.

    A body JSON cannot hold (a NaN, a set, a cycle, nesting past Python's recursion
    limit: reachable with `validate=False`) is a local `PrimerValidationError` saying the
    body cannot be written as JSON, at the JSONPath of the first such value, instead of
    the encoder's error naming no place. The happy path costs nothing more."""
    try:
        return _JSON_ENCODER.encode(value).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        path, rule = _unwritable(value)
        raise _local_error(
            422, _NOT_JSON, [ValidationErrorDetail("JSON", path, rule)], secrets
        ) from None


_NOT_JSON = (
    "RequestValidationError",
    "The request body cannot be written as JSON.",
    "Send only objects with text keys, lists, text, finite numbers, true/false and null "
    "(amounts as int minor units).",
)


def _unwritable(value: object) -> tuple[str, str]:
    """The JSONPath and rule of the first value in `value` that JSON cannot hold, or of
    the nesting the encoder could not follow.

    Walked without recursion (a body too deep for the encoder is too deep for a
    recursive walk), in the encoder's order; only after the encoder has refused."""
    from primer_nb.wire_errors import json_path

    _exit = object()  # marks leaving a container: it is no longer an ancestor
    open_ids: set[int] = set()  # the containers around the value being looked at
    deepest = 0
    todo: list[tuple[object, tuple[int | str, ...]]] = [(value, ())]
    while todo:
        item, loc = todo.pop()
        if item is _exit:
            open_ids.discard(loc[0])  # the exit's id
            continue
        if isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                shown = "NaN" if item != item else ("Infinity" if item > 0 else "-Infinity")
                return json_path(loc), f"{shown} is not a JSON number"
            continue
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return json_path(loc), "holds a lone surrogate (such as \\ud800), not Unicode text"
            continue
        if isinstance(item, int):
            try:
                str(item)
            except ValueError:  # past sys.get_int_max_str_digits()
                digits = sys.get_int_max_str_digits()
                return json_path(loc), f"an int of more than {digits} digits cannot be written"
            continue
        if item is None:
            continue
        if not isinstance(item, (dict, list, tuple)):
            kind = type(item).__name__
            hint = " (send an int amount in minor units)" if kind == "Decimal" else ""
            if isinstance(item, (set, frozenset)):
                hint = " (JSON has no sets: use a list)"
            return json_path(loc), f"a {kind} cannot be written as JSON{hint}"
        if id(item) in open_ids:
            return json_path(loc), "refers back to an object that contains it (a cycle)"
        open_ids.add(id(item))
        deepest = max(deepest, len(loc) + 1)
        children: list[tuple[object, tuple[int | str, ...]]] = []
        if isinstance(item, dict):
            for key, child in item.items():
                if not (key is None or isinstance(key, (str, int, float))):
                    return json_path(loc), (
                        f"has a key {key!r} of type {type(key).__name__}: JSON keys are text"
                    )[:200]
                children.append((child, (*loc, str(key))))
        else:
            children.extend((child, (*loc, index)) for index, child in enumerate(item))
        todo.append((_exit, (id(item),)))
        todo.extend(reversed(children))
    if deepest < 100:  # no value found, and not deep: say so rather than blame the nesting
        return "$", "cannot be written as JSON"
    return "$", f"nested {deepest} levels deep, more than Python's JSON encoder can follow"


def _decode(content: bytes) -> Any:
    """A body as JSON when it is JSON, else as text; None when empty."""
    if not content:
        return None
    try:
        return _loads(content)[0]
    except ValueError:
        return _text(content)


def _text(content: bytes) -> str:
    """A body as text, in the encoding JSON's first bytes give (UTF-8, else UTF-16 or
    UTF-32, which `json.loads` reads too): decoded as UTF-8, a UTF-16 body would hold a
    NUL between each two characters, and a key in it would be found by no redaction."""
    return content.decode(json.detect_encoding(content), errors="replace")


def _loads(content: bytes) -> tuple[Any, bool]:
    """`json.loads(content)`, by orjson (2.5 times faster) where it gives the same value
    (`fastjson`); and whether it did, which proves `content` is UTF-8 JSON without a BOM."""
    exact, value = exact_orjson(content)
    return (value, True) if exact else (json.loads(content), False)


class _HttpOptions(TypedDict):
    base_url: str
    headers: dict[str, str]
    timeout: httpx.Timeout
    limits: httpx.Limits


#: Keep every connection opened (httpx keeps 20): a batch with more requests in flight
#: (`create_sessions(concurrency=32)`, from threads or tasks) would otherwise close and
#: reopen connections all the time.
_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)


class _Cookies(httpx.Cookies):
    """httpx's cookie jar, which reads an answer's cookies only when it sets some.

    httpx's `extract_cookies` first copies the request and the answer's headers into
    urllib stand-ins (about 20 µs, a twentieth of an in-process create) and only then
    lets the jar look for `Set-Cookie`; the API sets none. An answer that does set
    cookies is read as httpx reads it, and later requests send them back as they did.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:  # the two `make_cookies` reads
            super().extract_cookies(response)


class _OwnJar:
    """Mixed into httpx's clients: `_Cookies` as the jar (`cookies` keeps httpx's meaning)."""

    _jar: httpx.Cookies

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.cookies = options.get("cookies")

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: httpx.Cookies | dict[str, str] | None) -> None:
        self._jar = _Cookies(cookies)


class _SyncHttp(_OwnJar, httpx.Client):
    pass


class _AsyncHttp(_OwnJar, httpx.AsyncClient):
    pass


async def _close_at_shutdown(http: httpx.AsyncClient) -> AsyncIterator[None]:
    """Close `http`'s connections when its event loop shuts down.

    `asyncio.run` (and `asyncio.Runner`) close every unfinished async generator of the
    loop before closing the loop (`loop.shutdown_asyncgens()`): this one, started on
    the loop its pool is bound to, closes the connections there. After that the loop is
    closed, and connections left open could be closed from no other loop: they stayed
    open until the garbage collector found them (`ResourceWarning: unclosed
    transport`). Only the transport is closed: the client makes a new pool on its next
    loop. A client dropped on a running loop has this generator closed by asyncio's
    finalizer hook, in a task.

    That task may be cancelled before it starts: a client made inside `main()` and
    dropped as `asyncio.run` ends. On Python 3.11 and 3.12 the close is then stopped at
    its first `await` (by a `GeneratorExit`; 3.13 fixed this), after the pool had let
    go of its connections: every connection is therefore taken first and, when the
    close is stopped, closed one by one (closing one twice does nothing).
    """
    try:
        yield
    finally:
        from asyncio import CancelledError  # loaded already: this runs on an event loop

        transport = http._transport
        opened = list(getattr(getattr(transport, "_pool", None), "connections", ()))
        try:
            await transport.aclose()
        except (GeneratorExit, CancelledError):
            for connection in opened:
                await connection.aclose()
            raise


def _redacted_json(content: bytes, secrets: Sequence[str]) -> tuple[Any, str | None]:
    """`_decode(content)` with the secrets (longest first) redacted from every string in
    it, keys too; and
    the body's JSON text when it can be handed on as it is (`Exchange.request_json`).

    The walk through the decoded value is skipped when it cannot find the secret: in
    UTF-8 without a backslash, JSON holds its strings as they are, so a secret absent from
    the bytes is absent from the value (in every spelling `redact_json` replaces: the
    escaped ones, a repr's or a JSONPath's, hold a backslash too). The text is given
    only for such a body (no backslash, no secret) that is a JSON object or array in
    UTF-8; else it is None.
    """
    if not content:
        return None, None
    try:
        value, utf8 = _loads(content)
    except ValueError:  # not JSON (or not in an encoding json reads)
        value, utf8 = _text(content), False
    escaped = b"\\" in content
    holds_secret = any(s.encode(errors="surrogatepass") in content for s in secrets)
    # in UTF-16 or UTF-32 (`not utf8`) a key is not in the bytes as UTF-8 has it
    if secrets and (isinstance(value, str) or escaped or holds_secret or not utf8):
        return redact_json_each(value, secrets), None  # a text body (not JSON) always
    if escaped or holds_secret or not utf8 or not isinstance(value, dict | list):
        return value, None
    return value, content.decode("utf-8")


def _error_id(body: Any) -> str | None:
    if isinstance(body, dict):
        inner = body.get("error")
        value = (inner if isinstance(inner, dict) else body).get("errorId")
        return str(value) if value is not None else None
    return None


def _retry_after(response: httpx.Response) -> float | None:
    """The `Retry-After` header in seconds (number or HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # a year past 9999 overflows
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _shown(token: object) -> str:
    """A client token as tables show it (`eyJhbGci…x9Qk`), or the repr of anything else."""
    return short_token(token) if isinstance(token, str) and token else repr(token)


def _check_token_type(client_token: object) -> None:
    """A client token that is neither a str nor missing (None, or NaN / `pd.NA` from a
    DataFrame) is a `TypeError` saying what to pass, whether or not checks are on: a
    session object or a number was never meant as the token, nor can JSON carry it."""
    if isinstance(client_token, str) or client_token is None:
        return
    if isinstance(client_token, float) and math.isnan(client_token):
        return  # NaN, as pandas gives a missing value: no token at all (`_check_token`)
    if type(client_token).__name__ == "NAType":
        return  # pd.NA, likewise
    hint = " (its .client_token)" if hasattr(client_token, "client_token") else ""
    raise TypeError(
        f"client_token must be a str, e.g. session.client_token, not "
        f"{type(client_token).__name__}{hint}"
    )


def _check_token(client_token: object) -> None:
    """No client token at all (None, "", blanks, NaN) gets the server's answer without
    asking: 400 `ClientSessionValidationError`, raised before sending (`local=True`).

    So does a token no server could know, with a suggestion saying why: one shortened for
    display (`eyJhbGci…x9Qk`, as tables, the ledger's frame and reprs show it: a JWT never
    holds `…`), or one with whitespace around it (copied with a line break).
    """
    if not isinstance(client_token, str) or not client_token.strip():
        raise _local_error(400, INVALID_TOKEN)
    if "…" in client_token:
        raise _local_error(400, SHORTENED_TOKEN)
    if client_token != client_token.strip():
        raise _local_error(400, SPACED_TOKEN)


def _refuse_the_key(client_token: object, secrets: Sequence[str]) -> None:
    """A client token that holds an API key (`_BaseClient._secrets`: the key itself, or
    in quotes, after `Bearer `...) gets the same error, whether or not checks are on:
    sent, it would sit in the GET's URL, which servers and httpx's INFO log print. A
    short key (`demo`) counts only where it stands alone, as `redact_each` finds it."""
    if isinstance(client_token, str) and redact_each(client_token, secrets) != client_token:
        raise _local_error(400, KEY_AS_TOKEN)


#: A client token shortened for display (`short_token`): the server's 400, and why.
SHORTENED_TOKEN = (
    INVALID_TOKEN[0],
    INVALID_TOKEN[1],
    "This client token is shortened for display (it holds '…'): pass the whole token, "
    "e.g. session.client_token, or take it from Ledger.frame(full_tokens=True). "
    "Nothing was sent.",
)
#: A client token with whitespace around it: the server's 400, and why.
SPACED_TOKEN = (
    INVALID_TOKEN[0],
    INVALID_TOKEN[1],
    "This client token has whitespace around it (copied with a space or a line break?): "
    "pass it without. Nothing was sent.",
)
#: A client token that is the API key: the server's 400 for a token it does not know,
#: with a suggestion of our own (the key is never named or shown).
KEY_AS_TOKEN = (
    INVALID_TOKEN[0],
    INVALID_TOKEN[1],
    "This is your API key, not a client token: pass the clientToken that create_session "
    "answered. Nothing was sent.",
)


def _local_error(
    status: int,
    error: tuple[str, str, str | None],
    details: list[ValidationErrorDetail] | None = None,
    secrets: Sequence[str] = (),
) -> PrimerAPIError:
    """The error the server would answer, raised before sending (`local=True`).

    `secrets` (the client's API keys) are redacted from it as from the server's answers:
    a body may hold the key where it does not belong (`{"currencyCode": key}`), and the
    error quotes what it refuses."""
    body = error_body(
        error[0],
        error[1],
        recovery_suggestion=error[2],
        diagnostics_id="",
        validation_errors=details,
    )
    del body["error"]["diagnosticsId"]  # nothing was sent, so nothing to diagnose
    safe: Any = redact_json_each(body, secrets)  # type: ignore[arg-type]  # the body is JSON
    return error_from_response(status, safe, local=True)


def redaction_secrets(client: object) -> tuple[str, ...]:
    """What must never be shown of `client`'s work, longest first: its API key, and
    PRIMER_API_KEY, which a client given `emulator=` reads but never sends. For the
    modules that show what a client did (batch errors, widget tracebacks); any object
    with `settings.api_key` will do."""
    if isinstance(client, _BaseClient):
        return client._secrets
    key = getattr(getattr(client, "settings", None), "api_key", None)
    return _secrets_with_env(key if isinstance(key, str) else None)


def _secrets_with_env(api_key: str | None) -> tuple[str, ...]:
    """`api_key` and PRIMER_API_KEY, longest first (`redact_each`, `redact_json_each`)."""
    return tuple(longest_first([api_key or "", env_var("PRIMER_API_KEY") or ""]))


def _type_name(value: object) -> str:
    return type(value).__name__


def _keys_hidden(check: Callable[[], _R], secrets: Sequence[str]) -> _R:
    """`check()`, its `TypeError` or `ValueError` raised again with the keys in its text
    as `***`: the value it shows back may be the key itself, passed in the wrong place
    (`PrimerClient(key, timeout=key)`, `add_hook(key)`). The new error is raised outside
    the handler, so it does not carry the first one as its context either."""
    try:
        return check()
    except (TypeError, ValueError) as exc:
        text = str(exc)
        hidden = redact_each(text, secrets)
        if hidden == text:
            raise
        error = (TypeError if isinstance(exc, TypeError) else ValueError)(hidden)
    raise error


def _check_hook(hook: object, where: str) -> None:
    """Refuse what cannot be a hook, naming `where`: not callable, or an `async def`,
    which would be called and never awaited (its exchanges silently lost)."""
    if not callable(hook):
        shown = f"{_type_name(hook)} {hook!r}"[:300]
        raise TypeError(f"{where} must be a callable that takes an Exchange, not {shown}")
    import inspect  # here: only a client's construction needs it

    if inspect.iscoroutinefunction(hook) or (
        not inspect.isroutine(hook) and inspect.iscoroutinefunction(hook.__call__)
    ):  # an async function, or an object with `async def __call__`
        raise TypeError(
            f"{where} is an async function: hooks are called, not awaited, by both clients "
            "(its exchanges would be lost); give a plain function, which may hand the "
            "exchange to a queue or a task of yours"
        )


def _check_client_arguments(
    emulator: object,
    timeout: object,
    max_retries: object,
    validate: object,
    allow_production: object,
    hooks: object,
) -> list[Hook]:
    """Refuse a client argument of the wrong type, naming the parameter and the rule,
    before httpx or a comparison fails on it with a message that names neither. The
    hooks come back as a list (an iterator is read once)."""
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real | Decimal):
        hint = ""
        if timeout is None:
            hint = " (there is no 'no timeout': pass a large number such as 600)"
        elif isinstance(timeout, httpx.Timeout):
            hint = " (an httpx.Timeout is not taken: pass its seconds, e.g. timeout=5)"
        raise TypeError(
            f"timeout must be a positive number of seconds, not {_type_name(timeout)}"
            f" {timeout!r}{hint}"
        )
    if not 0 < float(timeout) <= MAX_TIMEOUT:  # NaN too: every comparison with it is false
        raise ValueError(
            f"timeout must be a positive number of seconds, at most {MAX_TIMEOUT:,.0f} "
            f"(about 31 years), not {timeout!r}"
        )
    whole_number(
        "max_retries", max_retries, minimum=0, rule="a whole number of retries >= 0 (e.g. 2)"
    )
    true_or_false("validate", validate)
    true_or_false("allow_production", allow_production)
    if (
        callable(hooks)
        or isinstance(hooks, (str, bytes, Mapping))
        or not isinstance(hooks, Iterable)
    ):
        hint = (
            f" (for one hook: hooks=[{getattr(hooks, '__name__', 'hook')}])"
            if callable(hooks)
            else ""
        )
        raise TypeError(f"hooks must be a list of callables, not {_type_name(hooks)}{hint}")
    listed: list[Hook] = list(hooks)
    for index, hook in enumerate(listed):
        _check_hook(hook, f"hooks[{index}]")
    if emulator is not None and not (
        callable(getattr(emulator, "transport", None))
        and callable(getattr(emulator, "async_transport", None))
    ):
        # checked by what a client uses (`transport()`, `async_transport()`), so a
        # stand-in made for a test still works, and without importing the emulator
        raise TypeError(
            "emulator must be an Emulator (from primer_nb.emulator import Emulator; "
            f"emulator=Emulator()), not {_type_name(emulator)}"
        )
    return listed


class _BaseClient(ABC, Generic[_T]):
    """Everything `PrimerClient` and `AsyncPrimerClient` share: their arguments, settings
    and hooks (each adds only its I/O).

    **Parameters** (all but `api_key` by keyword):

    * **api_key** - your API key; default `PRIMER_API_KEY`. With one, requests go to
      Primer's sandbox; without, to the in-process emulator (`primer_nb.config`).
    * **environment** - `"emulator"`, `"sandbox"` or `"production"`; default `PRIMER_ENV`.
    * **api_version** - the `X-API-VERSION` sent; default `PRIMER_API_VERSION`, else `"2.4"`.
    * **base_url** - another server, such as the URL `primer-nb emulator` prints; default
      `PRIMER_BASE_URL`.
    * **allow_production** - must be True, with `environment="production"`, to reach
      Primer's production API.
    * **emulator** - an `Emulator` to talk to in-process (it wins over the variables).
    * **transport** - an httpx transport (tests, mocks); closing the client (`close()`,
      `aclose()`, the end of its `with` block) closes it too.
    * **timeout** - seconds to wait for an answer (default 30).
    * **max_retries** - further attempts after a failure worth retrying (default 2; the
      module's "Retries" table: POST and PATCH only when nothing was sent).
    * **validate** - check request bodies against the models before sending (default True).
    * **hooks** - callables that get an `Exchange` for each attempt (the ledger's `record`).

    Read-only: `settings`, `environment`, `base_url`, `api_version`, `emulator`, `hooks`;
    `add_hook(hook)` and `remove_hook(hook)` change the hooks.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        environment: str | None = None,
        api_version: str | None = None,
        base_url: str | None = None,
        allow_production: bool = False,
        emulator: Emulator | None = None,
        transport: _T | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        validate: bool = True,
        hooks: Iterable[Hook] = (),
    ) -> None:
        hooks = _keys_hidden(
            lambda: _check_client_arguments(
                emulator, timeout, max_retries, validate, allow_production, hooks
            ),
            _secrets_with_env(api_key if isinstance(api_key, str) else None),
        )
        # a numpy number or a Decimal (from a DataFrame, a config file) as the plain type
        timeout, max_retries = float(timeout), int(max_retries)
        _load_models()
        environ: Mapping[str, str] | None = None
        if emulator is not None:
            # An explicit emulator wins over PRIMER_ENV / PRIMER_BASE_URL / PRIMER_API_KEY:
            # a real key is never sent to it by accident.
            environment = environment or "emulator"
            version = env_var("PRIMER_API_VERSION")
            environ = {"PRIMER_API_VERSION": version} if version else {}
        self._settings: Settings = resolve_settings(
            api_key=api_key,
            environment=environment,
            api_version=api_version,
            base_url=base_url,
            allow_production=allow_production,
            environ=environ,
        )
        if emulator is not None and not self._settings.in_process:
            raise ConfigurationError("emulator= cannot be combined with a base_url or environment")
        self._setup(emulator, transport, timeout, max_retries, validate, hooks)

    def _setup(
        self,
        emulator: Emulator | None,
        transport: _T | None,
        timeout: float,
        max_retries: int,
        validate: bool,
        hooks: Iterable[Hook],
    ) -> None:
        """Everything after the settings are resolved (`_settings`), down to `_open`."""
        #: What is redacted from everything the client shows, longest first: its key, and
        #: PRIMER_API_KEY too, which a client given `emulator=` reads but never sends.
        self._secrets: tuple[str, ...] = _secrets_with_env(self._settings.api_key)
        # so that a model's repr, a session card or a snippet showing a body that holds
        # this key show `***` (models.shown_secrets); the emulator's published default
        # key is no secret
        remember_secrets([key for key in self._secrets if key != EMULATOR_KEY])
        if self._settings.in_process and transport is None:
            emulator = emulator or _default_emulator()
        self._emulator = emulator if self._settings.in_process else None
        self.timeout = timeout
        self.max_retries = max_retries
        self.validate = validate
        self._hooks: list[Hook] = list(hooks)
        self._random: Callable[[], float] = random.random
        self._safe_header_cache: dict[tuple[tuple[bytes, bytes], ...], dict[str, str]] = {}
        #: `base_url` + `/client-session`, made once by `_open` (httpx's own merge)
        self._session_url: httpx.URL
        self._transport_given = transport is not None
        self._opened_in = _forks[0]
        self._open(transport, self._emulator)

    @classmethod
    def _like(cls, other: _BaseClient[Any]) -> Self:
        """A new client with `other`'s settings as resolved (key, environment, URL, API
        version), emulator, timeout, retries, checks and hooks (shared: the same list), and
        a connection pool of its own. Its settings are copied, not resolved again, so
        `PRIMER_*` variables set since do not change where it sends or with which key. A
        `transport=` given to `other` is not copied: the caller decides whether to share it."""
        twin = cls.__new__(cls)
        twin._settings = other._settings
        twin._setup(other._emulator, None, other.timeout, other.max_retries, other.validate, ())
        # The same list, not a copy: a hook added or removed on either is on both, so a
        # ledger detached from (or closed for) the client mid-batch stops the twin too.
        twin._hooks = other._hooks
        return twin

    def _after_fork(self) -> None:
        """In a forked child: a new pool (the parent's sockets stay the parent's). A
        transport the caller made is theirs to manage, and is kept."""
        self._opened_in = _forks[0]
        if not self._transport_given:
            self._open(None, self._emulator)  # the parent's pool is left to the parent

    @abstractmethod
    def _open(self, transport: _T | None, emulator: Emulator | None) -> None:
        """Create the httpx client (and set `_sleep`)."""

    # --- configuration, read-only -------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The resolved `Settings` (its repr leaves the key out)."""
        return self._settings

    @property
    def environment(self) -> str:
        """`emulator`, `sandbox` or `production`."""
        return self._settings.environment

    @property
    def base_url(self) -> str:
        """Where requests go, e.g. `https://api.sandbox.primer.io`."""
        return self._settings.base_url

    @property
    def api_version(self) -> str:
        """The `X-API-VERSION` header sent with every request."""
        return self._settings.api_version

    @property
    def emulator(self) -> Emulator | None:
        """The in-process `Emulator` answering this client, or None."""
        return self._emulator

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """The hooks called with every `Exchange`, in order."""
        return tuple(self._hooks)

    def add_hook(self, hook: Hook) -> None:
        """Call `hook(exchange)` after every HTTP attempt (a plain callable, not `async`)."""
        _keys_hidden(lambda: _check_hook(hook, "hook"), self._secrets)
        self._hooks.append(hook)

    def remove_hook(self, hook: Hook) -> None:
        """Stop calling `hook` (ValueError when it was not added)."""
        self._hooks.remove(hook)

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(environment={s.environment!r}, base_url={s.base_url!r}, "
            f"api_version={s.api_version!r}, api_key={s.api_key_hint!r})"
        )

    # --- building calls -----------------------------------------------------------------

    def _http_options(self) -> _HttpOptions:
        """What both httpx clients are made with, besides the transport: the client's own
        headers go on every request as the httpx client's defaults."""
        return {
            "base_url": self.base_url,
            "headers": self._headers(),
            "timeout": httpx.Timeout(self.timeout),
            "limits": _POOL_LIMITS,
        }

    def _headers(self) -> dict[str, str]:
        headers = {
            "X-API-VERSION": self._settings.api_version,
            "Content-Type": "application/json",
            "User-Agent": f"primer-nb/{__version__}",
        }
        if self._settings.api_key:
            headers["X-API-KEY"] = self._settings.api_key
        return headers

    def _body(self, data: Any, model: type[pydantic.BaseModel], validate: bool | None) -> Any:
        """The JSON body to send for `data`, checked against `model` unless told not to.

        Called from the public method's own frame, so warnings point at the user's line.
        """
        if isinstance(data, pydantic.BaseModel):
            data = data.model_dump(mode="json", by_alias=True, exclude_unset=True)
        elif isinstance(data, Mapping):
            data = dict(data)
        if not (self.validate if validate is None else validate):
            return data
        name = getattr(model, "__primer_schema__", "") or model.__name__
        if nested_too_deep(data):  # the emulator's 400, before pydantic's recursion limit
            raise _local_error(400, NESTED_TOO_DEEP)
        _, details, unknown_keys = check_request_keys(data, model)
        if details:
            raise _local_error(422, REQUEST_VALIDATION, details, self._secrets)
        if metadata_has_empty_key(data):
            raise _local_error(400, METADATA_EMPTY_KEY)
        for unknown in unknown_keys:
            warnings.warn(
                UnknownFieldWarning(
                    self._redact(f"{unknown.message(name)}; it is sent as written")
                ),
                stacklevel=4,
            )
        return data

    def _create_call(self, request: Any, validate: bool | None) -> _Call:
        body = self._body(request, ClientSessionRequest, validate)
        return _Call("POST", SESSION_PATH, json_body=body, url=self._session_url)

    def _update_call(self, client_token: str, changes: Any, validate: bool | None) -> _Call:
        _check_token_type(client_token)
        # first: the key's own suggestion, and before the warning below shows the argument
        _refuse_the_key(client_token, self._secrets)
        if isinstance(changes, pydantic.BaseModel):
            changes = changes.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if isinstance(changes, Mapping):
            other = changes.get("clientToken", client_token)
            if other != client_token:  # the argument names the session: say the body's is unused
                # the key, or a key with a newline or a space around it, is never shown
                secrets = longest_first([*self._secrets, *remembered_secrets()])
                shown = _shown(redact_each(other, secrets) if isinstance(other, str) else other)
                warnings.warn(
                    f"changes['clientToken'] ({shown}) is not the client_token "
                    f"argument ({_shown(client_token)}); the argument's session is updated",
                    stacklevel=3,
                )
            rest = {k: v for k, v in changes.items() if k != "clientToken"}
            changes = {"clientToken": client_token, **rest}
        if self.validate if validate is None else validate:
            _check_token(client_token)
        body = self._body(changes, ClientSessionUpdateRequest, validate)
        return _Call("PATCH", SESSION_PATH, json_body=body, url=self._session_url)

    def _get_call(self, client_token: str) -> _Call:
        _check_token_type(client_token)
        _refuse_the_key(client_token, self._secrets)
        _check_token(client_token)
        return _Call(
            "GET", SESSION_PATH, params={"clientToken": client_token}, url=self._session_url
        )

    def _raw_call(
        self,
        method: str,
        path: str,
        json_body: Any,
        content: bytes | str | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> _Call:
        parts = urlsplit(path)
        if parts.scheme or parts.netloc:
            # httpx would send a URL as it is, with the client's headers: the key with them
            raise ValueError(
                "path must be a path such as '/client-session', not a URL: the client "
                f"sends only to its base_url ({self.base_url}), with its key"
            )
        if json_body is not None and content is not None:
            raise TypeError("pass json= or content=, not both: only one body is sent")
        # The key in the URL would be printed by servers and by httpx's INFO log line; in
        # another header, sent where no redaction knows to look. Its own header is X-API-KEY.
        places = [("path", path)]
        # as httpx reads them (a mapping, or a list of pairs), and sends them
        query = httpx.QueryParams(params) if params is not None else None
        pairs = query.multi_items() if query is not None else []
        places += [(f"params[{k!r}]", f"{k}={v}") for k, v in pairs]
        raw = httpx.Headers(headers).raw if headers is not None else []  # names as given
        places += [
            (f"headers[{k.decode('latin-1')!r}]", f"{k.decode('latin-1')}: {v.decode('latin-1')}")
            for k, v in raw
            if k.lower() != b"x-api-key"
        ]
        for where, text in places:
            if self._redact(text) != text:  # a short key (`demo`) only where it stands alone
                raise ValueError(  # `where` names a header or parameter: the key, perhaps
                    f"{self._redact(where)} holds the API key: it would be printed with the "
                    "URL or sent "
                    "outside X-API-KEY; the client sends the key as X-API-KEY itself. "
                    "Nothing was sent."
                )
        return _Call(
            method.upper(),
            path,
            params=query,
            json_body=json_body,
            content=content,
            headers=headers,
        )

    def _next_request(self, call: _Call, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """Start the next attempt of `call`: a fresh request, timed from now."""
        call.attempt += 1
        call.started_at = datetime.now(UTC)
        call.clock = time.perf_counter()
        # The client's own headers are the httpx client's defaults (set once by `_open`),
        # the path's URL is ready when it is the typed methods' one, and the JSON is
        # encoded here as httpx would (same bytes, same errors): together a third of
        # the cost of `build_request(path, json=..., headers=...)`.
        return http.build_request(
            call.method,
            call.path if call.url is None else call.url,
            params=call.params,
            content=(
                call.content
                if call.json_body is None
                else _json_bytes(call.json_body, self._secrets)
            ),
            headers=call.headers,
        )

    # --- after each attempt -------------------------------------------------------------

    def _settle(
        self, call: _Call, request: httpx.Request, outcome: httpx.Response | httpx.TransportError
    ) -> httpx.Response | float:
        """Report an attempt; the final response, or seconds to wait before the next try.

        Raises `PrimerConnectionError` (or `PrimerTimeoutError`) when a transport
        failure is final.
        """
        duration_ms = (time.perf_counter() - call.clock) * 1000
        self._report(call, request, outcome, duration_ms)
        reason = self._retry_reason(call.method, outcome)
        if reason is None or call.attempt > self.max_retries:
            if isinstance(outcome, httpx.TransportError):
                raise self._transport_error(call, outcome)
            return outcome
        delay = self._delay(call.attempt, outcome)
        logger.warning(
            "Retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
            call.method,
            call.path,
            delay,
            call.attempt,
            self.max_retries + 1,
            reason,
        )
        return delay

    def _retry_reason(
        self, method: str, outcome: httpx.Response | httpx.TransportError
    ) -> str | None:
        """Why this outcome deserves another attempt, or None when it is final."""
        if isinstance(outcome, httpx.Response):
            status = outcome.status_code
            # POST and PATCH are never sent again once answered (behaviour.md §4): Primer
            # documents no 429, so nothing says one was refused before processing.
            if status in _RETRY_STATUSES and method in _SAFE_METHODS:
                hint = _retry_after(outcome)
                if hint is not None and hint > RETRY_AFTER_CAP:
                    return None  # the caller decides whether to wait that long
                return f"HTTP {status}"
            return None
        if isinstance(outcome, _NOT_SENT) or (
            method in _SAFE_METHODS and isinstance(outcome, _TRANSIENT)
        ):
            return self._redact(f"{type(outcome).__name__}: {outcome}")
        return None

    def _delay(self, attempt: int, outcome: httpx.Response | httpx.TransportError) -> float:
        """Seconds before the next attempt: `Retry-After`, else backoff with full jitter."""
        if isinstance(outcome, httpx.Response):
            hint = _retry_after(outcome)
            if hint is not None:  # at most RETRY_AFTER_CAP: `_retry_reason` stops past it
                return hint
        ceiling: float = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return self._random() * ceiling

    def _redact(self, text: str) -> str:
        return redact_each(text, self._secrets)

    def _transport_error(self, call: _Call, exc: httpx.TransportError) -> PrimerConnectionError:
        cls = (
            PrimerTimeoutError if isinstance(exc, httpx.TimeoutException) else PrimerConnectionError
        )
        attempts = f"{call.attempt} attempt{'s' if call.attempt > 1 else ''}"
        # httpx's async timeouts carry no text; its cause (from the network layer) has one
        detail = str(exc) or str(exc.__cause__ or "") or "no detail given"
        sent = not isinstance(exc, _NEVER_LEFT)
        got, name = "got no answer", type(exc).__name__
        if isinstance(exc, _UndecodableAnswer):
            got, name = "got no answer it could read", "DecodingError"
        error = cls(
            self._redact(
                f"{call.method} {call.path} to {self.base_url} {got} after {attempts}: "
                f"{name}: {detail}. {self._next_step(exc, detail, call, sent)}"
            )
        )
        error.sent = sent
        return error

    def _next_step(self, exc: Exception, detail: str, call: _Call, sent: bool) -> str:
        """What to do about a request that got no answer: one sentence."""
        if sent:
            made = "a session" if call.method == "POST" else "the change"
            may = "" if call.method == "GET" else f"; {made} may have been made all the same"
            if isinstance(exc, httpx.TimeoutException):
                return f"The client stopped waiting{may} (pass timeout= to wait longer)."
            if isinstance(exc, _UndecodableAnswer):
                return f"The server answered with a body that could not be decoded{may}."
            return f"The connection closed before the answer came{may}."
        if isinstance(exc, httpx.ProxyError):
            return "Check the proxy this machine uses (HTTPS_PROXY, HTTP_PROXY) and its login."
        if isinstance(exc, httpx.PoolTimeout):
            return (
                "Every connection of the client's pool was busy for the whole timeout: send "
                "fewer requests at once, or pass a larger timeout=."
            )
        if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
            return "httpx could not write this request: check the URL and headers passed."
        if "WRONG_VERSION_NUMBER" in detail:
            proxy = any(env_var(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"))
            if proxy or self.environment != "emulator":
                return (
                    "Something on the way speaks plain http, not https: a proxy that does is "
                    "written http:// in HTTPS_PROXY."
                )
            return "The server there speaks plain http, not https: use an http:// URL."
        lookup = ("Name or service not known", "name resolution", "nodename nor servname")
        if any(text in detail for text in lookup) or self.environment != "emulator":
            return f"Check this machine's network connection (and any proxy) to {self.base_url}."
        return "Is the server running at that address? (`primer-nb emulator` prints its URL.)"

    def _safe_headers(self, headers: httpx.Headers) -> dict[str, str]:
        """Headers as sent (original casing), with the key as `***`.

        The client sends the same few header lists over and over (its own headers and a
        body length): each is made safe once and copied after that.
        """
        raw = tuple(headers.raw)
        known = self._safe_header_cache.get(raw)
        if known is not None:
            return dict(known)
        safe: dict[str, str] = {}
        for raw_name, raw_value in raw:
            name = raw_name.decode("latin-1")
            value = raw_value.decode("latin-1")
            safe[name] = REDACTED if name.lower() == "x-api-key" else self._redact(value)
        if len(self._safe_header_cache) >= _SAFE_HEADER_CACHE_SIZE:
            self._safe_header_cache.clear()
        self._safe_header_cache[raw] = safe
        return dict(safe)

    def _closed(self, block: str, method: str, call: _Call | None = None) -> RuntimeError:
        """The error for a call on a closed client, raised before anything is made or sent.

        No hook hears of it: no attempt was made, so the ledger records nothing, and a
        batch resume sends the row (httpx's own "client has been closed" came from inside
        the attempt, and was reported as an answer the server may have processed). Closed
        between a call's attempts (a GET waiting to retry): no further attempt was made,
        and the earlier ones were reported as they came.
        """
        sent = (
            "no further attempt was made (the hooks have the earlier ones)"
            if call is not None and call.attempt
            else "nothing was sent"
        )
        return RuntimeError(
            f"this {type(self).__name__} was closed (its `{block}` block ended, or "
            f"{method} was called), so {sent}; make a new client"
        )

    def _abandoned(self, call: _Call, request: httpx.Request, reason: BaseException) -> None:
        """Report an attempt whose answer was never read, then let `reason` go on.

        The caller was cancelled (`asyncio.CancelledError`: a batch stopped, a timeout
        around the call) or interrupted (`KeyboardInterrupt`) while the request was in
        flight, so the server may have processed it. Hooks see an `Exchange` without a
        status whose error says so: the ledger records it, and a batch resume treats
        the order as `OutcomeUnknown` instead of sending it again unasked.
        """
        duration_ms = (time.perf_counter() - call.clock) * 1000
        self._report(call, request, reason, duration_ms)

    def _report(
        self,
        call: _Call,
        request: httpx.Request,
        outcome: httpx.Response | BaseException,
        duration_ms: float,
    ) -> None:
        """Log the attempt at DEBUG and hand an `Exchange` to every hook."""
        response = outcome if isinstance(outcome, httpx.Response) else None
        error = None
        if response is None:
            detail = (
                str(outcome)
                if isinstance(outcome, httpx.TransportError)
                else "the call stopped before its answer was read; the server may have "
                "processed the request"
            )
            error = self._redact(f"{type(outcome).__name__}: {detail}")
        path = call.path if call.url is not None else self._redact(call.path)  # request()'s
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s (%.1f ms) attempt %d; request %s; headers %s",
                call.method,
                path,
                response.status_code if response else error,
                duration_ms,
                call.attempt,
                call.request_id,
                self._safe_headers(request.headers),
            )
        if not self._hooks:
            return
        request_body, request_json = _redacted_json(request.content, self._secrets)
        response_body, response_json = (
            _redacted_json(response.content, self._secrets) if response else (None, None)
        )
        exchange = Exchange(
            started_at=call.started_at,
            duration_ms=duration_ms,
            environment=self._settings.environment,
            api_version=self._settings.api_version,
            method=call.method,
            path=path,
            query=(
                {self._redact(k): self._redact(v) for k, v in request.url.params.items()}
                if request.url.query
                else {}
            ),
            request_body=request_body,
            status=response.status_code if response else None,
            response_body=response_body,
            error_id=_error_id(response_body) if response and response.is_error else None,
            attempt=call.attempt,
            error=error,
            request_id=call.request_id,
            request_headers=self._safe_headers(request.headers),
            request_json=request_json,
            response_json=response_json,
        )
        interrupt: BaseException | None = None
        for hook in list(self._hooks):
            try:
                returned = hook(exchange)
                if returned is not None and hasattr(returned, "__await__"):  # async after all
                    import inspect

                    if not inspect.iscoroutine(returned):  # a Task or Future runs by itself
                        continue
                    returned.close()  # no "never awaited" warning at some later time
                    raise TypeError(
                        "it returned an awaitable, which is never awaited: hooks are called, "
                        "not awaited, so this exchange was not handled"
                    )
            except Exception as exc:
                logger.warning(
                    "Hook %s failed and was skipped: %s",
                    getattr(hook, "__qualname__", type(hook).__name__),
                    self._redact(f"{type(exc).__name__}: {exc}"),
                )
            except BaseException as exc:
                # Ctrl-C while a slow hook runs (a display): the later hooks still get the
                # exchange, the ledger among them (`attach` appends it), or a POST the
                # server answered would be in no ledger, and a resume would send it again.
                if interrupt is None:
                    interrupt = exc
        if interrupt is not None:
            raise interrupt

    # --- answers ------------------------------------------------------------------------

    def _parse(self, response: httpx.Response, model: type[_M]) -> _M:
        """The response as `model`, or the `PrimerAPIError` it stands for."""
        status = response.status_code
        if not response.is_success:
            body = redact_json_each(_decode(response.content), self._secrets)
            error = error_from_response(status, body, retry_after=_retry_after(response))
            if isinstance(error, AuthenticationError) and self._settings.default_key:
                # an emulator with keys of its own refused the default key: say which went
                error.hint = (
                    DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT
                    if self._settings.in_process
                    else DEFAULT_KEY_REFUSED_HINT
                )
                error.args = (str(error),)
            elif (
                isinstance(error, NotFoundError)
                and urlsplit(self.base_url).path not in ("", "/")  # `.../v1`: a path too many
                and (url := response.request.url.copy_with(query=None)) == self._session_url
            ):
                # the API's own path answers GET, POST and PATCH: the base URL is wrong
                error.hint = self._redact(
                    f"{url} is not the Client Session API: check the base URL "
                    f"({self.base_url}, from base_url= or PRIMER_BASE_URL), the server's "
                    "address without /client-session, such as http://127.0.0.1:8010"
                )
                error.args = (str(error),)
            raise error
        invalid: PrimerAPIError | None = None
        try:
            # pydantic reads the JSON itself: one pass, no intermediate dicts
            parsed = model.model_validate_json(response.content)
        except ValueError as exc:  # JSON decoding and pydantic errors are ValueErrors
            shown = response.text  # in the charset the answer names (else UTF-8)
            if "\x00" in shown:  # UTF-16 or UTF-32 JSON, which pydantic does not read
                shown = _text(response.content)
            text = self._redact(shown)[:200]  # redacted whole: a cut key is no match
            not_json = not isinstance(exc, pydantic.ValidationError) or any(
                e["type"] == "json_invalid" for e in exc.errors()
            )
            what = "is not JSON" if not_json else f"is not a valid {model.__name__}"
            invalid = PrimerAPIError(
                status,
                "InvalidResponse",
                f"The server answered {status} with a body that {what}: {text!r}",
                body={"raw": text},
            )
        if invalid is not None:
            # raised out of the `except`, so pydantic's error (its input may echo the
            # key) is not kept as `__context__`: `from None` only hides it from tracebacks
            raise invalid
        from primer_nb.display import remember_backend_clock  # for the session card

        clock = getattr(self._emulator, "clock", None)  # the in-process emulator's, read live
        if clock is not None:
            remember_backend_clock(parsed, clock.now, None)
        else:
            remember_backend_clock(parsed, None, response.headers.get("date"))
        return parsed


class PrimerClient(_BaseClient[httpx.BaseTransport]):
    """A synchronous client for Primer's Client Session API.

    ```python
    client = PrimerClient()                       # in-process emulator
    client = PrimerClient(api_key="...")          # Primer sandbox (or set PRIMER_API_KEY)
    session = client.create_session({"orderId": "o-1", "currencyCode": "GBP", "amount": 500})
    session.client_token
    ```

    Use it as a context manager, or call `close()` when done.
    """

    _http: httpx.Client
    _sleep: Callable[[float], None]

    def _open(self, transport: httpx.BaseTransport | None, emulator: Emulator | None) -> None:
        if transport is None and emulator is not None:
            transport = emulator.transport()
        self._http = _SyncHttp(transport=transport, **self._http_options())
        self._session_url = self._http.build_request("GET", SESSION_PATH).url
        self._sleep = time.sleep

    def create_session(
        self,
        request: ClientSessionRequest | Mapping[str, object],
        *,
        validate: bool | None = None,
    ) -> ClientSessionWithToken:
        """`POST /client-session`: a new client session and its client token.

        ```python
        session = client.create_session(ClientSessionRequest(order_id="o-1", amount=100))
        session.client_token_expiration_date      # aware UTC datetime
        ```
        """
        call = self._create_call(request, validate)
        return self._parse(self._send(call), ClientSessionWithToken)

    def get_session(self, client_token: str) -> ClientSession:
        """`GET /client-session?clientToken=...`: the session as it stands now."""
        return self._parse(self._send(self._get_call(client_token)), ClientSession)

    def update_session(
        self,
        client_token: str,
        changes: ClientSessionUpdateRequest | Mapping[str, object],
        *,
        validate: bool | None = None,
    ) -> ClientSession:
        """`PATCH /client-session`: apply `changes`; the answer is the whole session.

        ```python
        client.update_session(token, {"order": {"lineItems": [{"amount": 250}]}})
        ```
        """
        call = self._update_call(client_token, changes, validate)
        return self._parse(self._send(call), ClientSession)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        content: bytes | str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send anything and get the raw `httpx.Response`: no checks of the body, no raising
        on status.

        Hooks, logging, redaction and retries (by the table in this module's docstring)
        still apply; a request that gets no answer at all still raises
        `PrimerConnectionError`. Refused before sending: a full URL as `path`, the API key
        anywhere but the client's own `X-API-KEY` header (the path, `params`, a header),
        and `json=` together with `content=`.

        ```python
        client.request("POST", "/client-session", content=b"{not json").status_code  # 400
        ```
        """
        return _hide_key(self._send(self._raw_call(method, path, json, content, params, headers)))

    def _send(self, call: _Call) -> httpx.Response:
        if self._opened_in != _forks[0]:
            self._after_fork()
        while True:
            if self._http.is_closed:
                raise self._closed("with", "close()", call)
            request = self._next_request(call, self._http)
            try:
                outcome = self._transmit(request)
            except BaseException as exc:  # interrupted while waiting for the answer
                self._abandoned(call, request, exc)
                raise
            step = self._settle(call, request, outcome)
            if isinstance(step, httpx.Response):
                return step
            self._sleep(step)

    def _transmit(self, request: httpx.Request) -> httpx.Response | httpx.TransportError:
        try:
            return self._http.send(request)
        except httpx.TransportError as exc:
            return exc
        except httpx.DecodingError as exc:
            return _UndecodableAnswer(str(exc), request=request)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncPrimerClient(_BaseClient[httpx.AsyncBaseTransport]):
    """The asynchronous twin of `PrimerClient`: same arguments, awaitable methods.

    ```python
    async with AsyncPrimerClient() as client:
        session = await client.create_session({"orderId": "o-1", "amount": 500})
        await client.get_session(session.client_token)
    ```

    Its connections belong to the event loop they were opened on: close them with
    `async with` or `await client.aclose()`. A client left open has them closed when
    `asyncio.run` (or `asyncio.Runner`) ends its loop, or, dropped on a loop that keeps
    running (a notebook's), on that loop (not those of a `transport=` you pass). Used
    from a new loop once that one is closed (a second `asyncio.run`), it opens a new
    pool; used from a second loop while the first is not closed (another thread's, or
    one left open), it raises `RuntimeError` before sending. Make one client per event
    loop.
    """

    _http: httpx.AsyncClient
    _sleep: Callable[[float], Awaitable[None]]
    #: the event loop the pool's connections belong to (a weak reference), once used
    _loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None
    #: `_close_at_shutdown` for that loop, started on first use (None: none to start)
    _closer: AsyncIterator[None] | None = None
    _closer_started = False

    def _open(self, transport: httpx.AsyncBaseTransport | None, emulator: Emulator | None) -> None:
        if transport is None and emulator is not None:
            transport = emulator.async_transport()
        self._loop = None
        self._http = _AsyncHttp(transport=transport, **self._http_options())
        self._session_url = self._http.build_request("GET", SESSION_PATH).url
        import asyncio  # here, not at the top: only the async client needs it

        self._sleep = asyncio.sleep

    async def create_session(
        self,
        request: ClientSessionRequest | Mapping[str, object],
        *,
        validate: bool | None = None,
    ) -> ClientSessionWithToken:
        """`POST /client-session`; see `PrimerClient.create_session`."""
        call = self._create_call(request, validate)
        return self._parse(await self._send(call), ClientSessionWithToken)

    async def get_session(self, client_token: str) -> ClientSession:
        """`GET /client-session?clientToken=...`; see `PrimerClient.get_session`."""
        return self._parse(await self._send(self._get_call(client_token)), ClientSession)

    async def update_session(
        self,
        client_token: str,
        changes: ClientSessionUpdateRequest | Mapping[str, object],
        *,
        validate: bool | None = None,
    ) -> ClientSession:
        """`PATCH /client-session`; see `PrimerClient.update_session`."""
        call = self._update_call(client_token, changes, validate)
        return self._parse(await self._send(call), ClientSession)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        content: bytes | str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send anything; see `PrimerClient.request`."""
        call = self._raw_call(method, path, json, content, params, headers)
        return _hide_key(await self._send(call))

    def _on_this_loop(self) -> None:
        """Bind the pool to the running event loop on first use; on another loop, a new
        pool when the first loop is closed (`asyncio.run` twice, a notebook then a
        script), else a clear error before anything is sent. A connection belongs to the
        loop it was opened on: used from another, the request was written, the session
        created, and reading its answer failed, so the client token was lost."""
        if self._transport_given or self._emulator is not None:
            return  # a transport of yours is yours; the in-process emulator has no sockets
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not None:
            if self._loop() is loop:
                return
            if not self._bound_loop_closed(loop):
                raise RuntimeError(
                    f"this {type(self).__name__} was used on another event loop that is not "
                    "closed (another thread's, or one left open): its connections belong to "
                    "that loop. Make one client per event loop. Nothing was sent."
                )
            if not self._http.is_closed:
                # the old loop is closed: its connections cannot be used or closed from here
                # (closed when it shut down, if `asyncio.run` ran it: `_close_at_shutdown`)
                self._open(None, None)
        self._loop = weakref.ref(loop)
        self._closer, self._closer_started = _close_at_shutdown(self._http), False

    async def _send(self, call: _Call) -> httpx.Response:
        if self._opened_in != _forks[0]:
            self._after_fork()
        self._on_this_loop()
        if self._closer is not None and not self._closer_started:
            self._closer_started = True  # kept referenced: collected, it would close the pool
            await anext(self._closer)  # asyncio now knows it, and closes it at shutdown
        while True:
            if self._http.is_closed:
                raise self._closed("async with", "aclose()", call)
            request = self._next_request(call, self._http)
            try:
                outcome = await self._transmit(request)
            except BaseException as exc:  # cancelled while waiting for the answer
                self._abandoned(call, request, exc)
                raise
            step = self._settle(call, request, outcome)
            if isinstance(step, httpx.Response):
                return step
            await self._sleep(step)

    async def _transmit(self, request: httpx.Request) -> httpx.Response | httpx.TransportError:
        try:
            return await self._http.send(request)
        except httpx.TransportError as exc:
            return exc
        except httpx.DecodingError as exc:
            return _UndecodableAnswer(str(exc), request=request)

    async def aclose(self) -> None:
        """Close the connection pool."""
        import asyncio

        if self._bound_loop_closed(asyncio.get_running_loop()):
            # its connections belong to a loop that is closed: they cannot be closed from
            # this one (they are dropped); a fresh pool is closed instead
            self._open(None, None)
        await self._http.aclose()

    def _bound_loop_closed(self, running: asyncio.AbstractEventLoop) -> bool:
        """True when the pool was used on another event loop, now closed or gone."""
        if self._loop is None:
            return False
        bound = self._loop()
        return bound is not running and (bound is None or bound.is_closed())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
