"""`GET /openapi.json`: an OpenAPI 3.1 document of the three operations.

Generated from the same pydantic models the emulator validates with (their JSON
schemas, by alias), so tools such as schemathesis read what the emulator enforces.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from primer_nb.config import API_VERSIONS
from primer_nb.models import (
    ClientSession,
    ClientSessionRequest,
    ClientSessionUpdateRequest,
    ClientSessionWithToken,
    ErrorEnvelope,
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
def _document() -> dict[str, Any]:
    _, top = models_json_schema(_MODELS, ref_template=_REF)
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
        {"name": "clientToken", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Primer Client Session API (primer-nb emulator)",
            "version": API_VERSIONS[-1],
        },
        "paths": {"/client-session": {"post": post, "get": get, "patch": patch}},
        "security": [{"ApiKeyAuth": []}],
        "components": {
            "schemas": top.get("$defs", {}),
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


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh copy each call)."""
    return copy.deepcopy(_document())
