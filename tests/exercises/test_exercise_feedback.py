"""Feedback a learner can trust: a right answer in an unforeseen form passes, a wrong one
that only looks right fails with the rule it breaks, and no text contradicts itself or
shows an API key back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from primer_nb import exercises
from primer_nb.tables import sessions_frame

MUG_AND_TEA = [
    {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
    {"itemId": "tea", "description": "Tea", "amount": 650},
]
BISCUITS = {"itemId": "biscuits", "description": "Biscuits", "amount": 350}


def _check(exercise_id: str, answer: object, **given: object) -> exercises.Result:
    return exercises.check(exercise_id, answer, record=False, **given)


def test_primer_upper_case_keys_are_not_snake_case(client: Any) -> None:
    """A session with a GOOGLE_PAY surcharge (notebook 04's) is Primer's wire format."""
    session = client.create_session(
        {
            "orderId": "order-2001",
            "currencyCode": "GBP",
            "order": {"lineItems": MUG_AND_TEA},
            "paymentMethod": {"options": {"GOOGLE_PAY": {"surcharge": {"amount": 50}}}},
        }
    )
    after = client.update_session(
        session.client_token, {"order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}}
    )
    assert _check("04-add-line-item", after).passed
    snake = {"order": {"line_items": [*MUG_AND_TEA, BISCUITS]}}
    assert "camelCase" in _check("04-add-line-item", snake).message


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("1250", "not '1250'."), (12.5, "not 12.5."), (Decimal("12.50"), "not Decimal('12.50').")],
)
def test_a_wrong_amount_is_shown_as_written(amount: object, shown: str) -> None:
    """Text and numbers differ in the feedback: never "is 1250, not 1250"."""
    answer = {
        "orderId": "order-ex-102",
        "currencyCode": "USD",
        "order": {"lineItems": [{"itemId": "t", "amount": amount, "quantity": 2}]},
    }
    message = _check("01-minimal-request", answer).message
    assert message.endswith(shown), message


def _fixed(**changes: object) -> dict[str, object]:
    request: dict[str, object] = {
        "orderId": "order-7005",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"description": "Mug", "quantity": 2, "amount": 800}]},
        "customer": {"emailAddress": "ada@example.com"},
    }
    request.update(changes)
    return {k: v for k, v in request.items() if v is not None}


def test_a_fix_that_changes_the_order_fails() -> None:
    assert _check("03-fix-request", _fixed()).passed
    assert "EUR" in _check("03-fix-request", _fixed(currencyCode="USD")).message
    assert "orderId" in _check("03-fix-request", _fixed(orderId=None)).message
    cup = _fixed(order={"lineItems": [{"description": "Cup", "quantity": 2, "amount": 800}]})
    assert "Mug" in _check("03-fix-request", cup).message


def test_the_payment_requests_must_be_for_the_order_asked() -> None:
    surcharge = exercises.get("06-card-surcharge")
    right: Any = surcharge.correct(None, {})  # type: ignore[arg-type]
    assert surcharge.check(right, record=False).passed
    wrong_order = surcharge.check({**right, "orderId": "WRONG"}, record=False)
    assert "order-ex-602" in wrong_order.message
    details = exercises.get("06-order-details")
    right = details.correct(None, {})  # type: ignore[arg-type]
    assert details.check(right, record=False).passed
    assert "'GBP'" in details.check({**right, "currencyCode": "GBP"}, record=False).message
    untyped = {**right, "order": {**right["order"], "fees": [{"amount": 150}]}}
    assert "SERVICE" in details.check(untyped, record=False).message


def test_the_token_under_another_name_is_told_apart_from_the_session(client: Any) -> None:
    token = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    token = token.client_token
    renamed = _check("07-return-token", {"token": token}).message
    assert "clientToken, not 'token'" in renamed
    extra = {"clientToken": token, "clientTokenExpirationDate": "2026-01-16T09:00:00"}
    assert "clientTokenExpirationDate can stay on your server" in (
        _check("07-return-token", extra).message
    )


def test_an_answer_holding_a_key_is_not_shown_back() -> None:
    secret = "sk_test_MARKER_KEY_0123456789"
    answer = {"X-API-VERSION": "2.4", "X-API-KEY": secret}
    message = _check("08-omitted-version", answer).message
    assert secret not in message and "MARKER" not in message
    assert _check("08-omitted-version", "2.4").message.startswith("An omitted header")


def test_sessions_must_be_the_sessions_not_a_table(client: Any) -> None:
    exercise = exercises.get("09-warnings-count")
    given: Any = exercise.given(client)
    right = exercise.correct(client, given)
    assert exercise.check(right, record=False, **given).passed
    table = sessions_frame(given["sessions"])  # what notebook 09 calls `sessions`
    for answer in (right, 0):
        result = exercise.check(answer, record=False, sessions=table)
        assert not result.passed
        assert "result.sessions" in result.message
