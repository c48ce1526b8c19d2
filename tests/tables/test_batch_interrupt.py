"""An interrupted batch records every session it created, and a resume creates none twice."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from primer_nb.batch import acreate_sessions, create_sessions
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger


def rows(count: int, prefix: str = "i") -> list[dict[str, object]]:
    return [
        {"order_id": f"{prefix}-{i}", "currency_code": "EUR", "amount": 100} for i in range(count)
    ]


def test_a_cancelled_sync_batch_records_the_sessions_its_threads_created() -> None:
    """A `PrimerClient` sends from worker threads: when the batch is cancelled, the
    requests already running still reach the server, so the ledger must stay attached
    until they are answered."""
    emulator = Emulator(seed=3, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not release.is_set():
            arrived.release()
            release.wait(10)  # in flight until the batch has been cancelled
        return into_emulator.handle_request(request)

    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    ledger = Ledger(":memory:")
    orders = rows(12)

    async def interrupted() -> None:
        task = asyncio.create_task(
            acreate_sessions(orders, client=client, ledger=ledger, concurrency=4, progress=False)
        )
        for _ in range(4):
            await asyncio.to_thread(arrived.acquire, True, 10)
        task.cancel()
        threading.Timer(0.2, release.set).start()  # answered after the cancel
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert emulator.session_count == 4
    assert sorted(r.order_id or "" for r in ledger.sessions()) == sorted(f"i-{i}" for i in range(4))
    assert not ledger.is_attached(client)

    again = create_sessions(orders, client=client, ledger=ledger, progress=False)
    assert (again.ok, again.resumed) == (12, 4)
    assert emulator.session_count == 12  # none created twice
