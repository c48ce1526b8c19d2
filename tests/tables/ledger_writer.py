"""A light target for multiprocessing tests: spawned children import only this and the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from primer_nb.ledger import Ledger


def write_many(path: str, worker: int, count: int) -> None:
    """Record `count` answered POSTs into the ledger at `path`, one transaction each."""
    start = datetime(2024, 6, 1, tzinfo=UTC)
    with Ledger(path) as ledger:
        for n in range(count):
            key = worker * 1000 + n
            ledger.record(
                {
                    "started_at": start + timedelta(seconds=key),
                    "method": "POST",
                    "path": "/client-session",
                    "status": 200,
                    "request_body": {"orderId": f"o-{key}"},
                    "response_body": {"orderId": f"o-{key}", "clientToken": f"t-{key}"},
                    "request_id": f"{key:032x}",
                    "attempt": 1,
                }
            )
