"""P2: creates per second on `primer-nb emulator` vs a bare Starlette echo (goal >= 0.5).

Both servers run as subprocesses on 127.0.0.1 with the same uvicorn settings (the echo is
`benchmarks/_echo_server.py`); both get the same client loop: one `httpx.AsyncClient`
keeping `CONCURRENCY` requests in flight until `COUNT` `POST /client-session` with the
same JSON body have been answered. Rounds alternate echo and emulator; the ratio is
emulator creates/s over echo requests/s, best round of each (medians reported too).
Every emulator answer must be 200 and the emulator must hold exactly as many sessions
as were created (checked through `GET /_emulator/sessions`).

    python benchmarks/emulator_throughput.py [--quick]
"""

from __future__ import annotations

import asyncio
import time
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
    response = httpx.get(f"{server.url}/_emulator/sessions", headers=HEADERS, timeout=30.0)
    response.raise_for_status()
    body: Any = response.json()
    sessions = body.get("sessions", body) if isinstance(body, dict) else body
    return len(sessions)


def main() -> None:
    args = parse_args(__doc__ or "")
    rounds, count, concurrency = (1, 20, 4) if args.quick else (7, 400, 8)
    rps: dict[str, list[float]] = {"echo": [], "emulator": []}
    with start_echo_server() as echo, start_emulator() as emulator:
        say(f"echo server pid {echo.pid} at {echo.url}")
        say(f"emulator pid {emulator.pid} at {emulator.url}")
        expected = 0
        for r in range(rounds):
            order = ["echo", "emulator"] if r % 2 == 0 else ["emulator", "echo"]
            for name in order:
                server = echo if name == "echo" else emulator
                value, statuses = asyncio.run(blast(server.url, count, concurrency))
                if statuses != {200: count}:
                    raise SystemExit(f"{name} answered {statuses}, expected {count} x 200")
                if name == "emulator":
                    expected += count + concurrency
                rps[name].append(value)
                say(f"round {r + 1}: {name:<8} {value:8.0f} requests/s")
        stored = session_count(emulator)
    if stored != expected:
        raise SystemExit(f"the emulator stores {stored} sessions, expected {expected}")
    best_echo, best_emu = max(rps["echo"]), max(rps["emulator"])
    ratio = best_emu / best_echo
    median_ratio = median(rps["emulator"]) / median(rps["echo"])
    # Each round's emulator figure over the same round's echo figure: robust to drifting load.
    paired = median([m / e for m, e in zip(rps["emulator"], rps["echo"], strict=True)])
    say(f"echo best {best_echo:.0f}/s, emulator best {best_emu:.0f} creates/s")
    say(
        f"emulator / echo: {ratio:.2f} (goal >= 0.5); median ratio {median_ratio:.2f}; "
        f"median of per-round ratios {paired:.2f}"
    )
    emit(
        result(
            "emulator_throughput",
            ratio,
            ">= 0.5",
            median_ratio=median_ratio,
            paired_median_ratio=paired,
            emulator_creates_per_s=best_emu,
            echo_requests_per_s=best_echo,
            sessions_stored=stored,
            rounds=rounds,
            requests_per_round=count,
            concurrency=concurrency,
            quick=args.quick,
        )
    )


if __name__ == "__main__":
    main()
