"""R1 secrets: a marker API key sent through every path; a scan finds 0 occurrences.

The marker (`tests.conftest.MARKER_KEY`) is the client's API key. It goes through: the
client's repr/str and settings, every exception of the create/get/update paths (local
validation, 403, 400 invalid token, 422 with `validate=False`, transport errors whose
message carries the URL and headers), DEBUG logs including retries, `Exchange` objects
handed to hooks, snippets and widget states, the ledger's SQLite file, and executed
notebook outputs (stored ones, and two notebooks run live with the marker as
`PRIMER_API_KEY` against a `primer-nb emulator` process that accepts only the marker).

Failures name where the key was found and how often, never the key itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import pickle
import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import (
    AuthenticationError,
    InvalidClientTokenError,
    PrimerConnectionError,
    PrimerError,
    PrimerValidationError,
    RateLimitError,
)
from tests.conftest import MARKER_KEY, ROOT

#: The marker and a distinctive fragment of it (catches a truncated or re-cased leak).
NEEDLES = (MARKER_KEY, MARKER_KEY[-20:], MARKER_KEY.upper(), MARKER_KEY.lower())
BODY: dict[str, Any] = {
    "orderId": "order-r1",
    "currencyCode": "EUR",
    "order": {"lineItems": [{"itemId": "a", "amount": 1299, "quantity": 2}]},
}
#: Key-like text that must never appear in a stored notebook output.
KEY_LIKE = [
    re.compile(r"sk_(?:live|sandbox|test)_[A-Za-z0-9]{8,}"),
    # an X-API-KEY header with a value that is not a placeholder or the redaction (the
    # shell's `${PRIMER_API_KEY:-primer-nb-emulator}`: the variable, else the emulator's
    # public default key, as the local emulator's curl snippet writes it)
    re.compile(
        r"""x-api-key['"]?\s*[:=]\s*['"]?"""
        r"""(?!\*\*\*|\$PRIMER_API_KEY|\$\{PRIMER_API_KEY:-primer-nb-emulator\}|<)"""
        r"""[^\s'",}]{6,}""",
        re.I,
    ),
]


def occurrences(data: str | bytes) -> int:
    if isinstance(data, bytes):
        return sum(data.count(n.encode()) for n in NEEDLES)
    return sum(data.count(n) for n in NEEDLES)


def assert_clean(where: str, data: str | bytes) -> None:
    found = occurrences(data)
    assert found == 0, f"the API key appears {found} time(s) in {where}"


def exception_texts(exc: BaseException) -> str:
    """Everything an exception shows: str, repr, args, attributes, traceback, pickle."""
    parts = [
        str(exc),
        repr(exc),
        repr(exc.args),
        "".join(traceback.format_exception(exc)),
        repr({k: v for k, v in vars(exc).items()}),
    ]
    try:
        parts.append(pickle.dumps(exc).decode("latin-1"))
    except Exception as problem:  # an unpicklable exception is not a leak
        parts.append(type(problem).__name__)
    if hasattr(exc, "body"):
        parts.append(json.dumps(exc.body, default=str))
    return "\n".join(parts)


def exchange_text(exchange: Exchange) -> str:
    return json.dumps(dataclasses.asdict(exchange), default=str) + repr(exchange)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(seed=11)
    yield emu
    emu.close()


@pytest.fixture
def client(emulator: Emulator) -> Iterator[PrimerClient]:
    with PrimerClient(MARKER_KEY, emulator=emulator) as c:
        c._sleep = lambda _s: None
        yield c


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="primer_nb")
    return caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            lines.append("".join(traceback.format_exception(record.exc_info[1])))
    return caplog.text + "\n".join(lines)


# --- the client and its settings ----------------------------------------------------------


def test_client_and_settings_reprs(client: PrimerClient) -> None:
    for where, text in {
        "repr(client)": repr(client),
        "str(client)": str(client),
        "repr(settings)": repr(client.settings),
        "str(settings)": str(client.settings),
        "client.api_key_hint": client.settings.api_key_hint,
        "dir(client)": repr(dir(client)),
    }.items():
        assert_clean(where, text)
    sandbox = PrimerClient(MARKER_KEY, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert sandbox.environment == "sandbox"
    assert_clean("repr(sandbox client)", repr(sandbox) + repr(sandbox.settings))
    assert_clean("repr(async client)", repr(AsyncPrimerClient(MARKER_KEY, emulator=Emulator())))


# --- every error of the create / get / update paths ------------------------------------


def test_errors_of_every_path_are_clean(
    client: PrimerClient, emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    token = client.create_session(BODY).client_token
    strict = Emulator(seed=12, api_keys=["another-key"])
    wrong_key = PrimerClient(MARKER_KEY, emulator=strict)
    cases: list[tuple[str, Callable[[], object], type[PrimerError]]] = [
        ("local 422 create", lambda: client.create_session({"orderId": 5}), PrimerValidationError),
        (
            "local 422 update",
            lambda: client.update_session(token, {"amount": "x"}),
            PrimerValidationError,
        ),
        (
            "server 422 create (validate=False)",
            lambda: client.create_session({"orderId": 5}, validate=False),
            PrimerValidationError,
        ),
        (
            "server 422 update (validate=False)",
            lambda: client.update_session(token, {"amount": "x"}, validate=False),
            PrimerValidationError,
        ),
        (
            "400 invalid token get",
            lambda: client.get_session("not-a-token"),
            InvalidClientTokenError,
        ),
        (
            "400 invalid token update",
            lambda: client.update_session("not-a-token", {"amount": 5}),
            InvalidClientTokenError,
        ),
        ("403 create", lambda: wrong_key.create_session(BODY), AuthenticationError),
        ("403 get", lambda: wrong_key.get_session(token), AuthenticationError),
        ("403 update", lambda: wrong_key.update_session(token, {"amount": 5}), AuthenticationError),
    ]
    raised = 0
    for where, call, expected in cases:
        with pytest.raises(expected) as caught:
            call()
        raised += 1
        assert_clean(where, exception_texts(caught.value))
    assert raised == len(cases)
    assert_clean("DEBUG logs of the error paths", log_text(debug_logs))
    wrong_key.close()
    strict.close()


def _leaky_transport(error: type[httpx.TransportError]) -> httpx.MockTransport:
    """A transport whose errors quote the URL and every header (the key included)."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise error(
            f"cannot reach {request.url} (headers {dict(request.headers)!r})", request=request
        )

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ReadError, httpx.ReadTimeout])
def test_transport_errors_are_clean(
    error: type[httpx.TransportError], debug_logs: pytest.LogCaptureFixture
) -> None:
    seen: list[Exchange] = []
    with PrimerClient(MARKER_KEY, transport=_leaky_transport(error), hooks=[seen.append]) as client:
        client._sleep = lambda _s: None
        calls: dict[str, Callable[[], object]] = {
            "create": lambda: client.create_session(BODY),
            "get": lambda: client.get_session("tok"),
            "update": lambda: client.update_session("tok", {"amount": 5}),
        }
        for where, call in calls.items():
            with pytest.raises(PrimerConnectionError) as caught:
                call()
            assert_clean(f"{error.__name__} on {where}", exception_texts(caught.value))
    assert len(seen) >= 3  # retries included (GET always, POST/PATCH on connect errors)
    for exchange in seen:
        assert exchange.error and exchange.status is None
        assert_clean(f"Exchange of a {error.__name__}", exchange_text(exchange))
    assert_clean(f"logs of {error.__name__} retries", log_text(debug_logs))


# --- logs, hooks, retries ------------------------------------------------------------------


def test_debug_logs_and_exchanges_with_retries(
    client: PrimerClient, emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    seen: list[Exchange] = []
    client.add_hook(seen.append)
    session = client.create_session(BODY)
    emulator.inject(503, times=2)
    client.get_session(session.client_token)
    emulator.inject(429, times=1, retry_after=1)
    with pytest.raises(RateLimitError):  # answered: a PATCH is not sent again
        client.update_session(session.client_token, {"metadata": {"step": "2"}})
    client.update_session(session.client_token, {"metadata": {"step": "2"}})
    emulator.inject(0)  # dropped connection on a GET: retried
    client.get_session(session.client_token)
    client.request("GET", "/client-session", params={"clientToken": session.client_token})
    assert len(seen) >= 8
    assert any(e.attempt > 1 for e in seen)
    for exchange in seen:
        assert exchange.request_headers.get("X-API-KEY", "***") == "***" or (
            exchange.request_headers.get("x-api-key", "***") == "***"
        )
        assert_clean(
            f"Exchange {exchange.method} attempt {exchange.attempt}", exchange_text(exchange)
        )
    text = log_text(debug_logs)
    assert "Retrying" in text  # retries were logged
    assert any(r.levelno == logging.DEBUG and r.name == "primer_nb" for r in debug_logs.records)
    assert_clean("DEBUG logs", text)


def test_key_echoed_in_a_body_is_scrubbed_from_exchanges(client: PrimerClient) -> None:
    """Even if the key ends up in a body (a pasted mistake), hooks never see it."""
    seen: list[Exchange] = []
    client.add_hook(seen.append)
    client.create_session({**BODY, "metadata": {"note": f"key={MARKER_KEY}"}})
    # in a query it is refused before sending (servers and httpx's log print URLs)
    with pytest.raises(ValueError) as caught:
        client.request("GET", "/client-session", params={"clientToken": MARKER_KEY})
    assert_clean("the refusal of the key in a query", exception_texts(caught.value))
    assert len(seen) == 1
    for exchange in seen:
        assert_clean("Exchange with the key in its body", exchange_text(exchange))


@pytest.mark.parametrize(
    "body",
    [
        {**BODY, "currencyCode": MARKER_KEY},  # quoted by the rule it breaks
        {**BODY, MARKER_KEY: 1},  # a top-level key: the JSONPath names it
    ],
    ids=["value", "key"],
)
def test_key_pasted_into_a_body_is_not_quoted_by_the_local_error(
    client: PrimerClient, body: dict[str, Any]
) -> None:
    """The check before sending quotes what it refuses; the key is redacted from it, as
    from the server's 422 (validate=False)."""
    with pytest.raises(PrimerValidationError) as caught:
        client.create_session(body)
    assert caught.value.local
    assert_clean("a local validation error", exception_texts(caught.value))
    assert "***" in str(caught.value)


def test_key_pasted_as_a_nested_key_is_not_in_the_warning(client: PrimerClient) -> None:
    with pytest.warns(UserWarning) as warned:
        client.create_session({**BODY, "customer": {MARKER_KEY: 1}})
    assert warned, "an unknown nested key is warned about"
    for warning in warned:
        assert_clean("an UnknownFieldWarning", str(warning.message))


def test_a_model_built_with_the_configured_key_does_not_quote_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from primer_nb.models import ClientSessionRequest

    monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
    with pytest.raises(PrimerValidationError) as caught:
        ClientSessionRequest(order_id="o", currency_code=MARKER_KEY)
    assert_clean("a model's validation error", exception_texts(caught.value))


def test_a_client_given_an_emulator_redacts_the_environments_key(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator
) -> None:
    """`emulator=` never sends PRIMER_API_KEY (the learner's real key), but a body may
    hold it: its errors, warnings, exchanges and batch errors redact it all the same."""
    from primer_nb.batch import create_sessions

    monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
    seen: list[Exchange] = []
    texts: list[str] = []
    with PrimerClient(emulator=emulator, hooks=[seen.append]) as client:
        for validate in (True, False):  # checked here, then the emulator's 422
            with pytest.raises(PrimerValidationError) as caught:
                client.create_session({**BODY, "currencyCode": MARKER_KEY}, validate=validate)
            texts.append(exception_texts(caught.value))
            assert "***" in str(caught.value)
        with pytest.warns(UserWarning) as warned:
            client.create_session({**BODY, "customer": {MARKER_KEY: 1}})
        texts += [str(w.message) for w in warned]
        with pytest.raises(InvalidClientTokenError):  # the key as a token: never sent
            client.get_session(MARKER_KEY)
        result = create_sessions(
            [{"order_id": "b1", "currency_code": MARKER_KEY}], client=client, progress=False
        )
        texts += [str(error) for error in result.errors] + [result.frame().to_csv()]
        assert len(result.errors) == 1
    texts += [exchange_text(exchange) for exchange in seen]
    assert len(seen) == 2  # the 422 and the warned POST (the batch checks its row first)
    for text in texts:
        assert_clean("what a client on an emulator shows", text)


@pytest.mark.parametrize("start", [190, 199, 200 - len(MARKER_KEY)])
def test_an_answer_that_is_not_json_is_redacted_before_it_is_cut(start: int) -> None:
    """The error quotes the first 200 characters of a body that is not JSON (a request
    inspector behind PRIMER_BASE_URL echoing the headers): a key across character 200
    must not leave its first characters there."""
    answer = "x" * start + MARKER_KEY + " and more"

    def inspector(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=answer)

    with answering(inspector) as client, pytest.raises(PrimerError) as caught:
        client.create_session(BODY)
    assert "is not JSON" in str(caught.value)
    assert MARKER_KEY[:6] not in exception_texts(caught.value)
    assert "xxx***"[: 3 + 200 - start] in str(caught.value)  # *** as far as the cut


def answering(handler: Callable[[httpx.Request], httpx.Response]) -> PrimerClient:
    """A client with the marker key whose server at http://primer.test is `handler`."""
    return PrimerClient(
        MARKER_KEY, base_url="http://primer.test", transport=httpx.MockTransport(handler)
    )


def chained(exc: BaseException) -> list[BaseException]:
    """The exceptions reachable from `exc` through `__context__` and `__cause__`."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc.__context__, exc.__cause__]
    while todo:
        inner = todo.pop()
        if inner is not None and inner not in found:
            found.append(inner)
            todo += [inner.__context__, inner.__cause__]
    return found


def test_a_models_error_keeps_no_context_holding_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`from None` only hides pydantic's error (whose input is the key) from tracebacks;
    raised outside the `except`, the redacted error keeps no `__context__` at all."""
    from primer_nb.models import ClientSessionRequest, LineItem

    monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
    for build in (
        lambda: LineItem(amount=1, product_type=MARKER_KEY),
        lambda: LineItem.model_validate({"amount": 1, "productType": MARKER_KEY}),
        lambda: ClientSessionRequest(order_id="o", currency_code=MARKER_KEY),
    ):
        with pytest.raises(PrimerValidationError) as caught:
            build()
        assert_clean("a model's error", exception_texts(caught.value))
        assert chained(caught.value) == []


def test_an_invalid_answer_keeps_no_context_holding_the_echoed_key() -> None:
    """A 200 that is JSON but no session, echoing the request's headers: pydantic's error
    holds them in its input; the client's InvalidResponse must not keep it."""

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"orderId": 1, "headers": dict(request.headers)})

    with answering(echo) as client, pytest.raises(PrimerError) as caught:
        client.create_session(BODY)
    assert "is not a valid" in str(caught.value)
    assert chained(caught.value) == []
    assert_clean("an InvalidResponse", exception_texts(caught.value))


def test_key_behind_json_escapes_is_scrubbed_from_exchanges() -> None:
    """Hooks skip the walk through a body that cannot hold the key: an escape can hide it."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in MARKER_KEY)  # the key, every letter \uXXXX
    pair = f'"{escaped}": "{escaped}"'
    answer = f'{{"orderId": "o", "metadata": {{{pair}}}, "clientToken": "t"}}'

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answer.encode(), headers={"content-type": "json"})

    seen: list[Exchange] = []
    with answering(server) as client:
        client.add_hook(seen.append)
        client.request("POST", "/client-session", json={"orderId": "o"})
    assert json.loads(answer)["metadata"] == {MARKER_KEY: MARKER_KEY}  # it is there, escaped
    assert len(seen) == 1 and seen[0].response_body is not None
    assert_clean("Exchange of an escaped answer", exchange_text(seen[0]))


def test_async_client_paths(emulator: Emulator, debug_logs: pytest.LogCaptureFixture) -> None:
    seen: list[Exchange] = []

    async def drive() -> list[BaseException]:
        errors: list[BaseException] = []
        async with AsyncPrimerClient(MARKER_KEY, emulator=emulator, hooks=[seen.append]) as c:
            session = await c.create_session(BODY)
            await c.get_session(session.client_token)
            for call in (
                c.create_session({"orderId": 5}),
                c.create_session({"orderId": 5}, validate=False),
                c.get_session("nope"),
            ):
                try:
                    await call
                except PrimerError as exc:
                    errors.append(exc)
        return errors

    errors = asyncio.run(drive())
    assert len(errors) == 3
    for exc in errors:
        assert_clean(f"async {type(exc).__name__}", exception_texts(exc))
    for exchange in seen:
        assert_clean("async Exchange", exchange_text(exchange))
    assert_clean("async DEBUG logs", log_text(debug_logs))


# --- ledger ---------------------------------------------------------------------------------


def test_ledger_file_never_holds_the_key(
    client: PrimerClient, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_module = pytest.importorskip("primer_nb.ledger", reason="primer_nb.ledger not there")
    path = tmp_path / "ledger.sqlite3"
    ledger = ledger_module.Ledger(path)
    ledger.attach(client)
    # A second ledger that only gets the (already scrubbed) Exchanges, knowing no key.
    bare_path = tmp_path / "bare.sqlite3"
    bare = ledger_module.Ledger(bare_path)
    client.add_hook(bare.record)
    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    session = client.create_session({**BODY, "metadata": {"note": MARKER_KEY}})
    emulator.inject(503)
    client.get_session(session.client_token)
    client.update_session(session.client_token, {"amount": 100})
    with pytest.raises(PrimerError):
        client.create_session({"orderId": 5}, validate=False)
    with pytest.raises(PrimerError):
        client.get_session("not-a-token")
    assert len(ledger) >= 5 and len(bare) >= 5
    assert_clean("repr(ledger)", repr(ledger))
    frame_text = ledger.frame(full_tokens=True).to_csv()
    assert_clean("ledger.frame()", frame_text)
    ledger.close()
    bare.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith(("ledger", "bare"))]
    assert files
    for file in files:
        assert_clean(f"ledger file {file.name}", file.read_bytes())


# --- snippets and widgets -------------------------------------------------------------------


def _widget_states(roots: list[Any]) -> Iterator[tuple[str, Any]]:
    """(model id/class, state) of every widget reachable from `roots` and all live widgets."""
    import ipywidgets

    seen: set[int] = set()
    stack = list(roots)
    registry = getattr(ipywidgets.widgets.widget, "_instances", {})
    stack.extend(registry.values())
    while stack:
        widget = stack.pop()
        if not isinstance(widget, ipywidgets.Widget) or id(widget) in seen:
            continue
        seen.add(id(widget))
        try:
            state = widget.get_state()
        except Exception:  # a closed widget has no comm; its traits still count
            state = {name: getattr(widget, name, None) for name in widget.keys}
        yield type(widget).__name__, state
        for value in state.values():
            if isinstance(value, list | tuple):
                stack.extend(v for v in value if isinstance(v, ipywidgets.Widget))
        for name in ("children", "countdown", "preview", "form", "result", "status"):
            value = getattr(widget, name, None)
            if isinstance(value, ipywidgets.Widget):
                stack.append(value)
            elif isinstance(value, list | tuple):
                stack.extend(value)


def test_snippets_and_widgets(client: PrimerClient) -> None:
    widgets = pytest.importorskip("primer_nb.widgets", reason="primer_nb.widgets not there")
    from primer_nb.widgets.snippets import snippet_target

    base_url, version, note = snippet_target(client)
    for method in ("POST", "PATCH"):
        body = {**BODY, "clientToken": "tok"} if method == "PATCH" else BODY
        assert_clean(
            f"curl snippet {method}",
            widgets.curl_snippet(
                body, method=method, base_url=base_url, api_version=version, note=note
            ),
        )
        assert_clean(f"python snippet {method}", widgets.python_snippet(body, method=method))

    builder = widgets.SessionBuilder(client)
    builder.fill({"orderId": "order-w1", "currencyCode": "EUR"})
    builder.add_line_item({"itemId": "a", "amount": "12.99", "quantity": "2"})
    created = builder.submit()  # raises, naming each problem, when the form has one
    refused = widgets.SessionBuilder(PrimerClient(MARKER_KEY, emulator=Emulator(api_keys=["x"])))
    refused.fill({"orderId": "order-w2", "currencyCode": "EUR"})
    refused.add_line_item({"itemId": "a", "amount": "1.00", "quantity": "1"})
    with pytest.raises(AuthenticationError) as raised:  # shown in the widget, and raised for code
        refused.submit()
    assert refused.failure is not None
    assert_clean("refused SessionBuilder.submit() error", f"{raised.value!s} {raised.value!r}")
    patcher = widgets.PatchBuilder(client, created.client_token)
    with pytest.raises(ValueError, match="nothing to send"):
        patcher.submit()
    roots = [builder, refused, patcher]
    count = 0
    for name, state in _widget_states(roots):
        count += 1
        assert_clean(f"{name}.get_state()", json.dumps(state, default=repr))
    assert count > 20  # the walk really reached the forms' widgets
    for root in roots:
        assert_clean(f"repr({type(root).__name__})", repr(root))
        bundle = root._repr_mimebundle_()
        assert_clean(f"{type(root).__name__} mime bundle", json.dumps(bundle, default=repr))
        root.close()


# --- notebooks ---------------------------------------------------------------------------------

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Run live with the marker key (the ones that show errors, logs and snippets).
LIVE = ["create-a-client-session", "errors-and-troubleshooting"]  # stems without the number


def test_stored_notebook_outputs_hold_no_key() -> None:
    if not NOTEBOOKS:
        pytest.skip("no notebooks/*.ipynb yet")
    for path in NOTEBOOKS:
        text = path.read_text()
        assert_clean(path.name, text)
        for pattern in KEY_LIKE:
            hits = pattern.findall(text)
            assert not hits, f"{len(hits)} key-like string(s) in {path.name} ({pattern.pattern})"


def test_notebooks_run_with_the_marker_key_show_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Execute notebooks with PRIMER_API_KEY=marker against a server accepting only it."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    live = [p for p in NOTEBOOKS if p.stem[3:] in LIVE]
    if not live:
        pytest.skip(f"none of {LIVE} in notebooks/ yet")
    from tests.reliability.conftest import bench

    # One kernel runs the notebooks one after the other (a kernel start costs seconds).
    notebook = nbformat.v4.new_notebook()
    for n, path in enumerate(live):
        for cell in nbformat.read(path, as_version=4).cells:
            cell["id"] = f"nb{n}-{cell.get('id', len(notebook.cells))}"
            notebook.cells.append(cell)
    with bench.start_emulator(api_key=MARKER_KEY) as server:
        monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
        monkeypatch.setenv("PRIMER_BASE_URL", server.url)
        nbclient.NotebookClient(
            notebook,
            timeout=60,
            allow_errors=True,  # checked below: only cells tagged raises-exception may fail
            resources={"metadata": {"path": str(live[0].parent)}},
        ).execute()
        text = nbformat.writes(notebook)
        outputs = sum(len(c.get("outputs", [])) for c in notebook.cells)
        assert outputs > 10, "the notebooks produced (almost) no outputs"
        # The server accepts only the marker: cells that ran without error sent it.
        for index, cell in enumerate(notebook.cells):
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            tags = cell.get("metadata", {}).get("tags", [])
            assert not failed or "raises-exception" in tags, f"cell {index} failed unexpectedly"
        assert_clean(f"executed {', '.join(p.name for p in live)}", text)
        assert_clean("emulator server output", "\n".join(server.output))
