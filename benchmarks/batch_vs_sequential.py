"""P3: 5,000 creates by create_sessions(concurrency=32) as a share of their ceiling (>= 0.8).

`python benchmarks/batch_vs_sequential.py [--quick] [--json-only] [--creates N] [--sample S]
[--latency SECONDS] [--repeats R]`

Both the batch and a sequential `PrimerClient` loop talk to one `primer-nb emulator --port 0
--latency 0.05` process: every API answer is delayed 50 ms, a realistic network round trip,
so the comparison measures what batching is for (overlapping round trips).

The ceiling: with `concurrency` requests in flight and nothing but latency to wait for,
N creates take at least `ceil(N / concurrency) * latency` (waves of round trips). The
`ratio` is the batch's share of that ceiling, `ceiling_s / batch_s` (1.0: the batch is
as fast as concurrency and latency allow; it cannot exceed 1). Equivalently, its
speed-up over the sequential loop divided by the ceiling speed-up
`sequential_s / ceiling_s`. The raw speed-up is a detail (`speedup`).

To keep the run short the sequential loop creates `--sample` sessions (default 500) and its
mean time per create is extrapolated to N; the JSON says so (`sequential_extrapolated`).
The batch creates all N, `--repeats` times (default 3, each with new order ids); the
median time counts (`batch_runs_s` has each). Before the server stops, its
`/_emulator/sessions` must hold every session the client was told was made. `--quick`:
320 creates once, a sample of 20. The server is stopped by PID at the end. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from primer_nb.batch import create_sessions, order_request
from primer_nb.client import PrimerClient
from primer_nb.emulator.process import EmulatorProcess

ROOT = Path(__file__).resolve().parents[1]


def order(prefix: str, n: int) -> dict[str, Any]:
    return {
        "order_id": f"{prefix}-{n:05d}",
        "currency_code": "EUR",
        "customer_email": f"buyer{n}@example.com",
        "line_items": [{"item_id": "mug", "amount_major": "12.50", "quantity": 2}],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=500, help="sequential creates timed")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3, help="batches timed (the median counts)")
    parser.add_argument("--quick", action="store_true", help="320 creates, a sample of 20")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.quick:
        args.creates, args.sample, args.repeats = min(args.creates, 320), min(args.sample, 20), 1
    say = (lambda line: None) if args.json_only else (lambda line: print(line, flush=True))

    with EmulatorProcess(latency=args.latency) as server:
        url = server.url
        say(f"emulator at {url}, latency {args.latency} s")
        client = PrimerClient(base_url=url)
        client.create_session({"orderId": "warm-up", "currencyCode": "EUR", "amount": 1})

        sample = min(args.sample, args.creates)
        start = time.perf_counter()
        for n in range(sample):
            body, _ = order_request(order("seq", n))
            client.create_session(body)
        sequential_sample = time.perf_counter() - start
        per_create = sequential_sample / sample
        sequential = per_create * args.creates
        say(
            f"sequential: {sample} creates in {sequential_sample:.2f} s "
            f"({per_create * 1000:.1f} ms each) -> {args.creates} in ~{sequential:.1f} s"
        )

        times, failed = [], 0
        for repeat in range(args.repeats):
            rows = [order(f"batch{repeat}", n) for n in range(args.creates)]
            start = time.perf_counter()
            result = create_sessions(
                rows, client=client, concurrency=args.concurrency, progress=False, resume=False
            )
            times.append(time.perf_counter() - start)
            failed += result.failed
            say(
                f"batch {repeat + 1}: {args.creates} creates, concurrency {args.concurrency}: "
                f"{times[-1]:.2f} s ({result.ok} ok, {result.failed} failed)"
            )
        client.close()
        # the server holds every session the client was told was made (no fast path lied)
        stored = len(
            httpx.get(f"{url}/_emulator/sessions", headers={"X-API-KEY": "bench"}, timeout=60)
            .raise_for_status()
            .json()["sessions"]
        )
        expected = 1 + sample + args.repeats * args.creates - failed
        assert stored == expected, (stored, expected)
    batch = statistics.median(times)

    speedup = sequential / batch
    ceiling = math.ceil(args.creates / args.concurrency) * args.latency
    share = ceiling / batch
    ceiling_speedup = sequential / ceiling
    say(
        f"ceiling: {args.creates} creates in {math.ceil(args.creates / args.concurrency)} waves "
        f"of {args.concurrency} x {args.latency} s = {ceiling:.2f} s; the batch takes "
        f"{batch:.2f} s (median of {args.repeats}): {share:.2f} of the ceiling (goal >= 0.8); "
        f"speed-up {speedup:.1f}x of a possible {ceiling_speedup:.1f}x"
    )
    print(
        json.dumps(
            {
                "benchmark": "batch_vs_sequential",
                "ratio": round(share, 3),
                "goal": ">= 0.8",
                "met": share >= 0.8 and failed == 0,
                "speedup": round(speedup, 2),
                "ceiling_speedup": round(ceiling_speedup, 2),
                "ceiling_s": round(ceiling, 3),
                "creates": args.creates,
                "concurrency": args.concurrency,
                "latency_s": args.latency,
                "batch_s": round(batch, 3),
                "batch_runs_s": [round(t, 3) for t in times],
                "sessions_stored": stored,
                "sequential_s": round(sequential, 3),
                "sequential_extrapolated": sample < args.creates,
                "sequential_sample": sample,
                "sequential_ms_per_create": round(per_create * 1000, 2),
                "batch_failed": failed,
                "quick": args.quick,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
