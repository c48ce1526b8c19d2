"""sessions_frame, line_items_frame, warnings_frame: columns, dtypes, exact money, sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb import currency
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger, SessionRecord
from primer_nb.models import ClientSessionWithToken
from primer_nb.tables import (
    LINE_ITEM_COLUMNS,
    SESSION_COLUMNS,
    WARNING_COLUMNS,
    line_items_frame,
    sessions_frame,
    warnings_frame,
)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDI0MTQ2ODJ9.c2lnbmF0dXJlx9Qk"
TAXJAR = {
    "type": "TAXJAR",
    "code": "MISSING_DATA",
    "message": "Shipping details are required for calculating tax.",
}


def session(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "orderId": "order-1",
        "customerId": "cus-1",
        "currencyCode": "USD",
        "amount": 1299,
        "customer": {"emailAddress": "ada@example.com"},
        "order": {
            "countryCode": "US",
            "lineItems": [
                {"itemId": "mug", "name": "Mug", "amount": 500, "quantity": 2},
                {"itemId": "tee", "amount": 400, "discountAmount": 150, "taxAmount": 49},
            ],
        },
        "clientToken": TOKEN,
        "clientTokenExpirationDate": "2024-06-02T12:00:00.000000",
        "warnings": [TAXJAR],
    }
    body.update(changes)
    return body


NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {str(name): str(dtype) for name, dtype in frame.dtypes.items()}


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_session_columns_and_dtypes_are_stable(rows: int) -> None:
    frame = sessions_frame([session(orderId=f"o-{i}") for i in range(rows)], clock=NOW)
    assert list(frame.columns) == list(SESSION_COLUMNS)
    assert dtypes(frame) == dict(SESSION_COLUMNS)
    assert len(frame) == rows


def test_session_row_values() -> None:
    row = sessions_frame([session()], clock=NOW).iloc[0]
    assert row.order_id == "order-1"
    assert row.customer_id == "cus-1"
    assert row.currency_code == "USD"
    assert row.amount == 1299
    assert row.amount_major == Decimal("12.99")
    assert isinstance(row.amount_major, Decimal)
    assert row.customer_email == "ada@example.com"
    assert row.country_code == "US"
    assert row.line_items == 2
    assert row.warnings == 1
    assert row.client_token == "eyJhbGci…x9Qk"
    assert row.expires_at == pd.Timestamp("2024-06-02T12:00:00", tz="UTC")
    assert row.status == "active"
    assert pd.isna(row.environment) and pd.isna(row.api_version) and pd.isna(row.created_at)


@pytest.mark.parametrize(
    ("code", "units", "expected"),
    [("USD", 1299, "12.99"), ("KWD", 1234, "1.234"), ("JPY", 1000, "1000"), ("EUR", 5, "0.05")],
)
def test_amount_major_is_an_exact_decimal(code: str, units: int, expected: str) -> None:
    major = sessions_frame([session(currencyCode=code, amount=units)]).amount_major[0]
    assert isinstance(major, Decimal)
    assert str(major) == expected


def test_unknown_amount_or_currency_gives_missing_values() -> None:
    frame = sessions_frame(
        [session(amount=None), session(currencyCode="ZZZ"), {"orderId": "bare"}], clock=NOW
    )
    assert frame.amount.isna().tolist() == [True, False, True]
    assert frame.amount_major.tolist() == [None, None, None]
    bare = frame.iloc[2]
    assert bare.line_items == 0 and bare.warnings == 0
    assert pd.isna(bare.client_token) and pd.isna(bare.expires_at) and pd.isna(bare.status)


def test_money_sums_stay_exact() -> None:
    frame = sessions_frame([session(amount=10), session(amount=20)] * 5)  # 0.10 + 0.20 ...
    assert frame.amount_major.sum() == Decimal("1.50")
    assert frame.amount.sum() == 150


@given(
    code=st.sampled_from(["USD", "JPY", "KWD", "EUR", "AED", "IQD", "CLP"]),
    units=st.integers(min_value=0, max_value=2**63 - 1),
)
def test_amount_major_round_trips(code: str, units: int) -> None:
    major = sessions_frame([{"currencyCode": code, "amount": units}]).amount_major[0]
    assert currency.to_minor_units(major, code) == units


def test_warnings_as_a_list_or_as_one_object() -> None:
    bodies = [session(orderId="list"), session(orderId="single", warnings=TAXJAR)]
    frame = sessions_frame(bodies)
    assert frame.warnings.tolist() == [1, 1]
    warnings = warnings_frame(bodies)
    assert list(warnings.columns) == list(WARNING_COLUMNS)
    assert dtypes(warnings) == dict(WARNING_COLUMNS)
    assert warnings.order_id.tolist() == ["list", "single"]
    assert set(warnings.code) == {"MISSING_DATA"}
    assert warnings.client_token.tolist() == ["eyJhbGci…x9Qk"] * 2


def test_empty_warnings_frame_has_its_columns() -> None:
    frame = warnings_frame([session(warnings=None)])
    assert frame.empty and dtypes(frame) == dict(WARNING_COLUMNS)


def test_status_against_a_clock() -> None:
    expiry = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
    body = [session()]
    assert sessions_frame(body, clock=expiry - timedelta(microseconds=1)).status[0] == "active"
    assert sessions_frame(body, clock=expiry).status[0] == "expired"
    # a naive datetime is Python's local time (datetime.now()): refused, not read as UTC
    # (outside UTC that showed an expired session as active, hours off, without a word)
    naive = expiry.replace(tzinfo=None) + timedelta(hours=1)
    with pytest.raises(ValueError, match=r"^clock is a naive datetime \(2024-06-02T13:00:00\)"):
        sessions_frame(body, clock=naive)
    with pytest.raises(ValueError, match=r"^clock.now\(\) is a naive datetime"):
        sessions_frame(body, clock=datetime)  # its now() is naive local time
    emulator = Emulator(start="2024-06-01T12:00:00", frozen=True)
    assert sessions_frame(body, clock=emulator.clock).status[0] == "active"
    emulator.clock.advance(hours=25)
    assert sessions_frame(body, clock=emulator).status[0] == "expired"
    assert sessions_frame(body).status[0] == "expired"  # default: real now (2024 is past)
    with pytest.raises(TypeError, match="clock must be a datetime, ISO text or have"):
        sessions_frame(body, clock=12)
    # ISO text, as the naive-datetime error suggests (no offset: UTC, as on the wire)
    assert sessions_frame(body, clock="2024-06-02T11:59:59").status[0] == "active"
    assert sessions_frame(body, clock="2024-06-02T14:00:00+02:00").status[0] == "expired"
    with pytest.raises(ValueError, match=r"^clock must be ISO 8601 text .* not 'tomorrow'"):
        sessions_frame(body, clock="tomorrow")


def test_without_a_clock_a_response_model_is_judged_on_its_backends_clock() -> None:
    """A session just made on the frozen tutorial emulator was "expired" against this
    machine's time, while its own card said "24 h 0 min left"."""
    emulator = Emulator(seed=9, start="2026-01-15T09:00:00", frozen=True)
    client = PrimerClient(emulator=emulator)
    made = client.create_session({"orderId": "o1", "currencyCode": "EUR", "amount": 100})
    assert "24 h 0 min left" in made._repr_html_()
    assert sessions_frame([made]).status.tolist() == ["active"]
    emulator.clock.advance(hours=24)  # the expiry instant: expired, as the emulator says
    assert sessions_frame([made]).status.tolist() == ["expired"]
    assert "expired 0 h 0 min ago" in made._repr_html_()
    # a dict carries no clock: this machine's time (2026-01-16 is long past... or not yet)
    real = "expired" if datetime.now(UTC) >= made.client_token_expiration_date else "active"
    assert sessions_frame([made.to_wire()]).status.tolist() == [real]


def test_sessions_from_two_backends_are_judged_on_the_first_ones_clock() -> None:
    """As documented: the first response model that knows its backend's clock sets now
    for the whole frame, so a row's status does not hang on which row came last."""
    late = Emulator(seed=1, start="2026-01-15T09:00:00", frozen=True)
    early = Emulator(seed=2, start="2026-01-15T09:00:00", frozen=True)
    one = PrimerClient(emulator=late).create_session({"orderId": "a", "amount": 1})
    two = PrimerClient(emulator=early).create_session({"orderId": "b", "amount": 1})
    late.clock.advance(hours=25)  # on the first one's clock both have expired
    assert sessions_frame([one, two]).status.tolist() == ["expired", "expired"]
    assert sessions_frame([two, one]).status.tolist() == ["active", "active"]


def test_an_empty_dict_is_one_session_with_no_fields() -> None:
    """Not a dict of sessions (it has none): one row of <NA>s, as any body without fields."""
    frame = sessions_frame({})
    assert len(frame) == 1 and frame.order_id.isna().all()


def test_a_dict_of_sessions_is_refused_not_read_as_one_empty_session() -> None:
    """`sessions_frame({order_id: session})` gave one row of <NA>s without a word."""
    one = {"orderId": "a", "currencyCode": "EUR", "amount": 100}
    two = {"orderId": "b", "currencyCode": "EUR", "amount": 200}
    with pytest.raises(TypeError, match=r"dict of 2 sessions \(keyed by str\).*\.values\(\)"):
        sessions_frame({"a": one, "b": two})
    assert sessions_frame({"a": one, "b": two}.values()).order_id.tolist() == ["a", "b"]
    # one session whose only fields are objects is still one session
    assert len(sessions_frame({"order": {"lineItems": []}, "customer": {}})) == 1


def test_a_naive_expiry_datetime_in_a_dict_is_refused_not_read_as_utc() -> None:
    naive = datetime(2026, 1, 15, 9)  # datetime.now() + ...: Python's local time
    body = {"orderId": "o", "clientTokenExpirationDate": naive}
    with pytest.raises(ValueError, match=r"^clientTokenExpirationDate in row 0 is a naive"):
        sessions_frame([body])
    aware_body = {**body, "clientTokenExpirationDate": naive.replace(tzinfo=UTC)}
    assert sessions_frame([aware_body]).expires_at[0] == pd.Timestamp("2026-01-15T09:00Z")


def test_models_and_dicts_give_the_same_frame() -> None:
    emulator = Emulator(seed=7, start="2024-06-01T12:00:00", frozen=True)
    client = PrimerClient(emulator=emulator)
    made = [
        client.create_session(
            {"orderId": f"o-{i}", "currencyCode": "KWD", "order": {"lineItems": [{"amount": 1234}]}}
        )
        for i in range(3)
    ]
    dicts = [s.model_dump(mode="json", by_alias=True, exclude_unset=True) for s in made]
    by_model = sessions_frame(made, clock=emulator.clock)
    by_dict = sessions_frame(dicts, clock=emulator.clock)
    pd.testing.assert_frame_equal(by_model, by_dict)
    assert by_model.amount_major.tolist() == [Decimal("1.234")] * 3
    assert by_model.warnings.tolist() == [1, 1, 1]  # no shipping address: TAXJAR
    assert by_model.status.tolist() == ["active"] * 3
    assert by_model.expires_at[0] == pd.Timestamp("2024-06-02T12:00:00", tz="UTC")
    pd.testing.assert_frame_equal(line_items_frame(made), line_items_frame(dicts))
    pd.testing.assert_frame_equal(warnings_frame(made), warnings_frame(dicts))


def test_a_single_session_is_a_one_row_source() -> None:
    assert len(sessions_frame(session())) == 1
    model = ClientSessionWithToken.model_validate(session())
    assert sessions_frame(model).client_token[0] == "eyJhbGci…x9Qk"


def test_bad_sources_are_refused() -> None:
    with pytest.raises(TypeError, match="item 1"):
        sessions_frame([session(), 42])
    with pytest.raises(TypeError, match="source"):
        sessions_frame("order-1")


def test_ledger_sources_carry_environment_version_and_time(tmp_path: Any) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    client = PrimerClient(emulator=Emulator(seed=1))
    ledger.attach(client)
    client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    client.create_session({"orderId": "o-2", "currencyCode": "JPY", "amount": 100})
    for source in (ledger, ledger.sessions()):
        frame = sessions_frame(source)
        assert frame.order_id.tolist() == ["o-1", "o-2"]
        assert frame.environment.tolist() == ["emulator"] * 2
        assert frame.api_version.tolist() == ["2.4"] * 2
        assert frame.created_at.notna().all()
        assert dtypes(frame) == dict(SESSION_COLUMNS)
    mixed = sessions_frame([*ledger.sessions(), session()])
    assert mixed.environment.isna().tolist() == [False, False, True]
    record = SessionRecord({"orderId": "x", "clientToken": TOKEN}, "emulator")
    assert "x9Qk" in repr(record) and TOKEN not in repr(record)
    ledger.close()


def test_line_items_frame() -> None:
    frame = line_items_frame([session(), session(orderId="none", order=None)])
    assert list(frame.columns) == list(LINE_ITEM_COLUMNS)
    assert dtypes(frame) == dict(LINE_ITEM_COLUMNS)
    assert frame.position.tolist() == [0, 1]
    assert frame.quantity.isna().tolist() == [False, True]  # as sent; missing means 1
    assert frame.line_total.tolist() == [1000, 400 - 150 + 49]
    assert frame.line_total_major.tolist() == [Decimal("10.00"), Decimal("2.99")]
    assert frame.name.tolist()[0] == "Mug" and pd.isna(frame.name[1])
    empty = line_items_frame([])
    assert empty.empty and dtypes(empty) == dict(LINE_ITEM_COLUMNS)


def test_a_line_total_past_int64_is_na_and_exact_in_major_units() -> None:
    """A top-level amount lets through lines whose total Int64 cannot hold (Primer's schema
    allows them); the table still builds: <NA> in minor units, the exact Decimal beside."""
    client = PrimerClient(emulator=Emulator(seed=1))
    big = 2**63 - 1
    made = client.create_session(
        {
            "orderId": "big",
            "currencyCode": "EUR",
            "amount": 7,
            "order": {"lineItems": [{"amount": big, "quantity": 2}, {"amount": 100}]},
        }
    )
    frame = line_items_frame([made])
    assert pd.isna(frame.line_total[0]) and frame.line_total[1] == 100
    assert frame.line_total_major.tolist() == [Decimal(2 * big) / 100, Decimal("1.00")]
    assert dtypes(frame) == dict(LINE_ITEM_COLUMNS)


def test_hand_built_rows_get_no_made_up_money() -> None:
    """Plain dicts are a source too: a line without an int amount has no total (not 0.00),
    and a session amount past Int64 is <NA> with its exact Decimal beside (not a crash)."""
    lines = line_items_frame(
        [
            {
                "currencyCode": "USD",
                "order": {
                    "lineItems": [
                        {"name": "no amount"},
                        {"amount": "5"},
                        {"amount": 5, "quantity": "2"},
                        {"amount": 5, "quantity": 2, "taxAmount": 1},
                    ]
                },
            }
        ]
    )
    assert lines.line_total.isna().tolist() == [True, True, True, False]
    assert lines.line_total_major.tolist() == [None, None, None, Decimal("0.11")]
    sessions = sessions_frame([{"currencyCode": "USD", "amount": 2**64}])
    assert pd.isna(sessions.amount[0])
    assert sessions.amount_major[0] == Decimal(2**64) / 100
    assert dtypes(sessions) == dict(SESSION_COLUMNS)


@pytest.mark.parametrize("expiry", ["tomorrow", 1_700_000_000, "2024-13-01T00:00:00"])
def test_a_bad_expiry_is_named_by_column_and_row(expiry: object) -> None:
    good = {"orderId": "o-0", "clientTokenExpirationDate": "2024-06-01T12:00:00"}
    bad = {"orderId": "o-1", "clientTokenExpirationDate": expiry}
    with pytest.raises(ValueError, match=r"^clientTokenExpirationDate in row 1: .* ISO 8601"):
        sessions_frame([good, bad])


def test_snake_case_keys_in_a_session_dict_warn_at_their_path_with_the_wire_name() -> None:
    from primer_nb.errors import UnknownFieldWarning

    body = {"order_id": "o-1", "currency_code": "USD", "amount": 1299}
    with pytest.warns(UnknownFieldWarning) as caught:
        frame = sessions_frame([body])
    messages = [str(w.message) for w in caught]
    assert any(
        m.startswith("source[0]: $.order_id is not read: the wire name is `orderId`")
        for m in messages
    )
    assert any(
        "$.currency_code is not read: the wire name is `currencyCode`" in m for m in messages
    )
    assert frame.loc[0, "amount"] == 1299  # what could be read is kept


def test_snake_case_keys_in_line_items_warn_instead_of_giving_an_empty_table() -> None:
    """`line_items_frame` on a `model_dump()`-style dict gave an empty table, silently."""
    from primer_nb.errors import UnknownFieldWarning

    snake = {"order_id": "o-1", "order": {"line_items": [{"itemId": "a", "amount": 100}]}}
    camel = {
        "orderId": "o-2",
        "order": {"lineItems": [{"itemId": "b", "amount": 100, "discount_amount": 10}]},
    }
    with pytest.warns(UnknownFieldWarning) as caught:
        frame = line_items_frame([snake, camel])
    messages = [str(w.message) for w in caught]
    assert messages == [
        "source[0]: $.order_id is not read: the wire name is `orderId` (tables read "
        "camelCase answers, or models)",
        "source[0]: $.order.line_items is not read: the wire name is `lineItems` (tables "
        "read camelCase answers, or models)",
        "source[1]: $.order.lineItems[0].discount_amount is not read: the wire name is "
        "`discountAmount` (tables read camelCase answers, or models)",
    ]
    assert list(frame["item_id"]) == ["b"] and frame.loc[0, "line_total"] == 100


@pytest.mark.parametrize("amount", [12.5, "1299", Decimal("12.99"), True])
def test_an_amount_that_is_not_an_int_is_an_error_naming_the_item(amount: object) -> None:
    good = {"orderId": "o-0", "currencyCode": "USD", "amount": 100}
    bad = {"orderId": "o-1", "currencyCode": "USD", "amount": amount}
    with pytest.raises(TypeError, match=r"^source\[1\]: \$\.amount: .* is not an amount"):
        sessions_frame([good, bad])


def test_a_numpy_int_amount_is_an_amount() -> None:
    np = pytest.importorskip("numpy")
    frame = sessions_frame([{"orderId": "o", "currencyCode": "USD", "amount": np.int64(150)}])
    assert frame.loc[0, "amount_major"] == Decimal("1.50")


def test_a_line_amount_past_int64_is_na_not_a_failed_frame() -> None:
    """pandas refused to build the frame ("cannot safely cast non-equivalent float64 to
    int64"), so one hand-built line past Int64's range lost the whole table."""
    body = {
        "orderId": "o-1",
        "currencyCode": "USD",
        "order": {
            "lineItems": [{"amount": 2**63, "quantity": 1}, {"amount": 5, "taxAmount": 2**64}]
        },
    }
    frame = line_items_frame([body])
    assert frame["amount"].isna().tolist() == [True, False]
    assert frame["tax_amount"].isna().tolist() == [True, True]
    assert frame["line_total_major"][0] == Decimal(2**63) / 100
