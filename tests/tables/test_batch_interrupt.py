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
from primer_nb.client import AsyncPrimerClient, Exchange, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger


def rows(count: int, prefix: str = "i") -> list[dict[str, object]]:
    return [
        {"order_id": f"{prefix}-{i}", "currency_code": "EUR", "amount": 100} for i in range(count)
    ]


def held_posts() -> tuple[Emulator, threading.Semaphore, threading.Event, PrimerClient]:
    """A `PrimerClient` on an emulator whose POSTs are held in flight until `release` is
    set; each POST that arrives releases `arrived` once."""
    emulator = Emulator(seed=3, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not release.is_set():
            arrived.release()
            release.wait(10)  # in flight until the test lets it go
        return into_emulator.handle_request(request)

    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    return emulator, arrived, release, client


async def cancelled_with_four_in_flight(
    orders: list[dict[str, object]],
    client: PrimerClient,
    ledger: Ledger,
    arrived: threading.Semaphore,
) -> asyncio.Task[object]:
    """The batch of `orders` as a task, cancelled once four of its POSTs are in flight."""
    task: asyncio.Task[object] = asyncio.create_task(
        acreate_sessions(orders, client=client, ledger=ledger, concurrency=4, progress=False)
    )
    for _ in range(4):
        await asyncio.to_thread(arrived.acquire, True, 10)
    task.cancel()
    return task


def test_a_cancelled_sync_batch_records_the_sessions_its_threads_created() -> None:
    """A `PrimerClient` sends from worker threads: when the batch is cancelled, the
    requests already running still reach the server, so the ledger must stay attached
    until they are answered."""
    emulator, arrived, release, client = held_posts()
    ledger = Ledger(":memory:")
    orders = rows(12)

    async def interrupted() -> None:
        task = await cancelled_with_four_in_flight(orders, client, ledger, arrived)
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


def test_a_second_interrupt_while_waiting_for_the_threads_still_records_their_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second Ctrl-C stopped the wait for the worker threads, and the ledger was
    detached at once: the answers the threads still got reached no ledger, and a resume
    created those sessions a second time."""
    from concurrent.futures import ThreadPoolExecutor

    emulator, arrived, release, client = held_posts()
    real_shutdown = ThreadPoolExecutor.shutdown
    interrupted_once: list[bool] = []

    def shutdown(
        self: ThreadPoolExecutor, wait: bool = True, *, cancel_futures: bool = False
    ) -> None:
        if cancel_futures and not interrupted_once:  # the batch's wait: Ctrl-C again
            interrupted_once.append(True)
            real_shutdown(self, wait=False, cancel_futures=True)
            threading.Timer(0.2, release.set).start()  # answered after it
            raise KeyboardInterrupt
        real_shutdown(self, wait=wait, cancel_futures=cancel_futures)

    monkeypatch.setattr(ThreadPoolExecutor, "shutdown", shutdown)
    ledger = Ledger(":memory:")
    orders = rows(12, "k")

    async def interrupted() -> None:
        await (await cancelled_with_four_in_flight(orders, client, ledger, arrived))

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(interrupted())
    for thread in threading.enumerate():
        if thread.name == "primer-nb-batch-finish":
            thread.join(10)
    for _ in range(1000):  # the threads' answers came (they do after a second Ctrl-C)
        if emulator.session_count == 4:
            break
        threading.Event().wait(0.01)
    assert emulator.session_count == 4
    assert sorted(r.order_id or "" for r in ledger.sessions()) == sorted(f"k-{i}" for i in range(4))
    assert not ledger.is_attached(client)  # detached once the threads were done

    monkeypatch.setattr(ThreadPoolExecutor, "shutdown", real_shutdown)
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


def test_a_cancelled_async_batch_records_its_requests_in_flight_as_unknown() -> None:
    """An `AsyncPrimerClient` request is cancelled with the batch. The server may have
    created its session already (here it has: the answer is lost after the emulator
    stored it), so the ledger records the attempt without a status, and a resume
    answers those rows `OutcomeUnknown` instead of creating them twice."""
    emulator = Emulator(seed=3, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.async_transport()
    hanging = asyncio.Event()
    arrived: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        response = await into_emulator.handle_async_request(request)
        await response.aread()
        if request.method == "POST" and not hanging.is_set():
            arrived.append(json.loads(request.content)["orderId"])
            # stored, but the answer never comes: cancelled first. wait_for (as a read
            # timeout is made) takes more than one loop step to unwind once cancelled
            await asyncio.wait_for(asyncio.sleep(60), 100)
        return response

    client = AsyncPrimerClient(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
    )
    ledger = Ledger(":memory:")
    orders = rows(12, prefix="a")

    async def interrupted() -> None:
        task = asyncio.create_task(
            acreate_sessions(orders, client=client, ledger=ledger, concurrency=4, progress=False)
        )
        while len(arrived) < 4:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert emulator.session_count == 4
    lost = ledger.frame()
    assert sorted(lost["order_id"]) == sorted(arrived)
    assert lost["status"].isna().all()
    assert lost["error"].str.startswith("CancelledError: the call stopped before").all()

    hanging.set()
    again = create_sessions(
        orders, client=PrimerClient(emulator=emulator), ledger=ledger, progress=False
    )
    unknown = {e.order_id: e for e in again.errors}
    assert sorted(unknown) == sorted(arrived)
    assert {e.error_id for e in unknown.values()} == {"OutcomeUnknown"}
    assert again.ok == 8
    assert emulator.session_count == 12  # none created twice


def test_an_interrupted_create_is_handed_to_the_hooks() -> None:
    """Ctrl-C (the kernel's interrupt button) while a create waits for its answer: the
    hooks still see the attempt, as an exchange whose answer was never read."""
    seen: list[Exchange] = []

    def handler(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    client = PrimerClient(
        api_key="sk_marker_TESTKEY_123456",
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(handler),
        hooks=[seen.append],
    )
    with pytest.raises(KeyboardInterrupt):
        client.create_session({"orderId": "k-1", "currencyCode": "EUR", "amount": 100})
    (exchange,) = seen
    assert (exchange.method, exchange.status, exchange.attempt) == ("POST", None, 1)
    assert exchange.request_body == {"orderId": "k-1", "currencyCode": "EUR", "amount": 100}
    assert exchange.error is not None
    assert exchange.error.startswith("KeyboardInterrupt: the call stopped before its answer")
    assert "sk_marker_TESTKEY_123456" not in repr(exchange)


def test_a_lost_answer_is_outcome_unknown_and_resending_it_duplicates() -> None:
    """The case resume guards against, made with the emulator: a 504 whose request was
    carried out (`processed=True`). The row fails; a resume will not send it again
    unasked; `resend_unknown=True` does, and the order then has two sessions."""
    emulator = Emulator(seed=3, start="2024-06-01T12:00:00", frozen=True)
    client = PrimerClient(emulator=emulator, max_retries=0)
    ledger = Ledger(":memory:")
    orders = rows(3, prefix="u")
    emulator.inject(504, processed=True)
    first = create_sessions(orders, client=client, ledger=ledger, concurrency=1, progress=False)
    assert first.ok == 2
    ((lost, error),) = [(e.order_id, e.error_id) for e in first.errors]
    assert error == "GatewayTimeout"

    again = create_sessions(orders, client=client, ledger=ledger, progress=False)
    assert [(e.order_id, e.error_id) for e in again.errors] == [(lost, "OutcomeUnknown")]
    assert emulator.session_count == 3

    forced = create_sessions(
        orders, client=client, ledger=ledger, progress=False, resend_unknown=True
    )
    assert (forced.ok, forced.resumed) == (3, 2)
    assert [s["orderId"] for s in emulator.sessions()].count(lost) == 2
