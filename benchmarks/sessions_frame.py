"""P4: sessions_frame vs pandas.json_normalize on 100,000 session dicts (goal: <= 1.5x).

`python benchmarks/sessions_frame.py [--quick] [--json-only] [--sessions N] [--runs R]`

The dicts are real answers of the in-process emulator (`POST /client-session` with line
items, customers, shipping and TAXJAR warnings across currencies), repeated with distinct
order ids up to N (`--quick`: 2,000). Both functions get the same list, in alternating
rounds (R of them, after one discarded warm-up round); the ratio is of the best rounds,
the median of per-round ratios a detail. After timing, both frames are checked: one row
per dict, and the order ids, currencies and amounts of every row as the dicts hold them.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
from _common import best, emit, interleaved, median, result

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.tables import sessions_frame

CURRENCIES = ["USD", "EUR", "GBP", "JPY", "KWD", "AED"]
GOAL = "<= 1.5"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 sessions: a smoke run")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--sessions", type=int, default=None, help="how many (default 100,000)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    count = args.sessions or (2_000 if args.quick else 100_000)
    show = (lambda line: None) if args.json_only else (lambda line: print(line, flush=True))

    base = emulator_answers(300)
    dicts = [{**base[i % len(base)], "orderId": f"order-{i}"} for i in range(count)]
    show(f"{len(dicts):,} session dicts from {len(base)} emulator answers")
    frames: dict[str, pd.DataFrame] = {}
    subjects: dict[str, Callable[[], object]] = {
        "json_normalize": lambda: frames.__setitem__("json_normalize", pd.json_normalize(dicts)),
        "sessions_frame": lambda: frames.__setitem__("sessions_frame", sessions_frame(dicts)),
    }
    gc.collect()
    samples = interleaved(subjects, rounds=args.runs, number=1)
    # both did the whole work: a row per dict, the values as the dicts hold them
    ours, theirs = frames["sessions_frame"], frames["json_normalize"]
    assert len(ours) == len(theirs) == len(dicts), (len(ours), len(theirs))
    assert ours["order_id"].tolist() == theirs["orderId"].tolist() == [d["orderId"] for d in dicts]
    assert ours["currency_code"].tolist() == theirs["currencyCode"].tolist()
    assert ours["amount"].tolist() == theirs["amount"].tolist()
    baseline, measured = best(samples["json_normalize"]), best(samples["sessions_frame"])
    paired = median(
        [a / b for a, b in zip(samples["sessions_frame"], samples["json_normalize"], strict=True)]
    )
    show(f"pandas.json_normalize: best of {args.runs}: {baseline:.3f} s")
    show(f"sessions_frame:        best of {args.runs}: {measured:.3f} s")
    ratio = measured / baseline
    show(f"ratio {ratio:.2f} (goal {GOAL}); median of per-round ratios {paired:.2f}")
    emit(
        result(
            "sessions_frame",
            ratio,
            GOAL,
            median_ratio=paired,
            sessions=len(dicts),
            runs=args.runs,
            sessions_frame_s=measured,
            json_normalize_s=baseline,
            python=sys.version.split()[0],
            pandas=pd.__version__,
            quick=args.quick,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
