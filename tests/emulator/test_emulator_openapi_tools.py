"""`/openapi.json` is read by standard tools and agrees with the emulator's own checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate

from primer_nb.emulator import Emulator

VALID = [
    {},
    {"orderId": "o-1", "currencyCode": "EUR", "amount": 1299},
    {"order": {"lineItems": [{"amount": 500, "quantity": 2}], "countryCode": "GB"}},
    {"customer": {"emailAddress": "ada@example.com", "billingAddress": {"countryCode": "FR"}}},
    {"paymentMethod": {"orderedAllowedCardNetworks": ["VISA", "MASTERCARD"]}},
]
INVALID = [
    {"orderId": 5},
    {"amount": -1},
    {"amount": "100"},
    {"currencyCode": "EURO"},
    {"unknownTopLevel": 1},
    {"order": {"lineItems": [{"quantity": 1}]}},
    {"order": {"countryCode": "FR,"}},
    {"orderId": ""},
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    emulator = Emulator()
    with httpx.Client(
        transport=emulator.transport(), base_url="http://emulator", headers={"X-API-KEY": "k"}
    ) as client:
        yield client
    emulator.close()


@pytest.fixture(scope="module")
def document(http: httpx.Client) -> dict[str, Any]:
    doc: dict[str, Any] = http.get("/openapi.json").json()
    return doc


def _request_validator(document: dict[str, Any]) -> jsonschema.Draft202012Validator:
    body = document["paths"]["/client-session"]["post"]["requestBody"]
    schema = {**body["content"]["application/json"]["schema"], **document}
    return jsonschema.Draft202012Validator(schema)


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # openapi-spec-validator: raises on any violation
    assert set(document["paths"]["/client-session"]) >= {"post", "get", "patch"}


@pytest.mark.parametrize("body", VALID)
def test_json_schema_accepts_what_the_emulator_accepts(
    document: dict[str, Any], http: httpx.Client, body: dict[str, Any]
) -> None:
    assert list(_request_validator(document).iter_errors(body)) == []
    assert http.post("/client-session", json=body).status_code == 200


@pytest.mark.parametrize("body", INVALID)
def test_json_schema_refuses_what_the_emulator_refuses(
    document: dict[str, Any], http: httpx.Client, body: dict[str, Any]
) -> None:
    assert list(_request_validator(document).iter_errors(body)) != []
    assert http.post("/client-session", json=body).status_code == 422
