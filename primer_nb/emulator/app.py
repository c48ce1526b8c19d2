"""The emulator's Starlette app: `/client-session`, the admin endpoints, `/openapi.json`.

Every answer that is not a 200 is Primer's error envelope with a fresh diagnosticsId,
including unknown paths (404 `NotFound`), wrong methods (405 `MethodNotAllowed`) and,
should a bug slip through, 500 `InternalServerError`: no input yields a traceback or
a body of another shape. (A request HTTP cannot parse never reaches the app: the HTTP
server answers it, a plain-text 400.) Injected faults and latency apply to the API's
requests only: GET, POST and PATCH of `/client-session`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from primer_nb.config import on_this_machine
from primer_nb.emulator.faults import ConnectionDropped, Fault, fault_error, parse_faults
from primer_nb.emulator.openapi import openapi_document
from primer_nb.emulator.responses import JSONResponse, created_view, session_view
from primer_nb.emulator.validation import (
    ApiError,
    check_api_version,
    check_body,
    parse_json_object,
    read_body,
)
from primer_nb.models import ClientSessionRequest, ClientSessionUpdateRequest, format_expiry

if TYPE_CHECKING:
    from primer_nb.emulator.protocols import AppBackend

__all__ = ["API_PATH", "build_app"]

API_PATH = "/client-session"
logger = logging.getLogger("primer_nb.emulator")
Handler = Callable[["AppBackend", Request], Awaitable[Response]]


def error_response(emulator: AppBackend, error: ApiError) -> JSONResponse:
    """Primer's envelope for `error`, with a fresh 19-digit diagnosticsId."""
    body = emulator.error_body(error)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


class ClientDisconnected(Exception):
    """The client went away before its request body arrived: there is no one to answer."""


async def _answered(
    emulator: AppBackend, method: str, path: str, answer: Callable[[], Awaitable[Response]]
) -> Response:
    """`await answer()`; `ApiError` -> envelope; any other failure -> 500 envelope.

    The one place both doors (the routes and `ApiMiddleware`) turn failures into answers.
    A client gone before its body (`ClientDisconnected`) is passed on: no one to answer.
    """
    try:
        response = await answer()
    except ApiError as error:
        response = error_response(emulator, error)
    except ClientDisconnected:
        raise
    except Exception:
        logger.exception("emulator bug while answering %s %s", method, path)
        response = error_response(emulator, _internal_error())
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s %s -> %d", method, path, response.status_code)
    return response


def _guarded(emulator: AppBackend, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for `handler`, its failures answered by `_answered`."""

    async def endpoint(request: Request) -> Response:
        path = request.scope["path"]
        try:
            return await _answered(
                emulator, request.method, path, lambda: handler(emulator, request)
            )
        except ClientDisconnected:  # gone before its body: an answer for no one, no bug
            return Response(status_code=400)

    return endpoint


def _internal_error() -> ApiError:
    return ApiError(500, "InternalServerError", "The emulator failed to answer this request.")


async def _json_body(request: Request, numbers_help: str | None = None) -> dict[str, Any]:
    try:
        raw = await read_body(request.headers.get("content-length"), request.stream())
    except ClientDisconnect:  # Starlette's: logged as an emulator bug, with a traceback
        raise ClientDisconnected from None
    return parse_json_object(raw, numbers_help)


# --- /client-session ------------------------------------------------------------------


def check_headers(emulator: AppBackend, headers: Mapping[str, str]) -> str:
    """The key (403), then the version (400): the API version a request asks for.

    Both are judged from the headers, before the body is read: a request without a
    right key gets 403 whatever its body, as the admin endpoints answer it (and as a
    gateway in front of Primer's API would). `headers` holds the lower-case
    `x-api-key` and `x-api-version` when sent.
    """
    emulator.keys.check(headers.get("x-api-key"))
    return check_api_version(headers.get("x-api-version"))


def answer_api(
    emulator: AppBackend,
    method: str,
    version: str,
    client_token: str | None,
    body: dict[str, object] | None,
) -> dict[str, object]:
    """The 200 answer to `/client-session`: POST creates, GET retrieves, PATCH updates.

    `version` is what `check_headers` gave; `client_token` is GET's query parameter,
    `body` the parsed JSON object (POST and PATCH). Raises `ApiError` for any other
    answer (behaviour.md §2-§3).
    """
    if body is None:
        return session_view(emulator.find_session(client_token))
    if method == "POST":
        check_body(body, ClientSessionRequest, emulator.enabled_currencies)
        created = emulator.create_session(body, version)
        return created_view(created, emulator.tax_connection)
    check_body(body, ClientSessionUpdateRequest, emulator.enabled_currencies)
    changes = {k: v for k, v in body.items() if k != "clientToken"}
    return session_view(emulator.update_session(body.get("clientToken"), changes))


async def client_session(emulator: AppBackend, request: Request) -> Response:
    """The Starlette route of `/client-session`, for what `ApiMiddleware` passes on (HEAD)."""
    version = check_headers(emulator, request.headers)
    reading = request.method not in ("GET", "HEAD")
    body = await _json_body(request) if reading else None
    token = request.query_params.get("clientToken")
    return JSONResponse(answer_api(emulator, request.method, version, token, body))


# --- admin ----------------------------------------------------------------------------


#: Where a user reads what the admin endpoints take: the kit's own docs page (and its
#: built site, `site/docs/emulator.html`), never the spec files, which users do not have.
ADMIN_HELP = 'See "Admin endpoints" on the page How the emulator behaves (docs/emulator.md).'


#: The most `POST /_emulator/clock {"advance": s}` moves the clock at once, either way.
MAX_ADVANCE_S = 10**10


def _admin_error(description: str) -> ApiError:
    return ApiError(400, "BadRequest", description, ADMIN_HELP)


def _clock_problem(body: dict[str, object]) -> str:
    """What is wrong with a clock body, at its JSONPath: one key, `advance` a number of
    seconds or `now` ISO text."""
    keys = sorted(body)
    wanted = '{"advance": seconds} or {"now": "ISO 8601"}'
    unknown = [k for k in keys if k not in ("advance", "now")]
    if unknown:
        return f"$.{unknown[0]} is not a clock key: send {wanted}"
    if len(keys) != 1:
        return f"send one of {wanted}" + (", not both" if keys else "")
    kind = type(body[keys[0]]).__name__
    if keys == ["advance"]:
        return f"$.advance must be a number of seconds (e.g. 3600), not {kind}"
    return f'$.now must be ISO 8601 text (e.g. "2026-01-15T09:00:00Z"), not {kind}'


async def admin_clock(emulator: AppBackend, request: Request) -> Response:
    """GET -> `{"now"}`; POST `{"advance": seconds}` or `{"now": ISO}` moves the clock."""
    emulator.keys.check(request.headers.get("x-api-key"))
    if request.method == "POST":
        body = await _json_body(request, ADMIN_HELP)
        advance, now = body.get("advance"), body.get("now")
        if set(body) == {"advance"} and isinstance(advance, int | float):
            if isinstance(advance, bool) or abs(advance) > MAX_ADVANCE_S:
                raise _admin_error(
                    f"advance must be a number of seconds from -{MAX_ADVANCE_S} to "
                    f"{MAX_ADVANCE_S} (about 317 years)"
                )
            try:
                emulator.clock.advance(seconds=advance)
            except ValueError as exc:
                raise _admin_error(str(exc)) from None
        elif set(body) == {"now"} and isinstance(now, str):
            try:
                emulator.clock.set(now)
            except (ValueError, OverflowError):
                raise _admin_error("now must be an ISO 8601 date-time, 1970..9000") from None
        else:
            raise _admin_error(_clock_problem(body))
    return JSONResponse({"now": format_expiry(emulator.clock.now())})


async def admin_reset(emulator: AppBackend, request: Request) -> Response:
    """Drop sessions, faults and the clock offset."""
    emulator.keys.check(request.headers.get("x-api-key"))
    emulator.reset()
    return JSONResponse({"reset": True, "sessions": 0})


async def admin_faults(emulator: AppBackend, request: Request) -> Response:
    """GET lists waiting faults; POST `{"faults": [...]}` replaces them (`[]` clears)."""
    emulator.keys.check(request.headers.get("x-api-key"))
    if request.method == "POST":
        body = await _json_body(request, ADMIN_HELP)
        try:
            faults = parse_faults(body)
        except ValueError as exc:
            raise _admin_error(str(exc)) from None
        emulator.set_faults(faults)
    return JSONResponse({"faults": emulator.pending_faults()})


async def admin_sessions(emulator: AppBackend, request: Request) -> Response:
    """Every stored session with its client token and expiry, oldest first."""
    emulator.keys.check(request.headers.get("x-api-key"))
    return JSONResponse({"sessions": emulator.sessions()})


async def openapi(emulator: AppBackend, request: Request) -> Response:
    """The OpenAPI 3.1 document of the three operations (no key needed)."""
    return JSONResponse(openapi_document(emulator.enabled_currencies))


# --- faults, latency and framework errors --------------------------------------------


_API_HEADERS = frozenset({b"x-api-key", b"x-api-version", b"content-length"})
#: Methods answered straight from ASGI; the rest (HEAD, or a 405) go through the routes.
_DIRECT_METHODS = frozenset({"GET", "POST", "PATCH"})


async def _body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


class ApiMiddleware:
    """`/client-session` before anything else: latency, injected faults, then the API.

    Only the API's methods (GET, POST, PATCH) wait out the latency and take a fault: a
    HEAD or OPTIONS (a health check, another tool) leaves them to the requests they
    were set for.

    GET, POST and PATCH are answered here, straight from the ASGI scope: the API's
    requests skip Starlette's request objects, routing and exception middleware, about
    half of what a create costs in-process (benchmarks/emulator_throughput.py). What
    they would add is done the same way here: headers by lower-case name (first
    value), the query's last `clientToken`, errors as Primer's envelope, a 500
    envelope for a bug. Other methods and paths go on to the Starlette routes.
    """

    def __init__(self, app: ASGIApp, emulator: AppBackend) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != API_PATH
            or scope["method"] not in _DIRECT_METHODS
        ):  # HEAD, OPTIONS, ...: no latency, and they take no fault meant for the API
            await self.app(scope, receive, send)
            return
        if self.emulator.latency > 0:
            await asyncio.sleep(self.emulator.latency)
        fault = self.emulator.take_fault()
        if fault is not None:
            if fault.processed:
                try:
                    await self._answer(scope, receive)  # carried out; its answer is lost
                except ClientDisconnected:
                    return
            if fault.drop:
                await send({"type": "http.response.start", "status": 200, "headers": []})
                raise ConnectionDropped("connection dropped (a fault injected into the emulator)")
            await self._fault(fault, scope, receive, send)
        else:
            try:
                response = await self._answer(scope, receive)
            except ClientDisconnected:
                return
            await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        emulator, method = self.emulator, scope["method"]

        async def answer() -> Response:
            headers: dict[str, str] = {}
            for raw_name, value in scope["headers"]:
                if raw_name in _API_HEADERS:
                    # the first value of a repeated header, as Starlette's request.headers
                    headers.setdefault(raw_name.decode("latin-1"), value.decode("latin-1"))
            version = check_headers(emulator, headers)
            token = body = None
            if method == "GET":
                query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                token = dict(query).get("clientToken")
            else:
                chunks = _body_chunks(receive)
                body = parse_json_object(await read_body(headers.get("content-length"), chunks))
            return JSONResponse(answer_api(emulator, method, version, token, body))

        return await _answered(emulator, method, API_PATH, answer)

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        error_id, description, headers = fault_error(fault)
        error = ApiError(fault.status, error_id, description, headers=headers)
        await error_response(self.emulator, error)(scope, receive, send)


class StoppingGuard:
    """A served emulator's answer to a request the server gives up on as it stops.

    `primer-nb emulator` lets requests in flight finish when it stops; past its grace
    period, or at a second Ctrl-C, uvicorn cancels them and would answer a plain-text 500
    with a traceback in the log. This answers 503 `ServiceUnavailable` in Primer's
    envelope instead (a client does not send a POST again after it). Only the server
    uses it: in-process, a cancelled request is its caller's, and stays cancelled.
    """

    def __init__(self, app: ASGIApp, emulator: AppBackend) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except asyncio.CancelledError:
            if scope["type"] != "http":
                raise
            error = ApiError(
                503,
                "ServiceUnavailable",
                "The emulator stopped before it answered this request.",
                "Send it again once the emulator runs.",
            )
            # RuntimeError: the answer had begun; the server then closes the connection
            with contextlib.suppress(RuntimeError):
                await error_response(self.emulator, error)(scope, receive, send)


class ClockDate:
    """A served emulator's `Date` header: the time on its own clock, not the machine's.

    A client reads an answer's `Date` as the time where the backend is (the session card
    and `ExpiryCountdown` count a token's 24 hours on it, `display.BackendClock`). A
    served emulator started with `--start` or `--freeze-clock` lives at another time than
    the machine: with uvicorn's `Date`, a token it had just issued showed as long expired.
    The server runs without uvicorn's own (`serve(date_header=False)`), so there is one.
    """

    def __init__(self, app: ASGIApp, emulator: AppBackend) -> None:
        self.app = app
        self.emulator = emulator
        self._second: int | None = None
        self._value = b""

    def _date(self) -> bytes:
        """The clock's time as an HTTP date, written once per second of it."""
        from email.utils import formatdate

        second = int(self.emulator.clock.now().timestamp())
        if second != self._second:
            self._value = formatdate(second, usegmt=True).encode("ascii")
            self._second = second
        return self._value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), (b"date", self._date())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, dated)


def host_name(header: str) -> str:
    """The name in a `Host` header, lower-case, without port, brackets or final dot:
    `[::1]:8010` -> `::1`, `LocalHost.:80` -> `localhost`."""
    value = header.strip().lower()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else value[1:]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class LoopbackHosts:
    """A served emulator bound to this machine answers only requests *addressed* to it.

    A web page open in the developer's browser can reach 127.0.0.1 through DNS
    rebinding: its own name (`evil.example`) made to resolve to 127.0.0.1, so the browser
    sends it the page's requests, custom headers (`X-API-KEY`) and all, with
    `Host: evil.example:8010`. Without a check that page could read every stored session
    (`/_emulator/sessions`), reset the emulator or inject faults. A request whose Host is
    no name of this machine (`localhost`, a loopback address, or the `--host` given) gets
    400 `BadRequest` in Primer's envelope; one without a Host (no browser sends that) is
    answered. Only `primer-nb emulator` uses it, and only on a loopback `--host`: a server
    open to other machines is reached by names this one cannot know.
    """

    #: Host values already found to name this machine, kept up to this many: a request
    #: is then checked with one set lookup (this sits on every create's path)
    KNOWN_LIMIT = 64

    def __init__(self, app: ASGIApp, emulator: AppBackend, host: str) -> None:
        self.app = app
        self.emulator = emulator
        self.host = host_name(host)
        self._known: set[bytes] = set()

    def allowed(self, name: str) -> bool:
        return name == self.host or on_this_machine(name)

    def _addressed_here(self, sent: bytes) -> bool:
        if sent in self._known:
            return True
        if not self.allowed(host_name(sent.decode("latin-1"))):
            return False
        if len(self._known) < self.KNOWN_LIMIT:
            self._known.add(sent)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            sent = None
            for name, value in scope["headers"]:
                if name == b"host":
                    sent = value
                    break
            if sent is not None and not self._addressed_here(sent):
                shown = repr(sent.decode("latin-1"))[:100]
                error = ApiError(
                    400,
                    "BadRequest",
                    f"This emulator answers only requests addressed to this machine "
                    f"(localhost, 127.0.0.1, [::1]), not Host {shown}: another name is how a "
                    "web page would reach it (DNS rebinding).",
                    "Send it to the address `primer-nb emulator` printed when it started.",
                )
                await error_response(self.emulator, error)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestLog:
    """`primer-nb emulator --log-requests`: one line per request, written by `write`.

    `2026-12-04T13:20:01Z POST /client-session 422 RequestValidationError
    diagnosticsId=1234567890123456789 (3.1 ms)`: the UTC time it came (the machine's
    clock, not the emulator's), the method, the path without its query (where a client
    token would be), the status, and for an error its `errorId` and `diagnosticsId`, so
    a teammate's diagnosticsId finds its request. Headers (the key) and bodies are never
    written; a request whose answer did not end (a dropped connection, a client gone)
    is `no answer`.
    """

    def __init__(self, app: ASGIApp, write: Callable[[str], None]) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        came = datetime.now(UTC)
        started = time.perf_counter()
        status: int | None = None
        finished = False
        error_body = bytearray()

        async def logged(message: Message) -> None:
            nonlocal status, finished
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                if status and status >= 400:
                    error_body.extend(message.get("body", b"")[: 4096 - len(error_body)])
                finished = not message.get("more_body", False)
            await send(message)

        try:
            await self.app(scope, receive, logged)
        finally:
            took = (time.perf_counter() - started) * 1000
            what = "no answer" if status is None or not finished else str(status)
            if finished and status is not None and status >= 400:
                what += _error_ids(bytes(error_body))
            raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            raw = raw.split(b"?", 1)[0]  # some servers (httpx's ASGI transport) keep the query
            path = repr(raw.decode("latin-1"))[1:-1]  # no control character reaches the log
            self.write(
                f"{came.strftime('%Y-%m-%dT%H:%M:%SZ')} {scope['method']} {path} "
                f"{what} ({took:.1f} ms)"
            )


def _error_ids(body: bytes) -> str:
    """` ERRORID diagnosticsId=N` of an error envelope, or "" for another body."""
    try:
        error = json.loads(body).get("error")
        return f" {error['errorId']} diagnosticsId={error['diagnosticsId']}"
    except (ValueError, AttributeError, KeyError, TypeError):
        return ""


def _framework_errors(emulator: AppBackend) -> dict[Any, Callable[..., Awaitable[Response]]]:
    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        if status == 404:
            error = ApiError(404, "NotFound", "There is nothing at this path.")
        elif status == 405:
            error = ApiError(405, "MethodNotAllowed", "This method is not allowed on this path.")
        elif status < 500:
            error = ApiError(status, "BadRequest", "The request could not be understood.")
        else:
            error = _internal_error()
        error.headers.update(headers)
        return error_response(emulator, error)

    return {HTTPException: http_error, Exception: http_error}


def build_app(emulator: AppBackend) -> Starlette:
    """The ASGI app of one emulator instance."""

    def route(path: str, handler: Handler, methods: list[str]) -> Route:
        return Route(path, _guarded(emulator, handler), methods=methods)

    app = Starlette(
        routes=[
            route(API_PATH, client_session, ["GET", "POST", "PATCH"]),
            route("/_emulator/clock", admin_clock, ["GET", "POST"]),
            route("/_emulator/reset", admin_reset, ["POST"]),
            route("/_emulator/faults", admin_faults, ["GET", "POST"]),
            route("/_emulator/sessions", admin_sessions, ["GET"]),
            route("/openapi.json", openapi, ["GET"]),
        ],
        middleware=[Middleware(ApiMiddleware, emulator=emulator)],
        exception_handlers=_framework_errors(emulator),
    )
    app.router.redirect_slashes = False
    return app
