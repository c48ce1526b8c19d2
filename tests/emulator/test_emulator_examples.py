"""examples.json: every valid request accepted, documented response fields reproduced."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from primer_nb.models import ClientSessionWithToken
from tests.emulator.emulator_helpers import create, error_of, paths

TAXJAR = {
    "type": "TAXJAR",
    "code": "MISSING_DATA",
    "message": "Shipping details are required for calculating tax.",
}
# Fields an example's response shows that its own request never sent (notes explain each).
INCONSISTENT = {
    "clientToken",
    "clientExpirationDate",
    "clientTokenExpirationDate",
    "amount",
    "metadata",
    "order",
    "paymentMethod",
    "orderId",
}


def _posts(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e for e in examples if e["method"] == "POST" and e["request"] and e["status"] in (200, None)
    ]


def _version(example: dict[str, Any]) -> str:
    raw = str(example["api_version"]).split()[0]
    return raw if raw in {"2.1", "2.2", "2.3", "2.4", "2021-09-27", "2021-10-19"} else "2.4"


def _fixed(request: dict[str, Any]) -> dict[str, Any]:
    fixed = copy.deepcopy(request)
    if fixed.get("order", {}).get("countryCode") == "FR,":
        fixed["order"]["countryCode"] = "FR"
    return fixed


def test_every_valid_example_request_is_accepted(
    http: httpx.Client, examples: list[dict[str, Any]]
) -> None:
    posts = _posts(examples)
    assert len(posts) >= 7
    for example in posts:
        request = _fixed(example["request"])
        headers = {"X-API-VERSION": _version(example)}
        if example["id"] == "currencies-disabled-currency-error":
            error_of(
                http.post("/client-session", json=request, headers=headers),
                400,
                "DisabledCurrencyError",
            )
            continue
        answer = create(http, request, headers=headers)
        ClientSessionWithToken.model_validate(answer)
        for key, value in request.items():
            assert answer[key] == value or key == "paymentMethod", (example["id"], key)
        shown = example["response"] or {}
        for key, value in shown.items():
            if key not in INCONSISTENT and key in request:
                assert answer[key] == value, (example["id"], key)
        if "warnings" in shown:
            assert answer["warnings"] == [TAXJAR]


def test_v24_example_typo_gets_422_at_order_country_code(
    http: httpx.Client, examples: list[dict[str, Any]]
) -> None:
    example = next(e for e in examples if e["id"] == "v2.4-create-200")
    inner = error_of(
        http.post("/client-session", json=example["request"]), 422, "RequestValidationError"
    )
    assert paths(inner) == ["$.order.countryCode"]
    answer = create(http, _fixed(example["request"]))
    assert answer["paymentMethod"]["paymentMethodType"] == "PAYMENT_CARD"
    assert answer["amount"] == 1000  # the top-level amount overrides 10 x 100
    assert answer["warnings"] == example["response"]["warnings"]


def test_guide_example_amount_conflict_returns_the_override(
    http: httpx.Client, examples: list[dict[str, Any]]
) -> None:
    example = next(e for e in examples if e["id"] == "guide-manage-client-sessions-2.2")
    answer = create(http, example["request"], headers={"X-API-VERSION": "2.2"})
    assert example["response"]["amount"] == 5000
    assert answer["amount"] == 4999  # documented conflict: the override rule wins


def test_android_fixture_shape(http: httpx.Client, examples: list[dict[str, Any]]) -> None:
    example = next(e for e in examples if e["id"] == "sdk-android-captured-create-response")
    shown = example["response"]
    request = {
        k: v
        for k, v in shown.items()
        if k not in {"clientToken", "clientTokenExpirationDate", "amount"}
    }
    request["customer"] = {
        **request["customer"],
        "emailAddress": "someone@example.com",
    }  # placeholder
    answer = create(http, request)
    assert answer["customerId"] is None and answer["amount"] == shown["amount"] == 1000
    assert "warnings" not in answer  # its shipping address has countryCode and postalCode
    assert len(answer["clientTokenExpirationDate"]) == len(shown["clientTokenExpirationDate"])


def test_v24_patch_example(http: httpx.Client, examples: list[dict[str, Any]]) -> None:
    example = next(e for e in examples if e["id"] == "v2.4-patch-200")
    created = create(
        http,
        {
            "currencyCode": "GBP",
            "metadata": {"productType": "Clothing"},
            "order": {"fees": [{"type": "SURCHARGE", "amount": 100}], "shipping": {"amount": 50}},
        },
    )
    request = {**example["request"], "clientToken": created["clientToken"]}
    response = http.patch("/client-session", json=request)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["amount"] == 500  # the PATCH sets a top-level override
    assert answer["order"]["lineItems"] == example["request"]["order"]["lineItems"]
    assert answer["order"]["fees"] == [{"type": "SURCHARGE", "amount": 100}]
    assert answer["paymentMethod"]["authorizationType"] == "FINAL"
    for key in ("customerId", "orderId", "currencyCode", "metadata", "customer"):
        assert answer[key] == example["response"][key] or key == "metadata"
    cleared = http.patch(
        "/client-session", json={"clientToken": created["clientToken"], "amount": None}
    )
    assert cleared.json()["amount"] == 1000 + 100 + 50


def test_documented_error_bodies_have_our_shape(
    http: httpx.Client, examples: list[dict[str, Any]]
) -> None:
    documented = {
        e["response"]["error"]["errorId"]: e["response"]["error"]
        for e in examples
        if e["status"] in (400, 422) or (e["response"] or {}).get("error")
    }
    token_error = error_of(
        http.get("/client-session", params={"clientToken": "x"}),
        400,
        "ClientSessionValidationError",
    )
    meta_error = error_of(
        http.post("/client-session", json={"metadata": {"": 1}}), 400, "MetadataContainsEmptyKey"
    )
    for ours in (token_error, meta_error):
        theirs = documented[ours["errorId"]]
        assert {k: ours[k] for k in ("description", "recoverySuggestion")} == {
            k: theirs[k] for k in ("description", "recoverySuggestion")
        }
    huf = error_of(
        http.post("/client-session", json={"currencyCode": "HUF"}), 400, "DisabledCurrencyError"
    )
    theirs = documented["DisabledCurrencyError"]
    assert (huf["description"], huf["recoverySuggestion"]) == (
        theirs["description"],
        theirs["recoverySuggestion"],
    )


def test_api_reference_example_request(http: httpx.Client) -> None:
    address = {"countryCode": "AW"}
    request = {
        "orderId": "order-1",
        "currencyCode": "AED",
        "amount": 100,
        "order": {
            "lineItems": [
                {
                    "itemId": "item-1",
                    "description": "desc",
                    "amount": 100,
                    "quantity": 1,
                    "productType": "PHYSICAL",
                }
            ],
            "countryCode": "AW",
            "retailerCountryCode": "AW",
        },
        "customer": {
            "emailAddress": "a@example.com",
            "billingAddress": address,
            "shippingAddress": address,
        },
        "paymentMethod": {
            "paymentType": "FIRST_PAYMENT",
            "options": {"<PAYMENT_METHOD_TYPE>": {"surcharge": {}}},
            "authorizationType": "ESTIMATED",
        },
    }
    answer = create(http, request)
    assert answer["clientToken"].count(".") == 2
    assert answer["clientTokenExpirationDate"] == "2026-01-16T09:00:00.000000"
    assert answer["warnings"] == [TAXJAR]
    assert answer["paymentMethod"]["options"] == {"<PAYMENT_METHOD_TYPE>": {"surcharge": {}}}


@pytest.mark.parametrize(
    "example_id", ["migration-v2-2021-09-27-request", "checkout-web-cobadged-request"]
)
def test_sample_requests_under_their_versions(
    http: httpx.Client, examples: list[dict[str, Any]], example_id: str
) -> None:
    example = next(e for e in examples if e["id"] == example_id)
    answer = create(http, example["request"], headers={"X-API-VERSION": _version(example)})
    assert answer["orderId"] == example["request"]["orderId"]
