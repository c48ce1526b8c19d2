"""`GET /openapi.json`: an OpenAPI 3.1 document of the three operations.

Generated from the same pydantic models the emulator validates with (their JSON
schemas, by alias), so tools such as schemathesis read what the emulator enforces. The
top-level schemas carry Primer's names (`ClientSessionAPIRequest`, the model a 422
names), descriptions speak the wire's words, and the only defaults on request schemas
are Primer's (one response schema keeps the kit's own: `ValidationErrorGroup.errors`
defaults to `[]`).
Rules a pydantic schema does not carry are stated here too, each next to its reason:

- `customer.emailAddress` has `format: email` and no special-use domain (`.test`,
  `localhost`: email-validator refuses them); the Apple Pay dates have
  `format: date-time` and the RFC 3339 `pattern` the models use; `managementUrl` has
  the absolute-URI `pattern` the models use.
- `orderedAllowedCardNetworks` has `uniqueItems`.
- `metadata` keys are non-empty (`propertyNames`), else 400 MetadataContainsEmptyKey.
- `currencyCode` lists only the currencies this emulator accepts: Primer's enum without
  the ones disabled by default, unless enabled (else 400 DisabledCurrencyError).
- PATCH: `clientToken` is a required string; `approvalMode` and `paymentMethod.options`
  have the schema `false` (they cannot be updated, 422).
- 403 `SecurityPolicyBlock` answers a missing or unknown `X-API-KEY`.

One rule no JSON Schema can state: integers are written without a fraction part
(`"quantity": 1.0` is a 422, behaviour.md §5), while JSON Schema 2020-12 counts `1.0`
as an integer. The `x-primer-nb-strict-integers` extension says so. Nor can it state
that a line total, and the order's sum, must stay an int64 >= 0 (a discount larger than
its line is a 422): `x-primer-nb-amount-range` says so.
"""

from __future__ import annotations

import copy
import functools
import json
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, JsonValue
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from primer_nb.config import API_VERSIONS
from primer_nb.currency import DISABLED_BY_DEFAULT
from primer_nb.models import (
    DATETIME_PATTERN,
    SPECIAL_USE_EMAIL_PATTERN,
    URI_PATTERN,
    ClientSession,
    ClientSessionRequest,
    ClientSessionUpdateRequest,
    ClientSessionWithToken,
    DateTimeText,
    Email,
    ErrorEnvelope,
    Uri,
)

__all__ = ["openapi_document"]

_REF = "#/components/schemas/{model}"
_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (ClientSessionRequest, "validation"),
    (ClientSessionUpdateRequest, "validation"),
    (ClientSessionWithToken, "serialization"),
    (ClientSession, "serialization"),
    (ErrorEnvelope, "serialization"),
]
_ERRORS = {
    "400": "Bad request: token, metadata, currency, API version or malformed body",
    "403": "SecurityPolicyBlock: missing, empty or unknown API key",
    "413": "Request body over 1 MiB",
    "422": "Request validation failed; every violation with its JSONPath",
    "429": "Too many requests (injected fault)",
}


#: JSON Schema for values whose rule is a Python validator (same rule, stated for tools)
_TYPE_RULES: list[tuple[Any, dict[str, Any]]] = [
    (Email, {"format": "email", "not": {"pattern": SPECIAL_USE_EMAIL_PATTERN}}),
    (DateTimeText, {"format": "date-time", "pattern": DATETIME_PATTERN}),
    (Uri, {"pattern": URI_PATTERN}),
]
#: (schema, property) -> what to add to the property's non-null schema
_FIELD_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("PaymentMethod", "orderedAllowedCardNetworks"): {"uniqueItems": True},
    ("PaymentMethodUpdate", "orderedAllowedCardNetworks"): {"uniqueItems": True},
    ("ClientSessionRequest", "metadata"): {"propertyNames": {"minLength": 1}},
    ("ClientSessionUpdateRequest", "metadata"): {"propertyNames": {"minLength": 1}},
}
#: (schema, property) that a PATCH cannot carry (422 "cannot be updated")
_NOT_UPDATABLE = [
    ("ClientSessionUpdateRequest", "approvalMode"),
    ("PaymentMethodUpdate", "options"),
]


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from `root`, by class name (the component names)."""
    found: dict[str, type[BaseModel]] = {}
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            stack.extend(f.annotation for f in item.model_fields.values())
            extra = item.model_fields.get("__pydantic_extra__")
            if extra is not None:
                stack.append(extra.annotation)
        else:
            stack.extend(typing.get_args(item))
            origin = getattr(item, "__origin__", None)
            if origin is not None:
                stack.append(origin)
    return found


def _uses(field: FieldInfo, kind: Any) -> bool:
    """Whether a field is of the Annotated type `kind`, alone (pydantic then moves the
    validator into `field.metadata`) or inside `kind | None`."""
    validator = typing.get_args(kind)[-1]
    return validator in field.metadata or kind in typing.get_args(field.annotation)


def _non_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The branch of `X | None` (`anyOf: [X, {type: null}]`) that is not null."""
    for branch in prop.get("anyOf", []):
        if branch.get("type") != "null":
            return branch  # type: ignore[no-any-return]
    return prop


def _state_rules(schemas: dict[str, Any], enabled: frozenset[str]) -> None:
    """Write into the generated schemas the rules the emulator enforces in Python."""
    for root in (ClientSessionRequest, ClientSessionUpdateRequest):
        for name, model in _models(root).items():
            props = schemas.get(name, {}).get("properties", {})
            for field_name, field in model.model_fields.items():
                alias = field.alias or field_name
                for kind, rule in _TYPE_RULES:
                    if alias in props and _uses(field, kind):
                        _non_null(props[alias]).update(rule)
    for (schema, prop), rule in _FIELD_RULES.items():
        _non_null(schemas[schema]["properties"][prop]).update(rule)
    for schema, prop in _NOT_UPDATABLE:
        # `false`: never valid (nested objects allow unknown keys, so leaving it out is not enough)
        schemas[schema]["properties"][prop] = False
    update = schemas["ClientSessionUpdateRequest"]
    update["properties"]["clientToken"] = {
        "type": "string",
        "minLength": 1,
        "description": "The token from POST; an unknown or expired one is a 400.",
    }
    update["required"] = ["clientToken"]
    currency = schemas["Currency"]
    currency["enum"] = [c for c in currency["enum"] if c not in DISABLED_BY_DEFAULT or c in enabled]
    currency["description"] = (
        "ISO 4217 code from Primer's list. Currencies Primer disables by default answer 400 "
        "DisabledCurrencyError and are left out unless this emulator enables them."
    )


#: The models' docstrings name Python attributes (`order_id`, `None`): the published
#: document says the same in the wire's words.
_WIRE_DESCRIPTIONS = {
    "ClientSessionRequest": (
        "Body of `POST /client-session`. No field is required; unknown top-level keys are "
        "not (422). Primer recommends at least `orderId`, `currencyCode` and `amount` or "
        "`order.lineItems`."
    ),
    "ClientSessionUpdateRequest": (
        "Body of `PATCH /client-session`: `clientToken` plus only what changes; a field "
        "left out stays as it is. Arrays are replaced whole, `metadata` is replaced, `null` "
        "clears a field, and `approvalMode` and `paymentMethod.options` cannot be updated "
        "(Primer's PATCH rules)."
    ),
    "ClientSessionWithToken": (
        "The answer to `POST /client-session`: the session plus its `clientToken`. "
        "`clientTokenExpirationDate` is naive UTC, e.g. `2023-12-12T09:18:02.346787`; "
        "`warnings` is a list or one object (Primer's documents show both)."
    ),
}
#: Primer's documented defaults (primer-openapi-v2.4.yml), on the POST schemas only: in a
#: PATCH a field left out stays as it is. Every `default: null` pydantic writes for an
#: optional field is dropped: it said leaving a field out is the same as sending null.
_PRIMER_DEFAULTS: dict[tuple[str, str], JsonValue] = {
    ("LineItem", "quantity"): 1,
    ("PaymentMethod", "vaultOnSuccess"): False,
    ("PaymentMethod", "vaultOn3DS"): False,
    ("PaymentMethod", "vaultOnAgreement"): False,
    ("ApplePayTrialBilling", "amount"): 0,
}


def _wire_words(schemas: dict[str, Any]) -> None:
    """Descriptions in the wire's words; a property's `null` default dropped and the
    defaults Primer documents set (any other default, such as `ValidationErrorGroup`'s
    `errors: []`, is kept)."""
    for name, text in _WIRE_DESCRIPTIONS.items():
        schemas[name]["description"] = text
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if isinstance(prop, dict) and "default" in prop and prop["default"] is None:
                del prop["default"]
    for (schema, prop), value in _PRIMER_DEFAULTS.items():
        schemas[schema]["properties"][prop]["default"] = value


#: Primer's names for the top-level schemas (primer-openapi-v2.4.yml): a 422 names its
#: model `ClientSessionAPIRequest`, and a tool reading this document finds it by that name.
_PRIMER_NAMES = {
    "ClientSessionRequest": "ClientSessionAPIRequest",
    "ClientSessionUpdateRequest": "ClientSessionUpdateAPIRequest",
    "ClientSessionWithToken": "ClientSessionWithTokenAPIResponse",
    "ClientSession": "ClientSessionAPIResponse",
}


def _primer_names(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the top-level schemas under Primer's names, references included."""
    text = json.dumps(document)
    for ours, primers in _PRIMER_NAMES.items():
        text = text.replace(f'"{_REF.format(model=ours)}"', f'"{_REF.format(model=primers)}"')
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    renamed["components"]["schemas"] = {_PRIMER_NAMES.get(k, k): v for k, v in schemas.items()}
    return renamed


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _responses(success: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", "content": _json(success)}}
    for status, text in _ERRORS.items():
        out[status] = {"description": text, "content": _json(ErrorEnvelope)}
    return out


def _operation(op_id: str, summary: str, success: type[BaseModel]) -> dict[str, Any]:
    return {
        "operationId": op_id,
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/ApiVersion"}],
        "responses": _responses(success),
    }


@functools.cache
def _document(enabled: frozenset[str]) -> dict[str, Any]:
    _, top = models_json_schema(_MODELS, ref_template=_REF)
    schemas = top.get("$defs", {})
    _state_rules(schemas, enabled)
    _wire_words(schemas)
    post = _operation(
        "create_client_side_token_client_session_post",
        "Create a client session",
        ClientSessionWithToken,
    )
    post["requestBody"] = {"required": True, "content": _json(ClientSessionRequest)}
    patch = _operation(
        "update_client_side_token_client_session_patch",
        "Update a client session",
        ClientSession,
    )
    patch["requestBody"] = {"required": True, "content": _json(ClientSessionUpdateRequest)}
    get = _operation(
        "retrieve_client_side_token_client_session_get", "Retrieve a client session", ClientSession
    )
    get["parameters"].append(
        {
            "name": "clientToken",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
            "description": "The token from POST; an unknown or expired one is a 400.",
        }
    )
    return _primer_names(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Primer Client Session API (primer-nb emulator)",
                "version": API_VERSIONS[-1],
                "description": (
                    "What primer-nb's emulator enforces, generated from the models it validates "
                    "with. Primer's own reference is "
                    "https://primer.io/docs/api-reference/v2.4/api-reference/client-session-api; "
                    "where the emulator chooses what Primer does not document (statuses, "
                    "limits, the 403 and 413 answers), docs/emulator.md lists each choice."
                ),
            },
            "paths": {"/client-session": {"post": post, "get": get, "patch": patch}},
            "security": [{"ApiKeyAuth": []}],
            "x-primer-nb-strict-integers": (
                "Integers must be written without a fraction part: 1.0 is refused with 422 "
                "although JSON Schema counts it as an integer."
            ),
            "x-primer-nb-amount-range": (
                "Each order line's total (amount x quantity - discountAmount + taxAmount) must "
                "be between 0 and 9223372036854775807, and so must the order's amount (line "
                "totals + fees + shipping), unless a top-level amount replaces it: otherwise "
                "422 at the line's discountAmount, the line, or the order."
            ),
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}
                },
                "parameters": {
                    "ApiVersion": {
                        "name": "X-API-VERSION",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "enum": list(API_VERSIONS)},
                        "description": "API version; absent means the earliest (2021-09-27).",
                    }
                },
            },
        }
    )


def openapi_document(enabled_currencies: Iterable[str] = ()) -> dict[str, JsonValue]:
    """The OpenAPI 3.1 document (a fresh copy each call).

    `enabled_currencies`: currencies disabled by default that the emulator accepts.
    """
    return copy.deepcopy(_document(frozenset(enabled_currencies)))
