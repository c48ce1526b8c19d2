"""Bad CSV files and rows: a clear error naming the file, line, column and rule; no row lost."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from primer_nb.batch import create_sessions
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger

HEADER = "order_id,currency_code,amount_major,first_name\n"


def emulated() -> tuple[PrimerClient, Emulator]:
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    return PrimerClient(emulator=emulator), emulator


def refused(path: Path) -> str:
    """The file is refused as a whole, before anything is sent."""
    client, emulator = emulated()
    with pytest.raises(ValueError) as caught:
        create_sessions(path, client=client, progress=False)
    assert emulator.session_count == 0
    message = str(caught.value)
    assert message.startswith(f"{path}: line ")
    return message


def test_an_unclosed_quote_is_an_error_not_rows_swallowed_into_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER + 'o1,EUR,1.00,Ann\no2,EUR,2.00,"Bob\no3,EUR,3.00,Cy\no4,EUR,4.00,Di\n',
        encoding="utf-8",
    )
    message = refused(path)
    assert "line 3: unclosed quote" in message and "begins on line 3" in message


def test_a_stray_quote_after_a_quoted_cell_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + 'o1,EUR,1.00,Ann\no2,EUR,"2.00"x,Bob\n', encoding="utf-8")
    assert "line 3: malformed CSV" in refused(path)


@pytest.mark.parametrize(
    ("encoding", "where"), [("latin-1", "line 3, byte 14"), ("utf-16", "line 1, byte 1")]
)
def test_a_file_that_is_not_utf8_names_the_line_and_the_rule(
    tmp_path: Path, encoding: str, where: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes((HEADER + "o1,EUR,1.00,Ann\no2,EUR,2.00,Jörg\n").encode(encoding))
    message = refused(path)
    assert message.startswith(f"{path}: {where}: not UTF-8") and "must be UTF-8" in message


def test_a_cell_over_the_csv_field_limit_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER + "o1,EUR,1.00,Ann\n" + f"o2,EUR,2.00,{'x' * 200_000}\n", encoding="utf-8"
    )
    assert "line 3: a cell is longer than the CSV field limit" in refused(path)


def test_a_repeated_header_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,currency_code,amount_major,amount_major\no1,EUR,1.00,2.00\n", encoding="utf-8"
    )
    assert "column amount_major appears twice in the header (columns 3 and 4)" in refused(path)


def test_a_repeated_order_id_is_an_error_naming_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "o1,EUR,1.00,Ann\no2,EUR,2.00,Bob\no1,EUR,3.00,Cy\n", encoding="utf-8")
    client, emulator = emulated()
    result = create_sessions(path, client=client, progress=False)
    assert repr(result) == "BatchResult(rows=3, ok=2, failed=1, resumed=0)"
    (error,) = result.errors
    assert (error.row, error.error_id, error.columns) == (2, "InvalidRow", ("order_id",))
    assert str(error) == (
        "row 2 (line 4, o1): column order_id: duplicate of row 0 (line 2): each row needs its "
        "own order_id, because resume matches on it"
    )
    assert emulator.session_count == 2


def test_resume_does_not_answer_a_changed_row_with_its_old_session() -> None:
    client, emulator = emulated()
    ledger = Ledger(":memory:")
    first = [{"order_id": "o1", "currency_code": "EUR", "amount_major": "1.00"}]
    assert create_sessions(first, client=client, ledger=ledger, progress=False).ok == 1
    same = [*first, {"order_id": "o2", "currency_code": "EUR", "amount_major": "2.00"}]
    again = create_sessions(same, client=client, ledger=ledger, progress=False)
    assert (again.ok, again.resumed, emulator.session_count) == (2, 1, 2)

    changed = [{"order_id": "o1", "currency_code": "USD", "amount_major": "9.99"}]
    result = create_sessions(changed, client=client, ledger=ledger, progress=False)
    assert repr(result) == "BatchResult(rows=1, ok=0, failed=1, resumed=0)"
    (error,) = result.errors
    assert error.error_id == "RowChanged"
    assert "changed since the session in the ledger was created" in str(error)
    assert emulator.session_count == 2  # neither the old session nor a new one
    unchecked = create_sessions(changed, client=client, ledger=ledger, progress=False, resume=False)
    assert unchecked.sessions[0].amount == 999 and emulator.session_count == 3


def test_an_unreadable_ledger_record_fails_its_row_not_the_batch() -> None:
    client, emulator = emulated()
    ledger = Ledger(":memory:")
    body = {"orderId": "o1", "currencyCode": "EUR", "amount": 100}
    ledger.record(  # a 200 whose answer lacks the client token
        {
            "method": "POST",
            "path": "/client-session",
            "status": 200,
            "environment": client.environment,
            "request_body": body,
            "response_body": {"orderId": "o1"},
        }
    )
    rows = [
        {"order_id": "o1", "currency_code": "EUR", "amount": 100},
        {"order_id": "o2", "currency_code": "EUR", "amount": 100},
    ]
    result = create_sessions(rows, client=client, ledger=ledger, progress=False)
    assert repr(result) == "BatchResult(rows=2, ok=1, failed=1, resumed=0)"
    assert result.errors[0].error_id == "LedgerRecordUnreadable"
    assert emulator.session_count == 1  # o1 may exist: not sent again


def test_resume_does_not_resend_a_post_whose_outcome_is_unknown() -> None:
    """A POST answered 5xx or not at all may have created its session on Primer: resume
    reports it instead of sending it again, unless `resend_unknown=True`."""
    emulator = Emulator(seed=5, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()
    failing = {"o1", "o2", "o3"}

    def handler(request: httpx.Request) -> httpx.Response:
        order_id = json.loads(request.content)["orderId"] if request.method == "POST" else None
        if order_id in failing:
            if order_id == "o1":
                return httpx.Response(503, json={"error": {"errorId": "ServiceUnavailable"}})
            if order_id == "o2":
                raise httpx.ReadTimeout("timed out", request=request)
            raise httpx.ConnectError("refused", request=request)  # never reached the server
        return into_emulator.handle_request(request)

    client = PrimerClient(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler), max_retries=0
    )
    ledger = Ledger(":memory:")
    rows = [{"order_id": f"o{i}", "currency_code": "EUR", "amount": 100} for i in range(1, 5)]
    first = create_sessions(rows, client=client, ledger=ledger, progress=False)
    assert (first.ok, first.failed, emulator.session_count) == (1, 3, 1)

    failing.clear()  # the server answers again
    again = create_sessions(rows, client=client, ledger=ledger, progress=False)
    assert repr(again) == "BatchResult(rows=4, ok=2, failed=2, resumed=1)"
    by_order = {e.order_id: e for e in again.errors}
    assert sorted(by_order) == ["o1", "o2"]  # o3 was never sent: it is sent now
    assert {e.error_id for e in by_order.values()} == {"OutcomeUnknown"}
    assert "was answered 503, so Primer may have created its session" in str(by_order["o1"])
    assert "got no answer (ReadTimeout: timed out)" in str(by_order["o2"])
    assert "resend_unknown=True" in str(by_order["o2"])
    assert emulator.session_count == 2

    checked = create_sessions(
        rows, client=client, ledger=ledger, progress=False, resend_unknown=True
    )
    assert repr(checked) == "BatchResult(rows=4, ok=4, failed=0, resumed=2)"
    assert emulator.session_count == 4


def test_a_row_error_never_echoes_the_clients_api_key() -> None:
    key = "sk_marker_TESTKEY_123456"
    client = PrimerClient(api_key=key, emulator=Emulator(seed=2))
    rows = [
        {"order_id": "bad", "currency_code": "EUR", "amount_major": key},
        {"order_id": "mail", "currency_code": "EUR", "amount": 1, "customer_email": key},
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert result.failed == 2
    assert "column amount_major: not a decimal amount: '***'" in str(result.errors[0])
    assert key not in result.frame().to_string()
    assert all(key not in repr(e) for e in result.errors)


def test_an_answer_for_another_order_is_not_taken_as_the_rows_session() -> None:
    emulator = Emulator(seed=6, start="2024-06-01T12:00:00", frozen=True)
    into_emulator = emulator.transport()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and json.loads(request.content)["orderId"] == "o2":
            # an answer meant for another request (e.g. a socket shared across a fork)
            swapped = json.dumps({"orderId": "o9", "currencyCode": "EUR", "amount": 1})
            request = httpx.Request("POST", request.url, headers=request.headers, content=swapped)
        return into_emulator.handle_request(request)

    client = PrimerClient(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler))
    rows = [{"order_id": f"o{i}", "currency_code": "EUR", "amount": 100} for i in range(1, 4)]
    result = create_sessions(rows, client=client, progress=False)
    assert repr(result) == "BatchResult(rows=3, ok=2, failed=1, resumed=0)"
    (error,) = result.errors
    assert (error.order_id, error.error_id, error.status_code) == ("o2", "MismatchedAnswer", 200)
    assert "the 200 answer is for order 'o9', not 'o2'" in str(error)
    assert [s.order_id for s in result.sessions] == ["o1", "o3"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"ledger": "ledger.db"},
            TypeError,
            r"ledger must be a Ledger, e\.g\. Ledger\('ledger\.db'\)",
        ),
        ({"concurrency": None}, TypeError, "concurrency must be a whole number"),
        ({"concurrency": "8"}, TypeError, "concurrency must be a whole number"),
        ({"concurrency": 2.5}, TypeError, "concurrency must be a whole number"),
        ({"concurrency": 0}, ValueError, "concurrency must be >= 1"),
    ],
)
def test_a_batch_argument_of_the_wrong_type_names_the_parameter_before_sending(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    client, emulator = emulated()
    rows = [{"order_id": "o1", "currency_code": "EUR", "amount": 100}]
    with pytest.raises(error, match=match):
        create_sessions(rows, client=client, progress=False, **kwargs)  # type: ignore[arg-type]
    assert emulator.session_count == 0


def test_a_numpy_int_concurrency_is_taken() -> None:
    np = pytest.importorskip("numpy")
    client, _ = emulated()
    rows = [{"order_id": "o1", "currency_code": "EUR", "amount": 100}]
    result = create_sessions(rows, client=client, progress=False, concurrency=np.int64(2))
    assert result.ok == 1


@pytest.mark.parametrize(
    "line_items", ['[{"amount": NaN}]', [{"amount": float("nan")}]], ids=["json", "dicts"]
)
def test_a_nan_line_item_amount_is_named_as_not_an_amount(line_items: object) -> None:
    client, emulator = emulated()
    rows = [
        {"order_id": "l7", "currency_code": "EUR", "line_items": line_items},
        {"order_id": "l8", "currency_code": "EUR", "amount": 100},
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert [r.ok for r in result.results] == [False, True]
    message = str(result.errors[0])
    assert "line_items[0].amount: NaN is not an amount" in message
    assert "Field required" not in message
    assert emulator.session_count == 1


def test_a_nan_discount_in_a_list_of_dicts_is_pandas_missing_not_an_error() -> None:
    client, _ = emulated()
    rows = [
        {
            "order_id": "l9",
            "currency_code": "EUR",
            "line_items": [{"amount": 100, "discount_major": float("nan")}],
        }
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert result.ok == 1
    assert result.sessions[0].amount == 100


def test_line_items_nested_too_deep_to_parse_is_one_row_error_not_an_aborted_batch() -> None:
    client, emulator = emulated()
    rows = [
        {"order_id": "deep", "currency_code": "EUR", "line_items": "[" * 100_000 + "]" * 100_000},
        {"order_id": "fine", "currency_code": "EUR", "amount": 100},
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert [r.ok for r in result.results] == [False, True]
    assert "column line_items: nested too deeply to read as JSON" in str(result.errors[0])
    assert emulator.session_count == 1
