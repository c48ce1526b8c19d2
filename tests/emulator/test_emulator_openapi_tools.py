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


# --- every rule the emulator enforces is stated in the document (issue 11 §2a) ---------

APPLE = {"managementUrl": "https://example.com/manage", "regularBilling": {"label": "Plan"}}
STATED_RULES = [  # (POST body, the emulator's status)
    ({"metadata": {"": 1}}, 400),  # MetadataContainsEmptyKey
    ({"currencyCode": "HUF"}, 400),  # DisabledCurrencyError
    ({"customer": {"emailAddress": "ada@shop.test"}}, 422),  # special-use domain
    ({"customer": {"emailAddress": "not-an-address"}}, 422),
    ({"paymentMethod": {"orderedAllowedCardNetworks": ["VISA", "VISA"]}}, 422),
    ({"order": {"lineItems": [{"amount": 1, "productData": {"weight": -1}}]}}, 422),
    (
        {
            "paymentMethod": {
                "options": {
                    "APPLE_PAY": {"recurringPaymentRequest": {**APPLE, "managementUrl": "/manage"}}
                }
            }
        },
        422,
    ),
    (
        {
            "paymentMethod": {
                "options": {
                    "APPLE_PAY": {
                        "recurringPaymentRequest": {
                            **APPLE,
                            "regularBilling": {"label": "Plan", "recurringStartDate": "2024-06-03"},
                        }
                    }
                }
            }
        },
        422,
    ),
]


def _checking_formats(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize(("body", "status"), STATED_RULES)
def test_the_document_states_each_rule_the_emulator_enforces(
    document: dict[str, Any], http: httpx.Client, body: dict[str, Any], status: int
) -> None:
    validator = _checking_formats(_request_validator(document).schema)
    assert list(validator.iter_errors(body)) != [], body
    assert http.post("/client-session", json=body).status_code == status


def test_the_valid_counterparts_pass_both(document: dict[str, Any], http: httpx.Client) -> None:
    good = {
        "customer": {"emailAddress": "ada@shop.example.com"},
        "order": {"lineItems": [{"amount": 1, "productData": {"weight": 0.5}}]},
        "paymentMethod": {
            "orderedAllowedCardNetworks": ["VISA"],
            "options": {
                "APPLE_PAY": {
                    "recurringPaymentRequest": {
                        **APPLE,
                        "regularBilling": {
                            "label": "P",
                            "recurringStartDate": "2024-06-03T00:00:00Z",
                        },
                    }
                }
            },
        },
        "metadata": {"k": {"nested": [1]}},
    }
    assert list(_checking_formats(_request_validator(document).schema).iter_errors(good)) == []
    assert http.post("/client-session", json=good).status_code == 200


def test_patch_schema_states_what_cannot_be_updated(document: dict[str, Any]) -> None:
    patch = document["paths"]["/client-session"]["patch"]["requestBody"]
    validator = _checking_formats({**patch["content"]["application/json"]["schema"], **document})
    assert list(validator.iter_errors({"clientToken": "t", "orderId": "o"})) == []
    for body in (
        {"orderId": "o"},  # no clientToken: 400
        {"clientToken": "t", "approvalMode": "AUTO"},  # creation only: 422
        {"clientToken": "t", "paymentMethod": {"options": {}}},  # cannot be updated: 422
    ):
        assert list(validator.iter_errors(body)) != [], body


def test_the_currency_enum_follows_the_emulators_enabled_currencies() -> None:
    emulator = Emulator()
    with httpx.Client(transport=emulator.transport(), base_url="http://e") as http:
        before = http.get("/openapi.json").json()["components"]["schemas"]["Currency"]["enum"]
        emulator.enable_currency("HUF")
        after = http.get("/openapi.json").json()["components"]["schemas"]["Currency"]["enum"]
    assert "HUF" not in before and "EUR" in before
    assert "HUF" in after
    emulator.close()
