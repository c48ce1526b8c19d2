"""The models' open JSON objects and refused fields, typed without `Any` (issue 15).

`metadata`, `productData` and `paymentMethod.options` in a response are any JSON object
(`dict[str, pydantic.JsonValue]`): whatever Primer answers is held and sent back as is.
`approvalMode` and `paymentMethod.options` in a PATCH refuse every value, `null`
included, and their JSON schema stays open so the OpenAPI document does not change.
"""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pydantic
import pytest

from primer_nb.errors import PrimerValidationError
from primer_nb.models import (
    ClientSession,
    ClientSessionUpdateRequest,
    ClientSessionWithToken,
    LineItem,
    check_request,
)

ODD_JSON = {
    "": None,
    "plan": "gold",
    "seats": 3,
    "ratio": 0.25,
    "big": 2**70,
    "flags": [True, False, None],
    "nested": {"deeper": [{"x": [1, "two", {"three": 3.0}]}], "empty": {}},
    "unicode": "Straße ✓",
}

RESPONSE = {
    "clientToken": "tok",
    "clientTokenExpirationDate": "2030-01-01T00:00:00",
    "metadata": ODD_JSON,
    "order": {"lineItems": [{"amount": 100, "productData": ODD_JSON}]},
    "paymentMethod": {"options": {"PAYMENT_CARD": ODD_JSON}},
}


@pytest.mark.parametrize("parse", ["python", "json"])
def test_response_open_objects_hold_any_json_unchanged(parse: str) -> None:
    if parse == "json":
        session = ClientSessionWithToken.model_validate_json(json.dumps(RESPONSE))
    else:
        session = ClientSessionWithToken.model_validate(RESPONSE)
    wire = session.to_wire()
    assert wire["metadata"] == ODD_JSON
    assert wire["order"] == RESPONSE["order"]
    assert wire["paymentMethod"] == RESPONSE["paymentMethod"]
    assert json.loads(json.dumps(wire)) == wire


def test_response_open_objects_refuse_what_json_cannot_hold() -> None:
    """A Python-built session is held to JSON too: Primer never answers a Decimal."""
    for value in (Decimal("1.5"), (1, 2), b"raw"):
        with pytest.raises(pydantic.ValidationError):
            ClientSession.model_validate({"metadata": {"x": value}})


@pytest.mark.parametrize("value", [None, "AUTO", "MANUAL", 1, {}])
def test_patch_refuses_approval_mode_whatever_its_value(value: object) -> None:
    model, details = check_request(
        {"clientToken": "t", "approvalMode": value}, ClientSessionUpdateRequest
    )
    assert model is None
    assert [(d.path, d.description) for d in details] == [
        ("$.approvalMode", "approvalMode can only be set when the client session is created")
    ]


@pytest.mark.parametrize("value", [None, {}, {"PAYMENT_CARD": {}}, "x"])
def test_patch_refuses_payment_method_options_whatever_their_value(value: object) -> None:
    body = {"clientToken": "t", "paymentMethod": {"options": value}}
    model, details = check_request(body, ClientSessionUpdateRequest)
    assert model is None
    assert [d.path for d in details] == ["$.paymentMethod.options"]
    assert "cannot be updated" in details[0].description


def test_refused_fields_keep_an_open_json_schema() -> None:
    """The OpenAPI document names them without a type, as before (no `"type": "null"`)."""
    schema = ClientSessionUpdateRequest.model_json_schema(by_alias=True)
    approval = schema["properties"]["approvalMode"]
    options = schema["$defs"]["PaymentMethodUpdate"]["properties"]["options"]
    for prop in (approval, options):
        assert "type" not in prop and "anyOf" not in prop and "$ref" not in prop
        assert prop["default"] is None


def test_model_validate_passes_pydantics_options_on() -> None:
    item = LineItem.model_validate(SimpleNamespace(amount=5), from_attributes=True)
    assert item.amount == 5
    with pytest.raises(PrimerValidationError) as info:
        LineItem.model_validate(SimpleNamespace(amount=-5), from_attributes=True)
    assert [d.path for d in info.value.validation_errors] == ["$.amount"]
