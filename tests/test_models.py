"""The request/response models against Primer's examples, its OpenAPI file and our rules.

What is checked: every valid request in examples.json round-trips to identical JSON;
responses parse (misspelt expiry key, warnings as list or object, naive-UTC expiry);
types are strict; limits, enums and unknown keys give Primer-shaped JSONPaths; and the
request models declare exactly the properties, limits and enums of Primer's v2.4 schema.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb.errors import MAX_JSON_DEPTH, PrimerValidationError, ValidationErrorDetail
from primer_nb.models import (
    Address,
    CardNetworks,
    ClientSession,
    ClientSessionRequest,
    ClientSessionUpdateRequest,
    ClientSessionWithToken,
    Customer,
    LineItem,
    Order,
    PaymentMethod,
    SessionWarning,
    check_request,
    json_path,
    metadata_has_empty_key,
    nested_too_deep,
    suggest_field,
    unknown_fields,
    unknown_keys,
)
from tests.conftest import spec_file

CREATE = "ClientSessionAPIRequest"
UPDATE = "ClientSessionUpdateAPIRequest"
TAXJAR = {
    "type": "TAXJAR",
    "code": "MISSING_DATA",
    "message": "Shipping details are required for calculating tax.",
}


def paths(data: Any, model: type[pydantic.BaseModel] = ClientSessionRequest) -> list[str]:
    result, details = check_request(data, model)
    assert (result is None) == bool(details)
    return [d.path for d in details]


def request_model(example: dict[str, Any]) -> type[pydantic.BaseModel]:
    return ClientSessionUpdateRequest if example["method"] == "PATCH" else ClientSessionRequest


# --- examples.json --------------------------------------------------------------------


def test_every_valid_example_request_round_trips(examples: list[dict[str, Any]]) -> None:
    checked = []
    for example in examples:
        request = example["request"]
        if example["status"] not in (200, None) or request is None:
            continue
        original = copy.deepcopy(request)
        model, details = check_request(request, request_model(example))
        if example["id"] == "v2.4-create-200":
            # Primer's typo "FR," (behaviour.md §5): exactly one error, at the country
            assert model is None
            assert [(d.model, d.path) for d in details] == [(CREATE, "$.order.countryCode")]
            fixed = copy.deepcopy(request)
            fixed["order"]["countryCode"] = "FR"
            model, details = check_request(fixed, ClientSessionRequest)
            assert details == []
            assert model is not None
            assert model.to_wire() == fixed  # type: ignore[attr-defined]
        else:
            assert details == [], example["id"]
            assert model is not None
            assert model.to_wire() == request, example["id"]  # type: ignore[attr-defined]
        assert request == original  # validation never mutates the input
        checked.append(example["id"])
    assert len(checked) >= 9
    assert "v2.4-patch-200" in checked


def test_every_example_response_parses(examples: list[dict[str, Any]]) -> None:
    parsed = 0
    for example in examples:
        response = example["response"]
        if not isinstance(response, dict) or "error" in response:
            continue
        if example["method"] == "PATCH":
            session = ClientSession.model_validate(response)
            assert session.order_id == response.get("orderId")
        else:
            created = ClientSessionWithToken.model_validate(response)
            assert created.client_token == response["clientToken"]
            expiry = created.client_token_expiration_date
            assert expiry.tzinfo is not None
            assert expiry.utcoffset() is not None and expiry.utcoffset().total_seconds() == 0
        parsed += 1
    assert parsed >= 6


def test_misspelt_expiry_key_and_warning_list(examples: list[dict[str, Any]]) -> None:
    (example,) = [e for e in examples if e["id"] == "v2.4-create-200"]
    assert "clientExpirationDate" in example["response"]
    created = ClientSessionWithToken.model_validate(example["response"])
    assert created.client_token_expiration_date == datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)
    assert created.warnings == [SessionWarning(**TAXJAR)]
    assert created.to_wire()["clientTokenExpirationDate"] == "2019-08-24T14:15:22.000000"
    # unknown keys in responses are kept, never refused
    assert ClientSession.model_validate({"brandNewField": 1}).to_wire() == {"brandNewField": 1}


# --- responses ------------------------------------------------------------------------


def created_body(**extra: Any) -> dict[str, Any]:
    return {
        "clientToken": "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDIzNzI2ODJ9.c2lnbmF0dXJlX3g5UWs",
        "clientTokenExpirationDate": "2023-12-12T09:18:02.346787",
        **extra,
    }


def test_expiry_naive_utc_to_aware_and_back() -> None:
    created = ClientSessionWithToken.model_validate(created_body())
    assert created.client_token_expiration_date == datetime(
        2023, 12, 12, 9, 18, 2, 346787, tzinfo=UTC
    )
    assert created.to_wire()["clientTokenExpirationDate"] == "2023-12-12T09:18:02.346787"
    assert created.model_dump_json(by_alias=True).count("2023-12-12T09:18:02.346787") == 1


def test_expiry_keeps_six_digits_when_microseconds_are_zero() -> None:
    created = ClientSessionWithToken.model_validate(
        created_body(clientTokenExpirationDate="2023-12-12T09:18:02")
    )
    assert created.client_token_expiration_date.microsecond == 0
    assert created.to_wire()["clientTokenExpirationDate"] == "2023-12-12T09:18:02.000000"


def test_expiry_with_an_offset_is_converted_to_utc() -> None:
    created = ClientSessionWithToken.model_validate(
        created_body(clientTokenExpirationDate="2023-12-12T10:18:02.5+01:00")
    )
    assert created.client_token_expiration_date == datetime(
        2023, 12, 12, 9, 18, 2, 500000, tzinfo=UTC
    )
    assert created.to_wire()["clientTokenExpirationDate"] == "2023-12-12T09:18:02.500000"


def test_warnings_as_a_list_or_a_single_object() -> None:
    as_list = ClientSessionWithToken.model_validate(created_body(warnings=[TAXJAR]))
    as_object = ClientSessionWithToken.model_validate(created_body(warnings=TAXJAR))
    assert as_list.warnings == as_object.warnings == [SessionWarning(**TAXJAR)]
    assert ClientSessionWithToken.model_validate(created_body()).warnings is None


def test_response_round_trips_to_the_same_json() -> None:
    body = created_body(
        orderId="o-1",
        amount=500,
        order={"lineItems": [{"amount": 250, "quantity": 2}], "countryCode": "GB"},
        paymentMethod={"vaultOn3DS": False, "orderedAllowedCardNetworks": ["VISA"]},
        warnings=[TAXJAR],
    )
    assert ClientSessionWithToken.model_validate(body).to_wire() == body


# --- strict types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"amount": "100"}, "$.amount"),
        ({"amount": 100.0}, "$.amount"),
        ({"amount": True}, "$.amount"),
        (
            {"order": {"lineItems": [{"amount": 1, "quantity": 1.0}]}},
            "$.order.lineItems[0].quantity",
        ),
        ({"order": {"lineItems": [{"amount": False}]}}, "$.order.lineItems[0].amount"),
        ({"order": {"lineItems": [{"amount": "100"}]}}, "$.order.lineItems[0].amount"),
        ({"orderId": 5}, "$.orderId"),
        ({"customerId": True}, "$.customerId"),
        ({"paymentMethod": {"vaultOnSuccess": "true"}}, "$.paymentMethod.vaultOnSuccess"),
        ({"paymentMethod": {"vaultOnSuccess": 1}}, "$.paymentMethod.vaultOnSuccess"),
        ({"amount": -1}, "$.amount"),
        (
            {"order": {"lineItems": [{"amount": 1, "quantity": -1}]}},
            "$.order.lineItems[0].quantity",
        ),
        ({"order": {"lineItems": [{}]}}, "$.order.lineItems[0].amount"),
        ({"order": {"fees": [{"type": "SURCHARGE"}]}}, "$.order.fees[0].amount"),
        ({"currencyCode": "XXX"}, "$.currencyCode"),
        ({"currencyCode": "VES"}, "$.currencyCode"),
        ({"customer": {"emailAddress": "not-an-email"}}, "$.customer.emailAddress"),
        (
            {"order": {"lineItems": [{"amount": 1, "productType": "FOOD"}]}},
            "$.order.lineItems[0].productType",
        ),
        (
            {"paymentMethod": {"orderedAllowedCardNetworks": ["VISA", "VISA"]}},
            "$.paymentMethod.orderedAllowedCardNetworks",
        ),
    ],
)
def test_bad_values_are_refused_with_their_path(body: dict[str, Any], path: str) -> None:
    assert paths(body) == [path]


def test_quantity_zero_and_large_amounts_are_accepted() -> None:
    assert (
        paths({"amount": 2**63 - 1, "order": {"lineItems": [{"amount": 0, "quantity": 0}]}}) == []
    )
    assert paths({"amount": 2**63}) == ["$.amount"]


INT64_MAX = 2**63 - 1


def _integer_maxima(node: object, path: str = "#") -> list[tuple[str, object]]:
    """Every `"type": "integer"` in a JSON schema, with its `maximum`."""
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        if node.get("type") == "integer":
            found.append((path, node.get("maximum")))
        for key, value in node.items():
            found += _integer_maxima(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _integer_maxima(value, f"{path}/{index}")
    return found


@pytest.mark.parametrize("model", [ClientSessionRequest, ClientSessionUpdateRequest])
def test_every_integer_field_stops_at_int64(model: type[Any]) -> None:
    """Primer's integers are `format: int64`: each field refuses 2**63, as `amount` does
    (`recurringIntervalCount` once took any size)."""
    maxima = _integer_maxima(model.model_json_schema(by_alias=True))
    assert len(maxima) >= 7
    assert [m for m in maxima if m[1] != INT64_MAX] == []
    recurring = {"label": "Plan", "recurringIntervalCount": 2**63}
    body = {
        "paymentMethod": {
            "options": {
                "APPLE_PAY": {
                    "recurringPaymentRequest": {
                        "managementUrl": "https://example.com/m",
                        "regularBilling": recurring,
                    }
                }
            }
        }
    }
    assert paths(body) == [
        "$.paymentMethod.options.APPLE_PAY.recurringPaymentRequest.regularBilling"
        ".recurringIntervalCount"
    ]


@pytest.mark.parametrize(
    ("order", "path", "total"),
    [
        # a discount larger than its line would make a negative amount
        (
            {"lineItems": [{"amount": 1, "discountAmount": 500}]},
            "$.order.lineItems[0].discountAmount",
            -499,
        ),
        (
            {
                "lineItems": [
                    {"amount": 5},
                    {"amount": 100, "quantity": 2, "discountAmount": 300, "taxAmount": 99},
                ]
            },
            "$.order.lineItems[1].discountAmount",
            -1,
        ),
        # amounts are int64: a line total or the order's sum past the maximum
        (
            {"lineItems": [{"amount": INT64_MAX, "quantity": 2}]},
            "$.order.lineItems[0]",
            2 * INT64_MAX,
        ),
        (
            {"lineItems": [{"amount": INT64_MAX, "taxAmount": 1}]},
            "$.order.lineItems[0]",
            INT64_MAX + 1,
        ),
        ({"lineItems": [{"amount": INT64_MAX}], "fees": [{"amount": 1}]}, "$.order", INT64_MAX + 1),
        (
            {"lineItems": [{"amount": 1}], "shipping": {"amount": INT64_MAX}},
            "$.order",
            INT64_MAX + 1,
        ),
    ],
)
def test_an_order_amount_outside_int64_and_zero_is_refused_at_its_path(
    order: dict[str, Any], path: str, total: int
) -> None:
    _, details = check_request({"order": order}, ClientSessionRequest)
    assert [d.path for d in details] == [path]
    assert details[0].description.endswith(f"; it is {total}")
    assert "9223372036854775807" in details[0].description
    # A top-level amount replaces the computed one: Primer's schema allows these lines
    # then, and so do the models. A PATCH body is judged by the emulator once merged
    # with the session (an amount set earlier counts), not on its own.
    assert check_request({"amount": 100, "order": order}, ClientSessionRequest)[1] == []
    patch = {"clientToken": "t", "order": order}
    assert check_request(patch, ClientSessionUpdateRequest)[1] == []


def test_an_order_amount_at_the_edges_of_int64_is_accepted() -> None:
    zero = {"lineItems": [{"amount": 100, "quantity": 2, "discountAmount": 250, "taxAmount": 50}]}
    top = {
        "lineItems": [{"amount": INT64_MAX - 10}],
        "fees": [{"amount": 4}],
        "shipping": {"amount": 6},
    }
    assert paths({"order": zero}) == []
    assert paths({"order": top}) == []
    assert LineItem(amount=100, quantity=2, discount_amount=250, tax_amount=50).total() == 0


def _depth_walk(value: Any, limit: int) -> bool:
    """The depth rule as the emulator first wrote it: every key and value one level below
    its container, the top value at level 0, too deep past `limit`."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


_json_trees = st.recursive(
    st.none() | st.integers() | st.text(max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=40,
)


@given(tree=_json_trees, limit=st.integers(0, 6), wrap=st.integers(0, 70))
def test_nested_too_deep_follows_the_depth_rule(tree: Any, limit: int, wrap: int) -> None:
    for level in range(wrap):  # a long chain around the tree: depths near MAX_JSON_DEPTH
        tree = [tree] if level % 2 else {"k": tree}
    for bound in (limit, MAX_JSON_DEPTH):
        assert nested_too_deep(tree, bound) is _depth_walk(tree, bound)


def test_every_violation_is_listed() -> None:
    body = {"orderId": "", "amount": "1", "customer": {"firstName": 3}, "orderID": "typo"}
    assert sorted(paths(body)) == ["$.amount", "$.customer.firstName", "$.orderID", "$.orderId"]


# --- limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda s: {"orderId": s}, "$.orderId"),
        (lambda s: {"customerId": s}, "$.customerId"),
        (lambda s: {"customer": {"firstName": s}}, "$.customer.firstName"),
        (lambda s: {"customer": {"billingAddress": {"city": s}}}, "$.customer.billingAddress.city"),
        (
            lambda s: {"order": {"lineItems": [{"amount": 1, "itemId": s}]}},
            "$.order.lineItems[0].itemId",
        ),
    ],
)
def test_strings_are_one_to_255_characters(make: Any, path: str) -> None:
    assert paths(make("x")) == []
    assert paths(make("x" * 255)) == []
    assert paths(make("x" * 256)) == [path]
    assert paths(make("")) == [path]


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (
            lambda s: {"order": {"lineItems": [{"amount": 1, "name": s}]}},
            "$.order.lineItems[0].name",
        ),
        (lambda s: {"paymentMethod": {"descriptor": s}}, "$.paymentMethod.descriptor"),
        (
            lambda s: {"customer": {"shippingAddress": {"addressLine2": s}}},
            "$.customer.shippingAddress.addressLine2",
        ),
    ],
)
def test_strings_up_to_255_characters_may_be_empty(make: Any, path: str) -> None:
    assert paths(make("")) == []
    assert paths(make("x" * 255)) == []
    assert paths(make("x" * 256)) == [path]


# --- unknown keys ---------------------------------------------------------------------


def test_unknown_top_level_keys_are_422() -> None:
    assert paths({"orderId": "o-1", "emailAddress": "a@example.com"}) == ["$.emailAddress"]
    assert paths({"clientToken": "t", "shoeSize": 9}, ClientSessionUpdateRequest) == ["$.shoeSize"]


def test_nested_unknown_keys_are_accepted_and_reported() -> None:
    body = {
        "customer": {"emailAdress": "a@example.com"},
        "order": {"lineItems": [{"amount": 1}, {"amount": 2, "colour": "red"}]},
        "paymentMethod": {
            "paymentMethodType": "PAYMENT_CARD",
            "options": {"GOOGLE_PAY": {"surcharge": {"amount": 1}, "extra": 1}},
        },
        "metadata": {"anything": {"goes": True}},
    }
    model, details = check_request(body, ClientSessionRequest)
    assert details == []
    assert model is not None
    assert model.to_wire() == body
    assert unknown_fields(body, ClientSessionRequest) == [
        "$.customer.emailAdress",
        "$.order.lineItems[1].colour",
        "$.paymentMethod.paymentMethodType",
        "$.paymentMethod.options.GOOGLE_PAY.extra",
    ]
    assert unknown_fields({"orderId": "o-1", "metadata": {"x": 1}}, ClientSessionRequest) == []


def test_payment_card_networks_forbid_unknown_keys_and_eftpos() -> None:
    def networks(value: dict[str, Any]) -> dict[str, Any]:
        return {"paymentMethod": {"options": {"PAYMENT_CARD": {"networks": value}}}}

    base = "$.paymentMethod.options.PAYMENT_CARD.networks"
    assert paths(networks({"VISA": {"surcharge": {"amount": 10}}})) == []
    assert paths(networks({"EFTPOS": {"surcharge": {"amount": 10}}})) == [f"{base}.EFTPOS"]
    assert paths(networks({"VISAA": {}})) == [f"{base}.VISAA"]


def test_other_payment_method_options_need_a_surcharge() -> None:
    body = {"paymentMethod": {"options": {"KLARNA": {}}}}
    assert paths(body) == ["$.paymentMethod.options.KLARNA.surcharge"]


def test_patch_refuses_options_and_approval_mode() -> None:
    body = {
        "clientToken": "t",
        "approvalMode": "MANUAL",
        "paymentMethod": {"options": {"PAYMENT_CARD": {"captureVaultedCardCvv": True}}},
    }
    _, details = check_request(body, ClientSessionUpdateRequest)
    assert {(d.model, d.path) for d in details} == {
        (UPDATE, "$.approvalMode"),
        (UPDATE, "$.paymentMethod.options"),
    }
    assert all(d.description for d in details)
    # approvalMode is fine on POST
    assert paths({"approvalMode": "MANUAL"}) == []
    assert paths({"approvalMode": "SOMETIMES"}) == ["$.approvalMode"]


def test_patch_accepts_null_to_clear() -> None:
    body = {"clientToken": "t", "amount": None, "customer": None, "metadata": {"a": 1}}
    model, details = check_request(body, ClientSessionUpdateRequest)
    assert details == []
    assert model is not None
    assert model.to_wire() == body


def test_metadata_empty_key() -> None:
    assert metadata_has_empty_key({"metadata": {"": 1}})
    assert not metadata_has_empty_key({"metadata": {"a": 1}})
    assert not metadata_has_empty_key({"metadata": None})
    assert paths({"metadata": {"": 1}}) == []  # a 400, not a 422: the client checks it apart


# --- JSONPath -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        ((), "$"),
        (("orderId",), "$.orderId"),
        (("order", "lineItems", 0, "amount"), "$.order.lineItems[0].amount"),
        (("metadata", "a b"), "$.metadata['a b']"),
        (("metadata", ""), "$.metadata['']"),
        (("metadata", "it's"), "$.metadata['it\\'s']"),
        (("metadata", "back\\slash"), "$.metadata['back\\\\slash']"),
        (("metadata", "1st"), "$.metadata['1st']"),
        (("paymentMethod", "options", "PAYMENT_CARD"), "$.paymentMethod.options.PAYMENT_CARD"),
    ],
)
def test_json_path(loc: tuple[int | str, ...], path: str) -> None:
    assert json_path(loc) == path


def test_odd_metadata_keys_are_quoted_in_paths() -> None:
    body = {"metadata": {"a b": 1}, "customer": {"we ird": 1}}
    assert unknown_fields(body, ClientSessionRequest) == ["$.customer['we ird']"]


# --- constructing models in Python ---------------------------------------------------


def test_constructing_a_bad_request_raises_primer_validation_error() -> None:
    with pytest.raises(PrimerValidationError) as info:
        ClientSessionRequest(amount=-1, order={"lineItems": [{"amount": "5"}]})
    error = info.value
    assert error.status_code == 422
    assert error.local
    assert error.error_id == "RequestValidationError"
    assert all(d.model == CREATE for d in error.validation_errors)
    assert {d.path for d in error.validation_errors} == {"$.amount", "$.order.lineItems[0].amount"}
    assert "$.amount" in str(error)
    assert not isinstance(error, ValueError)


def test_constructing_a_bad_update_raises_primer_validation_error() -> None:
    with pytest.raises(PrimerValidationError) as info:
        ClientSessionUpdateRequest(client_token="t", approval_mode="AUTO")
    assert [d.model for d in info.value.validation_errors] == [UPDATE]


def test_paths_use_wire_names_for_snake_case_input() -> None:
    with pytest.raises(PrimerValidationError) as info:
        ClientSessionRequest(order_id="", currency_code="XXX")
    assert [d.path for d in info.value.validation_errors] == ["$.orderId", "$.currencyCode"]


def test_nested_snake_case_dicts_report_wire_paths() -> None:
    with pytest.raises(PrimerValidationError) as info:
        ClientSessionRequest(order={"line_items": [{"amount": -1}]})
    assert [d.path for d in info.value.validation_errors] == ["$.order.lineItems[0].amount"]


@pytest.mark.parametrize(
    ("build", "model", "path"),
    [
        (lambda: LineItem(amount=-1), "OrderLineItemsAPISchema", "$.amount"),
        (lambda: LineItem(amount="5"), "OrderLineItemsAPISchema", "$.amount"),
        (lambda: LineItem.model_validate({"quantity": 1}), "OrderLineItemsAPISchema", "$.amount"),
        (
            lambda: Order(line_items=[{"amount": 1.5}]),
            "OrderDetailsAPISchema",
            "$.lineItems[0].amount",
        ),
        (
            lambda: Customer(email_address="nope"),
            "CheckoutCustomerDetailsAPISchema",
            "$.emailAddress",
        ),
        (lambda: Address(country_code="XX"), "OptionalAddressAPISchema", "$.countryCode"),
        (lambda: CardNetworks.model_validate({"visa": {}}), "PaymentCardNetworks", "$.visa"),
        (lambda: ClientSessionRequest(amount=-1), "ClientSessionAPIRequest", "$.amount"),
        (
            lambda: ClientSessionRequest.model_validate({"orderId": 5}),
            "ClientSessionAPIRequest",
            "$.orderId",
        ),
    ],
)
def test_every_model_raises_primer_validation_error(
    build: Callable[[], object], model: str, path: str
) -> None:
    """One exception type for one kind of mistake, nested models included."""
    with pytest.raises(PrimerValidationError) as info:
        build()
    assert type(info.value) is PrimerValidationError
    assert (info.value.status_code, info.value.local) == (422, True)
    assert [(d.model, d.path) for d in info.value.validation_errors][:1] == [(model, path)]


def test_models_serialise_what_was_set_in_camel_case() -> None:
    request = ClientSessionRequest(
        order_id="order-1",
        currency_code="EUR",
        order=Order(line_items=[LineItem(amount=1299, quantity=2)]),
        customer=Customer(
            email_address="a@example.com", billing_address=Address(address_line1="1 St")
        ),
        payment_method=PaymentMethod(vault_on_3ds=True),
    )
    assert request.to_wire() == {
        "orderId": "order-1",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"amount": 1299, "quantity": 2}]},
        "customer": {"emailAddress": "a@example.com", "billingAddress": {"addressLine1": "1 St"}},
        "paymentMethod": {"vaultOn3DS": True},
    }
    assert ClientSessionRequest.model_validate(request.to_wire()).to_wire() == request.to_wire()


# --- reprs ----------------------------------------------------------------------------


def test_reprs_are_short_and_deterministic() -> None:
    def build() -> ClientSessionRequest:
        return ClientSessionRequest(
            order_id="o", amount=1, order=Order(line_items=[LineItem(amount=5)])
        )

    assert (
        repr(build())
        == repr(build())
        == (
            "ClientSessionRequest(order_id='o', amount=1, "
            "order=Order(line_items=[LineItem(amount=5)]))"
        )
    )
    created = ClientSessionWithToken.model_validate(created_body(orderId="o"))
    text = repr(created)
    assert text == repr(ClientSessionWithToken.model_validate(created_body(orderId="o")))
    assert "eyJhbGci…5UWs" in text
    assert created.client_token not in text
    assert "None" not in text
    detail = ValidationErrorDetail(CREATE, "$.amount", "x")
    assert (
        repr(detail) == "ValidationErrorDetail(model='ClientSessionAPIRequest', path='$.amount', "
        "description='x')"
    )


# --- cross-check with Primer's OpenAPI file ------------------------------------------

SCHEMA_PAIRS: dict[str, type[pydantic.BaseModel]] = {
    "ClientSessionAPIRequest": ClientSessionRequest,
    "ClientSessionUpdateAPIRequest": ClientSessionUpdateRequest,
    "OrderLineItemsAPISchema": LineItem,
    "CheckoutCustomerDetailsAPISchema": Customer,
    "OptionalAddressAPISchema": Address,
    "CheckoutPaymentMethodOptionsAPISchema": PaymentMethod,
}
# Where we knowingly differ from the v2.4 file (each settled in behaviour.md):
EXTRA_PROPERTIES = {
    # §3/§5: the 2.4 addendum's approvalMode, accepted on POST, refused (422) on PATCH
    ("ClientSessionAPIRequest", "approvalMode"),
    ("ClientSessionUpdateAPIRequest", "approvalMode"),
}
STRICTER = {
    # §5: PATCH validates fields with the same rules as POST
    ("ClientSessionUpdateAPIRequest", "currencyCode"),
    ("ClientSessionUpdateAPIRequest", "customerId"),
    ("ClientSessionUpdateAPIRequest", "orderId"),
}


def _resolve(node: Any, defs: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _facts(node: Any, defs: dict[str, Any]) -> dict[str, set[Any]]:
    """minLength, maxLength and enum values anywhere in a property's schema."""
    found: dict[str, set[Any]] = {"minLength": set(), "maxLength": set(), "enum": set()}
    stack = [node]
    while stack:
        item = _resolve(stack.pop(), defs)
        if not isinstance(item, dict):
            continue
        for key in ("minLength", "maxLength"):
            if key in item:
                found[key].add(item[key])
        found["enum"].update(str(v) for v in item.get("enum", ()))
        if "const" in item:
            found["enum"].add(str(item["const"]))
        for key in ("anyOf", "oneOf", "allOf"):
            stack.extend(item.get(key, ()))
        if "items" in item:
            stack.append(item["items"])
    return {k: v for k, v in found.items() if v}


def test_request_models_match_the_openapi_file() -> None:
    yaml = pytest.importorskip("yaml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(spec_file("primer-openapi-v2.4.yml").read_text(), Loader=loader)
    schemas = spec["components"]["schemas"]
    problems: list[str] = []
    compared: dict[str, int] = {"minLength": 0, "maxLength": 0, "enum": 0}
    for name, model in SCHEMA_PAIRS.items():
        theirs = schemas[name]
        ours = model.model_json_schema(by_alias=True, mode="validation")
        our_defs = ours.get("$defs", {})
        spec_props, our_props = set(theirs["properties"]), set(ours["properties"])
        extra = {p for p in our_props - spec_props if (name, p) not in EXTRA_PROPERTIES}
        if extra or spec_props - our_props:
            problems.append(f"{name}: ours only {extra}, spec only {spec_props - our_props}")
        if set(theirs.get("required", ())) != set(ours.get("required", ())):
            problems.append(f"{name}: required {theirs.get('required')} != {ours.get('required')}")
        for prop in sorted(spec_props & our_props):
            spec_facts = _facts(theirs["properties"][prop], schemas)
            our_facts = _facts(ours["properties"][prop], our_defs)
            if (name, prop) in STRICTER:
                assert spec_facts == {}, f"{name}.{prop} has limits now: drop it from STRICTER"
                continue
            if spec_facts != our_facts:
                problems.append(f"{name}.{prop}: spec {spec_facts} != ours {our_facts}")
            for key in spec_facts:
                compared[key] += 1
    assert problems == []
    # the comparison is not vacuous: limits and enums were found on both sides
    assert compared["maxLength"] >= 19 and compared["minLength"] >= 13 and compared["enum"] >= 7


# --- wire names only on the wire (issue 11 §1, behaviour.md §5) ------------------------

HINT = "Unknown field: additional properties are not allowed here; did you mean `{}`?"


@pytest.mark.parametrize(
    ("model", "body", "errors"),
    [
        (
            ClientSessionRequest,
            {"order_id": "x", "currency_code": "HUF", "amount": 5},
            [("$.order_id", "orderId"), ("$.currency_code", "currencyCode")],
        ),
        (ClientSessionRequest, {"customer_id": "c-1"}, [("$.customer_id", "customerId")]),
        (ClientSessionRequest, {"payment_method": {}}, [("$.payment_method", "paymentMethod")]),
        (
            ClientSessionUpdateRequest,
            {"clientToken": "t", "order_id": "renamed"},
            [("$.order_id", "orderId")],
        ),
        (ClientSessionUpdateRequest, {"client_token": "t"}, [("$.client_token", "clientToken")]),
        (
            ClientSessionRequest,
            {"paymentMethod": {"options": {"PAYMENT_CARD": {"networks": {"visa": {}}}}}},
            [("$.paymentMethod.options.PAYMENT_CARD.networks.visa", "VISA")],
        ),
    ],
)
def test_python_names_in_a_body_are_unknown_keys_with_a_suggestion(
    model: Any, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    """A body is read by wire names only: `order_id` is refused at its own path."""
    parsed, details = check_request(body, model)
    assert parsed is None
    assert [(d.path, d.description) for d in details] == [
        (path, HINT.format(name)) for path, name in errors
    ]


def test_nested_python_names_are_kept_but_never_read_as_the_wire_field() -> None:
    body = {
        "orderId": "o",
        "order": {"line_items": [{"amount": -1}]},
        "customer": {"email_address": "x"},
    }
    parsed, details = check_request(body, ClientSessionRequest)
    assert details == [] and parsed is not None
    assert parsed.order is not None and parsed.order.line_items is None
    assert parsed.customer is not None and parsed.customer.email_address is None
    assert parsed.to_wire() == body  # echoed as sent; no `lineItems: null` invented
    assert [(k.path, k.suggestion, k.parent) for k in unknown_keys(body, ClientSessionRequest)] == [
        ("$.order.line_items", "lineItems", "$.order"),
        ("$.customer.email_address", "emailAddress", "$.customer"),
    ]


def test_python_code_keeps_python_names() -> None:
    request = ClientSessionRequest(order_id="o-1", order=Order(line_items=[LineItem(amount=5)]))
    assert request.to_wire() == {"orderId": "o-1", "order": {"lineItems": [{"amount": 5}]}}
    assert ClientSessionRequest(
        order={"line_items": [{"item_id": "a", "amount": 1}]}
    ).to_wire() == {"order": {"lineItems": [{"itemId": "a", "amount": 1}]}}


def test_responses_are_read_by_wire_names_only() -> None:
    session = ClientSession.model_validate(
        {"order_id": "x", "order": {"line_items": [{"amount": 5}], "lineItems": [{"amount": 2}]}}
    )
    assert session.order_id is None and session.model_extra == {"order_id": "x"}
    assert session.order is not None and [i.amount for i in session.order.line_items or []] == [2]


@pytest.mark.parametrize(
    ("key", "model", "expected"),
    [
        ("order_id", ClientSessionRequest, "orderId"),
        ("currency_code", ClientSessionRequest, "currencyCode"),
        ("OrderID", ClientSessionRequest, "orderId"),
        ("orderid", ClientSessionRequest, "orderId"),
        ("ammount", ClientSessionRequest, "amount"),
        ("client_token", ClientSessionUpdateRequest, "clientToken"),
        ("emailAdress", Customer, "emailAddress"),
        ("email_adress", Customer, "emailAddress"),
        ("line_items", Order, "lineItems"),
        ("address_line_1", Address, "addressLine1"),
        ("vault_on_3ds", PaymentMethod, "vaultOn3DS"),
        ("visa", CardNetworks, "VISA"),
        ("emailAddress", Customer, None),  # already right
        ("favouriteColour", Customer, None),  # like nothing
    ],
)
def test_suggest_field(key: str, model: Any, expected: str | None) -> None:
    assert suggest_field(key, model) == expected


def test_pydantic_still_builds_nested_models_itself() -> None:
    """`__pydantic_base_init__` keeps the runtime `by_name=False` for nested models (a
    custom `__init__` would be called without it); if pydantic stopped honouring the
    marker, `item_id` below would be read as `itemId` and refused as not a string."""
    assert LineItem.__pydantic_custom_init__ is False
    assert ClientSessionRequest.__pydantic_custom_init__ is False
    body = {"order": {"lineItems": [{"item_id": 5, "amount": 1}]}}
    parsed, details = check_request(body, ClientSessionRequest)
    assert details == [] and parsed is not None and parsed.order is not None
    assert [i.item_id for i in parsed.order.line_items or []] == [None]
    assert unknown_fields(body, ClientSessionRequest) == ["$.order.lineItems[0].item_id"]


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://example.com/manage", True),
        ("mailto:billing@example.com", True),  # absolute URIs without `//` (RFC 3986 §4.3)
        ("urn:isbn:0451450523", True),
        ("/manage", False),  # a relative reference
        ("example.com/manage", False),
        ("https://example.com/a b", False),
        ("https://example.com/a\u00a0b", False),  # a no-break space is not ASCII
        ("https://ex\u00e4mple.com/\u00fc", False),  # an IRI: a URI percent-encodes it
        ("https://xn--exmple-cua.com/%C3%BC", True),
        ("", False),
    ],
)
def test_management_url_is_any_absolute_uri(url: str, accepted: bool) -> None:
    body = {
        "paymentMethod": {
            "options": {
                "APPLE_PAY": {
                    "recurringPaymentRequest": {
                        "managementUrl": url,
                        "regularBilling": {"label": "Plan"},
                    }
                }
            }
        }
    }
    _, details = check_request(body, ClientSessionRequest)
    assert (details == []) is accepted, details
    if not accepted:
        assert details[0].path.endswith("recurringPaymentRequest.managementUrl")


@pytest.mark.parametrize(
    ("value", "hinted"),
    [
        (12.5, True),
        ("12.50", True),
        (Decimal("12.50"), True),
        (None, False),  # a missing value, not a units mistake
        (True, False),
        ([1250], False),
    ],
)
def test_the_minor_units_hint_is_given_for_major_unit_values_only(
    value: object, hinted: bool
) -> None:
    _, details = check_request({"order": {"lineItems": [{"amount": value}]}}, ClientSessionRequest)
    assert [d.path for d in details] == ["$.order.lineItems[0].amount"]
    assert details[0].description.startswith("Value must be a valid integer")
    assert ("amounts are minor units, e.g. 1250 for EUR 12.50" in details[0].description) is hinted


@pytest.mark.parametrize(
    ("currency", "example"),
    [
        ("USD", "e.g. 1250 for USD 12.50"),
        ("KRW", "e.g. 1250 for KRW 1250 (KRW has 0 minor units)"),
        ("KWD", "e.g. 12500 for KWD 12.500"),
        ("jpy", "e.g. 1250 for JPY 1250 (JPY has 0 minor units)"),  # refused, still a hint
        # no currency Primer knows, or none (a PATCH keeps the session's): both kinds
        ("EURO", "e.g. 1250 for EUR 12.50, or 1250 for JPY 1250 (the currency's digits decide)"),
        (None, "e.g. 1250 for EUR 12.50, or 1250 for JPY 1250 (the currency's digits decide)"),
    ],
)
def test_the_minor_units_hint_is_in_the_requests_own_currency(
    currency: str | None, example: str
) -> None:
    # a learner who just met KRW's zero digits read "e.g. 1250 for EUR 12.50"
    body: dict[str, object] = {
        "amount": 12.5,
        "order": {"lineItems": [{"amount": 1, "taxAmount": 1.5}]},
    }
    if currency is not None:
        body["currencyCode"] = currency
    _, details = check_request(body, ClientSessionRequest)
    hints = [d.description for d in details if d.path != "$.currencyCode"]
    assert hints == [f"Value must be a valid integer: amounts are minor units, {example}"] * 2
    # the same from a model built in Python, and from the emulator's 422 (one function)
    if currency in ("USD", "KRW", "KWD"):
        with pytest.raises(PrimerValidationError) as built:
            ClientSessionRequest(currency_code=currency, amount=Decimal("12.5"))
        assert built.value.validation_errors[0].description.endswith(example)
