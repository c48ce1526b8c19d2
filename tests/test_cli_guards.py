"""`primer-nb emulator`/`parity` refuse values that would silently misbehave (exit 2, one
line naming the flag and the rule, never the key), and `Emulator(...)` refuses the same.

- an empty `--api-key` (an unset `$KEY`) once started a server that let any key in;
- `--port 70000` once served on 4464 (the OS wraps it), `--port -1` failed in uvicorn;
- `--latency inf` once hung every request (and a stop gave a 500 and a traceback),
  `--latency nan` acted like 0;
- an empty `--host` once bound every interface;
- `--start 9999-12-31T23:00` once answered every POST with a 500.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from primer_nb import cli
from primer_nb.emulator import Emulator
from primer_nb.emulator.validation import KeyRing
from tests.emulator.emulator_helpers import HEADERS, error_of, run, start_cli_emulator

ROOT = Path(__file__).resolve().parents[1]
MARKER = "sk_marker_QQQ987"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """Replace the uvicorn server with a recorder: a test then never starts a real one."""
    calls: list[dict[str, object]] = []

    def fake_serve(
        app: object,
        *,
        host: str,
        port: int,
        name: str = "",
        notice: str | None = None,
        date_header: bool = True,
    ) -> int:
        # the emulator writes its own clock's Date (ClockDate), never uvicorn's as well
        assert date_header is False
        calls.append({"app": app, "host": host, "port": port, "notice": notice})
        return 0

    monkeypatch.setattr(cli, "serve", fake_serve)
    yield calls


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run `primer-nb ARGV`; it must exit 2 before serving. Returns its stderr."""
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--api-key", ""], "argument --api-key: an API key must not be empty or blank"),
        (["--api-key", "  "], "argument --api-key: an API key must not be empty or blank"),
        (["--api-key", "ok", "--api-key", ""], "argument --api-key: an API key must not be empty"),
        (["--port", "70000"], "argument --port: must be a whole number from 0 to 65535"),
        (["--port", "65536"], "argument --port: must be a whole number from 0 to 65535"),
        (["--port", "-1"], "argument --port: must be a whole number from 0 to 65535"),
        (["--latency", "inf"], "argument --latency: must be a number of seconds from 0 to 10"),
        (["--latency", "nan"], "argument --latency: must be a number of seconds from 0 to 10"),
        (["--latency", "1e308"], "argument --latency: must be a number of seconds from 0 to 10"),
        (["--latency", "-0.5"], "argument --latency: must be a number of seconds from 0 to 10"),
        (["--latency", "10.5"], "argument --latency: must be a number of seconds from 0 to 10"),
        (["--max-sessions", "0"], "argument --max-sessions: must be a whole number >= 1"),
        (["--max-sessions", "-3"], "argument --max-sessions: must be a whole number >= 1"),
        (["--host", ""], "argument --host: must not be empty"),
        (["--start", "2026-13-01"], "argument --start: must be an ISO 8601 date-time"),
        (["--start", "9999-12-31T23:00:00"], "argument --start: must lie between 1970-01-02 and"),
        (["--start", "1960-01-01"], "argument --start: must lie between 1970-01-02 and 9000-01-01"),
        (  # Python's own words were "not datetime.timedelta(days=1, seconds=3600)"
            ["--start", "2026-01-15T09:00:00+25:00"],
            "(a UTC offset must lie between -23:59 and +23:59)",
        ),
        (["--enable-currency", "ZZZ"], "argument --enable-currency: 'ZZZ' is not a currency code"),
    ],
)
def test_the_emulator_command_refuses_values_that_would_misbehave(
    argv: list[str],
    message: str,
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _refused(["emulator", *argv], capsys)
    assert served == [], "the server started"
    last = err.strip().splitlines()[-1]
    assert last.startswith("primer-nb emulator: error: ")  # the subcommand's own usage
    assert message in last
    assert "usage: primer-nb emulator" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "0"],
        ["--port", "65535"],
        ["--latency", "0"],
        ["--latency", "0.05"],
        ["--latency", "10"],
        ["--max-sessions", "1"],
        ["--api-key", "k1", "--api-key", "k2"],
        ["--start", "2026-01-15T09:00:00Z"],
    ],
)
def test_the_emulator_command_accepts_the_limits(
    argv: list[str], served: list[dict[str, object]]
) -> None:
    assert cli.main(["emulator", *argv]) == 0
    assert len(served) == 1


def test_an_api_key_given_to_the_command_locks_the_server(
    served: list[dict[str, object]],
) -> None:
    cli.main(["emulator", "--api-key", MARKER, "--port", "65535"])
    assert served[0]["port"] == 65535
    transport = httpx.ASGITransport(app=served[0]["app"])  # type: ignore[arg-type]

    async def answers() -> list[int]:
        # addressed as a client on this machine addresses it (the served app refuses
        # another Host: DNS rebinding)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            statuses = []
            for key in ("k", MARKER):
                sent = await http.post(
                    "/client-session", json={}, headers={**HEADERS, "X-API-KEY": key}
                )
                statuses.append(sent.status_code)
            return statuses

    assert run(answers()) == [403, 200]


@pytest.mark.parametrize(
    "key", [f" {MARKER}", f"{MARKER}\n", f"{MARKER}\t", f"{MARKER[:4]}\x00{MARKER[4:]}"]
)
def test_a_key_no_http_header_can_carry_is_refused_and_never_printed(
    key: str, served: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["emulator", "--api-key", key], capsys)
    assert "argument --api-key: an API key " in err
    assert "surrounding whitespace" in err or "which an HTTP header cannot carry" in err
    assert MARKER not in err and MARKER[4:] not in err
    assert served == []


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["parity", "--api-key", MARKER], "unrecognized arguments: --api-key …"),
        (["emulator", "--apikey", MARKER], "unrecognized arguments: --apikey …"),
        (["parity", f"--api-key={MARKER}"], "unrecognized arguments: --api-key=…"),
        (["parity", MARKER, "--bogus"], "unrecognized arguments: … --bogus"),
        (["--api-key", MARKER, "emulator"], "argument COMMAND: invalid choice: … (choose from"),
        (["emulator", f"--s=x,{MARKER} y"], "ambiguous option: --s=… could match --seed"),
    ],
    ids=["parity-api-key", "typo", "equals", "positional", "before-the-command", "ambiguous"],
)
def test_an_argument_argparse_does_not_know_is_not_echoed(
    argv: list[str],
    shown: str,
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A key after a flag the command lacks (emulator's `--api-key` tried on parity, a
    typo) must not reach stderr and CI logs: the error names the flags, not the values."""
    err = _refused(argv, capsys)
    assert "usage: primer-nb" in err
    assert shown in err.strip().splitlines()[-1]
    assert MARKER not in err and MARKER[4:] not in err
    assert served == []


def test_an_argparse_error_never_shows_the_environments_key(
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", MARKER)
    err = _refused(["emulator", "--port", MARKER], capsys)
    assert "argument --port: must be a whole number from 0 to 65535" in err
    assert err.strip().endswith("not '***'")
    assert MARKER not in err


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf", "x"])
def test_parity_refuses_a_timeout_that_is_not_a_finite_positive_number(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused(["parity", "--timeout", timeout], capsys)
    assert "primer-nb parity: error: argument --timeout: must be a finite number" in err


def test_parity_usage_errors_show_the_parity_usage(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(["parity", "--record", "out.json"], capsys)
    assert "usage: primer-nb parity" in err
    assert err.strip().splitlines()[-1].startswith("primer-nb parity: error: --record needs")


def test_the_empty_key_error_is_one_line_without_a_traceback_from_the_console() -> None:
    """The real process: `--api-key "$KEY"` with KEY unset ends at once with status 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "primer_nb.cli", "emulator", "--port", "0", "--api-key", ""],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,  # before the fix it served (any key accepted) until killed
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines()[-1] == (
        "primer-nb emulator: error: argument --api-key: an API key must not be empty or blank"
    )
    assert "Traceback" not in proc.stderr


# --- the Python API ------------------------------------------------------------------


@pytest.mark.parametrize("keys", [[""], ["   "], ["ok", ""], ("ok", "\t\n")])
def test_emulator_refuses_an_empty_or_blank_key(keys: list[str]) -> None:
    with pytest.raises(ValueError, match=r"api_keys\[\d\]: an API key must not be empty or blank"):
        Emulator(api_keys=keys)


@pytest.mark.parametrize("key", [f"{MARKER} ", f"{MARKER}\r\nX-Evil: 1", f"\x7f{MARKER}"])
def test_emulator_refuses_a_key_no_header_can_carry_without_naming_it(key: str) -> None:
    with pytest.raises(ValueError) as caught:
        Emulator(api_keys=["fine", key])
    text = f"{caught.value} {caught.value!r}"
    assert "api_keys[1]: an API key " in text
    assert "surrounding whitespace" in text or "which an HTTP header cannot carry" in text
    assert MARKER not in text


def test_emulator_refuses_a_single_string_as_its_keys() -> None:
    with pytest.raises(TypeError, match="a list of keys, not a single str"):
        Emulator(api_keys=MARKER)
    with pytest.raises(TypeError, match=r"api_keys\[0\]: an API key must be a str"):
        Emulator(api_keys=[None])  # type: ignore[list-item]


def test_keys_still_lock_and_no_keys_still_open() -> None:
    assert repr(KeyRing(["a b", "k~!"])) == "KeyRing(keys=2)"  # inner spaces are fine
    locked, open_ = Emulator(api_keys=["right"]), Emulator()
    for emulator, key, status in [
        (locked, "wrong", 403),
        (locked, "right", 200),
        (open_, "x", 200),
    ]:
        with httpx.Client(transport=emulator.transport(), base_url="http://e") as http:
            sent = http.post("/client-session", json={}, headers={**HEADERS, "X-API-KEY": key})
            assert sent.status_code == status


@pytest.mark.parametrize(
    "latency", [float("nan"), float("inf"), -float("inf"), -0.001, 1e308, 10.001]
)
def test_emulator_refuses_a_latency_that_is_not_0_to_10_seconds(latency: float) -> None:
    with pytest.raises(ValueError, match="latency must be a finite number of seconds from 0 to 10"):
        Emulator(latency=latency)
    emulator = Emulator(latency=1)
    with pytest.raises(ValueError, match="latency must be a finite number of seconds from 0 to 10"):
        emulator.latency = latency  # set later, as notebooks do: the same rule
    assert emulator.latency == 1


@pytest.mark.parametrize("latency", [True, "1", None])
def test_emulator_refuses_a_latency_that_is_not_a_number(latency: object) -> None:
    with pytest.raises(TypeError, match="latency must be a number of seconds"):
        Emulator(latency=latency)  # type: ignore[arg-type]


def test_emulator_accepts_latencies_up_to_its_maximum() -> None:
    assert Emulator.MAX_LATENCY == 10
    for latency in (0, 0.05, 10):
        assert Emulator(latency=latency).latency == latency


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00", "1969-12-31T00:00:00"])
def test_emulator_refuses_a_start_outside_the_clocks_range(start: str) -> None:
    with pytest.raises(ValueError, match="start must lie between 1970-01-02 and 9000-01-01"):
        Emulator(start=start)


def test_a_start_near_the_end_of_the_range_still_answers() -> None:
    emulator = Emulator(start="8999-12-30T00:00:00", frozen=True)
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        assert http.post("/client-session", json={}).status_code == 200


# --- a stopped server finishes what it is answering -------------------------------


def test_a_stop_lets_a_delayed_request_finish() -> None:
    """SIGTERM while a request waits out its latency: it still gets its 200, exit 0.

    With uvicorn's 5 s grace and a 6 s latency, the request was once cancelled: a
    plain-text 500 for the client and a CancelledError traceback in the log.
    """
    assert cli.SHUTDOWN_GRACE > Emulator.MAX_LATENCY
    proc = start_cli_emulator("--latency", "6")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        url = line.removeprefix("primer-nb emulator serving ")
        assert url.startswith("http://127.0.0.1:"), line

        async def delayed_post() -> httpx.Response:
            async with httpx.AsyncClient(headers=HEADERS, timeout=60) as http:
                sending = asyncio.ensure_future(http.post(url, json={"orderId": "in-flight"}))
                await asyncio.sleep(1)  # the request now waits out its latency
                proc.send_signal(signal.SIGTERM)
                return await sending

        answer = run(delayed_post())
        assert answer.status_code == 200, answer.text
        assert answer.json()["orderId"] == "in-flight"
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


# --- where the admin errors send a user ---------------------------------------------


def test_admin_errors_point_to_a_page_the_user_has() -> None:
    emulator = Emulator(seed=1, frozen=True)
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        error = error_of(http.post("/_emulator/clock", json={}), 400, "BadRequest")
    suggestion = error["recoverySuggestion"]
    assert "behaviour.md" not in suggestion and "spec" not in suggestion
    assert (
        suggestion
        == 'See "Admin endpoints" on the page How the emulator behaves (docs/emulator.md).'
    )
    page = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    assert page.startswith("# How the emulator behaves\n")
    assert "\n### Admin endpoints\n" in page


def _statuses(server: dict[str, object], keys: tuple[str, ...]) -> list[int]:
    """The status of a POST with each key to the app `primer-nb emulator` would serve."""
    transport = httpx.ASGITransport(app=server["app"])  # type: ignore[arg-type]

    async def answers() -> list[int]:
        # addressed as a client on this machine addresses it (the served app refuses
        # another Host: DNS rebinding)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return [
                (
                    await http.post("/client-session", json={}, headers={**HEADERS, "X-API-KEY": k})
                ).status_code
                for k in keys
            ]

    return run(answers())


def test_a_blank_line_between_keys_in_the_variable_is_an_empty_key(
    monkeypatch: pytest.MonkeyPatch,
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", f"{MARKER}\n\nsecond-key")
    err = _refused(["emulator", "--port", "0"], capsys)
    # the variable and its line, as the user wrote them (not the Emulator's api_keys[N])
    assert "PRIMER_NB_EMULATOR_KEYS line 2: an API key must not be empty or blank" in err
    assert MARKER not in err and served == []


def test_blank_lines_at_the_end_of_the_keys_variable_are_no_keys(
    monkeypatch: pytest.MonkeyPatch, served: list[dict[str, object]]
) -> None:
    """A keys file read with its last newline (or two): the keys before them are served."""
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", f"{MARKER}\nsecond-key\n\n \n")
    assert cli.main(["emulator", "--port", "0"]) == 0
    assert _statuses(served[0], (MARKER, "second-key", "other")) == [200, 200, 403]


@pytest.mark.parametrize("value", ["", "\n", "  \n "])
def test_a_keys_variable_that_holds_no_key_is_refused(
    value: str,
    monkeypatch: pytest.MonkeyPatch,
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # PRIMER_NB_EMULATOR_KEYS="$KEY" with KEY unset must not open a locked server either
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", value)
    err = _refused(["emulator", "--port", "0"], capsys)
    assert "PRIMER_NB_EMULATOR_KEYS is set but holds no key" in err
    assert served == []


def test_keys_from_the_variable_join_the_flags_and_are_never_printed(
    monkeypatch: pytest.MonkeyPatch,
    served: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", f"{MARKER}\nsecond-key")
    assert cli.main(["emulator", "--port", "0", "--api-key", "flag-key"]) == 0
    keys = ("flag-key", MARKER, "second-key", "other")
    assert _statuses(served[0], keys) == [200, 200, 200, 403]
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", f"{MARKER}\n{MARKER}\x01")
    err = _refused(["emulator", "--port", "0"], capsys)
    assert "PRIMER_NB_EMULATOR_KEYS line 2: an API key has a control character" in err
    assert MARKER not in err + capsys.readouterr().out


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from primer_nb._version import __version__

    with pytest.raises(SystemExit) as caught:
        cli.main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"primer-nb {__version__}\n"


def test_emulator_help_says_what_the_command_serves(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["emulator", "--help"])
    assert caught.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Serve the stateful emulator of Primer's Client Session API" in out
    assert "PRIMER_BASE_URL" in out and "/openapi.json" in out


def test_a_taken_port_is_a_usage_error_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """uvicorn logged `[Errno 98] ... address already in use` and exited with status 3;
    now nothing starts, and the last line names `--port` and what to do."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as info:
            cli.main(["emulator", "--port", str(port)])
    assert info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (
        f"primer-nb emulator: error: --port {port}: another program already listens there; "
        "choose another port, or --port 0 for a free one"
    )


def test_an_unknown_host_is_a_usage_error_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["emulator", "--host", "no-such-host.invalid", "--port", "0"])
    assert info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("primer-nb emulator: error: --host no-such-host.invalid: no such ")


def test_localhost_is_served_on_ipv4_as_uvicorn_binds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the usual hosts file `localhost` is `::1` first: taking the first address the
    name gives would serve IPv6 only, and `http://127.0.0.1:PORT` would be refused."""
    import socket

    real = socket.getaddrinfo

    def ipv6_first(host: Any, port: Any, family: int = 0, *args: Any, **kwargs: Any) -> Any:
        found = real(host, port, family, *args, **kwargs)
        if host == "localhost" and family in (0, socket.AF_INET6):
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)), *found]
        return found

    monkeypatch.setattr(socket, "getaddrinfo", ipv6_first)
    with cli._listen("localhost", 0) as sock:
        assert sock.family == socket.AF_INET
        assert sock.getsockname()[0] == "127.0.0.1"
