"""A ledger that cannot write during a batch: the rows say so and the batch stops sending."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from primer_nb.batch import create_sessions
from primer_nb.client import AsyncPrimerClient, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger


def test_a_failed_ledger_write_marks_the_row_and_stops_the_batch(tmp_path: Path) -> None:
    emulator = Emulator(seed=9, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()
    ledger = Ledger(tmp_path / "ledger.sqlite3")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and json.loads(request.content)["orderId"] == "o3":
            # The file turns unwritable while o3 is in flight (as a full disk would).
            ledger._connection().execute("PRAGMA query_only = ON")
        return into_emulator.handle_request(request)

    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    rows = [{"order_id": f"o{i}", "currency_code": "EUR", "amount": 100} for i in range(1, 6)]
    result = create_sessions(rows, client=client, ledger=ledger, concurrency=1, progress=False)

    assert repr(result) == "BatchResult(rows=5, ok=3, failed=2, resumed=0, unrecorded=1)"
    assert emulator.session_count == 3  # o4 and o5 were not sent
    assert [r.recorded for r in result] == [True, True, False, None, None]
    assert result.frame().recorded.tolist() == [True, True, False, pd_na(), pd_na()]
    assert [e.error_id for e in result.errors] == ["NotSent", "NotSent"]
    assert "the ledger could not record an earlier exchange" in str(result.errors[0])
    assert "readonly database" in str(result.errors[0])
    assert ledger.failures[0][0] == "o3"
    assert "not recorded in the ledger" in result._repr_html_()
    ledger._connection().execute("PRAGMA query_only = OFF")
    assert [r.order_id for r in ledger.sessions()] == ["o1", "o2"]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_ledger_closed_during_the_batch_marks_the_row_and_stops_the_batch(
    tmp_path: Path, asynchronous: bool
) -> None:
    """`ledger.close()` (another cell, a `with Ledger()` block ending) detaches it from the
    client mid-batch. Rows answered after that once said recorded=True although the ledger
    never saw them, and the batch sent every row: a resume created those sessions again."""
    emulator = Emulator(seed=9, start="2024-06-01T12:00:00", frozen=True)
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger(path)

    def closing(request: httpx.Request) -> None:
        if request.method == "POST" and json.loads(request.content)["orderId"] == "o3":
            ledger.close()  # while o3 is in flight

    client: PrimerClient | AsyncPrimerClient
    if asynchronous:
        into_async = emulator.async_transport()

        async def answer(request: httpx.Request) -> httpx.Response:
            closing(request)
            return await into_async.handle_async_request(request)

        client = AsyncPrimerClient(
            base_url="http://127.0.0.1:9", transport=httpx.MockTransport(answer)
        )
    else:
        into_emulator = emulator.transport()

        def handler(request: httpx.Request) -> httpx.Response:
            closing(request)
            return into_emulator.handle_request(request)

        client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    rows = [{"order_id": f"o{i}", "currency_code": "EUR", "amount": 100} for i in range(1, 6)]
    result = create_sessions(rows, client=client, ledger=ledger, concurrency=1, progress=False)

    assert repr(result) == "BatchResult(rows=5, ok=3, failed=2, resumed=0, unrecorded=1)"
    assert emulator.session_count == 3  # o4 and o5 were not sent
    assert [r.recorded for r in result] == [True, True, False, None, None]
    assert [e.error_id for e in result.errors] == ["NotSent", "NotSent"]
    assert "the ledger was closed (or detached from the client)" in str(result.errors[0])
    assert [r.order_id for r in Ledger(path).sessions()] == ["o1", "o2"]  # what it claims


def pd_na() -> object:
    import pandas as pd

    return pd.NA


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_ledger_attached_before_the_batch_and_closed_during_it_stops_it(
    tmp_path: Path, asynchronous: bool
) -> None:
    """`ledger.attach(client)` first, then a batch: the batch's twin of the client shares its
    hooks, so closing the ledger mid-batch (which detaches it from the client) stops the
    twin too. With a copy of the hooks the twin kept recording into the "closed" ledger,
    and every row said recorded=True."""
    emulator = Emulator(seed=9, start="2024-06-01T12:00:00", frozen=True)
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    seen = [0]

    def close_on_the_third(exchange: object) -> None:
        seen[0] += 1
        if seen[0] == 3:
            ledger.close()

    kind = AsyncPrimerClient if asynchronous else PrimerClient
    client = kind(emulator=emulator, hooks=[close_on_the_third])
    ledger.attach(client)
    rows = [{"order_id": f"o{i}", "currency_code": "EUR", "amount": 100} for i in range(1, 7)]
    result = create_sessions(rows, client=client, ledger=ledger, concurrency=1, progress=False)
    assert [r.recorded for r in result][:3] == [True, True, False]
    assert [e.error_id for e in result.errors] == ["NotSent"] * 3
    assert emulator.session_count == 3 and client.hooks == (close_on_the_third,)
