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
from tests.conftest import MARKER_KEY

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


# --- audit 25: wrong answers that passed, feedback that misled, a key shown back ------------

KEY = MARKER_KEY  # the project's marker key: a test fails wherever it shows up
MUG = {"itemId": "mug", "amount": 1200, "quantity": 2}
TEA_3 = {"itemId": "tea", "amount": 650, "quantity": 3}
NOTEBOOKS = {
    "orderId": "order-ex-1001",
    "currencyCode": "GBP",
    "order": {"lineItems": [{"description": "Notebook", "amount": 420, "quantity": 3}]},
    "customer": {"emailAddress": "ada@example.com"},
}


def _mug_and_tea(client: Any) -> Any:
    return client.create_session(
        {
            "orderId": "order-ex-1002",
            "currencyCode": "GBP",
            "order": {"lineItems": [MUG, {"itemId": "tea", "amount": 650, "quantity": 1}]},
        }
    )


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            {"order": {"lineItems": [MUG, {"itemId": "tea", "quantity": 3}]}},
            "at $.order.lineItems[1].amount: Field required",
        ),
        (
            {"order": {"lineItems": [MUG, {**TEA_3, "amount": 6.5}]}},
            "at $.order.lineItems[1].amount: Value must be a valid integer",
        ),
        (
            {"order": {"lineItems": [{**MUG, "amount": 12}, TEA_3]}},
            "Keep mug's price as it was: amount 1200, not 12.",
        ),
        (
            {"order": {"lineItems": [MUG, {**TEA_3, "amount": 65}]}},
            "Keep tea's price as it was: amount 650, not 65.",
        ),
        ({"apiKey": "k", "order": {"lineItems": [MUG, TEA_3]}}, "at $.apiKey: Unknown field"),
    ],
    ids=["tea-no-amount", "float-amount", "mug-repriced", "tea-repriced", "api-key"],
)
def test_a_patch_primer_refuses_or_that_reprices_fails(answer: object, says: str) -> None:
    """Finding 1: 10-patch-builder read only the quantities."""
    assert _check("10-patch-builder", {"order": {"lineItems": [MUG, TEA_3]}}).passed
    result = _check("10-patch-builder", answer)
    assert not result.passed
    assert says in result.message, result.message


def test_a_patch_builder_that_was_sent_passes(client: Any) -> None:
    """After Send (`submit()`) the builder's changes are empty again: what it sent is
    judged, by the session the PATCH answered."""
    from primer_nb.widgets import PatchBuilder

    patcher = PatchBuilder(client, _mug_and_tea(client).client_token)
    patcher.form.node("$.order.lineItems[1]").fill({"quantity": "3"})
    assert _check("10-patch-builder", patcher).passed
    assert patcher.submit().order is not None and patcher.changes == {}
    assert _check("10-patch-builder", patcher).passed
    assert _check("10-patch-builder", patcher.session).passed
    patcher.form.node("$.order.lineItems[1]").fill({"quantity": "4"})
    assert patcher.submit() == patcher.session
    assert _check("10-patch-builder", patcher).message == "Set tea's quantity to 3, not 4."


@pytest.mark.parametrize(
    ("exercise_id", "answer", "says"),
    [
        ("10-build-session", {**NOTEBOOKS, "apiKey": KEY}, "at $.apiKey: Unknown field"),
        (
            "04-add-line-item",
            {"order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}, "apiKey": KEY},
            "at $.apiKey: Unknown field",
        ),
        (
            "06-save-card",
            {"paymentMethod": {"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": True}, "x": 1},
            "at $.x: Unknown field",
        ),
        (
            "06-save-card",
            {"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": True, "apiKey": KEY},
            "Leave the API key out of the request",
        ),
    ],
)
def test_a_request_primer_would_refuse_fails(exercise_id: str, answer: object, says: str) -> None:
    """Finding 2: unknown fields (an API key above all) passed 10, 04 and 06-save-card."""
    result = _check(exercise_id, answer)
    assert not result.passed
    assert says in result.message, result.message
    assert KEY not in result.message


@pytest.mark.parametrize(
    ("exercise_id", "answer", "says"),
    [
        (
            "10-build-session",
            {**NOTEBOOKS, "order": {"lineItems": [{"name": "N", "amount": 4.2, "quantity": 3}]}},
            "integers in minor units: £4.20 is 420, not 4.2 ",
        ),
        (
            "10-build-session",
            {**NOTEBOOKS, "order": {"lineItems": [{"name": "N", "amount": 420, "quantity": 3.0}]}},
            "quantity is an integer: 3, not 3.0.",
        ),
        (
            "10-patch-builder",
            {"order": {"lineItems": [MUG, {**TEA_3, "quantity": 3.0}]}},
            "quantity is an integer: 3, not 3.0.",
        ),
    ],
)
def test_a_float_is_named_as_a_float_not_as_a_marker(
    exercise_id: str, answer: object, says: str
) -> None:
    """Finding 3: `{'__not_an_integer__': 4.2}` reached the learner."""
    message = _check(exercise_id, answer).message
    assert says in message and "__not_an_integer__" not in message, message


@pytest.mark.parametrize(
    ("exercise_id", "answer", "camel"),
    [
        ("06-save-card", {"payment_type": "FIRST_PAYMENT", "vaultOnSuccess": True}, "paymentType"),
        (
            "06-save-card",
            {"paymentType": "FIRST_PAYMENT", "vault_on_success": True},
            "vaultOnSuccess",
        ),
        ("03-fix-request", {**_fixed(currencyCode=None), "currency_code": "EUR"}, "currencyCode"),
        ("03-fix-request", _fixed(customer={"email_address": "ada@example.com"}), "emailAddress"),
        ("06-card-surcharge", {"orderId": "order-ex-602", "payment_method": {}}, "paymentMethod"),
        ("10-build-session", {**NOTEBOOKS, "order_id": "order-ex-1001"}, "orderId"),
    ],
)
def test_snake_case_keys_are_named_not_taken_for_missing_fields(
    exercise_id: str, answer: dict[str, object], camel: str
) -> None:
    """Finding 4: "Keep the currency", "Say what kind of payment this is"... blamed a
    field the learner gave, under its Python name."""
    message = _check(exercise_id, answer).message
    assert f"camelCase names: {camel}, not " in message, message


def test_a_payment_method_type_is_not_taken_for_snake_case() -> None:
    options = {"payment_card": {"networks": {"VISA": {"surcharge": {"amount": 50}}}}}
    answer = {
        "orderId": "order-ex-602",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"amount": 2000}]},
        "paymentMethod": {"options": options},
    }
    message = _check("06-card-surcharge", answer).message
    assert "PAYMENT_CARD" in message and "paymentCard" not in message, message


@pytest.mark.parametrize(
    ("changes", "shown", "hidden"),
    [
        ({"currencyCode": "eur"}, "Value 'eur' is not a valid currency code", "'EURO'"),
        ({"customer": {"emailAddress": "ada@example"}}, "valid email address", "'ada@'"),
        ({"orderId": 5}, "Still refused at $.orderId: Value must be a valid string", "empty"),
    ],
)
def test_a_field_still_refused_quotes_what_the_learner_typed(
    changes: dict[str, object], shown: str, hidden: str
) -> None:
    """Finding 5: the advice for bad_request's own value ('EURO', 'ada@') is kept for
    that value; another refused value gets the path and the rule it breaks."""
    message = _check("03-fix-request", _fixed(**changes)).message
    assert shown in message and hidden not in message, message
    assert _check("03-fix-request", _fixed(currencyCode="EURO")).message.startswith(
        "Still refused at $.currencyCode: 'EURO' is not a currency code"
    )


def _eur_cents(given: dict[str, Any]) -> int:
    return sum(s.amount for s in given["sessions"] if s.currency_code == "EUR")


def test_the_eur_total_in_minor_units_is_recognised_from_pandas(client: Any) -> None:
    """Finding 6: the pandas sum of the `amount` column is a numpy.int64."""
    exercise = exercises.get("09-eur-total")
    given: Any = exercise.given(client)
    table = sessions_frame(given["sessions"])
    cents = table.loc[table["currency_code"] == "EUR", "amount"].sum()
    minor = "That is the total in minor units (cents)"
    for answer in (cents, Decimal(_eur_cents(given))):
        assert exercise.check(answer, record=False, **given).message.startswith(minor)
    from_float = Decimal(float(Decimal(_eur_cents(given)) / 100))
    message = exercise.check(from_float, record=False, **given).message
    assert message.startswith("That Decimal was made from a float"), message
    right = Decimal(_eur_cents(given)) / 100
    assert exercise.check(right, record=False, **given).passed


def test_a_surcharge_that_is_not_an_object_is_named_by_its_path() -> None:
    """Finding 7: it was "Could not read this answer (AttributeError ...)"."""
    answer = {
        "orderId": "order-ex-602",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"amount": 2000}]},
        "paymentMethod": {"options": {"PAYMENT_CARD": {"networks": {"VISA": {"surcharge": 50}}}}},
    }
    message = _check("06-card-surcharge", answer).message
    assert message.startswith(
        "Primer would refuse it at $.paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge:"
    ), message


def test_a_decimal_product_id_is_shown_as_a_decimal() -> None:
    """Finding 8: "productId 1001 (or '1001'), not 1001"."""
    details = exercises.get("06-order-details")
    right: Any = details.correct(None, {})  # type: ignore[arg-type]
    message = details.check({**right, "metadata": {"productId": Decimal(1001)}}, record=False)
    assert message.message.endswith("not Decimal('1001')."), message


def test_a_numpy_integer_is_a_whole_number() -> None:
    """Finding 9: numpy.int64(1500) was "not a whole number"."""
    import numpy as np

    assert _check("02-jpy-amount", np.int64(1500)).passed
    assert _check("02-kwd-amount", np.int64(1250)).passed
    assert _check("02-kwd-amount", np.int64(999)).message.startswith("999 in KWD is KWD 0.999")
    assert _check("02-jpy-amount", np.float64(1500)).message.startswith(
        "An amount is an integer in minor units, never a float"
    )


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("03-read-jsonpath", KEY),
        ("08-version-header", {"X-API-VERSION": KEY}),
        ("01-minimal-request", {"orderId": KEY, "currencyCode": "USD"}),
    ],
)
def test_the_configured_api_key_is_never_shown_back(
    exercise_id: str, answer: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 10: feedback quoted a pasted key; it is redacted as everywhere in the kit."""
    monkeypatch.setenv("PRIMER_API_KEY", KEY)
    result = _check(exercise_id, answer)
    assert not result.passed
    assert KEY not in result.message and "***" in result.message, result.message


@pytest.mark.parametrize(
    "name", ["apiKey", "PRIMER_API_KEY", "Authorization", "x-api-key", "api_key"]
)
def test_a_version_header_set_holding_a_key_fails(name: str) -> None:
    """Finding 10: only the exact name X-API-KEY was refused."""
    result = _check("08-version-header", {"X-API-VERSION": "2.4", name: f"Bearer {KEY}"})
    assert result.message.startswith("Keep the API key out of code you share"), result.message


def test_a_kept_float_amount_is_named_as_a_float() -> None:
    """Finding 11: "Keep mug as it was: amount 1200" for 1200.0, "one €20.00 line item
    (amount 2000)" for 2000.0."""
    mug = {**MUG_AND_TEA[0], "amount": 1200.0}
    message = _check("04-add-line-item", {"order": {"lineItems": [mug, MUG_AND_TEA[1], BISCUITS]}})
    assert message.message.startswith(
        "Primer would refuse it at $.order.lineItems[0].amount: Value must be a valid integer"
    ), message
    surcharge: Any = exercises.get("06-card-surcharge").correct(None, {})  # type: ignore[arg-type]
    lamp = {"itemId": "lamp", "amount": 2000.0}
    result = _check("06-card-surcharge", {**surcharge, "order": {"lineItems": [lamp]}})
    assert result.message.startswith(
        "Primer would refuse it at $.order.lineItems[0].amount: Value must be a valid integer"
    ), result


def test_the_token_body_as_json_text_is_judged_as_its_object(client: Any) -> None:
    """Finding 11: json.dumps({'clientToken': token}) was "not a client token"."""
    import json

    session = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    assert _check("07-return-token", json.dumps({"clientToken": session.client_token})).passed
    whole = _check("07-return-token", json.dumps(session.to_wire())).message
    assert whole.startswith("Return only the client token"), whole
    key = _check("07-return-token", json.dumps({"clientToken": "x", "apiKey": KEY})).message
    assert key.startswith("Never send the API key to the browser"), key


def test_the_fixed_request_keeps_the_customer_asked_for() -> None:
    """Finding 11: any valid email passed 03-fix-request."""
    bob = _fixed(customer={"emailAddress": "bob@example.com"})
    assert _check("03-fix-request", bob).message == (
        "The order is for ada@example.com: keep that email address, not 'bob@example.com'."
    )
    assert _check("03-fix-request", _fixed(customer={"emailAddress": "Ada@Example.com"})).passed


# --- audit 25, second pass: wrong answers the first fixes left passing ----------------------


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"orderId": "   "}, "orderId '   ' is only blanks: it names no order."),
        ({"orderId": "\t"}, "orderId '\\t' is only blanks"),
        ({"amount": 1600}, "bad_request has no top-level amount, and an amount (1600) overrides"),
        ({"amount": 800}, "an amount (800) overrides the total"),
    ],
    ids=["blank-order-id", "tab-order-id", "amount-of-the-mugs", "amount-of-one-mug"],
)
def test_a_fix_with_a_blank_order_id_or_an_added_amount_fails(
    changes: dict[str, object], says: str
) -> None:
    """03-fix-request: "any non-empty orderId" (blanks name no order); "keep every field;
    fix the values" (an added top-level amount replaces the mugs' total)."""
    result = _check("03-fix-request", _fixed(**changes))
    assert not result.passed
    assert says in result.message, result.message


def test_a_fix_may_give_any_real_order_id_and_a_null_amount() -> None:
    """What the task allows still passes: any non-blank id, an amount of null (absent)."""
    assert _check("03-fix-request", _fixed(orderId=" order 1 ")).passed
    assert _check("03-fix-request", {**_fixed(), "amount": None}).passed


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            {"order": {"lineItems": [*MUG_AND_TEA, {**BISCUITS, "quantity": 0}]}},
            "Biscuits with quantity 0 adds none",
        ),
        (
            {"currencyCode": "EUR", "order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}},
            "Leave currencyCode out: the PATCH only adds biscuits",
        ),
    ],
    ids=["no-biscuits", "currency-change"],
)
def test_a_patch_that_adds_no_biscuits_or_changes_the_currency_fails(
    answer: object, says: str
) -> None:
    """04-add-line-item: quantity 0 adds no biscuits; a currency change reprices all."""
    result = _check("04-add-line-item", answer)
    assert not result.passed
    assert says in result.message, result.message


def test_a_patch_may_add_several_biscuits_and_restate_the_currency() -> None:
    """The task names no quantity, and GBP is the session's own currency."""
    two = {"order": {"lineItems": [*MUG_AND_TEA, {**BISCUITS, "quantity": 2}]}}
    assert _check("04-add-line-item", two).passed
    same = {"currencyCode": "GBP", "order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}}
    assert _check("04-add-line-item", same).passed


@pytest.mark.parametrize(
    "name", ["apiKey", "api_key", "X-API-KEY", "PRIMER_API_KEY", "Authorization"]
)
def test_an_api_key_in_metadata_fails(name: str) -> None:
    """06-order-details: Primer's schema takes any metadata key; the judge must not."""
    details = exercises.get("06-order-details")
    right: Any = details.correct(None, {})  # type: ignore[arg-type]
    assert details.check(
        {**right, "metadata": {"productId": 1001, "note": "x"}}, record=False
    ).passed
    answer = {**right, "metadata": {"productId": 1001, name: KEY}}
    result = details.check(answer, record=False)
    assert not result.passed
    assert f"remove $.metadata.{name}." in result.message, result.message
    assert KEY not in result.message


@pytest.mark.parametrize("name", ["api_key", "x_api_key"])
def test_a_snake_case_api_key_is_not_told_to_become_apikey(name: str) -> None:
    """The snake_case check must not answer "apiKey, not api_key": no spelling of an API
    key's name belongs in the body, and the feedback says that at once."""
    details = exercises.get("06-order-details")
    right: Any = details.correct(None, {})  # type: ignore[arg-type]
    result = details.check({**right, name: KEY}, record=False)
    assert not result.passed
    assert f"remove $.{name}." in result.message, result.message
    assert "camelCase" not in result.message


def test_the_bare_token_is_not_the_json_object(client: Any) -> None:
    """07-return-token asks for the JSON object the endpoint returns, not the token alone."""
    token = client.create_session({"orderId": "o-1", "currencyCode": "EUR"}).client_token
    assert _check("07-return-token", {"clientToken": token}).passed
    for answer in (token, f" {token}\n"):
        result = _check("07-return-token", answer)
        assert not result.passed
        assert result.message.startswith("That is the token alone"), result.message
    assert _check("07-return-token", "hello").message.startswith("Return a JSON object")


def test_the_changes_of_a_sent_patch_builder_say_what_to_pass(client: Any) -> None:
    """After Send a builder's `.changes` are `{}` again: the feedback says so, instead of
    "the changes have no lineItems" (the builder itself is judged by what it sent)."""
    result = _check("10-patch-builder", {})
    assert not result.passed
    assert result.message.startswith("These changes are empty: after Send"), result.message


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (("400", "ClientSessionValidationError"), "Give the status as a number"),
        (("410", "Gone"), "410 Gone is what Primer documents for retired API versions"),
        (("401", "Unauthorized"), "An expired token is not an authentication failure"),
    ],
)
def test_a_status_given_as_text_gets_the_feedback_its_number_gets(
    answer: tuple[str, str], says: str
) -> None:
    """Any status as text was told "400, not '410'": the answer given away, the rule not."""
    result = _check("05-patch-after-expiry", answer)
    assert not result.passed and says in result.message
    assert "400, not '410'" not in result.message


@pytest.mark.parametrize("status", ["²", "9" * 5000, "4OO", "-400"])
def test_a_status_text_that_is_no_number_gets_feedback_not_a_python_error(status: str) -> None:
    result = _check("05-patch-after-expiry", (status, "ClientSessionValidationError"))
    assert not result.passed and "Could not read" not in result.message
    assert "the emulator answers an expired token with 400" in result.message


# --- a review of the judges against the tutorials (2026-12-05) -----------------------------


def test_a_null_top_level_amount_is_no_amount(client: Any) -> None:
    """`amount=None` overrides nothing (the model's to_wire keeps it as null): it was
    told to leave out the amount it had left out."""
    from primer_nb.models import ClientSessionRequest, LineItem, Order

    request = ClientSessionRequest(
        order_id="order-ex-102",
        currency_code="USD",
        amount=None,
        order=Order(line_items=[LineItem(item_id="tshirt-1", amount=1250, quantity=2)]),
    )
    assert "amount" in request.to_wire()
    assert _check("01-minimal-request", request).passed
    surcharge = {
        "orderId": "order-ex-602",
        "currencyCode": "EUR",
        "amount": None,
        "order": {"lineItems": [{"itemId": "lamp", "amount": 2000}]},
        "paymentMethod": {
            "options": {"PAYMENT_CARD": {"networks": {"VISA": {"surcharge": {"amount": 50}}}}}
        },
    }
    assert _check("06-card-surcharge", surcharge).passed


def test_a_request_with_an_empty_metadata_key_fails_as_primer_refuses_it() -> None:
    """Primer answers 400 MetadataContainsEmptyKey (and the client refuses it before
    sending); the judges, which use the client's rules, passed it."""
    answer = {
        "orderId": "order-ex-603",
        "currencyCode": "EUR",
        "order": {
            "lineItems": [{"itemId": "p", "amount": 1000, "quantity": 2, "taxAmount": 380}],
            "fees": [{"type": "SERVICE", "amount": 150}],
        },
        "metadata": {"productId": 1001, "": "x"},
    }
    message = _check("06-order-details", answer).message
    assert message == (
        "Primer would refuse it at $.metadata: Metadata field contains empty string key."
    )


@pytest.mark.parametrize(
    "call",
    ["await checkout.refreshClientSession();", "checkout.refreshClientSession() ;"],
)
def test_the_front_end_line_as_notebook_07_writes_it_passes(client: Any, call: str) -> None:
    given = exercises.get("07-patch-keeps-token").given(client)
    token = given["session"].client_token  # type: ignore[attr-defined]
    assert _check("07-patch-keeps-token", (token, call), **given).passed


def test_the_version_header_named_wrong_is_the_one_named() -> None:
    message = _check(
        "08-version-header", {"Content-Type": "application/json", "API-Version": "2.4"}
    )
    assert "not 'API-Version'" in message.message, message.message


def test_a_credential_under_any_name_is_not_for_the_browser(client: Any) -> None:
    token = client.create_session({"orderId": "o-1"}).client_token
    answer = {"clientToken": token, "Authorization": "Bearer <PRIMER_API_KEY>"}
    said = _check("07-return-token", answer).message
    assert (
        said
        == exercises.get("07-return-token")
        .check({"clientToken": token, "apiKey": "<PRIMER_API_KEY>"}, record=False)
        .message
    )


@pytest.mark.parametrize(
    ("exercise_id", "answer", "says"),
    [
        # the right lines, and a discount, fee or shipping that changes the total
        (
            "01-minimal-request",
            {
                "orderId": "order-ex-102",
                "currencyCode": "USD",
                "order": {"lineItems": [{"amount": 1250, "quantity": 2, "discountAmount": 500}]},
            },
            "The order adds up to 2000, not 2500",
        ),
        (
            "06-card-surcharge",
            {
                "orderId": "order-ex-602",
                "currencyCode": "EUR",
                "order": {"lineItems": [{"amount": 2000, "discountAmount": 2000}]},
                "paymentMethod": {
                    "options": {
                        "PAYMENT_CARD": {"networks": {"VISA": {"surcharge": {"amount": 50}}}}
                    }
                },
            },
            "The order adds up to 0, not 2000",
        ),
        (
            "06-order-details",
            {
                "orderId": "order-ex-603",
                "currencyCode": "EUR",
                "order": {
                    "lineItems": [{"amount": 1000, "quantity": 2, "taxAmount": 380}],
                    "fees": [{"type": "SERVICE", "amount": 150}],
                    "shipping": {"amount": 500},
                },
                "metadata": {"productId": 1001},
            },
            "The order adds up to 3030, not 2530",
        ),
    ],
)
def test_an_order_that_adds_up_to_another_total_fails(
    exercise_id: str, answer: object, says: str
) -> None:
    """Each success text states the order's total ("quantity 2 ($25.00)", "the total
    comes from the line items"): it passed with a discount, a fee or shipping beside the
    right line items."""
    message = _check(exercise_id, answer).message
    assert message.startswith(says), message


def test_the_session_a_patch_answered_with_a_new_currency_fails(client: Any) -> None:
    """The session stood for its order alone: a PATCH that also changed the currency
    passed."""
    session = client.create_session(
        {"orderId": "o-4", "currencyCode": "GBP", "order": {"lineItems": MUG_AND_TEA}}
    )
    after = client.update_session(
        session.client_token,
        {"currencyCode": "EUR", "order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}},
    )
    assert "currencyCode 'EUR' would change" in _check("04-add-line-item", after).message
    right = client.update_session(
        session.client_token,
        {"currencyCode": "GBP", "order": {"lineItems": [*MUG_AND_TEA, BISCUITS]}},
    )
    assert _check("04-add-line-item", right).passed
