"""P2: creates per second on `primer-nb emulator` vs a bare Starlette echo, under wrk (>= 0.8).

Both servers run as subprocesses on 127.0.0.1 through the same `primer_nb.cli.serve`
(same uvicorn stack and settings; the echo is `benchmarks/_echo_server.py`). The load
comes from `wrk`, a native generator (Debian package `wrk`): 1 thread, 16 connections,
`POST /client-session` with the same JSON body and headers (a Lua script in a temporary
file), a few seconds per round. Rounds alternate echo and emulator; the ratio is the
median of per-round ratios (emulator creates/s over the same round's echo requests/s,
robust to load drifting during the run); best and median figures are reported too.

Checks: every answer is 2xx, and after each round the emulator stores as many sessions
as were created (wrk counts answered requests; up to one request per connection may
still be in flight when a round ends, so the store may hold that many more); the
store is then emptied (`POST /_emulator/reset`, not timed).

Details: each server's CPU time per request under wrk (from /proc: what a request
costs the server whatever else the machine runs; `cpu_ratio` = echo's / emulator's,
the throughput ratio each would reach on a core of its own), the per-request cost
in-process (the ASGI app called directly, no socket, CPU time per request), and the
old figure from an `httpx.AsyncClient` loop (8 in flight), which caps at the client's
own speed.

    python benchmarks/emulator_throughput.py [--quick]

Without wrk the script says so and exits with status 2.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
from _common import (
    BENCH_KEY,
    REQUEST,
    Server,
    emit,
    median,
    parse_args,
    result,
    say,
    start_echo_server,
    start_emulator,
)

HEADERS = {"X-API-KEY": BENCH_KEY, "X-API-VERSION": "2.4", "Content-Type": "application/json"}
GOAL = ">= 0.8"
CONNECTIONS = 16
BODY = json.dumps(REQUEST, separators=(",", ":"))

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


# --- wrk ----------------------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        print(
            "emulator_throughput: `wrk` is not installed; P2 needs it as its load generator.\n"
            "Install it with `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return found


def lua_script(folder: Path) -> Path:
    """The wrk script: POST, the benchmark's headers and the same JSON body every time."""
    lines = ['wrk.method = "POST"']
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in HEADERS.items()]
    lines.append(f"wrk.body = [==[{BODY}]==]")
    path = folder / "post.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


_REQUESTS = re.compile(r"(\d+) requests in ([\d.]+)(\w+)")
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def run_wrk(wrk: str, script: Path, url: str, seconds: int) -> tuple[float, int]:
    """Requests per second and requests answered; refuses non-2xx answers and socket errors."""
    command = [
        wrk,
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"{url}/client-session",
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    text = out.stdout + out.stderr
    rate, count = _RATE.search(text), _REQUESTS.search(text)
    if out.returncode != 0 or rate is None or count is None:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{text}")
    bad, errors = _NON_2XX.search(text), _ERRORS.search(text)
    if bad or (errors and any(int(n) for n in errors.groups())):
        raise SystemExit(f"{url}: wrk saw failed requests:\n{text}")
    return float(rate.group(1)), int(count.group(1))


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far; None where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- in-process cost (no socket) ---------------------------------------------------------


async def _asgi_post(app: ASGIApp, body: bytes) -> None:
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"x-api-key", BENCH_KEY.encode()),
        (b"x-api-version", b"2.4"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/client-session",
        "raw_path": b"/client-session",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
    }
    sent = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    if status != [200]:
        raise SystemExit(f"in-process POST answered {status}")


def in_process_us(rounds: int, number: int) -> dict[str, float]:
    """CPU µs per POST through each app called directly, best of interleaved rounds."""
    import _echo_server

    from primer_nb.emulator import Emulator

    emulator = Emulator(api_keys=[BENCH_KEY])
    apps: dict[str, ASGIApp] = {"echo": _echo_server.app, "emulator": emulator.app}
    body = BODY.encode()
    samples: dict[str, list[float]] = {name: [] for name in apps}

    async def go() -> None:
        for r in range(rounds + 1):
            for name in apps if r % 2 == 0 else reversed(apps):
                start = time.process_time()
                for _ in range(number):
                    await _asgi_post(apps[name], body)
                if r:  # round 0 warms up
                    samples[name].append((time.process_time() - start) / number * 1e6)

    asyncio.run(go())
    emulator.close()
    return {name: min(values) for name, values in samples.items()}


# --- the old httpx loop (a detail) -------------------------------------------------------


async def blast(url: str, count: int, concurrency: int) -> tuple[float, dict[int, int]]:
    """Requests per second for `count` POSTs with `concurrency` in flight; status counts."""
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as http:
        todo = iter(range(count))

        async def worker() -> None:
            for _ in todo:
                response = await http.post("/client-session", json=REQUEST, headers=HEADERS)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        # One warm-up request per connection, not timed.
        await asyncio.gather(
            *(
                http.post("/client-session", json=REQUEST, headers=HEADERS)
                for _ in range(concurrency)
            )
        )
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return count / elapsed, statuses


def session_count(server: Server) -> int:
    response = httpx.get(f"{server.url}/_emulator/sessions", headers=HEADERS, timeout=60.0)
    response.raise_for_status()
    body: Any = response.json()
    sessions = body.get("sessions", body) if isinstance(body, dict) else body
    return len(sessions)


def check_and_reset(server: Server, answered: int, in_flight: int) -> int:
    """The stored-session check of one round, then an empty store for the next."""
    stored = session_count(server)
    if not answered <= stored <= answered + in_flight:
        raise SystemExit(
            f"the emulator stores {stored} sessions, expected {answered} (+ up to {in_flight})"
        )
    httpx.post(f"{server.url}/_emulator/reset", headers=HEADERS, timeout=60.0).raise_for_status()
    return stored


def main() -> None:
    args = parse_args(__doc__ or "")
    wrk = wrk_path()
    if args.quick:
        rounds, seconds, warmup = 1, 1, 1
        loop_rounds, loop_count, concurrency = 1, 20, 4
        cpu_rounds, cpu_number = 1, 50
    else:
        rounds, seconds, warmup = 5, 4, 1
        loop_rounds, loop_count, concurrency = 3, 400, 8
        cpu_rounds, cpu_number = 5, 1000
    rps: dict[str, list[float]] = {"echo": [], "emulator": []}
    loop_rps: dict[str, list[float]] = {"echo": [], "emulator": []}
    cpu_us: dict[str, list[float]] = {"echo": [], "emulator": []}  # server CPU per request
    stored = answered = 0  # sessions the emulator held after each round; answers counted
    with (
        tempfile.TemporaryDirectory(prefix="primer-nb-wrk-") as folder,
        start_echo_server() as echo,
        start_emulator() as emulator,
    ):
        script = lua_script(Path(folder))
        servers = {"echo": echo, "emulator": emulator}
        say(f"echo server pid {echo.pid} at {echo.url}")
        say(f"emulator pid {emulator.pid} at {emulator.url}")
        say(f"wrk -t1 -c{CONNECTIONS} -d{seconds}s, {rounds} rounds, same POST body")
        for server in servers.values():  # warm-up, not counted
            run_wrk(wrk, script, server.url, warmup)
        check_and_reset(emulator, 0, 10**9)
        for r in range(rounds):
            for name in ["echo", "emulator"] if r % 2 == 0 else ["emulator", "echo"]:
                before = cpu_seconds(servers[name].pid)
                value, count = run_wrk(wrk, script, servers[name].url, seconds)
                after = cpu_seconds(servers[name].pid)
                if before is not None and after is not None and count:
                    cpu_us[name].append((after - before) / count * 1e6)
                rps[name].append(value)
                if name == "emulator":
                    answered += count
                    stored += check_and_reset(emulator, count, CONNECTIONS)
                say(f"round {r + 1}: {name:<8} {value:8.0f} requests/s (wrk)")
        for r in range(loop_rounds):
            for name in ["echo", "emulator"] if r % 2 == 0 else ["emulator", "echo"]:
                value, statuses = asyncio.run(blast(servers[name].url, loop_count, concurrency))
                if statuses != {200: loop_count}:
                    raise SystemExit(f"{name} answered {statuses}, expected {loop_count} x 200")
                if name == "emulator":  # exact: the loop waits for every answer
                    answered += loop_count + concurrency
                    stored += check_and_reset(emulator, loop_count + concurrency, 0)
                loop_rps[name].append(value)
                say(f"httpx loop {r + 1}: {name:<8} {value:8.0f} requests/s")
    cpu = in_process_us(cpu_rounds, cpu_number)
    paired = median([m / e for m, e in zip(rps["emulator"], rps["echo"], strict=True)])
    best_ratio = max(rps["emulator"]) / max(rps["echo"])
    median_ratio = median(rps["emulator"]) / median(rps["echo"])
    loop_ratio = max(loop_rps["emulator"]) / max(loop_rps["echo"])
    say(
        f"wrk: echo median {median(rps['echo']):.0f}/s, emulator median "
        f"{median(rps['emulator']):.0f} creates/s"
    )
    say(
        f"emulator / echo: {paired:.2f} (median of per-round ratios; goal {GOAL}); "
        f"best rounds {best_ratio:.2f}; medians {median_ratio:.2f}; httpx loop {loop_ratio:.2f}"
    )
    say(
        f"in-process CPU per POST: echo {cpu['echo']:.0f} us, emulator {cpu['emulator']:.0f} us "
        f"(the emulator's own work: {cpu['emulator'] - cpu['echo']:.0f} us)"
    )
    cpu_ratio = None
    if cpu_us["echo"] and cpu_us["emulator"]:
        cpu_ratio = median(cpu_us["echo"]) / median(cpu_us["emulator"])
        say(
            f"server CPU per request under wrk: echo {median(cpu_us['echo']):.0f} us, emulator "
            f"{median(cpu_us['emulator']):.0f} us: {cpu_ratio:.2f} (the ratio on an idle core)"
        )
    say(f"stored sessions: {stored} (wrk and the loop counted {answered} answers)")
    emit(
        result(
            "emulator_throughput",
            paired,
            GOAL,
            load_generator="wrk",
            best_ratio=best_ratio,
            median_ratio=median_ratio,
            emulator_creates_per_s=median(rps["emulator"]),
            echo_requests_per_s=median(rps["echo"]),
            emulator_us_per_request=1e6 / median(rps["emulator"]),
            echo_us_per_request=1e6 / median(rps["echo"]),
            cpu_ratio=cpu_ratio,
            emulator_server_cpu_us=median(cpu_us["emulator"]) if cpu_us["emulator"] else None,
            echo_server_cpu_us=median(cpu_us["echo"]) if cpu_us["echo"] else None,
            emulator_cpu_us_in_process=cpu["emulator"],
            echo_cpu_us_in_process=cpu["echo"],
            httpx_loop_ratio=loop_ratio,
            httpx_loop_emulator_per_s=max(loop_rps["emulator"]),
            httpx_loop_echo_per_s=max(loop_rps["echo"]),
            sessions_stored=stored,
            sessions_answered=answered,
            rounds=rounds,
            seconds_per_round=seconds,
            connections=CONNECTIONS,
            quick=args.quick,
        )
    )


if __name__ == "__main__":
    main()
