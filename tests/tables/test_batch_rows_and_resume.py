"""Batch arguments read the way they were written, rows that are no order, and resume
after an answer that was not this order's session (a team's spreadsheet, a proxy)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pandas as pd
import pytest

from primer_nb.batch import BatchResult, create_sessions
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger

MARKER = "mk-SECRET-MARKER-31"
ROWS = [{"order_id": f"a{i}", "currency_code": "EUR", "amount": "100"} for i in range(3)]


def fresh() -> tuple[Emulator, PrimerClient]:
    emulator = Emulator(seed=31, start="2026-01-15T09:00:00", frozen=True)
    return emulator, PrimerClient(emulator=emulator)


def order_ids(emulator: Emulator) -> list[str]:
    return [str(s["orderId"]) for s in emulator.sessions()]


# --- arguments --------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["progress", "resume", "resend_unknown"])
@pytest.mark.parametrize("value", ["no", "False", 0, None])
def test_a_flag_that_is_not_true_or_false_is_refused_before_sending(
    flag: str, value: object
) -> None:
    """`resend_unknown="no"` is truthy: it sent again the rows it was meant to keep."""
    emulator, client = fresh()
    with pytest.raises(TypeError, match=f"^{flag} must be True or False, not "):
        create_sessions(ROWS, client=client, **{flag: value})
    assert emulator.session_count == 0


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (None, "not NoneType"),
        (5, "not int"),
        (b"order_id\na1\n", "not bytes"),
        (pd.Series({"order_id": "a1"}), "not a Series (one row or column of a DataFrame)"),
    ],
)
def test_rows_of_the_wrong_kind_name_the_argument(rows: object, says: str) -> None:
    emulator, client = fresh()
    with pytest.raises(TypeError) as caught:
        create_sessions(rows, client=client, progress=False)  # type: ignore[arg-type]
    assert str(caught.value).startswith("rows must be a DataFrame, a CSV path")
    assert says in str(caught.value)
    assert emulator.session_count == 0


def test_a_dataframe_with_a_repeated_column_is_refused() -> None:
    """pandas' `to_dict` keeps the last column's value: the amount sent was 999, not 100."""
    emulator, client = fresh()
    frame = pd.DataFrame([["a1", "EUR", "100", "999"]])
    frame.columns = ["order_id", "currency_code", "amount", "amount"]
    with pytest.raises(
        ValueError, match=r"column amount appears twice in the DataFrame \(columns 3 and 4\)"
    ):
        create_sessions(frame, client=client, progress=False)
    assert emulator.session_count == 0


# --- rows -------------------------------------------------------------------------------


def test_dicts_with_no_value_are_skipped_as_empty_lines_are() -> None:
    """POST needs no field, so `{}` would have made a session with no order id (and a
    resume could not find it, so every run made one more)."""
    emulator, client = fresh()
    rows: list[dict[str, Any]] = [{}, ROWS[0], {"order_id": None, "amount": " "}, ROWS[1]]
    result = create_sessions(rows, client=client, progress=False)
    assert [(r.row, r.order_id, r.ok) for r in result] == [(1, "a0", True), (3, "a1", True)]
    assert order_ids(emulator) == ["a0", "a1"]


@pytest.mark.parametrize("amount", [Decimal("1299"), Decimal("1299.00"), "+1299", 1299])
def test_a_whole_amount_in_minor_units_is_taken_in_any_exact_form(amount: object) -> None:
    emulator, client = fresh()
    row = {"order_id": "a1", "currency_code": "EUR", "amount": amount}
    result = create_sessions([row], client=client, progress=False)
    assert result.errors == []
    assert emulator.sessions()[0]["amount"] == 1299


def test_a_row_error_names_the_column_and_its_jsonpath() -> None:
    emulator, client = fresh()
    rows = [
        {"order_id": "a1", "currency_code": "EUR", "amount": Decimal("1299.5")},
        {"order_id": "a2", "currency_code": "JPY", "line_items": '[{"amount_major": "5.5"}]'},
    ]
    first, second = create_sessions(rows, client=client, progress=False).errors
    assert first.description == (
        "column amount: must be a whole number of minor units, not Decimal('1299.5') ($.amount)"
    )
    assert second.description.startswith("column line_items[0].amount_major: JPY has 0 minor")
    assert second.description.endswith("($.order.lineItems[0].amount)")
    assert emulator.session_count == 0


def test_an_order_id_holding_the_api_key_is_refused_before_sending() -> None:
    """The ledger stores it as `***`, so resume never found it: every run sent it again."""
    emulator = Emulator(seed=31, api_keys=[MARKER])
    client = PrimerClient(emulator=emulator, api_key=MARKER)
    row = {"order_id": f"order-{MARKER}", "currency_code": "EUR", "amount": "100"}
    with Ledger(":memory:") as ledger:
        result = create_sessions([row], client=client, ledger=ledger, progress=False)
        [error] = result.errors
        assert error.error_id == "InvalidRow" and error.columns == ("order_id",)
        assert MARKER not in repr(result.frame()) and MARKER not in str(error)
        assert emulator.session_count == 0 and len(ledger) == 0


# --- resume after an answer that was not this order's session ---------------------------


class Answers(httpx.BaseTransport):
    """The emulator, except that the POST for `order` gets `answer(real)` instead."""

    def __init__(self, emulator: Emulator, order: str, answer: Any) -> None:
        self.inner, self.order, self.answer = emulator.transport(), order, answer
        self.bodies: dict[str, bytes] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        sent = json.loads(request.content) if request.method == "POST" else {}
        self.bodies[str(sent.get("orderId"))] = response.content
        if sent.get("orderId") == self.order:
            return self.answer(self)  # type: ignore[no-any-return]
        return httpx.Response(response.status_code, content=response.content)


def run(client: PrimerClient, ledger: Ledger) -> BatchResult:
    return create_sessions(ROWS, client=client, ledger=ledger, progress=False, concurrency=1)


def test_resume_does_not_send_again_a_post_answered_200_with_no_session() -> None:
    """A proxy's 200 HTML page: the session may exist, so it is not made a second time."""
    emulator = Emulator(seed=31)
    page = httpx.Response(200, content=b"<html>ok</html>", headers={"content-type": "text/html"})
    transport = Answers(emulator, "a1", lambda _t: page)
    client = PrimerClient(transport=transport, base_url="http://emulator.test", api_key="k")
    with Ledger(":memory:") as ledger:
        first = run(client, ledger)
        assert [e.error_id for e in first.errors] == ["InvalidResponse"]
        again = run(client, ledger)
    [error] = again.errors
    assert (error.order_id, error.error_id) == ("a1", "OutcomeUnknown")
    assert "was answered 200 with no session the ledger could read" in error.description
    assert order_ids(emulator) == ["a0", "a1", "a2"]  # a1 made once


def test_resume_matches_on_the_order_sent_not_the_answer() -> None:
    """a1's POST was answered with a0's session: resume called a0 `RowChanged` and sent
    a1 a second time."""
    emulator = Emulator(seed=31)
    transport = Answers(emulator, "a1", lambda t: httpx.Response(200, content=t.bodies["a0"]))
    client = PrimerClient(transport=transport, base_url="http://emulator.test", api_key="k")
    with Ledger(":memory:") as ledger:
        first = run(client, ledger)
        assert [e.error_id for e in first.errors] == ["MismatchedAnswer"]
        again = run(client, ledger)
    assert [(r.order_id, r.ok, r.resumed) for r in again if r.ok] == [
        ("a0", True, True),
        ("a2", True, True),
    ]
    [error] = again.errors
    assert (error.order_id, error.error_id) == ("a1", "MismatchedAnswer")
    assert "for orderId 'a0'" in error.description and "not sent again" in error.description
    assert order_ids(emulator) == ["a0", "a1", "a2"]


def test_a_short_key_inside_an_order_id_is_not_the_key() -> None:
    """With the emulator key `demo`, `demo2024-001` was refused as "holding the key",
    though the ledger stores it unchanged (a short key is redacted only standing alone)."""
    emulator = Emulator(seed=31, api_keys=["demo"])
    client = PrimerClient(emulator=emulator, api_key="demo")
    rows = [{"order_id": "demo2024-001", "currency_code": "EUR", "amount": "100"}]
    with Ledger(":memory:") as ledger:
        result = create_sessions(rows, client=client, ledger=ledger, progress=False)
        assert result.errors == []
        assert ledger.frame()["order_id"].tolist() == ["demo2024-001"]


def test_a_line_items_amount_given_twice_names_its_jsonpath() -> None:
    emulator, client = fresh()
    row = {
        "order_id": "a1",
        "currency_code": "EUR",
        "line_items": '[{"amount": 100, "amount_major": "1.00"}]',
    }
    [error] = create_sessions([row], client=client, progress=False).errors
    assert error.description == (
        "column line_items[0].amount: give amount_major or amount, not both "
        "($.order.lineItems[0].amount)"
    )
    assert emulator.session_count == 0


def test_row_errors_name_the_jsonpath_of_text_columns_and_the_currency() -> None:
    emulator, client = fresh()
    rows = [
        {"order_id": "a1", "currency_code": "EUR", "first_name": 3.5},
        {"order_id": "a2", "amount_major": "1.00"},
    ]
    first, second = create_sessions(rows, client=client, progress=False).errors
    assert first.description.startswith("column first_name: ")
    assert first.description.endswith("($.customer.firstName)")
    assert second.description.startswith("column currency_code: required to convert")
    assert second.description.endswith("($.currencyCode)")
    assert emulator.session_count == 0


@pytest.mark.parametrize("amount", [Decimal("Infinity"), Decimal("NaN"), Decimal("-Infinity")])
def test_a_decimal_that_is_no_number_is_a_row_error(amount: Decimal) -> None:
    """Only a finite whole Decimal is minor units: `int(Decimal("Infinity"))` would have
    stopped the whole batch with an OverflowError."""
    emulator, client = fresh()
    row = {"order_id": "a1", "currency_code": "EUR", "amount": amount}
    [error] = create_sessions([row], client=client, progress=False).errors
    assert error.error_id == "InvalidRow" and error.columns == ("amount",)
    assert emulator.session_count == 0
