"""Where the client must stop a key or a label going astray, and errors that must travel.

From a read-only audit of the client as a Python developer uses it: the key sent to a URL
`request()` was handed, the key given as a client token (and so put in a GET's URL), the
sandbox's URL labelled `emulator`, and Primer errors that could not be copied or pickled
(a process pool then breaks instead of handing the error back).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import pickle
import re
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import numpy as np
import pytest

from primer_nb import errors
from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient
from primer_nb.config import resolve_settings
from primer_nb.errors import (
    ConfigurationError,
    InvalidClientTokenError,
    PrimerAPIError,
    PrimerTimeoutError,
    PrimerValidationError,
    ServerError,
)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDIzNzI2ODJ9.c2lnbmF0dXJlX3g5UWs"


def scripted(marker_key: str, answer: httpx.Response | None = None) -> tuple[Any, list[Any]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer if answer is not None else httpx.Response(200, json={"orderId": "o-1"})

    return PrimerClient(api_key=marker_key, transport=httpx.MockTransport(handler)), seen


# --- request(): a path on the client's own server, never a URL ------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://api.primer.io/client-session",  # production, past the opt-in
        "http://evil.example/collect",
        "//evil.example/collect",  # scheme-relative: a host all the same
    ],
)
def test_request_refuses_a_url_before_anything_is_sent(marker_key: str, target: str) -> None:
    client, seen = scripted(marker_key)
    with pytest.raises(ValueError, match="not a URL") as caught:
        client.request("POST", target, json={"orderId": "o-1"})
    assert seen == []
    assert "https://api.sandbox.primer.io" in str(caught.value)  # where it does send
    assert marker_key not in str(caught.value)


def test_request_still_sends_paths(marker_key: str) -> None:
    client, seen = scripted(marker_key)
    assert client.request("GET", "/client-session", params={"clientToken": TOKEN}).is_success
    assert str(seen[0].url).startswith("https://api.sandbox.primer.io/client-session?")


def test_a_key_in_a_request_url_or_header_is_refused_before_sending(
    marker_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """It was sent and redacted in exchanges and primer_nb's log, but httpx's INFO line
    and the server's access log printed the URL with the key."""
    client, seen = scripted(marker_key)
    exchanges: list[Exchange] = []
    client.add_hook(exchanges.append)
    with caplog.at_level(logging.DEBUG):
        for where, kwargs in [
            ("path", {"path": f"/client-session?clientToken={marker_key}"}),
            ("params['clientToken']", {"params": {"clientToken": marker_key}}),
            ("headers['X-Note']", {"headers": {"X-Note": f"key {marker_key}"}}),
            # a mapping written the wrong way round: the name that holds it is the key
            ("headers['***']", {"headers": {marker_key: "X-API-KEY"}}),
            ("params['***']", {"params": {marker_key: "x"}}),
        ]:
            arguments: dict[str, Any] = {"path": "/client-session", **kwargs}
            with pytest.raises(ValueError, match=rf"^{re.escape(where)} holds the API key") as no:
                client.request("GET", **arguments)
            assert marker_key not in str(no.value)
    assert seen == [] and exchanges == []
    assert marker_key not in caplog.text
    # its own header is where the key goes: given again there, it is sent
    client.request("GET", "/client-session", headers={"X-API-KEY": marker_key})
    assert len(seen) == 1


def test_request_refuses_two_bodies(marker_key: str) -> None:
    client, seen = scripted(marker_key)
    with pytest.raises(TypeError, match=r"^pass json= or content=, not both"):
        client.request("POST", "/client-session", json={"a": 1}, content=b"{}")
    assert seen == []


# --- the API key is not a client token ------------------------------------------------


@pytest.mark.parametrize("validate", [True, False])
def test_the_key_given_as_a_client_token_is_refused_before_sending(
    marker_key: str, validate: bool, caplog: pytest.LogCaptureFixture
) -> None:
    client, seen = scripted(marker_key)
    client.validate = validate
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(InvalidClientTokenError) as got:
            client.get_session(marker_key)
        with pytest.raises(InvalidClientTokenError) as patched:
            client.update_session(f"{marker_key}\n", {"metadata": {"a": "b"}})
        # the key inside a token (in quotes, after Bearer, before a comma) was sent in the
        # GET's URL, and httpx's INFO log line printed it
        held = []
        for token in (f'"{marker_key}"', f"Bearer {marker_key}", f"{marker_key},"):
            with pytest.raises(InvalidClientTokenError) as inside:
                client.get_session(token)
            held.append(inside.value)
    assert seen == []  # not in a URL, not in a log line, not in a body
    for exc in (got.value, patched.value, *held):
        assert exc.local and exc.status_code == 400
        assert "This is your API key, not a client token" in (exc.recovery_suggestion or "")
        assert marker_key not in str(exc) + repr(exc) + repr(exc.body)
    assert marker_key not in caplog.text


def test_the_emulators_own_tokens_still_work_for_get() -> None:
    client = PrimerClient()
    session = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1})
    assert client.get_session(session.client_token).order_id == "o-1"


def test_a_token_mismatch_warning_never_shows_part_of_the_key(marker_key: str) -> None:
    client, _ = scripted(marker_key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.update_session(TOKEN, {"clientToken": marker_key, "metadata": {"a": "b"}})
    text = " ".join(str(w.message) for w in caught)
    assert "changes['clientToken'] (***) is not the client_token argument" in text
    assert marker_key[:8] not in text and marker_key[-4:] not in text


def test_the_key_as_the_client_token_argument_is_refused_before_any_warning_shows_it(
    marker_key: str,
) -> None:
    """With another token in the body, the mismatch warning showed the argument shortened:
    the key's first 8 and last 4 characters, before the key was refused."""
    client, seen = scripted(marker_key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InvalidClientTokenError) as refused:
            client.update_session(marker_key, {"clientToken": TOKEN, "metadata": {"a": "b"}})
    assert "This is your API key, not a client token" in (refused.value.recovery_suggestion or "")
    assert caught == [] and seen == []


# --- environments named by their URL -------------------------------------------------


def test_the_sandbox_url_is_the_sandbox_whatever_gave_it(marker_key: str) -> None:
    url = "https://api.sandbox.primer.io"
    from_env = resolve_settings(environ={"PRIMER_API_KEY": marker_key, "PRIMER_BASE_URL": url})
    from_arg = resolve_settings(api_key=marker_key, base_url=f"{url}/", environ={})
    assert from_env.environment == from_arg.environment == "sandbox"
    assert not from_env.in_process
    other = resolve_settings(api_key=marker_key, base_url="http://127.0.0.1:8010", environ={})
    assert other.environment == "emulator"  # a served emulator keeps its label


@pytest.mark.parametrize(
    "environ",
    [
        {"PRIMER_BASE_URL": "https://api.sandbox.primer.io"},  # no key: not the emulator's
        {"PRIMER_ENV": "emulator", "PRIMER_BASE_URL": "https://API.SANDBOX.PRIMER.IO."},
    ],
)
def test_the_sandbox_url_is_never_sent_the_emulators_placeholder_key(
    environ: dict[str, str],
) -> None:
    with pytest.raises(ConfigurationError, match="is Primer's sandbox, not an emulator"):
        resolve_settings(environ=environ)


@pytest.mark.parametrize(
    "url", ["http://api.sandbox.primer.io", "http://api.primer.io", "http://x.primer.io:80"]
)
def test_primer_hosts_over_plain_http_are_refused(marker_key: str, url: str) -> None:
    with pytest.raises(ConfigurationError, match="https only") as caught:
        resolve_settings(api_key=marker_key, base_url=url, environ={})
    assert marker_key not in str(caught.value)


# --- errors that travel: copies, pickles, process pools --------------------------------


def _every_api_error() -> list[PrimerAPIError]:
    details = [errors.ValidationErrorDetail("ClientSessionAPIRequest", "$.amount", "bad")]
    made = [
        cls(
            422,
            "RequestValidationError",
            "We were unable to validate your request",
            recovery_suggestion="Fix it",
            diagnostics_id="9942005157443145021",
            validation_errors=details,
            body={"error": {"errorId": "RequestValidationError"}},
            local=True,
            retry_after=2.5,
        )
        for cls in {PrimerAPIError, *_subclasses(PrimerAPIError)}
    ]
    made.append(errors.error_from_response(429, {"error": {"errorId": "X"}}, retry_after=3.0))
    return made


def _subclasses(cls: type[PrimerAPIError]) -> set[type[PrimerAPIError]]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in found))


def _same(a: PrimerAPIError, b: PrimerAPIError) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert vars(a) == vars(b)


@pytest.mark.parametrize("exc", _every_api_error(), ids=lambda e: type(e).__name__)
def test_every_api_error_survives_copy_and_pickle(exc: PrimerAPIError) -> None:
    _same(exc, copy.copy(exc))
    _same(exc, copy.deepcopy(exc))
    _same(exc, pickle.loads(pickle.dumps(exc)))


def _create_with_a_float_amount() -> None:
    PrimerClient().create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1.5})


def test_a_validation_error_comes_back_from_a_process_pool() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_create_with_a_float_amount)
        with pytest.raises(PrimerValidationError) as caught:
            future.result(timeout=60)
    assert caught.value.local
    assert caught.value.validation_errors[0].path == "$.amount"


# --- what came back, said ---------------------------------------------------------------


def test_an_error_page_that_is_not_json_is_quoted_in_the_message(marker_key: str) -> None:
    page = f"<html><body><h1>502 Bad Gateway</h1>\n<p>{marker_key}</p></body></html>"
    client, _ = scripted(marker_key, httpx.Response(502, text=page))
    client.max_retries = 0
    with pytest.raises(ServerError) as caught:
        client.get_session(TOKEN)
    text = str(caught.value)
    assert "without Primer's error envelope: '<html><body><h1>502 Bad Gateway</h1> <p>***" in text
    assert marker_key not in text


def test_a_long_error_page_is_cut() -> None:
    exc = errors.error_from_response(503, "x" * 500)
    assert exc.description.endswith("…'") and len(exc.description) < 200


def test_an_async_timeout_says_what_happened() -> None:
    async def run() -> str:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("", request=request)

        async with AsyncPrimerClient(
            api_key="sk_test_key", transport=httpx.MockTransport(handler), max_retries=0
        ) as client:
            with pytest.raises(PrimerTimeoutError) as caught:
                await client.get_session(TOKEN)
        return str(caught.value)

    text = asyncio.run(run())
    assert text.endswith(
        "ReadTimeout: no detail given. The client stopped waiting (pass timeout= to wait longer)."
    )


def test_a_numpy_amount_is_told_to_be_converted() -> None:
    with pytest.raises(PrimerValidationError) as caught:
        PrimerClient().create_session(
            {"orderId": "o-1", "currencyCode": "EUR", "amount": np.int64(1250)}
        )
    (detail,) = caught.value.validation_errors
    assert detail.path == "$.amount"
    assert detail.description == (
        "Value must be a valid integer, not numpy's int64: convert it, e.g. int(value)"
    )


def _refusal(client: PrimerClient, token: str, asynchronous: bool) -> list[str]:
    """The recovery suggestions of GET and PATCH with `token`, each refused before sending."""
    aclient = AsyncPrimerClient(emulator=client.emulator)
    suggestions = []
    for method in ("get_session", "update_session"):
        args: tuple[Any, ...] = (token,) if method == "get_session" else (token, {"a": 1})
        with pytest.raises(InvalidClientTokenError) as caught:
            if asynchronous:
                asyncio.run(getattr(aclient, method)(*args))
            else:
                getattr(client, method)(*args)
        assert caught.value.local
        suggestions.append(caught.value.recovery_suggestion or "")
    return suggestions


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_token_shortened_for_display_or_with_spaces_is_refused_saying_why(
    asynchronous: bool,
) -> None:
    """Tables, the ledger's frame and reprs show `eyJhbGci…x9Qk`; pasted back, it went to the
    server and came back only "The client token is invalid." Refused before sending now,
    saying what to pass instead; so is a token copied with a line break."""
    from primer_nb.tables import sessions_frame

    client = PrimerClient()
    session = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1})
    shown = sessions_frame([session])["client_token"][0]
    assert "…" in shown
    for suggestion in _refusal(client, shown, asynchronous):
        assert suggestion.startswith("This client token is shortened for display")
    for suggestion in _refusal(client, f" {session.client_token}\n", asynchronous):
        assert suggestion.startswith("This client token has whitespace around it")
    assert client.get_session(session.client_token).order_id == "o-1"


@pytest.mark.parametrize("cls", [PrimerClient, AsyncPrimerClient])
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"api_version": 2.4}, ConfigurationError, r"api_version must be a str such as \"2\.4\""),
        ({"api_key": 123}, ConfigurationError, "api_key must be"),
        ({"base_url": 8000, "api_key": "k"}, ConfigurationError, "base_url must be"),
        ({"environment": "staging"}, ConfigurationError, "^environment must be"),
        ({"timeout": None}, TypeError, "timeout must be a positive number of seconds"),
        ({"timeout": httpx.Timeout(5)}, TypeError, "timeout must be a positive number.*Timeout"),
        ({"timeout": True}, TypeError, "timeout must be a positive number of seconds"),
        ({"max_retries": None}, TypeError, "max_retries must be a whole number"),
        ({"max_retries": 1.5}, TypeError, "max_retries must be a whole number"),
        ({"max_retries": -1}, ValueError, "max_retries must be >= 0"),
        ({"hooks": print}, TypeError, r"hooks must be a list of callables.*hooks=\[print\]"),
        (
            {"hooks": [print, 1]},
            TypeError,
            r"hooks\[1\] must be a callable that takes an Exchange, not int 1",
        ),
        ({"emulator": "yes"}, TypeError, "emulator must be an Emulator"),
        ({"validate": "no"}, TypeError, "validate must be True or False"),
    ],
)
def test_a_client_argument_of_the_wrong_type_names_the_parameter_and_the_rule(
    cls: type[Any], kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        cls(**kwargs)


def test_hooks_given_as_a_generator_are_all_kept() -> None:
    client = PrimerClient(hooks=(hook for hook in [print, repr]))
    assert client.hooks == (print, repr)
    client.close()


def test_numbers_from_numpy_or_decimal_settings_are_taken() -> None:
    """A timeout or retry count read from a DataFrame or a config file (numpy, Decimal)
    worked before the type checks, and still does, as the plain number."""
    from decimal import Decimal

    for timeout, retries in ((np.int64(5), np.int64(1)), (Decimal("5.5"), 1), (np.float64(2), 0)):
        client = PrimerClient(timeout=timeout, max_retries=retries)
        assert type(client.timeout) is float and client.timeout == float(timeout)
        assert type(client.max_retries) is int and client.max_retries == int(retries)
        client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1})


# --- hooks are plain callables ----------------------------------------------------------


class _AsyncCallable:
    async def __call__(self, exchange: Exchange) -> None:  # pragma: no cover - refused
        pass


@pytest.mark.parametrize("client_class", [PrimerClient, AsyncPrimerClient])
def test_an_async_hook_is_refused_where_it_would_never_be_awaited(client_class: Any) -> None:
    """An `async def` hook was called, its coroutine thrown away: nothing recorded."""

    async def hook(exchange: Exchange) -> None:  # pragma: no cover - refused
        pass

    for candidate in (hook, _AsyncCallable()):
        with pytest.raises(TypeError, match=r"^hooks\[0\] is an async function: hooks are"):
            client_class(hooks=[candidate])
        client = client_class()
        with pytest.raises(TypeError, match=r"^hook is an async function"):
            client.add_hook(candidate)
        assert client.hooks == ()


def test_add_hook_refuses_what_cannot_be_called() -> None:
    """`add_hook(None)` was taken, then every request logged that the hook failed."""
    client = PrimerClient()
    with pytest.raises(TypeError, match=r"^hook must be a callable that takes an Exchange"):
        client.add_hook(None)  # type: ignore[arg-type]
    assert client.hooks == ()


# --- an async client across event loops --------------------------------------------------


def test_an_async_client_used_by_two_asyncio_runs_keeps_every_answer() -> None:
    """Its pool's connections belonged to the first (closed) loop: the second POST was
    written, the session created, and reading its answer raised `Event loop is closed`."""
    from tests.tables.conftest import emulator_process

    with emulator_process("--api-key", "k") as url:
        client = AsyncPrimerClient("k", base_url=url)
        made = [asyncio.run(client.create_session({"orderId": f"L{i}"})) for i in range(3)]
        assert [s.order_id for s in made] == ["L0", "L1", "L2"]
        asyncio.run(client.aclose())  # closed from yet another loop: no error
        listed = httpx.get(f"{url}/_emulator/sessions", headers={"X-API-KEY": "k"}).json()
    assert sorted(s["orderId"] for s in listed["sessions"]) == ["L0", "L1", "L2"]


def test_an_async_client_closes_its_connections_when_asyncio_run_ends() -> None:
    """The pool of a loop that `asyncio.run` closed was dropped with its sockets open:
    the garbage collector closed them later, with `ResourceWarning: unclosed transport`,
    during whatever ran then (another test, in this suite)."""
    import gc
    import warnings

    from tests.tables.conftest import emulator_process

    with emulator_process("--api-key", "k") as url:
        client = AsyncPrimerClient("k", base_url=url)
        gc.collect()  # what earlier tests left (event loops) is not this test's
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            for i in range(3):
                asyncio.run(client.create_session({"orderId": f"R{i}"}))
            gc.collect()
            asyncio.run(client.aclose())
            del client
            gc.collect()
        assert _unclosed_sockets(caught) == []


def _unclosed_sockets(caught: list[warnings.WarningMessage]) -> list[str]:
    """The warnings about sockets or transports left open (not, say, another test's
    event loop, which the garbage collector may find at the same time)."""
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning)
        and str(w.message).startswith(("unclosed transport", "unclosed <socket"))
    ]


def test_an_async_client_dropped_on_a_running_loop_closes_its_connections() -> None:
    """A notebook's loop never shuts down: a client dropped without `aclose()` has its
    pool closed on that loop (asyncio finalizes the client's unfinished generator)."""
    import gc

    async def main(url: str) -> None:
        client = AsyncPrimerClient("k", base_url=url)
        await client.create_session({"orderId": "D1"})
        transport = client._http._transport
        del client
        gc.collect()
        for _ in range(100):  # the pool is closed by a task the loop runs
            await asyncio.sleep(0.01)
            if not transport._pool.connections:  # type: ignore[attr-defined]
                break
        assert transport._pool.connections == []  # type: ignore[attr-defined]

    assert _unclosed_after_run(main) == []


def _unclosed_after_run(main: Callable[[str], Coroutine[Any, Any, None]]) -> list[str]:
    """`asyncio.run(main(url))` against a served emulator: the sockets and transports
    left open once the garbage collector has run (`_unclosed_sockets`)."""
    import gc
    import warnings

    from tests.tables.conftest import emulator_process

    with emulator_process("--api-key", "k") as url:
        gc.collect()  # what earlier tests left (event loops) is not this test's
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            asyncio.run(main(url))
            gc.collect()
    return _unclosed_sockets(caught)


def test_an_async_client_dropped_as_asyncio_run_ends_closes_every_connection() -> None:
    """Made inside `main()` and never closed: asyncio closes its generator in a task that
    `asyncio.run` cancels before it starts. On Python 3.11 and 3.12 that stopped the
    close after the first of the pool's connections (3 of 4 were left open)."""

    async def main(url: str) -> None:
        client = AsyncPrimerClient("k", base_url=url)
        orders = [client.create_session({"orderId": f"M{i}"}) for i in range(4)]
        await asyncio.gather(*orders)  # at once: four connections
        assert len(client._http._transport._pool.connections) == 4  # type: ignore[attr-defined]

    assert _unclosed_after_run(main) == []


def test_an_async_client_in_use_on_another_running_loop_sends_nothing() -> None:
    import threading

    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = AsyncPrimerClient("k", base_url="https://api.sandbox.primer.io")
    client._http._transport = httpx.MockTransport(handler)  # sockets as a real pool's
    first, done = threading.Event(), threading.Event()

    def other() -> None:
        async def main() -> None:
            await client.request("GET", "/client-session")
            first.set()
            while not done.is_set():
                await asyncio.sleep(0.01)

        asyncio.run(main())

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert first.wait(10)
        with pytest.raises(RuntimeError, match="used on another event loop that is not closed"):
            asyncio.run(client.request("GET", "/client-session"))
    finally:
        done.set()
        thread.join()
    assert len(seen) == 1


def test_closed_between_a_gets_attempts_says_no_further_attempt_was_made(
    marker_key: str,
) -> None:
    """It said "nothing was sent" though the hooks had the first attempt's 503."""
    client, seen = scripted(marker_key, httpx.Response(503, json={}))
    client._sleep = lambda _seconds: client.close()  # closed while waiting to retry
    with pytest.raises(RuntimeError) as caught:
        client.get_session("a-token")
    assert "so no further attempt was made (the hooks have the earlier ones)" in str(caught.value)
    assert len(seen) == 1


def test_a_short_key_inside_a_word_does_not_stop_a_request() -> None:
    """With the key `k`, every URL holding the letter k was refused as holding the key;
    a short key counts where it stands alone, as the redaction reads it."""
    from primer_nb.emulator import Emulator

    client = PrimerClient("k", emulator=Emulator(api_keys=["k"]))
    answer = client.request("GET", "/client-session", params={"clientToken": "token"})
    assert answer.status_code == 400  # sent: the emulator knows no such token
    with pytest.raises(ValueError, match=r"^params\['clientToken'\] holds the API key"):
        client.request("GET", "/client-session", params={"clientToken": "k"})


def test_a_hook_that_returns_an_awaitable_is_reported_not_silently_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`lambda e: queue.put(e)` with an asyncio queue, or a partial of an async callable,
    passes the check: its coroutine was dropped with only a "never awaited" warning."""
    import functools

    async def put(exchange: Exchange) -> None:  # pragma: no cover - never awaited
        pass

    client = PrimerClient(
        hooks=[lambda exchange: put(exchange), functools.partial(_AsyncCallable())]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine ... was never awaited" later
        with caplog.at_level(logging.WARNING, logger="primer_nb"):
            client.create_session({"orderId": "o-1"})
    skipped = [r.getMessage() for r in caplog.records if "failed and was skipped" in r.getMessage()]
    assert len(skipped) == 2
    assert all("returned an awaitable, which is never awaited" in text for text in skipped)


def test_request_takes_params_and_headers_as_pairs(marker_key: str) -> None:
    """httpx takes lists of pairs; the key check read them as mappings (AttributeError)."""
    client, seen = scripted(marker_key)
    client.request("GET", "/client-session", params=[("clientToken", "t")], headers=[("X-N", "1")])
    assert seen[0].url.params["clientToken"] == "t" and seen[0].headers["X-N"] == "1"
    with pytest.raises(ValueError, match=r"^params\['clientToken'\] holds the API key"):
        client.request("GET", "/client-session", params=[("clientToken", marker_key)])


def test_request_keeps_repeated_params_and_params_as_text(marker_key: str) -> None:
    client, seen = scripted(marker_key)
    client.request("GET", "/client-session", params=[("a", "1"), ("a", "2")])
    client.request("GET", "/client-session", params="b=3&b=4")  # type: ignore[arg-type]
    assert [r.url.query for r in seen] == [b"a=1&a=2", b"b=3&b=4"]


def test_the_key_as_a_header_name_is_refused(marker_key: str) -> None:
    client, seen = scripted(marker_key)
    with pytest.raises(ValueError, match=r"holds the API key"):
        client.request("GET", "/client-session", headers={marker_key: "x"})
    assert seen == []


def test_a_hook_that_schedules_a_task_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    """A Task runs by itself: only a coroutine is never awaited."""
    saved: list[Exchange] = []

    async def save(exchange: Exchange) -> None:
        saved.append(exchange)

    async def run() -> None:
        async with AsyncPrimerClient(hooks=[lambda e: asyncio.ensure_future(save(e))]) as client:
            await client.create_session({"orderId": "o-1"})
            await asyncio.sleep(0)

    with caplog.at_level(logging.WARNING, logger="primer_nb"):
        asyncio.run(run())
    assert len(saved) == 1
    assert "failed and was skipped" not in caplog.text


@pytest.mark.parametrize("client_class", [PrimerClient, AsyncPrimerClient])
@pytest.mark.parametrize(
    "argument", ["timeout", "max_retries", "validate", "allow_production", "hooks"]
)
def test_an_argument_check_never_shows_the_key_passed_in_the_wrong_place(
    marker_key: str, client_class: type[Any], argument: str
) -> None:
    """`PrimerClient(key, timeout=key)` raised "... not str 'sk_test_...'": the check
    showed the value back, the key with it."""
    value: object = [marker_key] if argument == "hooks" else marker_key
    with pytest.raises((TypeError, ValueError)) as refused:
        client_class(marker_key, **{argument: value})
    assert marker_key not in str(refused.value) + repr(refused.value)
    assert "***" in str(refused.value)
    assert refused.value.__context__ is None or marker_key not in str(refused.value.__context__)
    client = client_class(marker_key)
    with pytest.raises(TypeError, match=r"^hook must be a callable") as hook:
        client.add_hook(marker_key)
    assert marker_key not in str(hook.value) and client.hooks == ()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-be"])
def test_a_key_in_a_utf16_or_utf32_json_answer_is_redacted_too(
    marker_key: str, encoding: str
) -> None:
    """`json.loads` reads UTF-16 and UTF-32 JSON, but the key was looked for in the bytes
    as UTF-8 has it: hooks got it in clear, and an unreadable 200 showed it with a NUL
    between each two characters, which no redaction matched."""
    envelope = {"error": {"errorId": "X", "description": f"bad key {marker_key}"}}
    refused = httpx.Response(403, content=json.dumps(envelope).encode(encoding))
    client, _ = scripted(marker_key, refused)
    exchanges: list[Exchange] = []
    client.add_hook(exchanges.append)
    with pytest.raises(PrimerAPIError) as error:
        client.get_session(TOKEN)
    assert marker_key not in str(error.value) + repr(error.value.body)
    assert exchanges[0].response_body["error"]["description"] == "bad key ***"
    sent = json.dumps({"note": marker_key}).encode(encoding)
    client.request("POST", "/client-session", content=sent)
    assert exchanges[1].request_body == {"note": "***"}

    odd = httpx.Response(200, content=json.dumps({"orderId": marker_key}).encode(encoding))
    client, _ = scripted(marker_key, odd)
    with pytest.raises(PrimerAPIError) as unreadable:
        client.get_session(TOKEN)
    shown = str(unreadable.value) + repr(unreadable.value.body)
    assert unreadable.value.error_id == "InvalidResponse"
    assert '{"orderId": "***"}' in shown and marker_key[4:12] not in shown.replace("\x00", "")
