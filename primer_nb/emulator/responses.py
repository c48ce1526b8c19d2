"""The bodies the emulator answers with, built from stored session data.

- POST: the request as sent, plus `amount`, the default card networks, the token,
  its expiry and `warnings` (when there are any);
- GET and PATCH: the session without token, expiry or warnings, empty values left out;
- the admin list: the GET shape plus `clientToken` and `clientTokenExpirationDate`.

The amount comes from `primer_nb.amounts` (the one place for that arithmetic).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import orjson
from starlette import responses

from primer_nb.amounts import wire_amount
from primer_nb.emulator.store import StoredSession
from primer_nb.enums import DEFAULT_CARD_NETWORKS
from primer_nb.merging import strip_empty
from primer_nb.models import format_expiry

__all__ = [
    "TAXJAR_MISSING_DATA",
    "JSONResponse",
    "admin_view",
    "created_view",
    "session_view",
    "strip_empty",
    "tax_warnings",
]

TAXJAR_MISSING_DATA = {
    "type": "TAXJAR",
    "code": "MISSING_DATA",
    "message": "Shipping details are required for calculating tax.",
}
_STATE_REQUIRED = frozenset({"US", "CA"})
_NEEDED = ("countryCode", "postalCode")
_NEEDED_WITH_STATE = (*_NEEDED, "state")


class JSONResponse(responses.JSONResponse):
    """Starlette's JSON answer, written by orjson (the same compact UTF-8, ten times faster).

    What orjson cannot write (integers beyond 64 bits in echoed metadata) falls back to
    Starlette's `json.dumps`.
    """

    def render(self, content: object) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError
            return super().render(content)


def _with_derived(data: Mapping[str, object]) -> dict[str, object]:
    """Session data plus what the API derives: `amount` and the default card networks."""
    body = dict(data)
    amount = wire_amount(body)
    if amount is not None:
        body["amount"] = amount
    else:  # nothing to compute from: absent, even when `"amount": null` was sent
        body.pop("amount", None)
    method = body.get("paymentMethod")
    # `(dict, Mapping)`: a dict (what JSON gives) is found before the slower ABC check
    if isinstance(method, (dict, Mapping)) and method.get("orderedAllowedCardNetworks") is None:
        body["paymentMethod"] = {
            **method,
            "orderedAllowedCardNetworks": list(DEFAULT_CARD_NETWORKS),
        }
    return body


def tax_warnings(data: Mapping[str, object], tax_connection: bool) -> list[dict[str, str]]:
    """TAXJAR / MISSING_DATA when the shipping address cannot be taxed (or is absent)."""
    if not tax_connection:
        return []
    customer = data.get("customer")
    address = customer.get("shippingAddress") if isinstance(customer, (dict, Mapping)) else None
    if not isinstance(address, (dict, Mapping)):
        return [dict(TAXJAR_MISSING_DATA)]
    country = address.get("countryCode")
    needed = _NEEDED_WITH_STATE if country in _STATE_REQUIRED else _NEEDED
    for key in needed:
        if address.get(key) in (None, ""):
            return [dict(TAXJAR_MISSING_DATA)]
    return []


def created_view(session: StoredSession, tax_connection: bool) -> dict[str, object]:
    """The answer to POST: the request echoed, derived fields, token, expiry, warnings."""
    body = _with_derived(session.data)
    body["clientToken"] = session.client_token
    body["clientTokenExpirationDate"] = format_expiry(session.expires)
    warnings = tax_warnings(session.data, tax_connection)
    if warnings:
        body["warnings"] = warnings
    return body


def session_view(session: StoredSession) -> dict[str, object]:
    """The answer to GET and PATCH: no token, expiry or warnings; empty values left out,
    at any depth, inside `metadata` too (behaviour.md §3: Primer says GET leaves them out)."""
    # a dict in, a dict out (strip_empty makes a new dict of every Mapping)
    return cast("dict[str, object]", strip_empty(_with_derived(session.data)))


def admin_view(session: StoredSession) -> dict[str, object]:
    """`GET /_emulator/sessions` item: the GET shape plus token and expiry."""
    return {
        **session_view(session),
        "clientToken": session.client_token,
        "clientTokenExpirationDate": format_expiry(session.expires),
    }
