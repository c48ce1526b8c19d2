"""Errors raised by primer-nb, and the builder of Primer's error envelope.

Every failure the API answers becomes one exception, chosen by HTTP status and
Primer's `errorId`, so a notebook can catch exactly what it expects:

```
PrimerError
├── ConfigurationError            bad settings, caught before any request
├── PrimerConnectionError         the request got no answer (DNS, refused, reset)
│   └── PrimerTimeoutError        ... or the answer took too long
└── PrimerAPIError                Primer answered with an error envelope
    ├── BadRequestError           400
    │   ├── InvalidClientTokenError    ClientSessionValidationError
    │   ├── MetadataEmptyKeyError      MetadataContainsEmptyKey
    │   ├── DisabledCurrencyError      DisabledCurrencyError
    │   └── UnsupportedApiVersionError UnsupportedApiVersion
    ├── AuthenticationError       403 SecurityPolicyBlock (bad or missing key), 401
    ├── NotFoundError             404, 405
    ├── RequestTooLargeError      413
    ├── PrimerValidationError     422 RequestValidationError (also raised locally,
    │                             before the network, with the same paths, and by
    │                             constructing any request model, nested ones too,
    │                             or by its `model_validate`)
    ├── RateLimitError            429, with `retry_after`
    └── ServerError               5xx
        └── GatewayTimeoutError   504 (Primer's 90 s limit)
```

```python
from primer_nb import PrimerClient
from primer_nb.errors import PrimerValidationError

try:
    PrimerClient().create_session({"orderId": 5})
except PrimerValidationError as exc:
    print(exc)                   # 422 RequestValidationError (before sending): ... $.orderId: ...
    exc.validation_errors[0].path  # '$.orderId'
```

`str(error)` is one line with the status, the errorId, the description and the
first validation paths. An error never carries the API key of the client that raised it,
nor `PRIMER_API_KEY`; a model's errors also redact the keys of every client made before
them (`redaction.remember_secrets`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

__all__ = [
    "AUTHENTICATION_HINT",
    "DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT",
    "DEFAULT_KEY_REFUSED_HINT",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DisabledCurrencyError",
    "GatewayTimeoutError",
    "InvalidClientTokenError",
    "MetadataEmptyKeyError",
    "NotFoundError",
    "PrimerAPIError",
    "PrimerConnectionError",
    "PrimerError",
    "PrimerTimeoutError",
    "PrimerValidationError",
    "RateLimitError",
    "RequestTooLargeError",
    "ServerError",
    "UnknownFieldWarning",
    "UnsupportedApiVersionError",
    "ValidationErrorDetail",
    "error_body",
    "error_from_response",
    "may_have_been_processed",
    "new_diagnostics_id",
    "refused_before_sending",
]

# Primer's documented texts (spec §9.3) and ours where Primer publishes none (behaviour.md §5).
INVALID_TOKEN = (
    "ClientSessionValidationError",
    "The client token is invalid.",
    "Please provide a valid client token.",
)
METADATA_EMPTY_KEY = (
    "MetadataContainsEmptyKey",
    "Metadata field contains empty string key.",
    "Either remove empty string keys or provide non-empty string instead.",
)
#: The deepest nesting of objects and arrays a body may have (the emulator's own limit,
#: listed among its differences from Primer: Primer documents none), so no body can
#: exhaust a parser's stack.
MAX_JSON_DEPTH = 64
NESTED_TOO_DEEP = (
    "BadRequest",
    f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.",
    f"Nest objects and arrays at most {MAX_JSON_DEPTH} levels deep.",
)
REQUEST_VALIDATION = (
    "RequestValidationError",
    "We were unable to validate your request, please check your payload against /docs/api",
    None,
)
SECURITY_POLICY_BLOCK = (
    "SecurityPolicyBlock",
    "The request was blocked by the security policy: the API key is missing or not valid.",
    "Send an active API key in the X-API-KEY header.",
)
AUTHENTICATION_HINT = (
    "check that the X-API-KEY header is sent (not Authorization: Bearer) and that the key "
    "is active for this environment (sandbox and production keys differ)"
)
#: The hint when the client sent the kit's default emulator key (no key configured) to an
#: emulator that was told which keys to take.
DEFAULT_KEY_REFUSED_HINT = (
    "PRIMER_API_KEY is not set, so the kit's default emulator key was sent; an emulator "
    "given keys of its own (--api-key, PRIMER_NB_EMULATOR_KEYS) takes only those: set "
    "PRIMER_API_KEY to one of them"
)
#: The same for an in-process emulator: PRIMER_API_KEY alone would point the client at
#: Primer's sandbox (and a client given `emulator=` does not read it).
DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT = (
    "no api_key= was given, so the kit's default emulator key was sent; this emulator "
    "takes only its own keys (Emulator(api_keys=...)): pass one as api_key="
)
DISABLED_CURRENCY_RECOVERY = (
    "To enable, please speak to your Customer Success Manager or our Service Desk "
    "https://primerapi.atlassian.net/servicedesk/customer/portal/11."
)


class UnknownFieldWarning(UserWarning):
    """A request carries a key Primer's schema does not declare (maybe a typo).

    Primer's schema forbids unknown keys only at the top level and in the card networks'
    options (both refused with a 422, not warned of), and does not document what it does
    with one anywhere else below (the emulator accepts and echoes it), so the request is
    still sent; the warning names the JSONPath, e.g. `$.customer.emailAdress`.
    """


class ValidationErrorDetail(NamedTuple):
    """One violation: the schema (`model`), where (`path`, a JSONPath) and why."""

    model: str
    path: str
    description: str


class PrimerError(Exception):
    """Base class of every error primer-nb raises."""


class ConfigurationError(PrimerError):
    """Settings that cannot work (missing key, unknown environment, production guard)."""


class PrimerConnectionError(PrimerError):
    """The request got no HTTP answer: refused, reset, DNS failure.

    `sent` is False when no connection was ever made (nothing reached the server, so
    sending again is safe), True when the request may have reached it: a POST may then
    have created its session all the same, and a PATCH made its change.
    """

    sent: bool = True


class PrimerTimeoutError(PrimerConnectionError):
    """No answer within the client's timeout."""


class PrimerAPIError(PrimerError):
    """Primer answered with an error: the fields of its envelope, parsed.

    `local` is True when primer-nb refused the request before sending it, with the
    body the API would have answered, less its `diagnosticsId` (nothing was sent); some
    carry a recovery suggestion of the kit's own (a shortened client token, say).
    """

    status_code: int
    error_id: str
    description: str
    recovery_suggestion: str | None
    diagnostics_id: str | None
    validation_errors: list[ValidationErrorDetail]
    body: dict[str, object]
    local: bool

    def __init__(
        self,
        status_code: int,
        error_id: str,
        description: str,
        *,
        recovery_suggestion: str | None = None,
        diagnostics_id: str | None = None,
        validation_errors: Sequence[ValidationErrorDetail] = (),
        body: Mapping[str, object] | None = None,
        local: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_id = error_id
        self.description = description
        self.recovery_suggestion = recovery_suggestion
        self.diagnostics_id = diagnostics_id
        self.validation_errors = list(validation_errors)
        self.body = dict(body) if body is not None else {}
        self.local = local
        self.retry_after = retry_after
        super().__init__(self._line())

    def __reduce__(self) -> tuple[object, ...]:
        # Exception would rebuild from `args`, the one-line text, which `__init__` cannot
        # take: copies, pickles and process pools rebuild from the fields instead.
        fields = {
            "recovery_suggestion": self.recovery_suggestion,
            "diagnostics_id": self.diagnostics_id,
            "validation_errors": self.validation_errors,
            "body": self.body,
            "local": self.local,
            "retry_after": self.retry_after,
        }
        return (
            _rebuilt,
            (type(self), self.status_code, self.error_id, self.description, fields),
            self.__dict__,
        )

    def _line(self) -> str:
        where = " (before sending)" if self.local else ""
        line = f"{self.status_code} {self.error_id}{where}: {self.description}"
        if self.validation_errors:
            shown = "; ".join(f"{v.path}: {v.description}" for v in self.validation_errors[:3])
            more = len(self.validation_errors) - 3
            line += f" [{shown}{f'; +{more} more' if more > 0 else ''}]"
        if self.diagnostics_id:
            line += f" (diagnosticsId {self.diagnostics_id})"
        return line

    def __str__(self) -> str:
        return self._line()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._line()!r})"

    def _repr_html_(self) -> str:
        """The short error box in notebooks (`primer_nb.display`)."""
        from primer_nb import display

        return display.error_box(self)


def _rebuilt(
    cls: type[PrimerAPIError],
    status_code: int,
    error_id: str,
    description: str,
    fields: dict[str, Any],
) -> PrimerAPIError:
    """`cls` made again from its fields (`PrimerAPIError.__reduce__`)."""
    return cls(status_code, error_id, description, **fields)


class BadRequestError(PrimerAPIError):
    """400: the request was understood but refused."""


class InvalidClientTokenError(BadRequestError):
    """400 ClientSessionValidationError: an unknown or malformed client token (Primer's
    documented answer), or an expired one (the emulator's; Primer documents none)."""


class MetadataEmptyKeyError(BadRequestError):
    """400 MetadataContainsEmptyKey: `metadata` has an empty-string key."""


class DisabledCurrencyError(BadRequestError):
    """DisabledCurrencyError: the currency is not enabled on the account (400 on the
    emulator; Primer does not publish the status)."""


class UnsupportedApiVersionError(BadRequestError):
    """400 UnsupportedApiVersion: the X-API-VERSION header names no known version (the
    emulator's answer and errorId; Primer documents none)."""


class AuthenticationError(PrimerAPIError):
    """403 `SecurityPolicyBlock` (or 401): the API key is missing, wrong, or not active.

    Primer documents no answer for a bad key; public integrations report that its sandbox
    answers 403 `SecurityPolicyBlock` to a missing, an invalid and a Bearer-style key alike
    (the emulator does the same: behaviour.md §2). So the message says what to check:
    the `X-API-KEY` header, and that the key is active for the environment. It never
    contains the key.

    ```python
    try:
        client.create_session({"orderId": "o-1"})
    except AuthenticationError as exc:
        print(exc)   # 403 SecurityPolicyBlock: ... check that the X-API-KEY header is sent ...
    ```
    """

    #: What to check, after the server's words (the client may set a closer one).
    hint: str = AUTHENTICATION_HINT

    def _line(self) -> str:
        return f"{super()._line()}; {self.hint}"


class NotFoundError(PrimerAPIError):
    """404/405: no such path or method. `/client-session` answers GET, POST and PATCH, so
    from the client this means the base URL is not the API's. When that base URL has a
    path of its own (`.../v1`), `hint` says which URL was used and where it came from;
    it is empty otherwise, and when the error was not made by a client."""

    hint: str = ""

    def _line(self) -> str:
        return f"{super()._line()}; {self.hint}" if self.hint else super()._line()


class RequestTooLargeError(PrimerAPIError):
    """413: the body is larger than the server accepts (1 MiB on the emulator)."""


class PrimerValidationError(PrimerAPIError):
    """422 RequestValidationError; `validation_errors` lists every JSONPath and rule.

    The one exception for a bad request value, wherever it is caught: the API's 422, the
    client's check before sending (`local=True`), and constructing a model in Python
    (`LineItem(amount=-1)` or `LineItem.model_validate(...)`, paths relative to that
    model; pydantic's `model_validate_json` raises pydantic's own `ValidationError`). An
    unknown key's description suggests the close wire name (`$.order_id: ...; did you
    mean `orderId`?`).
    """


def refused_before_sending(details: Sequence[ValidationErrorDetail]) -> PrimerValidationError:
    """The 422 `RequestValidationError` for `details`, raised before anything was sent
    (`local=True`): a model built with bad values, a builder's form that cannot be sent."""
    return PrimerValidationError(
        422,
        REQUEST_VALIDATION[0],
        REQUEST_VALIDATION[1],
        validation_errors=details,
        local=True,
    )


class RateLimitError(PrimerAPIError):
    """429: too many requests; `retry_after` is the server's hint in seconds."""


class ServerError(PrimerAPIError):
    """5xx: the server failed; a GET is retried after 502, 503 or 504, an answered POST
    or PATCH never is."""


class GatewayTimeoutError(ServerError):
    """504: Primer's 90-second request limit fired."""


_BY_ERROR_ID: dict[str, type[PrimerAPIError]] = {
    "ClientSessionValidationError": InvalidClientTokenError,
    "MetadataContainsEmptyKey": MetadataEmptyKeyError,
    "DisabledCurrencyError": DisabledCurrencyError,
    "UnsupportedApiVersion": UnsupportedApiVersionError,
    "RequestValidationError": PrimerValidationError,
    "SecurityPolicyBlock": AuthenticationError,
}
_BY_STATUS: dict[int, type[PrimerAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    405: NotFoundError,
    413: RequestTooLargeError,
    422: PrimerValidationError,
    429: RateLimitError,
    504: GatewayTimeoutError,
}


def may_have_been_processed(status_code: int) -> bool:
    """Whether a POST or PATCH answered `status_code` may have been carried out all the
    same: a 5xx, a 408, or a 429 (Primer documents no 429, so nothing says one came before
    processing). The batch's `OutcomeUnknown` and the builders' status lines use it."""
    return status_code >= 500 or status_code in (408, 429)


def error_class(status_code: int, error_id: str) -> type[PrimerAPIError]:
    """The exception class for a status and errorId (errorId wins when known)."""
    if error_id in _BY_ERROR_ID:
        return _BY_ERROR_ID[error_id]
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    if 400 <= status_code < 500:
        return BadRequestError
    return PrimerAPIError


def _details(raw: Any) -> list[ValidationErrorDetail]:
    out: list[ValidationErrorDetail] = []
    if not isinstance(raw, list):
        return out
    for group in raw:
        if not isinstance(group, Mapping):
            continue
        model = str(group.get("model", ""))
        for item in group.get("errors") or []:
            if isinstance(item, Mapping):
                out.append(
                    ValidationErrorDetail(
                        model, str(item.get("path", "")), str(item.get("description", ""))
                    )
                )
    return out


def error_from_response(
    status_code: int,
    body: object,
    *,
    retry_after: float | None = None,
    local: bool = False,
) -> PrimerAPIError:
    """Build the right `PrimerAPIError` subclass from a status and a decoded body.

    Accepts Primer's envelope (`{"error": {...}}`), the bare error object of the 2.2
    spec, `detail` in place of `description` (as Primer's Android SDK does), and any
    other body (the description then says what came back).
    """
    inner: Mapping[str, Any]
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        inner = body["error"]
    elif isinstance(body, Mapping):
        inner = body
    else:
        inner = {}
    error_id = str(inner.get("errorId") or f"HTTP{status_code}")
    description = inner.get("description") or inner.get("detail")
    if not description:
        description = "The server answered without Primer's error envelope."
        if isinstance(body, str) and body.strip():  # an HTML or plain-text error page
            text = " ".join(body.split())
            shown = text if len(text) <= 120 else f"{text[:119]}…"
            description = f"{description[:-1]}: {shown!r}"
    cls = error_class(status_code, error_id)
    recovery = inner.get("recoverySuggestion")
    diagnostics = inner.get("diagnosticsId")
    return cls(
        status_code,
        error_id,
        str(description),
        recovery_suggestion=str(recovery) if recovery is not None else None,
        diagnostics_id=str(diagnostics) if diagnostics is not None else None,
        validation_errors=_details(inner.get("validationErrors")),
        body=body if isinstance(body, Mapping) else {"raw": body},
        local=local,
        retry_after=retry_after,
    )


def new_diagnostics_id(rand: random.Random | None = None) -> str:
    """A fresh 19-digit numeric diagnosticsId, like Primer's `9942005157443145021`.

    `rand` may be a `random.Random` for deterministic ids (the emulator's seed).
    """
    if rand is not None:
        return str(rand.randrange(10**18, 10**19))
    return str(10**18 + secrets.randbelow(9 * 10**18))


def error_body(
    error_id: str,
    description: str,
    *,
    recovery_suggestion: str | None = None,
    diagnostics_id: str,
    validation_errors: Sequence[ValidationErrorDetail] | None = None,
) -> dict[str, dict[str, object]]:
    """Primer's error envelope, with validation errors grouped by model."""
    inner: dict[str, object] = {"errorId": error_id, "description": description}
    if recovery_suggestion is not None:
        inner["recoverySuggestion"] = recovery_suggestion
    inner["diagnosticsId"] = diagnostics_id
    if validation_errors is not None:
        groups: dict[str, list[dict[str, str]]] = {}
        for detail in validation_errors:
            groups.setdefault(detail.model, []).append(
                {"path": detail.path, "description": detail.description}
            )
        inner["validationErrors"] = [{"model": m, "errors": e} for m, e in groups.items()]
    return {"error": inner}
