"""curl and Python snippets: exact commands, and never a key or a live token."""

from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

import pytest

from primer_nb.models import ClientSessionRequest, ClientSessionUpdateRequest
from primer_nb.widgets.snippets import (
    LOCAL_EMULATOR_URL,
    curl_snippet,
    python_snippet,
    snippet_target,
)

SANDBOX = "https://api.sandbox.primer.io"


def test_curl_for_the_sandbox() -> None:
    text = curl_snippet({"orderId": "o-1", "amount": 500}, base_url=SANDBOX, api_version="2.4")
    assert text == (
        "curl -X POST https://api.sandbox.primer.io/client-session \\\n"
        '  -H "X-API-KEY: $PRIMER_API_KEY" \\\n'
        '  -H "X-API-VERSION: 2.4" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        """  -d '{"orderId": "o-1", "amount": 500}'"""
    )


def test_curl_quotes_single_quotes_and_hides_the_client_token() -> None:
    body = {"clientToken": "eyJsecret.token", "customer": {"lastName": "O'Brien"}}
    text = curl_snippet(body, method="PATCH", base_url=SANDBOX, api_version="2.4")
    assert "eyJsecret" not in text
    assert """-d '{"clientToken": "'"$PRIMER_CLIENT_TOKEN"'",""" in text
    assert "O'\"'\"'Brien" in text


def test_python_snippet_is_valid_python_with_the_same_body() -> None:
    body = {"orderId": "o-1", "order": {"lineItems": [{"amount": 1, "name": "x"}]}, "m": {}}
    text = python_snippet(body)
    assert "PrimerClient()" in text and "PRIMER_API_KEY" in text
    tree = ast.parse(text)
    call = tree.body[-1].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == body
    patch = python_snippet({"clientToken": "eyJsecret", "orderId": "o-2"}, method="PATCH")
    assert "update_session(client_token, {" in patch and "eyJsecret" not in patch


def test_target_of_an_in_process_client(client: Any, marker_key: str) -> None:
    base, version, note = snippet_target(client)
    assert (base, version) == (LOCAL_EMULATOR_URL, "2.4")
    assert note is not None and "primer-nb emulator" in note
    assert marker_key not in curl_snippet({}, base_url=base, api_version=version, note=note)


# --- a model, or a value JSON cannot hold (from an audit of bad input) -------------------


def test_a_request_model_is_written_as_its_wire_body() -> None:
    """`dict(model)` gave Python names and nulls (`order_id`, `currency_code: null`),
    which Primer answers with 422; python_snippet raised AttributeError."""
    request = ClientSessionRequest(order_id="m-1", currency_code="EUR", amount=1299)
    curl = curl_snippet(request, base_url=SANDBOX, api_version="2.4")
    assert curl.endswith("""-d '{"orderId": "m-1", "currencyCode": "EUR", "amount": 1299}'""")
    text = python_snippet(request)
    call = ast.parse(text).body[-1].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == request.to_wire()
    update = ClientSessionUpdateRequest(client_token="eyJsecret", order_id="m-2")
    patch = curl_snippet(update, method="PATCH", base_url=SANDBOX, api_version="2.4")
    assert """-d '{"clientToken": "'"$PRIMER_CLIENT_TOKEN"'", "orderId": "m-2"}'""" in patch
    assert "eyJsecret" not in patch + python_snippet(update, method="PATCH")


@pytest.mark.parametrize("snippet", ["curl_snippet", "python_snippet"])
@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (
            {"amount": Decimal("12.99")},
            TypeError,
            "$.amount: Decimal('12.99') cannot be written as JSON (JSON has no Decimal; an "
            "amount is an int in minor units, e.g. "
            "primer_nb.currency.to_minor_units(Decimal('12.99'), 'EUR'))",
        ),
        (
            {"order": {"lineItems": [{"amount": float("nan")}]}},
            ValueError,
            "$.order.lineItems[0].amount: nan cannot be written as JSON "
            "(NaN and infinity are not JSON numbers)",
        ),
        (
            {"metadata": {"tags": {"a", "b"}}},
            TypeError,
            "$.metadata.tags: ",
        ),
        (["orderId"], TypeError, "takes the request body as a dict of wire names"),
    ],
)
def test_a_value_json_cannot_hold_is_named_not_written(
    snippet: str, body: Any, error: type[Exception], message: str
) -> None:
    make = {
        "curl_snippet": lambda b: curl_snippet(b, base_url=SANDBOX, api_version="2.4"),
        "python_snippet": python_snippet,
    }[snippet]
    with pytest.raises(error) as caught:
        make(body)
    assert str(caught.value).startswith(f"{snippet}()")
    assert message in str(caught.value)
