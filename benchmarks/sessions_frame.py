"""sessions_frame vs pandas.json_normalize on 100,000 session dicts (goal: <= 1.5x).

`python benchmarks/sessions_frame.py [--sessions N] [--runs R]`

The dicts are real answers of the in-process emulator (`POST /client-session` with line
items, customers, shipping and TAXJAR warnings across currencies), repeated with distinct
order ids up to N. Both functions get the same list; each is timed R times and the best
run counts. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.tables import sessions_frame

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "KWD", "AED"]


def emulator_answers(count: int) -> list[dict[str, Any]]:
    rng = random.Random(8)
    client = PrimerClient(emulator=Emulator(seed=8, start="2024-06-01T12:00:00", frozen=True))
    answers = []
    for n in range(count):
        code = CURRENCIES[n % len(CURRENCIES)]
        request: dict[str, Any] = {
            "orderId": f"bench-{n}",
            "customerId": f"cus-{rng.randint(1, 50)}",
            "currencyCode": code,
            "customer": {"emailAddress": f"buyer{n}@example.com", "firstName": "Ada"},
            "order": {
                "countryCode": "US",
                "lineItems": [
                    {"itemId": f"sku-{i}", "amount": rng.randint(100, 9999), "quantity": 1 + i}
                    for i in range(rng.randint(1, 3))
                ],
            },
        }
        if n % 3:  # the others get the TAXJAR warning
            request["customer"]["shippingAddress"] = {
                "countryCode": "US",
                "postalCode": "10001",
                "state": "NY",
            }
        session = client.create_session(request)
        answers.append(session.model_dump(mode="json", by_alias=True, exclude_unset=True))
    return answers


def best_of(runs: int, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    base = emulator_answers(300)
    dicts = [{**base[i % len(base)], "orderId": f"order-{i}"} for i in range(args.sessions)]
    print(f"{len(dicts):,} session dicts from {len(base)} emulator answers", flush=True)

    ours = sessions_frame(dicts)  # warm-up, and a sanity check of the shape
    assert len(ours) == len(dicts)
    baseline = best_of(args.runs, lambda: pd.json_normalize(dicts))
    print(f"pandas.json_normalize: best of {args.runs}: {baseline:.3f} s", flush=True)
    measured = best_of(args.runs, lambda: sessions_frame(dicts))
    print(f"sessions_frame:        best of {args.runs}: {measured:.3f} s", flush=True)
    ratio = measured / baseline
    print(
        json.dumps(
            {
                "benchmark": "sessions_frame",
                "ratio": round(ratio, 3),
                "goal": "<= 1.5",
                "met": ratio <= 1.5,
                "sessions": len(dicts),
                "runs": args.runs,
                "sessions_frame_s": round(measured, 4),
                "json_normalize_s": round(baseline, 4),
                "python": sys.version.split()[0],
                "pandas": pd.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
