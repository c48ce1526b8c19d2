"""Batch creation: per-row results, errors naming column and rule, progress, resume, kill -9."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from conftest import ROOT, emulator_process

from primer_nb.batch import BatchResult, acreate_sessions, create_sessions, order_request
from primer_nb.client import AsyncPrimerClient, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger
from primer_nb.tables import sessions_frame
from tests.conftest import MARKER_KEY

#: data/orders.csv: row -> (errorId, column at fault); see data/README.md.
BROKEN = {
    16: ("InvalidRow", "amount_major"),
    41: ("InvalidRow", "currency_code"),
    77: ("RequestValidationError", "amount_major"),
    102: ("RequestValidationError", "customer_email"),
    133: ("InvalidRow", "line_items[0].amount_major"),
    158: ("InvalidRow", "line_items"),
    189: ("InvalidRow", "currency_code"),
    214: ("DisabledCurrencyError", "currency_code"),
    251: ("RequestValidationError", "country_code"),
    276: ("InvalidRow", "line_items[0].quantity"),
    300: ("InvalidRow", None),
}


def emulated() -> tuple[PrimerClient, Emulator]:
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    return PrimerClient(emulator=emulator), emulator


def test_every_row_of_orders_csv_comes_back(orders_csv: Path) -> None:
    client, emulator = emulated()
    result = create_sessions(orders_csv, client=client, progress=False)
    assert repr(result) == "BatchResult(rows=301, ok=290, failed=11, resumed=0)"
    assert [r.row for r in result] == list(range(301))
    assert all((r.session is None) != (r.error is None) for r in result)
    failed = {e.row: (e.error_id, e.columns[0] if e.columns else None) for e in result.errors}
    assert failed == BROKEN
    assert emulator.session_count == 290 == len(result.sessions)
    by_row = {e.row: e for e in result.errors}
    assert str(by_row[16]).startswith(
        "row 16 (line 18, ord-0017): column amount_major: JPY has 0 minor units (decimal places); "
        "1200.50 (that is 1200.5) has 1."
    )
    assert "did you mean 'USD'?" in str(by_row[189])
    assert by_row[214].status_code == 400 and "HUF is a disabled currency" in str(by_row[214])
    assert by_row[102].validation_errors[0].path == "$.customer.emailAddress"
    assert by_row[77].status_code is None  # refused before sending: nothing was sent
    assert "17 fields, the header has 16" in str(by_row[300])
    sessions = sessions_frame(result.sessions)
    assert set(sessions.currency_code) >= {"USD", "EUR", "GBP", "JPY", "KWD", "AED"}
    assert 20 <= (sessions.warnings > 0).sum() <= 80  # orders without a shipping address


def test_frame_has_one_row_per_input_row(orders_csv: Path) -> None:
    client, _ = emulated()
    frame = create_sessions(orders_csv, client=client, progress=False).frame()
    assert list(frame.columns) == [
        "row",
        "order_id",
        "ok",
        "resumed",
        "client_token",
        "currency_code",
        "amount",
        "error_id",
        "error",
        "recorded",
    ]
    assert {k: str(v) for k, v in frame.dtypes.items()} == {
        "row": "Int64",
        "order_id": "string",
        "ok": "boolean",
        "resumed": "boolean",
        "client_token": "string",
        "currency_code": "string",
        "amount": "Int64",
        "error_id": "string",
        "error": "string",
        "recorded": "boolean",
    }
    assert frame.recorded.isna().all()  # no ledger
    assert len(frame) == 301 and frame.ok.sum() == 290
    assert frame.client_token[0].count("…") == 1 and len(frame.client_token[0]) == 13
    assert frame.error[frame.ok].isna().all() and frame.error[~frame.ok].notna().all()


def test_major_units_become_exact_minor_units() -> None:
    client, emulator = emulated()
    rows = [
        {"order_id": "usd", "currency_code": "USD", "amount_major": "12.99"},
        {"order_id": "jpy", "currency_code": "JPY", "amount_major": "1200"},
        {"order_id": "kwd", "currency_code": "KWD", "amount_major": "1.234"},
        {"order_id": "minor", "currency_code": "EUR", "amount": "995"},
        {
            "order_id": "lines",
            "currency_code": "EUR",
            "line_items": [
                {"item_id": "a", "amount_major": "0.10", "quantity": 3},
                {"item_id": "b", "amount_major": "0.20", "tax_major": "0.04"},
            ],
            "shipping_amount_major": "4.90",
        },
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert [s.amount for s in result.sessions] == [1299, 1200, 1234, 995, 30 + 24 + 490]
    stored = {s["orderId"]: s for s in emulator.sessions()}
    assert stored["lines"]["order"]["lineItems"][1] == {
        "itemId": "b",
        "amount": 20,
        "taxAmount": 4,
    }


@pytest.mark.parametrize(
    ("row", "column", "rule"),
    [
        ({"amount_major": "5.00"}, "currency_code", "required to convert"),
        ({"currency_code": "USD", "amount_major": "1.005"}, "amount_major", "2 minor units"),
        ({"currency_code": "USD", "amount_major": "ten"}, "amount_major", "not a decimal"),
        ({"currency_code": "USD", "amount_major": 9.99}, "amount_major", "float"),
        ({"currency_code": "USD", "amount": "9.5"}, "amount", "whole number"),
        ({"currency_code": "USD", "amount": "--5"}, "amount", "whole number"),  # not int()'s
        ({"currency_code": "USD", "amount": "\u00b2"}, "amount", "whole number"),  # isdigit
        ({"currency_code": "USD", "amount": "9" * 5001}, "amount", "whole number"),
        (
            {"currency_code": "USD", "line_items": [{"amount_major": 1.5}]},
            "line_items[0].amount_major",
            '"amount_major": "1.5"',  # the hint says how to write it in JSON
        ),
        ({"currency_code": "USD", "amount": 1, "amount_major": "1"}, "amount", "not both"),
        ({"currency_code": "USD", "colour": "red"}, "colour", "unknown column"),
        ({"currency_code": "USD", "line_items": "{}"}, "line_items", "JSON list"),
        (
            {"currency_code": "USD", "line_items": [{"amount_major": "1", "sku": "x"}]},
            "line_items[0].sku",
            "unknown key",
        ),
    ],
)
def test_bad_values_name_the_column_and_rule(row: dict[str, Any], column: str, rule: str) -> None:
    with pytest.raises(ValueError) as caught:
        order_request({"order_id": "x", **row})
    assert f"column {column}: " in str(caught.value)
    assert rule in str(caught.value)


def test_dataframe_rows(orders_csv: Path) -> None:
    client, _ = emulated()
    exact = pd.read_csv(orders_csv, dtype=str, keep_default_na=False, on_bad_lines="skip")
    result = create_sessions(exact, client=client, progress=False)
    assert (len(result), result.ok) == (300, 290)
    floats = pd.read_csv(orders_csv, on_bad_lines="skip")  # pandas' default: floats, NaN
    result = create_sessions(floats.head(5), client=client, progress=False)
    assert result.failed >= 1
    message = str(result.errors[0])
    assert "float" in message and "dtype=str" in message


def test_progress_bar(orders_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client, _ = emulated()
    rows = [{"order_id": f"p-{i}", "currency_code": "EUR", "amount": 100} for i in range(20)]
    create_sessions(rows, client=client, progress=True)
    shown = capsys.readouterr().err
    assert "client sessions" in shown and "20/20" in shown
    create_sessions(rows, client=client, progress=False, resume=False)
    assert capsys.readouterr().err == ""


def test_resume_from_the_ledger_sends_only_what_is_missing(tmp_path: Path) -> None:
    client, emulator = emulated()
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    rows = [{"order_id": f"r-{i}", "currency_code": "GBP", "amount": 100 + i} for i in range(30)]
    rows[5]["currency_code"] = "HUF"  # answered, but with an error: sent again on resume
    first = create_sessions(rows[:12], client=client, ledger=ledger, progress=False)
    assert (first.ok, first.failed) == (11, 1)
    assert not ledger.is_attached(client)  # attached for the batch only
    second = create_sessions(rows, client=client, ledger=ledger, progress=False)
    assert repr(second) == "BatchResult(rows=30, ok=29, failed=1, resumed=11)"
    assert second.frame().resumed.sum() == 11
    assert [s.order_id for s in second.sessions] == [f"r-{i}" for i in range(30) if i != 5]
    assert second.sessions[0] == first.sessions[0]  # from the ledger, token and all
    assert emulator.session_count == 29  # no duplicates
    assert len(ledger.frame(method="POST")) == 12 + 19
    third = create_sessions(rows, client=client, ledger=ledger, progress=False, resume=False)
    assert third.resumed == 0 and emulator.session_count == 29 + 29
    ledger.close()


def test_a_row_answered_429_is_an_unknown_outcome_for_resume() -> None:
    """A POST answered 429 is not sent again by the client (an answer came, and Primer
    documents no 429: nothing says it came before processing). The row is an error, and
    a resume treats it as the client does: OutcomeUnknown, sent only with
    resend_unknown=True."""
    client, emulator = emulated()
    emulator.inject(429, times=3, retry_after=0)
    ledger = Ledger(":memory:")
    rows = [{"order_id": f"t-{i}", "currency_code": "EUR", "amount": 100} for i in range(6)]
    result = create_sessions(rows, client=client, ledger=ledger, concurrency=2, progress=False)
    assert (result.ok, emulator.session_count) == (3, 3)
    assert [e.error_id for e in result.errors] == ["TooManyRequests"] * 3
    assert ledger.frame().status.tolist().count(429) == 3
    again = create_sessions(rows, client=client, ledger=ledger, progress=False)
    assert [e.error_id for e in again.errors] == ["OutcomeUnknown"] * 3
    assert (again.ok, again.resumed, emulator.session_count) == (3, 3, 3)
    forced = create_sessions(
        rows, client=client, ledger=ledger, progress=False, resend_unknown=True
    )
    assert (forced.ok, forced.resumed, emulator.session_count) == (6, 3, 6)


def test_no_answer_is_a_row_error_too() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PrimerClient(base_url=f"http://127.0.0.1:{port}", max_retries=0)
    rows = [{"order_id": f"c-{i}", "currency_code": "EUR", "amount": 1} for i in range(3)]
    result = create_sessions(rows, client=client, progress=False)
    assert result.failed == 3
    assert {e.error_id for e in result.errors} == {"ConnectionError"}


def test_inside_a_running_event_loop_and_async() -> None:
    emulator = Emulator(seed=5)
    rows = [{"order_id": f"a-{i}", "currency_code": "USD", "amount": 1} for i in range(5)]

    async def notebook_cell() -> BatchResult:  # Jupyter runs cells inside a loop
        return create_sessions(rows, client=PrimerClient(emulator=emulator), progress=False)

    assert asyncio.run(notebook_cell()).ok == 5

    async def async_caller() -> BatchResult:
        async with AsyncPrimerClient(emulator=emulator) as client:
            return await acreate_sessions(rows, client=client, progress=False, concurrency=3)

    assert asyncio.run(async_caller()).ok == 5
    assert emulator.session_count == 10


def test_an_async_client_that_kept_connections_from_another_loop_loses_no_row(
    tmp_path: Path,
) -> None:
    """`create_sessions` runs on an event loop of its own. An `AsyncPrimerClient` over HTTP
    whose pool holds a connection of another loop (a notebook cell awaited it; an earlier
    `create_sessions` ran on a loop now closed) once wrote each request there: the server
    created the session, reading the answer failed, and the row came back failed with its
    client token lost. Every row now gets its session, recorded, and the client still
    works on its own loop."""
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    rows = [{"order_id": f"l-{i}", "currency_code": "EUR", "amount": 100} for i in range(8)]
    with emulator_process() as url:
        client = AsyncPrimerClient(base_url=url)

        async def notebook() -> BatchResult:
            await client.create_session({"orderId": "cell", "currencyCode": "EUR", "amount": 1})
            result = create_sessions(rows[:4], client=client, ledger=ledger, progress=False)
            assert result.failed == 0, result.errors
            assert (await client.get_session(result.sessions[0].client_token)).order_id == "l-0"
            return result

        assert asyncio.run(notebook()).ok == 4
        second = create_sessions(rows[4:], client=client, ledger=ledger, progress=False)  # a script
        assert second.failed == 0, second.errors
        assert ledger.frame().status.tolist() == [200] * 8
        assert not ledger.is_attached(client)
        admin = {"X-API-KEY": "primer-nb-emulator"}
        held = httpx.get(f"{url}/_emulator/sessions", headers=admin).json()["sessions"]
        assert sorted(s["orderId"] for s in held) == ["cell"] + [f"l-{i}" for i in range(8)]


KILLED_BATCH = textwrap.dedent(
    """
    import sys
    from primer_nb.batch import create_sessions
    from primer_nb.client import AsyncPrimerClient
    from primer_nb.ledger import Ledger

    url, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = [{"order_id": f"k-{i:03d}", "currency_code": "EUR", "amount_major": "12.50"}
            for i in range(count)]
    client = AsyncPrimerClient(base_url=url)
    ledger = Ledger(path)
    ledger.attach(client)  # first hook: the ledger commits ...
    client.add_hook(  # ... then this one announces what is committed
        lambda ex: print("answered", ex.request_body["orderId"], ex.status, flush=True)
    )
    create_sessions(rows, client=client, ledger=ledger, concurrency=4, progress=False)
    print("finished", flush=True)
    """
)


def test_kill_minus_9_then_resume_without_duplicates(tmp_path: Path) -> None:
    ledger_path = tmp_path / "ledger.sqlite3"
    count, latency = 24, 0.3
    with emulator_process("--latency", str(latency)) as url:
        batch = subprocess.Popen(
            [sys.executable, "-c", KILLED_BATCH, url, str(ledger_path), str(count)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        announced: list[str] = []
        assert batch.stdout is not None
        for line in batch.stdout:
            words = line.split()
            if words and words[0] == "answered":
                announced.append(words[1])
            if len(announced) == 8:  # two waves of 4 answered; the third is in flight
                time.sleep(latency / 3)  # mid-flight: the server has not answered it yet
                os.kill(batch.pid, signal.SIGKILL)
                break
        batch.wait(timeout=10)
        assert batch.returncode == -signal.SIGKILL

        # The ledger opens fine and holds every exchange announced as answered.
        db = sqlite3.connect(ledger_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        ledger = Ledger(ledger_path)
        recorded = [r.order_id or "" for r in ledger.sessions()]
        assert set(announced) <= set(recorded)
        assert 8 <= len(recorded) < count

        admin = {"X-API-KEY": "primer-nb-emulator"}
        held = httpx.get(f"{url}/_emulator/sessions", headers=admin).json()["sessions"]
        # Nothing the emulator created is unknown to the ledger (the kill missed the window
        # between the server's answer and the ledger's commit; see batch.py's docstring).
        assert sorted(s["orderId"] for s in held) == sorted(recorded)

        rows = [
            {"order_id": f"k-{i:03d}", "currency_code": "EUR", "amount_major": "12.50"}
            for i in range(count)
        ]
        client = PrimerClient(base_url=url)
        result = create_sessions(rows, client=client, ledger=ledger, progress=False)
        assert result.ok == count and result.resumed == len(recorded)

        held = httpx.get(f"{url}/_emulator/sessions", headers=admin).json()["sessions"]
        order_ids = [s["orderId"] for s in held]
        assert sorted(order_ids) == [f"k-{i:03d}" for i in range(count)]  # one each
        assert json.dumps(sorted(order_ids)) == json.dumps(sorted(set(order_ids)))
        ledger.close()


def test_the_given_client_and_its_transport_are_used() -> None:
    """A `PrimerClient` with its own transport sends through that transport, not a copy."""
    emulator = Emulator(seed=3, start="2024-06-01T12:00:00", frozen=True)
    seen: list[str] = []
    into_emulator = emulator.transport()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            seen.append(json.loads(request.content)["orderId"])
        return into_emulator.handle_request(request)

    # 127.0.0.1:9 (discard) answers nothing: only the mock transport can create sessions
    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    ledger = Ledger(":memory:")
    rows = [{"order_id": f"m-{i}", "currency_code": "EUR", "amount": 100 + i} for i in range(5)]
    result = create_sessions(rows, client=client, ledger=ledger, concurrency=3, progress=False)
    assert result.failed == 0, result.errors
    assert sorted(seen) == [f"m-{i}" for i in range(5)]
    assert [s.amount for s in result.sessions] == [100, 101, 102, 103, 104]
    assert emulator.session_count == 5
    assert len(ledger) == 5 and not ledger.is_attached(client)  # attached for the batch only
    assert client.get_session(result.sessions[0].client_token).order_id == "m-0"  # still open


def test_the_given_async_client_and_its_transport_are_used() -> None:
    emulator = Emulator(seed=4)
    client = AsyncPrimerClient(base_url="http://127.0.0.1:9", transport=emulator.async_transport())
    rows = [{"order_id": f"n-{i}", "currency_code": "USD", "amount": 1} for i in range(4)]

    async def run() -> BatchResult:
        async with client:
            return await acreate_sessions(rows, client=client, progress=False, concurrency=2)

    assert asyncio.run(run()).ok == 4 and emulator.session_count == 4


def test_a_key_in_the_order_id_a_header_or_a_path_is_redacted_from_errors() -> None:
    """`str()` adds the order id, `columns` names headers, a detail's path names keys: none
    of them shows the client's key (`frame()` neither, in its order_id and error columns)."""
    client = PrimerClient(api_key=MARKER_KEY, emulator=Emulator(api_keys=[MARKER_KEY]))
    rows: list[dict[str, Any]] = [
        {"order_id": MARKER_KEY, "currency_code": "XXX"},  # the key as the order id
        {"order_id": "b2", "currency_code": "EUR", MARKER_KEY: "1"},  # as a header
        {
            "order_id": "b3",
            "currency_code": "EUR",
            "line_items": json.dumps([{"amount": 1, MARKER_KEY: 1}]),
        },
    ]
    result = create_sessions(rows, client=client, progress=False)
    client.close()
    assert [e.row for e in result.errors] == [0, 1, 2]
    first, header, item_key = result.errors
    assert first.order_id == "***" and str(first).startswith("row 0 (***): column currency_code")
    assert header.columns == ("***",) and item_key.columns == ("line_items[0].***",)
    frame = result.frame()
    assert frame.order_id[0] == "***"
    shown = [str(e) for e in result.errors] + [repr(result.errors), frame.to_csv()]
    assert not [text for text in shown if MARKER_KEY in text]


def test_a_key_in_a_validation_path_is_redacted() -> None:
    from primer_nb.batch import RowError, _without_key
    from primer_nb.errors import ValidationErrorDetail

    detail = ValidationErrorDetail("ClientSessionAPIRequest", f"$.metadata.{MARKER_KEY}", "bad")
    error = RowError(0, "o", "RequestValidationError", "422", validation_errors=(detail,))
    safe = _without_key(error, [MARKER_KEY])
    assert safe.validation_errors[0].path == "$.metadata.***"
    assert MARKER_KEY not in repr(safe)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_refused_key_row_says_what_to_do_about_the_key(asynchronous: bool) -> None:
    """A batch on an emulator with keys of its own, through a client that sent the kit's
    default key: each row's error says so, as the client's own error would (the batch's
    async twin of an in-process `PrimerClient` knows the key was the default one)."""
    from primer_nb.errors import DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT

    emulator = Emulator(api_keys=[MARKER_KEY])
    rows = [{"order_id": f"k-{i}", "currency_code": "GBP", "amount": 5} for i in range(2)]
    if asynchronous:

        async def run() -> BatchResult:
            async with AsyncPrimerClient(emulator=emulator) as client:
                return await acreate_sessions(rows, client=client, progress=False)

        result = asyncio.run(run())
    else:
        with PrimerClient(emulator=emulator) as client:
            result = create_sessions(rows, client=client, progress=False)
    assert [e.error_id for e in result.errors] == ["SecurityPolicyBlock"] * 2
    assert all(DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT in e.description for e in result.errors)
    assert all(DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT in str(e) for e in result.errors)
