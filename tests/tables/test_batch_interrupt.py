"""An interrupted batch records every session it created, and a resume creates none twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import httpx
import pytest
from conftest import ROOT

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


INTERRUPTED_CELL = textwrap.dedent(
    """
    import asyncio, collections, json, os, signal, sys, time
    import httpx
    from primer_nb.batch import create_sessions
    from primer_nb.client import PrimerClient
    from primer_nb.emulator import Emulator
    from primer_nb.ledger import Ledger

    emulator = Emulator(seed=7, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()
    created = collections.Counter()
    posts = 0

    def handler(request):
        global posts
        if request.method == "POST":
            posts += 1
            if posts == 6:  # the user presses the interrupt button mid-batch
                os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
        response = into_emulator.handle_request(request)
        if request.method == "POST" and response.status_code == 200:
            created[json.loads(request.content)["orderId"]] += 1
        return response

    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    ledger = Ledger(sys.argv[1])
    rows = [{"order_id": f"j-{i}", "currency_code": "EUR", "amount": 100} for i in range(40)]

    async def cell():  # a notebook cell: an event loop is running
        try:
            create_sessions(rows, client=client, ledger=ledger, concurrency=4, progress=False)
            print(json.dumps({"interrupted": False}))
        except KeyboardInterrupt:
            first = len(ledger.sessions())
            # the user runs the cell again at once
            again = create_sessions(rows, client=client, ledger=ledger, progress=False)
            print(json.dumps({
                "interrupted": True, "recorded": first, "ok": again.ok,
                "resumed": again.resumed, "created": dict(created),
            }))

    asyncio.new_event_loop().run_until_complete(cell())
    """
)


def test_an_interrupt_in_a_notebook_stops_the_batch_and_resume_creates_nothing_twice(
    tmp_path: Path,
) -> None:
    """In Jupyter the batch runs on a thread while the cell waits; the interrupt button
    raises KeyboardInterrupt in the waiting thread. The batch must stop sending, record
    what is in flight, then raise, so that running the cell again duplicates nothing."""
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_CELL, str(tmp_path / "ledger.sqlite3")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["interrupted"] is True
    assert 6 <= report["recorded"] < 40  # stopped: the rest was not sent by the first run
    assert (report["ok"], report["resumed"]) == (40, report["recorded"])
    created = report["created"]
    assert sorted(created) == sorted(f"j-{i}" for i in range(40))
    assert set(created.values()) == {1}  # no order created twice
