"""P7: memory per stored session vs the same sessions as JSON (goal: ratio <= 1.5).

A fresh subprocess (so its RSS holds nothing else) builds an `Emulator`, sends a few
hundred creates through its ASGI app to warm every cache, resets it and reads its RSS:
the empty emulator. It then stores N sessions (100,000; `--quick`: 2,000) through the
same app (`POST /client-session`, the full request path), half small bodies
(`orderId`, `currencyCode`, `amount`) and half seed-sized ones (the orders of
`data/orders.csv`, as `primer_nb.batch.order_request` builds them), each with its own
`orderId`, collects garbage and reads its RSS again.

    bytes per session = (RSS after - RSS empty) / N
    JSON per session  = mean size of the session's GET answer (compact UTF-8 JSON)
                        + its client token
    ratio             = bytes per session / JSON per session

The JSON side counts the client token, as issue 16 defines it (what a session is worth
to a user: its GET answer plus the token), but the store keeps no token: it signs it
again when a session is read. Against the GET answer alone the ratio is about 2.4,
reported as `ratio_without_token`.

    python benchmarks/emulator_memory.py [--quick] [--sessions N]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import BENCH_KEY, PYTHON, ROOT, emit, result, say

GOAL = "<= 1.5"
SMALL: dict[str, Any] = {"orderId": "", "currencyCode": "EUR", "amount": 1250}


def rss_bytes() -> int:
    """This process's resident set size now (Linux /proc; psutil elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return int(psutil.Process().memory_info().rss)


def seed_bodies() -> list[dict[str, Any]]:
    """Request bodies of the valid orders in data/orders.csv (its invalid rows left out)."""
    from primer_nb.batch import order_request
    from primer_nb.emulator.validation import ApiError, check_body
    from primer_nb.models import ClientSessionRequest

    bodies = []
    with open(ROOT / "data" / "orders.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                body, _ = order_request(row)
                check_body(body, ClientSessionRequest, ())
            except (ValueError, ApiError):
                continue
            bodies.append(body)
    return bodies


def bodies(count: int, seeds: list[dict[str, Any]]) -> Iterator[bytes]:
    """`count` JSON bodies, small and seed-sized in turn, each with its own orderId."""
    for n in range(count):
        template = SMALL if n % 2 == 0 else seeds[(n // 2) % len(seeds)]
        yield json.dumps({**template, "orderId": f"mem-{n:07d}"}).encode()


def child(count: int) -> dict[str, Any]:
    """Runs in the subprocess: measure, print one JSON object."""
    from emulator_throughput import _asgi_post

    from primer_nb.emulator import Emulator
    from primer_nb.emulator.responses import session_view

    seeds = seed_bodies()
    emulator = Emulator(seed=1, api_keys=[BENCH_KEY])

    async def store(count: int) -> None:
        for body in bodies(count, seeds):
            await _asgi_post(emulator.app, body)

    asyncio.run(store(400))  # warm-up: caches, pydantic, the event loop's machinery
    emulator.reset()
    gc.collect()
    empty = rss_bytes()
    asyncio.run(store(count))
    gc.collect()
    full = rss_bytes()
    assert emulator.session_count == count, emulator.session_count
    import orjson

    json_bytes = token_bytes = 0
    for session in emulator._store.all():
        json_bytes += len(orjson.dumps(session_view(session))) + len(session.client_token)
        token_bytes += len(session.client_token)
    return {
        "token_bytes_per_session": token_bytes / count,
        "sessions": count,
        "rss_empty": empty,
        "rss_full": full,
        "bytes_per_session": (full - empty) / count,
        "json_bytes_per_session": json_bytes / count,
        "seed_bodies": len(seeds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 sessions: a smoke run")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--sessions", type=int, default=None, help="how many (default 100,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    count = args.sessions or (2_000 if args.quick else 100_000)
    if args.child:
        print(json.dumps(child(count)), flush=True)
        return
    out = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--child", "--sessions", str(count)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"the measuring subprocess failed:\n{out.stderr[-3000:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = figures["bytes_per_session"] / figures["json_bytes_per_session"]
    get_answer = figures["json_bytes_per_session"] - figures["token_bytes_per_session"]
    without_token = figures["bytes_per_session"] / get_answer
    if not args.json_only:
        say_lines = [
            f"{count} sessions stored through the ASGI app, half small, half seed-sized "
            f"({figures['seed_bodies']} orders of data/orders.csv)",
            f"RSS empty emulator {figures['rss_empty'] / 2**20:.1f} MiB, "
            f"with the sessions {figures['rss_full'] / 2**20:.1f} MiB",
            f"{figures['bytes_per_session']:.0f} bytes per session in memory; "
            f"{figures['json_bytes_per_session']:.0f} bytes as JSON (GET answer + token)",
            f"ratio {ratio:.2f} (goal {GOAL}); against the GET answer alone (the store keeps "
            f"no token: {figures['token_bytes_per_session']:.0f} bytes of the JSON side) "
            f"{without_token:.2f}",
        ]
        for line in say_lines:
            say(line)
    emit(
        result(
            "emulator_memory",
            ratio,
            GOAL,
            bytes_per_session=round(figures["bytes_per_session"]),
            json_bytes_per_session=round(figures["json_bytes_per_session"]),
            token_bytes_per_session=round(figures["token_bytes_per_session"]),
            ratio_without_token=without_token,
            sessions=count,
            rss_empty_mib=figures["rss_empty"] / 2**20,
            rss_full_mib=figures["rss_full"] / 2**20,
            quick=args.quick,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
