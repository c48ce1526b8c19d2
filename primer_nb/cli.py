"""`primer-nb`: command-line tools of the kit.

```
primer-nb emulator [--host 127.0.0.1] [--port 8010] [--api-key KEY]...
                   [--enable-currency CODE]... [--no-tax-connection]
                   [--seed N] [--start ISO] [--freeze-clock] [--latency SECONDS]
                   [--max-sessions N] [--log-requests]
```

`emulator` serves the Client Session API emulator on uvicorn, prints one line
`primer-nb emulator serving http://HOST:PORT/client-session` once it listens
(`--port 0` picks a free port), and stops cleanly on SIGINT or SIGTERM (exit 0).

```
primer-nb parity [--against URL|sandbox | --snapshot FILE] [--record FILE] [--json]
                 [--enable-currency CODE]... [--no-tax-connection] [--show-known]
                 [--timeout SECONDS] [--list]
```

```
primer-nb tutorials [FOLDER]
```

`tutorials` copies the tutorial notebooks, `data/orders.csv` and the emulator page into
FOLDER (default `primer-nb-tutorials`), for a pip install without the repository, and
says how to open them. A file already there is never overwritten.

`parity` sends the built-in scenarios to the in-process emulator (configured with
`--enable-currency` and `--no-tax-connection`, spelled as for `emulator`; it takes none of
`emulator`'s other flags) and to another backend, and prints where the answers differ
(`primer_nb.parity`). Against a server or the sandbox, a run creates about
12 client sessions there, and lists them. Exit 0: no differences;
1: differences; 2: usage or connection errors.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import math
import re
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, NoReturn, TypedDict

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

    from primer_nb.emulator import Emulator

__all__ = ["build_parser", "main"]

#: Seconds a stopped server waits for requests in flight: `Emulator.MAX_LATENCY` (10)
#: plus 5, so SIGINT/SIGTERM never cancels a delayed request into a 500 and a traceback.
SHUTDOWN_GRACE = 15


def _repeatable(
    parser: argparse.ArgumentParser,
    flag: str,
    metavar: str,
    help: str,
    type: Callable[[str], str] = str,
) -> None:
    """A flag that may be given again and again; its values gather in a list."""
    parser.add_argument(flag, action="append", default=[], metavar=metavar, help=help, type=type)


def _switch(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    """An on/off flag, off unless given."""
    parser.add_argument(flag, action="store_true", help=help)


def _port(text: str) -> int:
    """`--port`: 0..65535 (the OS would wrap 70000 to 4464; uvicorn fails on -1)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 65535 (0 picks a free port), not {text!r}"
        )
    return port


def _host(text: str) -> str:
    """`--host`: not empty (uvicorn would bind every interface, e.g. for an unset `$HOST`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "must not be empty (an empty host binds every interface; say 0.0.0.0 if you mean it)"
        )
    return text


def _api_key(text: str) -> str:
    """`--api-key`: refused when empty or blank (an unset `$KEY`), never echoed."""
    from primer_nb.config import configured_key_problem

    problem = configured_key_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _number(text: str) -> float:
    """`text` as a float; NaN, which every range check refuses, when it is no number."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _latency(text: str) -> float:
    """`--latency`: seconds from 0 to `Emulator.MAX_LATENCY` (no inf: it hangs, no nan)."""
    from primer_nb.emulator import Emulator

    seconds = _number(text)
    if not 0 <= seconds <= Emulator.MAX_LATENCY:  # NaN fails both comparisons
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from 0 to {Emulator.MAX_LATENCY:g}, not {text!r}"
        )
    return seconds


def _positive_int(text: str) -> int:
    """`--max-sessions`: a whole number >= 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, not {text!r}")
    return number


def _timeout(text: str) -> float:
    """`parity --timeout`: finite seconds > 0."""
    seconds = _number(text)
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, not {text!r}")
    return seconds


def _instant(text: str) -> str:
    """`--start`: ISO 8601 text (checked here, so the error names the option)."""
    from primer_nb.emulator.clock import EARLIEST, LATEST, parse_instant

    try:
        parse_instant(text)
    except ValueError as exc:
        reason = "" if text in str(exc) else f" ({exc})"
        raise argparse.ArgumentTypeError(
            f"must be an ISO 8601 date-time such as 2026-01-15T09:00:00, not {text!r}{reason}"
        ) from None
    if not EARLIEST <= parse_instant(text) < LATEST:  # the emulator's own range, named here
        raise argparse.ArgumentTypeError(
            f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC), not {text!r}"
        )
    return text


def _currency(text: str) -> str:
    """`--enable-currency`: a code `Emulator.check_currency_code` takes (checked here, so the
    error names the option)."""
    from primer_nb.emulator import Emulator

    try:
        Emulator.check_currency_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


#: A token that names a flag (`--api-key`, `-h`): shown as it is in an error.
_FLAG = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]{0,40}")
#: `--flag=value` anywhere in an error (argparse's "ambiguous option" quotes it whole).
_FLAG_VALUE = re.compile(r"(?<![^\s'\"(])(--?[A-Za-z][A-Za-z0-9_-]{0,40})=[^\s'\",)]*")
_UNRECOGNIZED = "unrecognized arguments: "
#: argparse's "invalid choice: 'x' (choose from ...)": `primer-nb --api-key KEY emulator`
#: takes KEY for the command.
_CHOICE = re.compile(r"(invalid choice: )(?:'[^']*'|\"[^\"]*\"|\S+)")
#: argparse's "ambiguous option: --s=VALUE could match --seed, --start": the value runs to
#: " could match", whatever it holds (commas, spaces).
_AMBIGUOUS = re.compile(r"(ambiguous option: --?[A-Za-z][A-Za-z0-9_-]{0,40}=).*(?= could match )")
#: What an error shows instead of a value the user typed.
_MASK = "…"


def _masked(message: str) -> str:
    """An argparse error `message` that repeats no value the user typed where it may be a
    key: after "unrecognized arguments:" only the flags are shown (`--api-key …`: the
    value after a flag another command takes, such as parity given emulator's
    `--api-key KEY`), `--flag=value` becomes `--flag=…`, so does an invalid choice of
    command, and PRIMER_API_KEY is `***` wherever it is."""
    from primer_nb.config import env_var, redact

    head, found, tokens = message.partition(_UNRECOGNIZED)
    if found:
        message = head + found + " ".join(_masked_token(t) for t in tokens.split(" "))
    message = _AMBIGUOUS.sub(rf"\1{_MASK}", message)
    message = _CHOICE.sub(rf"\1{_MASK}", _FLAG_VALUE.sub(rf"\1={_MASK}", message))
    return redact(message, env_var("PRIMER_API_KEY"))


def _masked_token(token: str) -> str:
    """An unrecognized argument as an error shows it: a flag as it is, `--flag=…`, or `…`."""
    if _FLAG.fullmatch(token):
        return token
    flag = _FLAG_VALUE.fullmatch(token)
    return f"{flag.group(1)}={_MASK}" if flag else _MASK


class _Parser(argparse.ArgumentParser):
    """argparse's parser (usage, then one error line, exit status 2) whose error line
    never echoes a value that may be an API key (`_masked`); its subcommands' parsers
    are of this class too (`add_subparsers` makes them so)."""

    #: Set for `parity --json`: a usage error is then also one JSON object on stdout, as
    #: the README promises for every outcome (a script reads stdout, not the usage line).
    json_errors = False

    def error(self, message: str) -> NoReturn:
        if _Parser.json_errors:
            import json

            print(json.dumps({"error": _masked(message)}), flush=True)
        super().error(_masked(message))


def build_parser() -> argparse.ArgumentParser:
    """The `primer-nb` parser, one subcommand per tool."""
    from primer_nb._version import __version__

    parser = _Parser(prog="primer-nb", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"primer-nb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emu = commands.add_parser(
        "emulator",
        help="serve the Client Session API emulator",
        description=(
            "Serve the stateful emulator of Primer's Client Session API (POST, GET and "
            "PATCH /client-session) on 127.0.0.1 unless --host says otherwise, with its "
            "admin endpoints under "
            "/_emulator/ and its OpenAPI document at /openapi.json. Point the kit at it "
            "with PRIMER_BASE_URL. Stop it with Ctrl-C or SIGTERM."
        ),
    )
    emu.set_defaults(command_parser=emu)
    emu.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    emu.add_argument(
        "--port", type=_port, default=8010, help="port, 0..65535 (default 8010; 0 picks a free one)"
    )
    emu.add_argument(
        "--api-key",
        action="append",
        default=[],
        type=_api_key,
        metavar="KEY",
        help="accept only this X-API-KEY (repeatable; an empty KEY is an error); "
        "PRIMER_NB_EMULATOR_KEYS adds keys, one per line, out of the process list; "
        "default: any non-empty key",
    )
    _repeatable(
        emu,
        "--enable-currency",
        "CODE",
        "enable a currency Primer disables by default (repeatable)",
        type=_currency,
    )
    _switch(emu, "--no-tax-connection", "no TaxJar connection: no TAXJAR warnings")
    emu.add_argument("--seed", type=int, default=None, help="deterministic tokens and ids")
    emu.add_argument(
        "--start",
        type=_instant,
        default=None,
        metavar="ISO",
        help="clock start, from 1970-01-02 to before 9000-01-01 (naive = UTC)",
    )
    _switch(emu, "--freeze-clock", "time moves only through /_emulator/clock")
    emu.add_argument(
        "--latency",
        type=_latency,
        default=0.0,
        metavar="SECONDS",
        help="delay before each API answer, 0..10 (default 0)",
    )
    emu.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=None,
        metavar="N",
        help="keep at most N sessions, dropping the oldest first (a dropped token answers "
        "like an unknown one); default: no limit",
    )
    _switch(
        emu,
        "--log-requests",
        "one line per request on stderr: time, method, path (no query), status, and an "
        "error's errorId and diagnosticsId; never a header or a body",
    )
    _add_parity(commands)
    tut = commands.add_parser(
        "tutorials",
        help="copy the tutorial notebooks into a folder",
        description=(
            "Copy the ten tutorial notebooks, the data they open (data/orders.csv) and the "
            "page on how the emulator behaves into FOLDER, in the repository's layout, for "
            "a pip install that has no clone of the repository. A file already in FOLDER "
            "is never overwritten: one that differs from this version's copy (your changes, or "
            "an older primer-nb's) is kept and listed. Then open them with "
            "`jupyter lab FOLDER/notebooks`."
        ),
    )
    tut.set_defaults(command_parser=tut)
    tut.add_argument(
        "folder",
        nargs="?",
        default="primer-nb-tutorials",
        metavar="FOLDER",
        help="where to copy them (made if missing; default: primer-nb-tutorials)",
    )
    return parser


#: How many client sessions a parity run creates on the other side when it answers like the
#: emulator (tests/test_parity_other_side.py counts them; a lenient account creates more).
PARITY_SESSIONS = 12


def _add_parity(commands: argparse._SubParsersAction[_Parser]) -> None:
    par = commands.add_parser(
        "parity",
        help="compare the emulator with a server, your sandbox account or a snapshot",
        description=(
            "Send the built-in scenarios to the in-process emulator and to another backend, "
            "and show where their answers differ. Without --against or --snapshot, the "
            "emulator is checked against the shipped snapshot of Primer's documented examples. "
            f"A run --against a server or your sandbox creates about {PARITY_SESSIONS} client "
            "sessions there (more when it accepts requests the emulator refuses) and lists "
            "them (scenario, step, orderId)."
        ),
    )
    par.set_defaults(command_parser=par)
    where = par.add_mutually_exclusive_group()
    where.add_argument(
        "--against",
        metavar="URL|sandbox",
        help="a running server (e.g. http://127.0.0.1:8010), or 'sandbox' with PRIMER_API_KEY; "
        f"creates about {PARITY_SESSIONS} client sessions there. PRIMER_API_KEY goes over "
        "plain http:// only to this machine",
    )
    where.add_argument(
        "--snapshot", metavar="FILE", help="compare with a recorded snapshot, offline"
    )
    par.add_argument(
        "--record",
        metavar="FILE",
        help="with --against: save the other side's answers there (checked before the run; "
        "an earlier snapshot's knownDifferences are kept)",
    )
    _switch(par, "--json", "machine output (one JSON object)")
    _repeatable(
        par,
        "--enable-currency",
        "CODE",
        "emulator side: enable a currency Primer disables by default (repeatable)",
    )
    _switch(par, "--no-tax-connection", "emulator side: no TaxJar connection, no TAXJAR warnings")
    _switch(par, "--show-known", "list a snapshot's known differences")
    par.add_argument(
        "--timeout",
        type=_timeout,
        default=30.0,
        metavar="SECONDS",
        help="per request (default 30; Primer's gateway waits up to 90)",
    )
    _switch(par, "--list", "list the scenarios and exit")


class _ParityOptions(TypedDict):
    enable_currencies: Sequence[str]
    tax_connection: bool
    timeout: float


def run_parity(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`primer-nb parity`: 0 no differences, 1 differences, 2 usage or connection errors."""
    import os
    import sys

    try:
        return _parity_output(args, parser)
    except BrokenPipeError:  # `primer-nb parity ... | head`: the reader left, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that Python's exit flush does not fail
        return 1  # as Python's documentation does; the shell reports the reader's status


def _parity_output(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import json
    import sys

    from primer_nb import parity

    if args.list:
        if args.json:
            listed = [{"name": s.name, "description": s.description} for s in parity.SCENARIOS]
            print(json.dumps({"scenarios": listed}, ensure_ascii=False))
            return 0
        for scenario in parity.SCENARIOS:
            print(f"{scenario.name:32} {scenario.description}")
        return 0
    if args.record and not args.against:
        parser.error("--record needs --against URL|sandbox (it saves that side's answers)")
    options: _ParityOptions = {
        "enable_currencies": args.enable_currency,
        "tax_connection": not args.no_tax_connection,
        "timeout": args.timeout,
    }
    try:
        if args.record:
            result = parity.record(args.against, args.record, **options)
        else:
            result = parity.run(args.against, snapshot=args.snapshot, **options)
    except parity.ParityError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}))
        print(f"primer-nb parity: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C: no traceback, and the sessions it made
        said = str(exc) or "interrupted"
        if args.json:
            print(json.dumps({"error": said}), flush=True)
        print(f"primer-nb parity: {said}", file=sys.stderr)
        return 130  # as a shell reports a program stopped by SIGINT
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        if args.record:
            print(f"recorded {len(result.scenarios)} scenarios to {args.record}")
            if result.kept_known is not None:
                print(f"kept {result.kept_known} known differences from the earlier {args.record}")
        print(result.render(show_known=args.show_known))
    return result.exit_status


def _make_emulator(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Emulator:
    from primer_nb.config import emulator_keys
    from primer_nb.emulator import Emulator
    from primer_nb.errors import ConfigurationError

    try:
        return Emulator(
            seed=args.seed,
            start=args.start,
            frozen=args.freeze_clock,
            api_keys=[*args.api_key, *(emulator_keys() or ())],
            enabled_currencies=args.enable_currency,
            tax_connection=not args.no_tax_connection,
            latency=args.latency,
            max_sessions=args.max_sessions,
        )
    except (ValueError, TypeError, ConfigurationError) as exc:
        parser.error(str(exc))


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for connections the emulator drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        from primer_nb.emulator.faults import ConnectionDropped

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


async def _announce(server: uvicorn.Server, host: str, name: str) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"{name} serving http://{shown}:{port}/client-session", flush=True)


async def _serve(server: uvicorn.Server, sock: socket.socket, host: str, name: str) -> None:
    announcer = asyncio.create_task(_announce(server, host, name))
    try:
        await server.serve(sockets=[sock])
    finally:
        announcer.cancel()


class CannotListen(OSError):
    """`serve` could not listen where it was told; the text names the flag and why."""


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port`, bound before uvicorn starts, so a taken port or
    an unknown host is reported in words naming the flag (uvicorn logs an errno and exits
    with status 3). IPv6 only for a host with a `:`, as uvicorn itself binds: `localhost`
    is 127.0.0.1, where clients of `http://127.0.0.1:PORT` find it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CannotListen(f"--host {host}: no such address here ({exc})") from None
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(
                f"--port {port}: another program already listens there; choose another "
                "port, or --port 0 for a free one"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise CannotListen(f"--host {host}: not an address of this machine") from None
        raise CannotListen(f"--host {host} --port {port}: cannot listen there ({exc})") from None


def serve(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    name: str = "primer-nb emulator",
    notice: str | None = None,
    date_header: bool = True,
) -> int:
    """Serve an ASGI app on uvicorn until SIGINT/SIGTERM; 0 after a clean stop.

    Prints `NAME serving http://HOST:PORT/client-session` once it listens (port 0 picks
    a free one), and before it `notice` on stderr, if given: only once the socket is
    bound, so a server that never starts says nothing about itself. The P2 benchmark
    serves its echo baseline through this very function, so both servers run with the
    same settings. Raises `CannotListen` (nothing started) when the port is taken or the
    host is not an address of this machine. `date_header=False`: uvicorn adds no `Date`
    (the emulator writes its clock's, `emulator.app.ClockDate`).
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
        date_header=date_header,
        # longer than httpx's 5 s pool expiry, so a client never reuses a connection
        # the server is closing at that very moment
        timeout_keep_alive=30,
        # a stop lets requests in flight finish, even one delayed by the longest latency
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )
    sock = _listen(host, port)  # CannotListen: nothing started
    if notice is not None:
        print(notice, file=sys.stderr, flush=True)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            in_flight = len(self.server_state.tasks)
            if not self.should_exit and in_flight:  # the first signal, with work to finish
                print(
                    f"{name} stopping: {in_flight} request(s) in flight get up to "
                    f"{SHUTDOWN_GRACE} s to finish (Ctrl-C again stops now)",
                    file=sys.stderr,
                    flush=True,
                )
            super().handle_exit(sig, frame)

    server = Server(config)
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    # uvicorn re-raises the signal that stopped it once it is done: make that a no-op,
    # so a requested stop ends with exit status 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(server, sock, host, name))
    return 0 if server.started else 1


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (a dependency on CPython, not Windows).

    uvicorn picks uvloop itself only in `uvicorn.run`/`Server.run`; `serve` runs
    `Server.serve` on a loop of its own (to announce the port), so it chooses here.
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows or PyPy
        return None
    return uvloop.new_event_loop


def run_emulator(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`primer-nb emulator`: serve until SIGINT/SIGTERM; 0 after a clean stop."""
    from primer_nb.config import on_this_machine

    emulator = _make_emulator(args, parser)
    notice = None
    if emulator.keys.accepts_any and not on_this_machine(args.host):
        notice = (
            f"primer-nb emulator: --host {args.host} can be reached from other machines, and "
            "without --api-key it accepts any non-empty key, on its admin endpoints too "
            "(every client token, reset); give --api-key KEY (or PRIMER_NB_EMULATOR_KEYS) "
            "to say who may use it"
        )
    try:
        from primer_nb.emulator.app import ClockDate, LoopbackHosts, RequestLog, StoppingGuard

        app: ASGIApp = StoppingGuard(emulator.app, emulator)
        if on_this_machine(args.host):  # a web page must not reach it by DNS rebinding
            app = LoopbackHosts(app, emulator, args.host)
        if args.log_requests:
            app = RequestLog(app, lambda line: print(line, file=sys.stderr, flush=True))
        app = ClockDate(app, emulator)  # every answer, a refused Host's too
        return serve(app, host=args.host, port=args.port, notice=notice, date_header=False)
    except CannotListen as exc:
        parser.error(str(exc))  # exit status 2, as for the other flags


def run_tutorials(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`primer-nb tutorials`: copy the notebooks, then say what was done and what is next."""
    import shlex

    from primer_nb.tutorial_files import copy_tutorials

    try:
        copied = copy_tutorials(args.folder)
    except (OSError, UnicodeError) as exc:  # a file in the way, no permission, no tutorials
        parser.error(f"FOLDER: {exc}")
    print(f"copied {len(copied.written)} files to {copied.folder}", end="")
    if copied.unchanged:
        print(f" ({len(copied.unchanged)} were there already)", end="")
    print()
    for path in copied.kept:
        print(
            f"kept {path}: it differs from this version's copy (your changes, or an older "
            "primer-nb's); delete it to get this version's"
        )
    print(f"open them with: jupyter lab {shlex.quote(str(copied.notebooks))}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `primer-nb` console script."""
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    _Parser.json_errors = given[:1] == ["parity"] and "--json" in given
    try:
        args = parser.parse_args(given)
        # errors found after parsing show the subcommand's usage line, as argparse's own do
        command_parser = getattr(args, "command_parser", parser)
        if args.command == "emulator":
            return run_emulator(args, command_parser)
        if args.command == "parity":
            return run_parity(args, command_parser)
        if args.command == "tutorials":
            return run_tutorials(args, command_parser)
        parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse refuses
    finally:
        _Parser.json_errors = False


if __name__ == "__main__":
    raise SystemExit(main())
