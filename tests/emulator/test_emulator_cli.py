"""The real `primer-nb emulator` server: start on a free port, drive, load, drop, stop."""

from __future__ import annotations

import asyncio
import re
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from primer_nb.cli import build_parser, main
from tests.emulator.emulator_helpers import HEADERS, run, start_cli_emulator

LINE = "primer-nb emulator serving http://127.0.0.1:"


def _read_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise AssertionError("the emulator printed no URL in time")
    return proc.stdout.readline().strip()


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = start_cli_emulator("--seed", "3", "--api-key", "cli-key")
    try:
        line = _read_line(proc)
        assert line.startswith(LINE) and line.endswith("/client-session"), line
        yield proc, line.removeprefix("primer-nb emulator serving ").removesuffix("/client-session")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


async def _concurrent_creates(base: str, n: int) -> list[tuple[str, str]]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(
        base_url=base, headers={**HEADERS, "X-API-KEY": "cli-key"}, limits=limits, timeout=60
    ) as client:
        made = await asyncio.gather(
            *(client.post("/client-session", json={"orderId": f"order-{i}"}) for i in range(n))
        )
        assert all(r.status_code == 200 for r in made)
        tokens = [r.json()["clientToken"] for r in made]
        got = await asyncio.gather(
            *(client.get("/client-session", params={"clientToken": t}) for t in tokens)
        )
        return [(f"order-{i}", r.json()["orderId"]) for i, r in enumerate(got)]


def test_cli_server_end_to_end(server: tuple[subprocess.Popen[str], str]) -> None:
    proc, base = server
    headers = {**HEADERS, "X-API-KEY": "cli-key"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        assert (
            http.post("/client-session", json={}, headers={"X-API-KEY": "other"}).status_code == 403
        )
        made = http.post(
            "/client-session", json={"orderId": "cli", "order": {"lineItems": [{"amount": 5}]}}
        )
        assert made.status_code == 200 and made.json()["amount"] == 5
        token = made.json()["clientToken"]
        patched = http.patch("/client-session", json={"clientToken": token, "orderId": "cli-2"})
        assert patched.json()["orderId"] == "cli-2"
        assert (
            http.get("/client-session", params={"clientToken": token}).json()["orderId"] == "cli-2"
        )
        assert http.post("/_emulator/reset").status_code == 200

        pairs = run(_concurrent_creates(base, 200))
        assert all(sent == got for sent, got in pairs)
        listed = http.get("/_emulator/sessions").json()["sessions"]
        assert len(listed) == 200 and len({s["clientToken"] for s in listed}) == 200

        http.post("/_emulator/faults", json={"faults": [{"status": 0, "drop": True}]})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.post("/client-session", json={})
        assert http.post("/client-session", json={}).status_code == 200

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert proc.stderr is not None
    errors = proc.stderr.read()
    assert "Traceback" not in errors and "cli-key" not in errors


def test_a_web_page_reaching_the_server_by_dns_rebinding_is_refused(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    """A page whose name resolves to 127.0.0.1 sends its own name as Host: it could read
    every stored session (and a learner's typed e-mail addresses) and reset the server."""
    _, base = server
    port = base.rsplit(":", 1)[1]
    key = {**HEADERS, "X-API-KEY": "cli-key"}
    with httpx.Client(base_url=base, headers=key, timeout=30) as http:
        made = http.post("/client-session", json={"customer": {"emailAddress": "ada@example.com"}})
        assert made.status_code == 200
        for evil in (f"evil.example:{port}", "evil.example", f"192.0.2.7:{port}", "localhost.evil"):
            for method, path in (("GET", "/_emulator/sessions"), ("POST", "/_emulator/reset")):
                answer = http.request(method, path, headers={"Host": evil})
                assert answer.status_code == 400, (evil, path)
                error = answer.json()["error"]
                assert error["errorId"] == "BadRequest" and "DNS rebinding" in error["description"]
                assert "ada@example.com" not in answer.text
        for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST.:{port}", "127.0.0.1"):
            assert http.get("/_emulator/sessions", headers={"Host": good}).status_code == 200
        assert len(http.get("/_emulator/sessions").json()["sessions"]) == 1  # nothing reset
        # the names found good are remembered (one lookup a request), never a refused one
        assert http.get("/_emulator/sessions", headers={"Host": "evil.example"}).status_code == 400


def test_host_names_are_read_without_port_brackets_case_or_final_dot() -> None:
    from primer_nb.emulator.app import host_name

    assert host_name("127.0.0.1:8010") == "127.0.0.1"
    assert host_name("[::1]:8010") == "::1"
    assert host_name("[::1]") == "::1"
    assert host_name("LocalHost.") == "localhost"
    assert host_name(" evil.example:80 ") == "evil.example"
    assert host_name("::1") == "::1"  # unbracketed IPv6, as some clients send it


def test_cli_sigint_stops_cleanly(server: tuple[subprocess.Popen[str], str]) -> None:
    proc, base = server
    assert httpx.get(f"{base}/_emulator/clock", headers={"X-API-KEY": "cli-key"}).status_code == 200
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0


@pytest.mark.parametrize("signals", [1, 2])
def test_a_request_in_flight_when_the_server_stops(signals: int) -> None:
    """One Ctrl-C lets the request finish (and says so); a second stops at once, and the
    request gets Primer's envelope with 503, not uvicorn's plain-text 500 and a traceback."""
    proc = start_cli_emulator("--seed", "4", "--latency", "3", "--api-key", "stop-key")
    try:
        base = _read_line(proc).removeprefix("primer-nb emulator serving ")
        answers: list[httpx.Response] = []
        sender = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    base,
                    json={"orderId": "in-flight", "currencyCode": "EUR", "amount": 5},
                    headers={**HEADERS, "X-API-KEY": "stop-key"},
                    timeout=30,
                )
            )
        )
        sender.start()
        time.sleep(1)  # the request is in the emulator's latency
        for _ in range(signals):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.3)
        sender.join(timeout=30)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        errors = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    assert errors.splitlines()[0] == (
        "primer-nb emulator stopping: 1 request(s) in flight get up to 15 s to finish "
        "(Ctrl-C again stops now)"
    )
    assert "Traceback" not in errors and "stop-key" not in errors
    (answer,) = answers
    if signals == 1:
        assert answer.status_code == 200 and answer.json()["orderId"] == "in-flight"
    else:
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/json"
        error = answer.json()["error"]
        assert error["errorId"] == "ServiceUnavailable"
        assert error["description"] == "The emulator stopped before it answered this request."
        assert len(error["diagnosticsId"]) == 19


def test_log_requests_writes_one_line_per_request_without_key_token_or_body() -> None:
    proc = start_cli_emulator("--seed", "5", "--api-key", "log-key", "--log-requests")
    try:
        base = _read_line(proc).removeprefix("primer-nb emulator serving ")
        headers = {**HEADERS, "X-API-KEY": "log-key"}
        with httpx.Client(headers=headers, timeout=30) as http:
            made = http.post(base, json={"orderId": "logged", "currencyCode": "EUR", "amount": 5})
            token = made.json()["clientToken"]
            assert http.get(base, params={"clientToken": token}).status_code == 200
            refused = http.post(base, json={"orderId": "logged", "amount": "5"})
            assert refused.status_code == 422
            wrong_key = http.post(base, json={}, headers={"X-API-KEY": "not-the-key"})
            assert wrong_key.status_code == 403
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert proc.stderr is not None
        lines = proc.stderr.read().splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    when = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    expected = [
        r"POST /client-session 200",
        r"GET /client-session 200",
        r"POST /client-session 422 RequestValidationError diagnosticsId=\d{19}",
        r"POST /client-session 403 SecurityPolicyBlock diagnosticsId=\d{19}",
    ]
    assert len(lines) == len(expected), lines
    for line, shape in zip(lines, expected, strict=True):
        assert re.fullmatch(rf"{when} {shape} \(\d+\.\d ms\)", line), line
    assert refused.json()["error"]["diagnosticsId"] in lines[2]
    text = "\n".join(lines)
    assert "log-key" not in text and "not-the-key" not in text and token not in text


def test_cli_parser_defaults_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["emulator"])
    assert (args.host, args.port, args.api_key, args.latency) == ("127.0.0.1", 8010, [], 0.0)
    with pytest.raises(SystemExit):
        main(["emulator", "--enable-currency", "ZZZ"])
    with pytest.raises(SystemExit):
        main([])
    assert "ZZZ" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "warned"),
    [
        (["--host", "0.0.0.0"], True),
        (["--host", "192.0.2.7"], True),
        (["--host", "emulator.internal"], True),
        (["--host", "0.0.0.0", "--api-key", "team-key"], False),
        (["--host", "127.0.0.1"], False),
        (["--host", "::1"], False),
        (["--host", "localhost"], False),
    ],
)
def test_a_server_open_to_other_machines_without_a_key_says_so(
    flags: list[str],
    warned: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Reachable from the network, a server without --api-key takes any key, its admin
    endpoints' too (every client token, reset): it says so before it serves. (Nothing is
    served here: tests listen on 127.0.0.1 only.)"""
    import primer_nb.cli as cli

    served: list[tuple[str, str | None]] = []

    def serve(
        app: object, *, host: str, port: int, notice: str | None = None, date_header: bool = True
    ) -> int:
        served.append((host, notice))  # `serve` prints the notice once the socket is bound
        return 0

    monkeypatch.setattr(cli, "serve", serve)
    monkeypatch.delenv("PRIMER_NB_EMULATOR_KEYS", raising=False)
    assert main(["emulator", *flags]) == 0
    [(host, notice)] = served
    assert host == flags[1]
    assert capsys.readouterr().err == ""  # nothing before the socket is bound
    if warned:
        assert notice == (
            f"primer-nb emulator: --host {flags[1]} can be reached from other machines, and "
            "without --api-key it accepts any non-empty key, on its admin endpoints too "
            "(every client token, reset); give --api-key KEY (or PRIMER_NB_EMULATOR_KEYS) "
            "to say who may use it"
        )
    else:
        assert notice is None


def test_a_host_that_is_not_here_gets_its_error_and_no_warning_about_a_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The warning about other machines came first, for a server that never started."""
    monkeypatch.delenv("PRIMER_NB_EMULATOR_KEYS", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--host", "192.0.2.7", "--port", "0"])  # TEST-NET-1: no one has it
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--host 192.0.2.7: not an address of this machine" in err
    assert "can be reached from other machines" not in err


def test_serve_runs_on_uvloop_where_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn picks uvloop only in `Server.run`; `serve` runs `Server.serve` on its own loop."""
    import uvicorn

    from primer_nb import cli

    uvloop = pytest.importorskip("uvloop", reason="uvloop is a dependency on CPython only")
    loops: list[object] = []

    async def serve(self: uvicorn.Server, sockets: object = None) -> None:
        loops.append(asyncio.get_running_loop())
        self.started = True

    monkeypatch.setattr(uvicorn.Server, "serve", serve)
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    assert cli.serve(object(), host="127.0.0.1", port=0) == 0
    assert len(loops) == 1 and isinstance(loops[0], uvloop.Loop)


def test_a_served_emulator_dates_its_answers_on_its_own_clock() -> None:
    """uvicorn wrote the machine's time as `Date`, which the session card and the
    countdown read as the backend's: a token an emulator started on 2026-01-15 had just
    issued showed as expired thousands of hours ago, while it still opened its session."""
    from primer_nb.client import PrimerClient
    from primer_nb.display import backend_now
    from primer_nb.widgets import ExpiryCountdown
    from tests.tables.conftest import emulator_process

    start = ("--start", "2026-01-15T09:00:00", "--freeze-clock", "--api-key", "k")
    with emulator_process(*start) as url:
        answer = httpx.post(
            f"{url}/client-session", json={"orderId": "o-1"}, headers={"X-API-KEY": "k"}
        )
        assert answer.headers.get_list("date") == ["Thu, 15 Jan 2026 09:00:00 GMT"]
        refused = httpx.get(f"{url}/_emulator/clock")  # an error answer is dated too
        assert refused.status_code == 403
        assert refused.headers.get_list("date") == ["Thu, 15 Jan 2026 09:00:00 GMT"]
        with PrimerClient("k", base_url=url) as client:
            session = client.create_session({"orderId": "o-2"})
            now = backend_now(session)
            assert now is not None and now.isoformat().startswith("2026-01-15T09:00:0")
            # the card's text: the Date, plus the seconds since it came
            card = " ".join(re.sub("<[^>]+>", " ", session._repr_html_()).split())
            assert re.search(r"(23 h 59|24 h 0) min left \(backend clock 2026-01-15 09:0", card)
            countdown = ExpiryCountdown(session)  # no clock given: the backend's
            countdown.refresh()
            assert countdown.value.startswith("expires in 2") and "expired" not in countdown.value
            assert client.get_session(session.client_token).order_id == "o-2"
