"""A ledger that cannot write during a batch: the rows say so and the batch stops sending."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from primer_nb.batch import create_sessions
from primer_nb.client import PrimerClient
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


def pd_na() -> object:
    import pandas as pd

    return pd.NA
