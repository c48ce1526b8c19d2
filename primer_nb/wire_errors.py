"""Pydantic's validation errors in Primer's words: `(model, JSONPath, description)`.

The one home of the translation both sides of the wire share: the client raises these
before sending (`PrimerValidationError`, `local=True`) and the emulator answers 422 with
them. It reads any pydantic model by its wire names (aliases), so it needs no model of
ours; `primer_nb.models` builds `check_request` and `unknown_keys` on it and re-exports
these names (`from primer_nb.models import validation_details` keeps working).

- `json_path(loc)`: a pydantic location as JSONPath, `$.order.lineItems[0].amount`;
- `validation_details(exc, model, schema)`: every error of a `ValidationError`, with
  Python field names written as wire names and a close wire name for an unknown key;
- `suggest_field(key, model)`: the wire name a key was probably meant to be;
- `wire_fields(model)`: a model's fields by wire name (`WireField`: alias, nested model,
  free-form or not).
"""

from __future__ import annotations

import difflib
import json
import re
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, NamedTuple

import pydantic
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from primer_nb.currency import from_minor_units, minor_units
from primer_nb.errors import ValidationErrorDetail

__all__ = [
    "UNKNOWN_FIELD",
    "WireField",
    "json_path",
    "suggest_field",
    "validation_details",
    "wire_fields",
]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(loc: tuple[int | str, ...]) -> str:
    """Error location -> JSONPath: `('order', 'lineItems', 0)` -> `$.order.lineItems[0]`."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out


_MESSAGES: dict[str, str] = {
    "string_type": "Value must be a valid string",
    "int_type": "Value must be a valid integer",
    "int_parsing": "Value must be a valid integer",
    "int_from_float": "Value must be a valid integer",
    "bool_type": "Value must be a valid boolean",
    "bool_parsing": "Value must be a valid boolean",
    "float_type": "Value must be a valid number",
    "model_type": "Value must be a valid object",
    "model_attributes_type": "Value must be a valid object",
    "dict_type": "Value must be a valid object",
    "list_type": "Value must be a valid array",
    "missing": "Field required",
    "datetime_type": "Value must be a valid date-time",
}


def _units_example(currency: object) -> str:
    """`e.g. 1250 for EUR 12.50`, in the request's own currency when it names one Primer
    knows (a learner who just met KRW's zero digits must not read a EUR example); a body
    without one (a PATCH keeps the session's) gets a two-currency example."""
    try:
        code = str(currency).strip().upper() if isinstance(currency, str | Enum) else ""
        digits = minor_units(code)
    except (ValueError, TypeError, KeyError):  # no currency here (a PATCH): show the range
        return "e.g. 1250 for EUR 12.50, or 1250 for JPY 1250 (the currency's digits decide)"
    units = 1250 * 10 ** max(digits - 2, 0)
    example = f"e.g. {units} for {code} {from_minor_units(units, code)}"
    return example + (f" ({code} has 0 minor units)" if digits == 0 else "")


def _describe(error: Any, model: str, currency: object = None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = str(error["loc"][-1]) if error["loc"] else ""
    given = type(error.get("input"))
    if kind in _MESSAGES and given.__module__ == "numpy":  # what pandas hands out: df.x.sum()
        return f"{_MESSAGES[kind]}, not numpy's {given.__name__}: convert it, e.g. int(value)"
    if (
        kind in ("int_type", "int_from_float", "int_parsing")
        and field.lower().endswith("amount")
        and issubclass(given, float | Decimal | str)  # 12.5, Decimal("12.50"), "12.50"
    ):  # not for null or true: those are no units mistake
        return f"{_MESSAGES[kind]}: amounts are minor units, {_units_example(currency)}"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "extra_forbidden":
        return UNKNOWN_FIELD
    if kind == "string_too_short":
        return f"String must have at least {ctx.get('min_length')} character(s)"
    if kind == "string_too_long":
        return f"String must have at most {ctx.get('max_length')} characters"
    if kind == "greater_than_equal":
        return f"Value must be greater than or equal to {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"Value must be less than or equal to {ctx.get('le')}"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", ""))
        if expected.count("'") > 40:
            what = "currency code (ISO 4217)" if "urrency" in field else "country code (ISO 3166-1)"
            return f"Value {_quoted(error['input'])} is not a valid {what} in Primer's list"
        return f"Value must be one of {expected}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _quoted(value: object) -> str:
    """A refused value as the error quotes it: text in quotes (`'EURO'`), anything else
    as the JSON that was sent (`true`, `{"a": 1}`); past 40 characters only its length.

    Never a part of it: whoever shows the error redacts API keys afterwards, and a key
    cut in two would no longer be found (`'EUR sk_live_4f…'`).
    """
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):  # a Python object given to a model, not JSON
            text = repr(value)
    if len(text) <= 40:
        return text
    return (
        f"({len(value)} characters)"
        if isinstance(value, str)
        else f"({len(text)} characters of JSON)"
    )


UNKNOWN_FIELD = "Unknown field: additional properties are not allowed here"


def validation_details(
    exc: pydantic.ValidationError,
    model: str,
    schema: type[BaseModel] | None = None,
    currency: object = None,
) -> list[ValidationErrorDetail]:
    """Every error of a pydantic `ValidationError` as Primer's `(model, JSONPath, description)`.

    With `schema` (the validated model class), Python field names in the location
    (`order_id`, when Python code constructed the model) are written as their wire names
    (`orderId`), and an unknown key's description suggests a close wire name. `currency`
    (the request's `currencyCode`, if any) sets the example of an amount not in minor units.
    """
    out: list[ValidationErrorDetail] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        # a dict key that failed validation is reported as (..., key, '[key]'): drop the tag
        if loc and isinstance(loc[-1], str) and loc[-1] == "[key]":
            loc = loc[:-1]
        description = _describe(error, model, currency)
        if error["type"] == "extra_forbidden" and loc:
            # the unknown key is reported as sent (`order_id`), with a close wire name
            parent, owner = _wire_loc(schema, loc[:-1]) if schema else (loc[:-1], None)
            loc = (*parent, loc[-1])
            hint = suggest_field(str(loc[-1]), owner) if owner is not None else None
            if hint is not None:
                description += f"; did you mean `{hint}`?"
        elif schema is not None:
            loc, _ = _wire_loc(schema, loc)
        out.append(ValidationErrorDetail(model, json_path(loc), description))
    return out


def _wire_loc(
    schema: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[tuple[int | str, ...], type[BaseModel] | None]:
    """The location with Python field names replaced by their aliases, level by level,
    and the model it leads to (None when that is not a known model)."""
    out: list[int | str] = []
    current: type[BaseModel] | None = schema
    for part in loc:
        if isinstance(part, str) and current is not None:
            slot = _names(current).get(part)
            part, current = (slot.alias, slot.model) if slot is not None else (part, None)
        out.append(part)
    return tuple(out), current


_OPEN_DICTS = {"metadata", "extraMerchantData"}


class WireField(NamedTuple):
    """One field of a model as a JSON body names it."""

    alias: str
    model: type[BaseModel] | None  # the nested model, None for a leaf
    open: bool  # a free-form object (metadata): never descended


@cache
def wire_fields(model: type[BaseModel]) -> dict[str, WireField]:
    """Each field of `model` by wire name, the only name a JSON body may use."""
    table: dict[str, WireField] = {}
    for name, field in model.model_fields.items():
        alias = field.alias or name
        table[alias] = WireField(alias, _model_of(field.annotation), alias in _OPEN_DICTS)
    return table


@cache
def _names(model: type[BaseModel]) -> dict[str, WireField]:
    """Each field of `model` by wire name and by Python name (for error locations)."""
    table = dict(wire_fields(model))
    for name, field in model.model_fields.items():
        table.setdefault(name, table[field.alias or name])
    return table


def _squash(key: str) -> str:
    return key.replace("_", "").replace("-", "").replace(" ", "").lower()


@cache
def _squashed(model: type[BaseModel]) -> dict[str, str]:
    return {_squash(alias): alias for alias in wire_fields(model)}


def suggest_field(key: str, model: type[BaseModel]) -> str | None:
    """The wire name `key` was probably meant to be, or None (`key` is fine or unlike any).

    `order_id` -> `orderId` (a Python name, or snake_case of a wire name), `OrderID` ->
    `orderId` (case), `emailAdress` -> `emailAddress` (a typo, by `difflib`).
    """
    if key in wire_fields(model):
        return None
    slot = _names(model).get(key)
    if slot is not None:
        return slot.alias
    table = _squashed(model)
    squashed = _squash(to_camel(key) if "_" in key else key)
    if squashed in table:
        return table[squashed]
    close = difflib.get_close_matches(squashed, list(table), n=1, cutoff=0.8)
    return table[close[0]] if close else None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `X | None`, `list[X] | None` or `Annotated[...]`."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
        stack.extend(getattr(item, "__args__", ()))
        origin = getattr(item, "__origin__", None)
        if origin is not None and getattr(item, "__metadata__", None) is not None:
            stack.append(origin)
    return None
