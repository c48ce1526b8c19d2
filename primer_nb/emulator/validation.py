"""Request checks, in the order the emulator applies them (behaviour.md §2).

Each check raises `ApiError`, which the app turns into Primer's envelope with a fresh
diagnosticsId. Schema rules are not written here: `primer_nb.models.check_request`
gives the 422 details, the same ones the client raises before sending.

1. `X-API-KEY` missing or empty, or not one of the configured keys -> 403
   `SecurityPolicyBlock` (what public integrations report Primer's sandbox answers; Primer
   documents no body; a Bearer-only key is a missing key)
2. `X-API-VERSION` not a known version -> 400 `UnsupportedApiVersion`
3. body over 1 MiB -> 413 `RequestTooLarge`
4. body not a JSON object, or nested more than 64 levels -> 400 `BadRequest`
5. schema violations -> 422 `RequestValidationError`, every one with its JSONPath
6. `metadata` with an empty key -> 400 `MetadataContainsEmptyKey`
7. a currency disabled by default -> 400 `DisabledCurrencyError`
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import sys
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import NoReturn

from pydantic import BaseModel

from primer_nb.config import API_VERSIONS, configured_keys
from primer_nb.currency import DISABLED_BY_DEFAULT
from primer_nb.errors import (
    DISABLED_CURRENCY_RECOVERY,
    INVALID_TOKEN,
    MAX_JSON_DEPTH,
    METADATA_EMPTY_KEY,
    NESTED_TOO_DEEP,
    REQUEST_VALIDATION,
    SECURITY_POLICY_BLOCK,
    ValidationErrorDetail,
)
from primer_nb.fastjson import exact_orjson
from primer_nb.merging import strip_empty
from primer_nb.models import (
    check_request,
    merged_total_problems,
    metadata_has_empty_key,
    nested_too_deep,
)

__all__ = [
    "DEFAULT_VERSION",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "ApiError",
    "KeyRing",
    "check_api_version",
    "check_body",
    "check_patched",
    "invalid_token",
    "parse_json_object",
    "read_body",
]

MAX_BODY_BYTES = 1024 * 1024
#: Deeper JSON is refused (400) before it can exhaust the stack (the client's rule too).
MAX_DEPTH = MAX_JSON_DEPTH
#: Primer: with no X-API-VERSION header, the earliest version applies.
DEFAULT_VERSION = API_VERSIONS[0]


class ApiError(Exception):
    """An error answer: status, Primer's errorId and texts, optional details and headers."""

    def __init__(
        self,
        status: int,
        error_id: str,
        description: str,
        recovery: str | None = None,
        *,
        details: Sequence[ValidationErrorDetail] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_id}: {description}")
        self.status = status
        self.error_id = error_id
        self.description = description
        self.recovery = recovery
        self.details = details
        self.headers = dict(headers or {})


def invalid_token() -> ApiError:
    """400 ClientSessionValidationError: unknown, malformed or expired client token."""
    return ApiError(400, *INVALID_TOKEN)


def _bad_request(description: str) -> ApiError:
    return ApiError(400, "BadRequest", description, "Send a JSON object as the request body.")


class KeyRing:
    """The API keys a server accepts, kept only as SHA-256 digests (never the keys).

    With no configured keys, any non-empty key is accepted (like a fresh sandbox). A
    configured key that is empty or blank is refused (`ValueError`), never skipped: an
    unset `$KEY` in `--api-key "$KEY"` must not quietly open a locked server. So is one
    with surrounding whitespace (servers strip it off) or with a character an HTTP header
    cannot carry (control or non-ASCII), so no request could match it: the rule is
    `config.configured_keys`. Errors name the key's position and the rule, never
    the key.
    """

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._digests = frozenset(self._digest(k) for k in configured_keys(keys))

    @staticmethod
    def _digest(key: str) -> bytes:
        # configured keys are ASCII (`api_key_problem`); a sent key is its header's bytes
        # read as Latin-1: neither can hold a surrogate, so plain UTF-8 encodes them all
        return hashlib.sha256(key.encode("utf-8")).digest()

    def __repr__(self) -> str:
        return f"KeyRing(keys={len(self._digests)})"

    @property
    def accepts_any(self) -> bool:
        """True when no key is configured: any non-empty key is accepted."""
        return not self._digests

    def check(self, key: str | None) -> None:
        """Raise 403 `SecurityPolicyBlock` unless `key` is acceptable.

        Primer documents no body for a bad key; field reports (spec §9.1) show the sandbox
        answering 403 `SecurityPolicyBlock` to a missing, an invalid and a Bearer-style key
        alike. The description never repeats the key.
        """
        if key is not None and key.strip():
            if not self._digests:
                return
            digest = self._digest(key)
            for known in self._digests:  # a loop, not any(...): no generator per request
                if hmac.compare_digest(digest, known):
                    return
        raise ApiError(403, *SECURITY_POLICY_BLOCK)


def check_api_version(value: str | None) -> str:
    """The request's API version (absent -> the earliest); else 400 UnsupportedApiVersion."""
    if value is None:
        return DEFAULT_VERSION
    if value.strip() in API_VERSIONS:
        return value.strip()
    raise ApiError(
        400,
        "UnsupportedApiVersion",
        "The X-API-VERSION header names no supported API version.",
        f"Use one of: {', '.join(API_VERSIONS)}.",
    )


def _too_large() -> ApiError:
    return ApiError(
        413,
        "RequestTooLarge",
        f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        "Send a smaller request body.",
    )


async def read_body(content_length: str | None, chunks: AsyncIterator[bytes]) -> bytes:
    """The whole body, refusing (413) more than `MAX_BODY_BYTES`, declared or actual."""
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            declared = -1
        if declared > MAX_BODY_BYTES:
            raise _too_large()
    received = bytearray()
    async for chunk in chunks:
        received += chunk
        if len(received) > MAX_BODY_BYTES:
            raise _too_large()
    return bytes(received)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


class _NumberOutOfRange(ValueError):
    """A JSON number too large for a float (`1e999`): valid JSON no value can hold."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberOutOfRange(text)
    return value


#: Built once (json.loads with hooks builds a decoder per call).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def _check_strings(value: object) -> None:
    """Refuse strings that are not valid Unicode (a lone surrogate from a \\u escape)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_PAIR = re.compile(rb"\[\]|\{\}")


def _raw_too_deep(raw: bytes) -> bool:
    """True when a body no parser could read nests more than MAX_DEPTH matched brackets
    (strings left out): each pass takes away the innermost pairs, one level each."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))
    for _ in range(MAX_DEPTH):
        shorter = _PAIR.sub(b"", brackets)  # one scan: pairs it makes wait for the next
        if len(shorter) == len(brackets):
            return False
        brackets = shorter
    return _PAIR.search(brackets) is not None


def _decode(raw: bytes) -> object:
    """orjson where it gives what the standard library gives (`fastjson`), else the
    standard library's decoder, so any body orjson reads otherwise gets its answer."""
    exact, value = exact_orjson(raw)
    return value if exact else _DECODER.decode(raw.decode("utf-8"))


def parse_json_object(raw: bytes, numbers_help: str | None = None) -> dict[str, object]:
    """A UTF-8 JSON object; anything else (other JSON types included) -> 400 BadRequest.

    `numbers_help` is the suggestion given with a number too large to read: by default
    what `/client-session` takes (amounts, at most 19 digits); the admin endpoints pass
    their own.
    """
    suggestion = _DIGITS if numbers_help is None else numbers_help
    try:
        value = _decode(raw)
        if not isinstance(value, dict):
            raise _bad_request("The request body must be a JSON object.")
        # Only a body with more than MAX_DEPTH brackets can nest too deep, and only a
        # \u escape can make a lone surrogate: the walks are skipped for the rest (speed).
        if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and nested_too_deep(value):
            raise ApiError(400, *NESTED_TOO_DEEP)
        if b"\\u" in raw:
            _check_strings(value)
    except ApiError:
        raise
    except _NumberOutOfRange as exc:
        _check_shape(raw)  # a malformed body, or not an object, is answered as such first
        text = str(exc)
        number = f"{text}." if len(text) <= 40 else f"{text[:40]}…"
        raise ApiError(
            400, "BadRequest", f"A number in the body is too large to read: {number}", suggestion
        ) from None
    except UnicodeEncodeError:  # a lone surrogate (`"\\ud800"`) in a string
        raise _bad_request(
            "A string in the body holds a lone surrogate escape (such as \\ud800), "
            "which is not Unicode text."
        ) from None
    except (ValueError, RecursionError) as exc:  # UnicodeError, JSONDecodeError: ValueErrors
        # past about 1000 levels the parsers give up: say why, not "not valid JSON"
        if _raw_too_deep(raw):
            raise ApiError(400, *NESTED_TOO_DEEP) from None
        if "integer string conversion" in str(exc):  # valid JSON, past Python's int limit
            _check_shape(raw)
            digits = sys.get_int_max_str_digits()
            too_long = f"A number in the body has more than {digits} digits."
            raise ApiError(400, "BadRequest", too_long, suggestion) from None
        raise _bad_request("The request body is not valid JSON.") from None
    return value


_DIGITS = "Amounts are integers in minor units, at most 19 digits."
#: Reads a body whatever its numbers (each becomes 0): is it JSON, and an object?
_ANY_NUMBERS = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=lambda _: 0, parse_int=lambda _: 0
)


def _check_shape(raw: bytes) -> None:
    """400 when `raw`, numbers aside, is not JSON or not an object."""
    try:
        value = _ANY_NUMBERS.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _bad_request("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise _bad_request("The request body must be a JSON object.")


def _check_currency(body: Mapping[str, object], enabled: Iterable[str]) -> None:
    code = body.get("currencyCode")
    if isinstance(code, str) and code in DISABLED_BY_DEFAULT and code not in set(enabled):
        raise ApiError(
            400,
            "DisabledCurrencyError",
            f"{code} is a disabled currency",
            DISABLED_CURRENCY_RECOVERY,
        )


def check_body(body: dict[str, object], model: type[BaseModel], enabled: Iterable[str]) -> None:
    """Schema (422), then metadata keys (400), then disabled currency (400)."""
    _, details = check_request(body, model)
    if details:
        raise ApiError(422, *REQUEST_VALIDATION, details=details)
    if metadata_has_empty_key(body):
        raise ApiError(400, *METADATA_EMPTY_KEY)
    _check_currency(body, enabled)


_UPDATE_SCHEMA = "ClientSessionUpdateAPIRequest"


def check_patched(before: Mapping[str, object], after: Mapping[str, object]) -> None:
    """422 for a PATCH whose result a POST would refuse, or that changes what cannot be
    updated, though the PATCH body alone is valid:

    - `paymentMethod: null` would drop `paymentMethod.options` (not updatable);
    - fees, shipping or line items whose merged total leaves Primer's int64 `amount`,
      when no top-level `amount` overrides it (also when the PATCH clears that amount).
    """

    def options(data: Mapping[str, object]) -> object:
        method = data.get("paymentMethod")
        return method.get("options") if isinstance(method, Mapping) else None

    details: list[ValidationErrorDetail] = []
    # options GET leaves out (`{}`, or only empty values inside, as in Primer's reference
    # example): removing them removes nothing a learner sees
    if strip_empty(options(before)) not in (None, {}) and options(after) != options(before):
        details.append(
            ValidationErrorDetail(
                _UPDATE_SCHEMA,
                "$.paymentMethod.options",
                # the body sent no options (a `paymentMethod: null` clears them): say so
                "paymentMethod.options cannot be updated, so a PATCH cannot remove them "
                "either (paymentMethod: null would); create a new client session instead",
            )
        )
    details += [d._replace(model=_UPDATE_SCHEMA) for d in merged_total_problems(before, after)]
    if details:  # every problem in one answer, as for a POST
        raise ApiError(422, *REQUEST_VALIDATION, details=details)
