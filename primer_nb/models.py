"""Typed models of Primer's Client Session API v2.4 (pydantic v2).

snake_case in Python, camelCase on the wire:

```python
from primer_nb.models import ClientSessionRequest, LineItem, Order

request = ClientSessionRequest(
    order_id="order-1",
    currency_code="EUR",
    order=Order(line_items=[LineItem(amount=1299, quantity=2)]),
)
request.to_wire()   # {'orderId': 'order-1', 'currencyCode': 'EUR', 'order': {'lineItems': [...]}}
```

Rules the models follow (docs/emulator.md lists those that are the emulator's own):

- Request bodies forbid unknown keys at the top level (422, as Primer's schema says);
  nested objects keep unknown keys and echo them (Primer's own example sends
  `paymentMethod.paymentMethodType`), and `unknown_fields()` names them so the client
  can warn. `options.PAYMENT_CARD.networks` forbids unknown keys, like Primer.
- Types are strict: `"100"` is not an integer and `1.0` is not a quantity.
- Responses keep every field they do not know (`extra="allow"`), so a new Primer field
  never breaks a user.
- Serialise with `to_wire()` (`by_alias=True, exclude_unset=True`): what you did not set
  is not sent. Every valid request round-trips to an equal JSON value (its keys in the
  model's order).
- Validation failures become Primer-shaped details, `(model, JSONPath, description)`,
  through `check_request()`: the client uses it before sending and the emulator uses
  it to answer 422, so both say exactly the same thing.
- Wire names only on the wire: `check_request()` reads a JSON body by Primer's camelCase
  names alone, so `{"order_id": ...}` is an unknown key (422 at `$.order_id` at the top
  level, kept and echoed when nested, never read as `orderId`). Python keeps its names:
  `ClientSessionRequest(order_id=...)` works. Response models read wire names only (the
  token's expiry also takes `clientExpirationDate`, which older documents show, and its
  Python name).
- One exception for one mistake: constructing any request model with a bad value
  (`LineItem(amount=-1)`, `ClientSessionRequest(amount=-1)`, or `Model.model_validate`)
  raises `primer_nb.errors.PrimerValidationError` with JSONPaths relative to that model
  (pydantic's `model_validate_json` still raises pydantic's `ValidationError`).
- An unknown key gets a suggestion when a field's wire name is close:
  `$.order_id` -> `orderId`, `$.customer.emailAdress` -> `emailAddress`
  (`suggest_field()`; snake_case is mapped to camelCase, then `difflib` finds typos).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    NamedTuple,
    NoReturn,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
)

import email_validator
import pydantic
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from primer_nb.amounts import line_total_of
from primer_nb.config import env_var
from primer_nb.enums import (
    DEFAULT_CARD_NETWORKS,
    ApprovalMode,
    AuthorizationType,
    CardNetwork,
    CountryCode,
    Currency,
    FirstPaymentReason,
    PaymentType,
    ProductType,
)
from primer_nb.errors import (
    MAX_JSON_DEPTH,
    PrimerValidationError,
    ValidationErrorDetail,
    refused_before_sending,
)
from primer_nb.redaction import (  # short_token: public here since 0.1
    longest_first,
    redact_each,
    redact_json_each,
    remembered_secrets,
    short_token,
)
from primer_nb.wire_errors import (  # re-exported: public here since 0.1
    UNKNOWN_FIELD,
    json_path,
    suggest_field,
    validation_details,
    wire_fields,
)

__all__ = [
    "DEFAULT_CARD_NETWORKS",
    "OPTIONS_NOT_UPDATABLE",
    "UNKNOWN_FIELD",
    "Address",
    "ApplePayAutomaticReloadBilling",
    "ApplePayAutomaticReloadRequest",
    "ApplePayDeferredBilling",
    "ApplePayDeferredRequest",
    "ApplePayOptions",
    "ApplePayRecurringRequest",
    "ApplePayRegularBilling",
    "ApplePayTrialBilling",
    "ApprovalMode",
    "AuthorizationType",
    "CardNetwork",
    "CardNetworkOption",
    "CardNetworks",
    "CardOptions",
    "ClientSession",
    "ClientSessionRequest",
    "ClientSessionUpdateRequest",
    "ClientSessionWithToken",
    "CountryCode",
    "Currency",
    "Customer",
    "ErrorEnvelope",
    "ErrorObject",
    "Fee",
    "FirstPaymentReason",
    "LineItem",
    "Order",
    "PaymentMethod",
    "PaymentMethodOption",
    "PaymentMethodOptions",
    "PaymentMethodUpdate",
    "PaymentType",
    "ProductData",
    "ProductType",
    "SessionAddress",
    "SessionCustomer",
    "SessionFee",
    "SessionLineItem",
    "SessionOrder",
    "SessionPaymentMethod",
    "SessionShipping",
    "SessionWarning",
    "Shipping",
    "Surcharge",
    "UnknownKey",
    "ValidateOptions",
    "check_request",
    "check_request_keys",
    "format_expiry",
    "json_path",
    "metadata_has_empty_key",
    "nested_too_deep",
    "one_or_many",
    "parse_expiry",
    "short_token",
    "suggest_field",
    "unknown_fields",
    "unknown_keys",
    "validation_details",
]

INT64_MAX = 2**63 - 1

# --- field types ----------------------------------------------------------------------

Str1To255 = Annotated[StrictStr, StringConstraints(min_length=1, max_length=255)]
StrMax255 = Annotated[StrictStr, StringConstraints(max_length=255)]
Str1To1024 = Annotated[StrictStr, StringConstraints(min_length=1, max_length=1024)]
MinorUnits = Annotated[StrictInt, Field(ge=0, le=INT64_MAX)]
"""An amount in minor units: a JSON integer >= 0 (int64)."""


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


#: Addresses whose domain is a special-use name (`a@shop.test`, `a@localhost`), which
#: email-validator refuses; the OpenAPI document states it next to `format: email`
#: (ECMA-262 has no inline case flag, hence the character classes).
SPECIAL_USE_EMAIL_PATTERN = (
    "[@.]("
    + "|".join(_any_case(name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)
    + r")\.?$"
)


#: Plain ASCII addresses that `email_validator` always accepts (dot-atom local part of
#: letters, digits, `_+-`; LDH labels without `--`; a top-level domain of letters); a test
#: checks the claim. Anything else, special-use domains included, takes the full check.
_PLAIN_EMAIL = re.compile(
    r"(?=.{1,64}@)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?=.{4,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
#: A domain that is, or ends with, one of the special-use names email_validator refuses.
_SPECIAL_USE = re.compile(
    r"(?:@|\.)(?:{})\Z".format("|".join(map(re.escape, email_validator.SPECIAL_USE_DOMAIN_NAMES))),
    re.IGNORECASE,
)


def _plain_email(value: str) -> bool:
    return (
        len(value) <= 254
        and _PLAIN_EMAIL.fullmatch(value) is not None
        and "--" not in value[value.index("@") :]
        and _SPECIAL_USE.search(value) is None
    )


def _check_email(value: str) -> str:
    if _plain_email(value):  # 1 µs instead of 20 µs for the usual address
        return value
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"Value must be a valid email address ({exc})") from None
    return value  # keep what was sent: no normalisation, so the JSON round-trips


#: An RFC 3339 date-time with its offset, as Primer's `format: date-time` says (a date
#: alone or a time without offset is refused). The OpenAPI document states this pattern.
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _check_datetime(value: str) -> str:
    try:
        if not re.fullmatch(DATETIME_PATTERN, value):
            raise ValueError
        # RFC 3339 allows a leap second (`23:59:60Z`); Python's datetime has none
        datetime.fromisoformat(re.sub(r"(?<=:)60(?=[.Z+-]|$)", "59", value.upper(), count=1))
    except ValueError:
        raise ValueError(
            "Value must be an ISO 8601 date-time with an offset, e.g. 2024-06-03T00:00:00Z"
        ) from None
    return value


#: An absolute URI (`managementUrl`, `format: uri`): a scheme, `:`, and the rest in
#: printable ASCII without spaces (RFC 3986 section 4.3: `https://...`, and `mailto:` or
#: `urn:` too; a URI is ASCII, so `é` or a no-break space is written percent-encoded).
#: The OpenAPI document states the same pattern, so it is written to mean the same in
#: Python and in ECMA-262 (JSON Schema): a range of code points, matched against the
#: whole string.
URI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-~]+$"


def _check_uri(value: str) -> str:
    if not re.fullmatch(URI_PATTERN, value):
        raise ValueError(
            "Value must be an absolute URI (a scheme, ':', then ASCII without spaces; "
            "percent-encode other characters), e.g. https://example.com/manage"
        )
    return value


def _non_negative_number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Value must be a valid number")
    if value < 0:
        raise ValueError("Value must be greater than or equal to 0")
    return value


#: A JSON number >= 0, integer or not, kept as sent (`productData.weight`). One validator,
#: so a bad value gets one error at its own path (a union would report one per member).
NonNegativeNumber = Annotated[
    int | float,
    PlainValidator(_non_negative_number),
    WithJsonSchema({"type": "number", "minimum": 0}),
]
Email = Annotated[StrictStr, AfterValidator(_check_email)]
DateTimeText = Annotated[StrictStr, AfterValidator(_check_datetime)]
Uri = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=1024), AfterValidator(_check_uri)
]


def parse_expiry(value: object) -> object:
    """Primer's naive-UTC expiry text (`2023-12-12T09:18:02.346787`) -> aware UTC datetime."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def format_expiry(value: datetime) -> str:
    """Aware or naive-UTC datetime -> Primer's wire format: naive UTC, 6 fractional digits."""
    if value.tzinfo is UTC:  # the usual case: "+00:00" cut off the end
        return value.isoformat(timespec="microseconds")[:-6]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")  # strftime's %Y drops a year's zeros


ExpiryDate = Annotated[
    datetime,
    BeforeValidator(parse_expiry),
    PlainSerializer(format_expiry, return_type=str, when_used="json"),
]

# --- bases ----------------------------------------------------------------------------


#: Set by `check_request_keys` while it validates: a model that met a key its schema does
#: not declare (an extra) says so here, and the unknown-key walk runs only then.
_UNDECLARED_SEEN: ContextVar[list[bool] | None] = ContextVar("_UNDECLARED_SEEN", default=None)


def shown_secrets() -> Sequence[str]:
    """What a display of a model (its repr, a session card, a widget's JSON, a snippet)
    redacts, longest first: the keys this process's clients were given
    (`redaction.remembered_secrets`) and PRIMER_API_KEY. A key pasted into a body, a
    metadata note say, then shows as `***`, as the client, its errors and the ledger show
    it; the model itself keeps what it holds (`to_wire()`, attributes)."""
    env = env_var("PRIMER_API_KEY")
    remembered = remembered_secrets()
    if not env or env in remembered:
        return remembered
    return tuple(longest_first([*remembered, env]))


#: Any value `shown` is given: it comes back of the same type.
_Shown = TypeVar("_Shown")


def shown(value: _Shown, secrets: Sequence[str]) -> _Shown:
    """`value` with `secrets` redacted: from a string, or from every string of JSON (a
    model inside a list is left to its own repr, which redacts itself)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return cast("_Shown", redact_each(value, secrets))
    if isinstance(value, dict | list):
        return cast("_Shown", redact_json_each(cast("JsonValue", value), secrets))
    return value


class _Model(BaseModel):
    """Shared configuration and a short repr that shows only the fields that were set.

    Responses are read by wire name (`ClientSessionWithToken`'s expiry also by two other
    spellings): an echoed `order.line_items` stays an extra key and never fills
    `SessionOrder.line_items`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=False,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )
    __primer_schema__: ClassVar[str] = ""

    @pydantic.model_validator(mode="after")
    def _unset_names_sent_as_extra(self) -> Self:
        # pydantic counts extra keys in `model_fields_set`, so an unknown wire key that is
        # also a Python name (`line_items`) would mark that field as set and `to_wire()`
        # would send `lineItems: null`. Only a field still at its default is unmarked.
        extra = self.__pydantic_extra__
        if extra:
            seen = _UNDECLARED_SEEN.get()
            if seen is not None:  # `check_request_keys` is asking
                seen.append(True)
            fields = type(self).model_fields
            for key in extra.keys() & fields.keys():
                if getattr(self, key) == fields[key].default:
                    self.__pydantic_fields_set__.discard(key)
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        secrets = shown_secrets()  # an API key in a value is shown as `***`
        fields_set = self.model_fields_set
        for name in type(self).model_fields:
            if name in fields_set:
                yield name, shown(getattr(self, name), secrets)
        if self.__pydantic_extra__:
            for name, value in self.__pydantic_extra__.items():
                yield shown(name, secrets), shown(value, secrets)

    def to_wire(self) -> dict[str, JsonValue]:
        """The JSON object Primer sees: camelCase keys, only the fields that were set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _currency_of(data: object) -> object:
    """The `currencyCode` of a request body or of a model's keyword arguments, if any."""
    if isinstance(data, Mapping):
        return data.get("currencyCode", data.get("currency_code"))
    return getattr(data, "currency_code", None)


def _local_error(
    model: type[BaseModel], exc: pydantic.ValidationError, currency: object = None
) -> PrimerValidationError:
    """The 422 for a model built with bad values. The error quotes what it refuses, so the
    API keys of this process's clients and `PRIMER_API_KEY` are redacted from it
    (`shown_secrets`), as the client does with its own key."""
    name = getattr(model, "__primer_schema__", "") or model.__name__
    secrets = shown_secrets()
    details = [
        d._replace(
            path=redact_each(d.path, secrets), description=redact_each(d.description, secrets)
        )
        for d in validation_details(exc, name, model, currency)
    ]
    return refused_before_sending(details)


class ValidateOptions(TypedDict, total=False):
    """The keyword options of pydantic's `BaseModel.model_validate`, passed on unchanged."""

    strict: bool | None
    extra: Literal["allow", "ignore", "forbid"] | None
    from_attributes: bool | None
    context: object
    by_alias: bool | None
    by_name: bool | None


#: A field that exists only to refuse any value with its own message (a `before`
#: validator raises): only its default `None` is ever held. The JSON schema stays `{}`.
_NotUpdatable = Annotated[None, WithJsonSchema({})]


class _RequestModel(_Model):
    """Objects inside a request body: strict types, unknown keys kept (and warned about).

    Python code uses Python names (`LineItem(item_id=...)`) or wire names; a JSON body
    is read by wire names only (`check_request`). Constructing one with a bad value, by
    `LineItem(...)` or `LineItem.model_validate(...)`, raises `PrimerValidationError`
    with the same JSONPaths (relative to this model) the emulator answers with.
    """

    model_config = ConfigDict(validate_by_name=True)

    def __init__(self, /, **data: object) -> None:
        try:
            super().__init__(**data)
            return
        except pydantic.ValidationError as exc:
            error = _local_error(type(self), exc, _currency_of(data))
        # raised out here, so pydantic's error (its `input_value` may be the key) is not
        # kept as `__context__`: `from None` only hides it from tracebacks
        raise error

    # Marked as pydantic's own `__init__`, so validation of an enclosing model builds
    # nested models in pydantic-core (keeping `by_alias`/`by_name` for the whole tree and
    # every error's full path) instead of calling this method. Only direct construction
    # comes through here. tests/test_models.py fails if pydantic stops honouring it.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: object, **options: Unpack[ValidateOptions]) -> Self:
        """pydantic's `model_validate`, raising `PrimerValidationError` on bad input."""
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            error = _local_error(cls, exc, _currency_of(obj))
        raise error  # out of the `except`: no `__context__` holding the input


class _TopLevelRequest(_RequestModel):
    """A whole request body: unknown keys refused; bad values raise `PrimerValidationError`.

    Constructing one directly (`ClientSessionRequest(amount=-1)`) raises the same error,
    with the same JSONPaths, that the client raises before sending and that the API
    answers with 422.
    """

    model_config = ConfigDict(extra="forbid")


# --- order ----------------------------------------------------------------------------


class ProductData(_RequestModel):
    """`order.lineItems[].productData`."""

    __primer_schema__ = "OrderLineItemsProductDataAPISchema"
    sku: Str1To255 | None = None
    brand: Str1To255 | None = None
    color: Str1To255 | None = None
    global_trade_item_number: Str1To255 | None = None
    manufacturer_part_number: Str1To255 | None = None
    weight: NonNegativeNumber | None = None
    weight_unit: Str1To255 | None = None
    page_url: Str1To1024 | None = None


class LineItem(_RequestModel):
    """One line of the order. Line total = amount x quantity - discountAmount + taxAmount."""

    __primer_schema__ = "OrderLineItemsAPISchema"
    item_id: Str1To255 | None = None
    name: StrMax255 | None = None
    description: StrMax255 | None = None
    amount: MinorUnits
    quantity: Annotated[StrictInt, Field(ge=0, le=INT64_MAX)] | None = None
    discount_amount: MinorUnits | None = None
    tax_amount: MinorUnits | None = None
    tax_code: Str1To255 | None = None
    product_type: ProductType | None = None
    product_data: ProductData | None = None

    def total(self) -> int:
        """`amount x quantity - discountAmount + taxAmount` (`primer_nb.amounts`)."""
        return line_total_of(self.amount, self.quantity, self.discount_amount, self.tax_amount)


def _range_error(loc: tuple[str | int, ...], message: str, total: int) -> InitErrorDetails:
    """A validation error at `loc` (below the model or field that raises it) for an amount
    out of int64 >= 0; pydantic puts that model's or field's location in front of `loc`."""
    return InitErrorDetails(
        type=PydanticCustomError("amount_out_of_range", message, {"total": total}),
        loc=loc,
        input=total,
    )


class Fee(_RequestModel):
    """`order.fees[]`, e.g. `{"type": "SURCHARGE", "amount": 100}`."""

    __primer_schema__ = "OrderFeesAPISchema"
    amount: MinorUnits
    type: Str1To255 | None = None
    description: Str1To255 | None = None


class Shipping(_RequestModel):
    """`order.shipping`."""

    __primer_schema__ = "OrderShippingAPISchema"
    amount: MinorUnits | None = None
    method_id: StrictStr | None = None
    method_name: StrictStr | None = None
    method_description: StrictStr | None = None


class Order(_RequestModel):
    """`order`: line items, fees, shipping and countries."""

    __primer_schema__ = "OrderDetailsAPISchema"
    line_items: list[LineItem] | None = None
    country_code: CountryCode | None = None
    retailer_country_code: CountryCode | None = None
    fees: list[Fee] | None = None
    shipping: Shipping | None = None


def check_order_totals(order: Order | None, at: tuple[str, ...] = ("order",)) -> None:
    """Raise a validation error when the amount `order` makes leaves Primer's int64 >= 0:
    every line whose total is below 0 (at its `discountAmount`) or past the maximum (at
    the line), else line totals + fees + shipping past the maximum (at the order). `at`
    is the order's location below the model or field that raises it.

    The emulator's own rule (docs/emulator.md): the session's amount is computed from
    these only when no top-level `amount` is sent, so a request with one is not checked.
    """
    if order is None:
        return
    total = 0
    errors: list[InitErrorDetails] = []  # every line out of range, as a 422 lists them all
    for i, line in enumerate(order.line_items or ()):
        line_total = line.total()
        if not 0 <= line_total <= INT64_MAX:
            where = (*at, "line_items", i, *(("discount_amount",) if line_total < 0 else ()))
            errors.append(
                _range_error(
                    where,
                    "Line total (amount x quantity - discountAmount + taxAmount) must be "
                    f"between 0 and {INT64_MAX}; it is {{total}}",
                    line_total,
                )
            )
        total += line_total
    if not errors:  # each line in range, fees and shipping >= 0: only their sum can pass
        total += sum(fee.amount for fee in order.fees or ())
        total += (order.shipping.amount or 0) if order.shipping is not None else 0
        if total > INT64_MAX:
            errors.append(
                _range_error(
                    at,
                    "The order's amount (line totals + fees + shipping) must be at most "
                    f"{INT64_MAX}; it is {{total}}",
                    total,
                )
            )
    if errors:
        raise pydantic.ValidationError.from_exception_data("amount", errors)


# --- customer -------------------------------------------------------------------------


class Address(_RequestModel):
    """Billing or shipping address (`OptionalAddressAPISchema`): every field optional."""

    __primer_schema__ = "OptionalAddressAPISchema"
    first_name: Str1To255 | None = None
    last_name: Str1To255 | None = None
    address_line1: Str1To255 | None = Field(default=None, alias="addressLine1")
    address_line2: StrMax255 | None = Field(default=None, alias="addressLine2")
    city: Str1To255 | None = None
    state: Str1To255 | None = None
    country_code: CountryCode | None = None
    postal_code: Str1To255 | None = None


class Customer(_RequestModel):
    """`customer`. Send `emailAddress` and `billingAddress` for 3DS."""

    __primer_schema__ = "CheckoutCustomerDetailsAPISchema"
    email_address: Email | None = None
    mobile_number: Str1To255 | None = None
    first_name: Str1To255 | None = None
    last_name: Str1To255 | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    tax_id: StrMax255 | None = None
    national_document_id: StrMax255 | None = None


# --- payment method -------------------------------------------------------------------


class Surcharge(_RequestModel):
    """`{"amount": minor units}`; Primer's own example sends `{}`."""

    __primer_schema__ = "CheckoutPaymentMethodOptionSurchargeAPISchema"
    amount: MinorUnits | None = None


class PaymentMethodOption(_RequestModel):
    """Options of any payment-method type (`<PAYMENT_METHOD_TYPE>`): surcharge required."""

    __primer_schema__ = "PaymentMethodOptionAPISchema"
    surcharge: Surcharge
    extra_merchant_data: dict[str, JsonValue] | None = None
    merchant_name: StrictStr | None = None


class CardNetworkOption(_RequestModel):
    """`options.PAYMENT_CARD.networks.<NETWORK>`."""

    __primer_schema__ = "CheckoutPaymentMethodOptionCardNetworkSurchargeAPISchema"
    surcharge: Surcharge | None = None


def _network_field(name: str) -> Any:
    return Field(default=None, alias=name)


class CardNetworks(_RequestModel):
    """`options.PAYMENT_CARD.networks`: one key per network (no EFTPOS); no other keys."""

    model_config = ConfigDict(extra="forbid")
    __primer_schema__ = "PaymentCardNetworks"
    AMEX: CardNetworkOption | None = _network_field("AMEX")
    CARTES_BANCAIRES: CardNetworkOption | None = _network_field("CARTES_BANCAIRES")
    DANKORT: CardNetworkOption | None = _network_field("DANKORT")
    DINERS_CLUB: CardNetworkOption | None = _network_field("DINERS_CLUB")
    DISCOVER: CardNetworkOption | None = _network_field("DISCOVER")
    ENROUTE: CardNetworkOption | None = _network_field("ENROUTE")
    ELO: CardNetworkOption | None = _network_field("ELO")
    HIPER: CardNetworkOption | None = _network_field("HIPER")
    INTERAC: CardNetworkOption | None = _network_field("INTERAC")
    JCB: CardNetworkOption | None = _network_field("JCB")
    MAESTRO: CardNetworkOption | None = _network_field("MAESTRO")
    MASTERCARD: CardNetworkOption | None = _network_field("MASTERCARD")
    MIR: CardNetworkOption | None = _network_field("MIR")
    PRIVATE_LABEL: CardNetworkOption | None = _network_field("PRIVATE_LABEL")
    UNIONPAY: CardNetworkOption | None = _network_field("UNIONPAY")
    VISA: CardNetworkOption | None = _network_field("VISA")
    OTHER: CardNetworkOption | None = _network_field("OTHER")


class CardOptions(_RequestModel):
    """`options.PAYMENT_CARD`: per-network surcharges and vaulted-card CVV capture."""

    __primer_schema__ = "CheckoutPaymentMethodCardOptionAPISchema"
    networks: CardNetworks | None = None
    capture_vaulted_card_cvv: StrictBool | None = None


class _ApplePayBilling(_RequestModel):
    label: Str1To1024
    amount: MinorUnits | None = None


class _Recurring(_ApplePayBilling):
    recurring_start_date: DateTimeText | None = None
    recurring_end_date: DateTimeText | None = None
    recurring_interval_unit: Literal["minute", "hour", "day", "month", "year"] | None = None
    recurring_interval_count: Annotated[StrictInt, Field(ge=1, le=INT64_MAX)] | None = None


class ApplePayRegularBilling(_Recurring):
    """Apple Pay regular billing of a recurring payment."""

    __primer_schema__ = "ApplePayRegularBilling"


class ApplePayTrialBilling(_Recurring):
    """Apple Pay trial billing (Primer's default `amount` is 0; left out, none is sent)."""

    __primer_schema__ = "ApplePayTrialBilling"


class ApplePayDeferredBilling(_ApplePayBilling):
    """Apple Pay deferred billing."""

    __primer_schema__ = "ApplePayDeferredBilling"
    deferred_payment_date: DateTimeText


class ApplePayAutomaticReloadBilling(_ApplePayBilling):
    """Apple Pay automatic-reload billing."""

    __primer_schema__ = "ApplePayAutomaticReloadBilling"
    automatic_reload_threshold_amount: MinorUnits


class _ApplePayAgreement(_RequestModel):
    payment_description: Str1To1024 | None = None
    billing_agreement: Str1To1024 | None = None
    management_url: Uri


class ApplePayRecurringRequest(_ApplePayAgreement):
    """`options.APPLE_PAY.recurringPaymentRequest`."""

    __primer_schema__ = "ApplePayRecurringRequest"
    regular_billing: ApplePayRegularBilling
    trial_billing: ApplePayTrialBilling | None = None


class ApplePayDeferredRequest(_ApplePayAgreement):
    """`options.APPLE_PAY.deferredPaymentRequest`."""

    __primer_schema__ = "ApplePayDeferredRequest"
    deferred_billing: ApplePayDeferredBilling
    free_cancellation_date: DateTimeText | None = None
    free_cancellation_time_zone: (
        Annotated[StrictStr, StringConstraints(min_length=3, max_length=50)] | None
    ) = None


class ApplePayAutomaticReloadRequest(_ApplePayAgreement):
    """`options.APPLE_PAY.automaticReloadRequest`."""

    __primer_schema__ = "ApplePayAutomaticReloadRequest"
    automatic_reload_billing: ApplePayAutomaticReloadBilling


class ApplePayOptions(_RequestModel):
    """`options.APPLE_PAY`: merchant name and recurring, deferred or auto-reload requests."""

    __primer_schema__ = "ApplePayOptions"
    merchant_name: Str1To1024 | None = None
    recurring_payment_request: ApplePayRecurringRequest | None = None
    deferred_payment_request: ApplePayDeferredRequest | None = None
    automatic_reload_request: ApplePayAutomaticReloadRequest | None = None


class PaymentMethodOptions(_RequestModel):
    """`paymentMethod.options`: a dictionary from payment-method type to its options.

    `PAYMENT_CARD` and `APPLE_PAY` have their own schemas; any other key (`GOOGLE_PAY`,
    `KLARNA`, ...) takes the generic `PaymentMethodOption` with a required surcharge.
    """

    __primer_schema__ = "PaymentMethodOptions"
    __pydantic_extra__: dict[str, PaymentMethodOption] = Field(init=False)
    PAYMENT_CARD: CardOptions | None = Field(default=None, alias="PAYMENT_CARD")
    APPLE_PAY: ApplePayOptions | None = Field(default=None, alias="APPLE_PAY")


def _unique_networks(value: list[CardNetwork] | None) -> list[CardNetwork] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("Values must be unique")
    return value


class PaymentMethod(_RequestModel):
    """`paymentMethod`: vaulting, descriptor, payment type, card networks and options."""

    __primer_schema__ = "PaymentMethodOptionsAPISchema"
    vault_on_success: StrictBool | None = None
    vault_on_3ds: StrictBool | None = Field(default=None, alias="vaultOn3DS")
    vault_on_agreement: StrictBool | None = None
    descriptor: StrMax255 | None = None
    payment_type: PaymentType | None = None
    ordered_allowed_card_networks: Annotated[
        list[CardNetwork] | None, AfterValidator(_unique_networks)
    ] = None
    options: PaymentMethodOptions | None = None
    authorization_type: AuthorizationType | None = None
    first_payment_reason: FirstPaymentReason | None = None


class PaymentMethodUpdate(PaymentMethod):
    """`paymentMethod` in a PATCH: like `PaymentMethod`, but `options` cannot change."""

    options: _NotUpdatable = None

    @field_validator("options", mode="before")
    @classmethod
    def _options_not_updatable(cls, value: object) -> NoReturn:
        raise ValueError(OPTIONS_NOT_UPDATABLE)


#: Why a PATCH may not carry `paymentMethod.options`, even unchanged (behaviour.md §3):
#: Primer asks for `paymentMethod` whole, so a learner sending it back as it was told
#: must read that the options are the part to leave out.
OPTIONS_NOT_UPDATABLE = (
    "paymentMethod.options cannot be updated, nor sent unchanged: leave it out of the "
    "PATCH (to change the options, create a new client session)"
)


# --- requests -------------------------------------------------------------------------


class ClientSessionRequest(_TopLevelRequest):
    """Body of `POST /client-session`. No field is required; unknown top-level keys are not.

    Primer recommends at least `order_id`, `currency_code` and `amount` or line items.
    """

    __primer_schema__ = "ClientSessionAPIRequest"
    order_id: Str1To255 | None = None
    currency_code: Currency | None = None
    amount: MinorUnits | None = None
    order: Order | None = None
    customer_id: Str1To255 | None = None
    customer: Customer | None = None
    metadata: dict[str, JsonValue] | None = None
    payment_method: PaymentMethod | None = None
    approval_mode: ApprovalMode | None = None

    @field_validator("order")
    @classmethod
    def _totals_in_range(cls, order: Order | None, info: pydantic.ValidationInfo) -> Order | None:
        # On the field, not the model: pydantic runs a model's validator only once every
        # field is valid, so a 422 left these out while another field was wrong. `amount`
        # comes first: in `info.data` as None when not sent, absent when itself invalid
        # (sent, so it overrides the order's total). A PATCH is not checked here: its
        # result depends on the stored session, so the emulator checks the merged one
        # (check_patched).
        if "amount" in info.data and info.data["amount"] is None:
            check_order_totals(order, at=())
        return order


class ClientSessionUpdateRequest(_TopLevelRequest):
    """Body of `PATCH /client-session`: `client_token` plus only what changes.

    Arrays are replaced whole, `metadata` is replaced, `None` clears a field, and
    `approvalMode` and `paymentMethod.options` cannot be updated (Primer's PATCH rules).
    The emulator merges `customer`, `order` and `paymentMethod` one level deep; Primer's
    texts disagree on the depth, and its field text says to send `paymentMethod` whole
    (docs/emulator.md).
    """

    __primer_schema__ = "ClientSessionUpdateAPIRequest"
    client_token: StrictStr | None = None
    customer_id: Str1To255 | None = None
    order_id: Str1To255 | None = None
    currency_code: Currency | None = None
    amount: MinorUnits | None = None
    metadata: dict[str, JsonValue] | None = None
    customer: Customer | None = None
    order: Order | None = None
    payment_method: PaymentMethodUpdate | None = None
    approval_mode: _NotUpdatable = None

    @field_validator("approval_mode", mode="before")
    @classmethod
    def _approval_mode_creation_only(cls, value: object) -> NoReturn:
        raise ValueError("approvalMode can only be set when the client session is created")

    @pydantic.model_validator(mode="after")
    def _totals_in_range_without_an_override(self) -> Self:
        # `"amount": null` clears any override, so the session's amount is its order's
        # total whatever is stored: a line this body sends (arrays are replaced whole)
        # that makes a total outside int64 >= 0 fails for certain, and is refused before
        # the network. Without it, the stored session decides (check_patched).
        if self.amount is None and "amount" in self.model_fields_set:
            check_order_totals(self.order)
        return self


# --- responses ------------------------------------------------------------------------


def one_or_many(value: object) -> object:
    """Primer sends `warnings` as a list or as one object: one object becomes a list of it."""
    return [value] if isinstance(value, dict) else value


class SessionWarning(_Model):
    """A warning on a created session, e.g. TAXJAR / MISSING_DATA."""

    type: str | None = None
    code: str | None = None
    message: str | None = None


class SessionLineItem(_Model):
    """A line item as the API answers it (lenient about rules, not types: a length, a
    minimum or an unknown key is kept as Primer said it; a value of the wrong JSON type
    makes the answer an `InvalidResponse` error)."""

    item_id: str | None = None
    name: str | None = None
    description: str | None = None
    amount: StrictInt | None = None
    quantity: StrictInt | None = None
    discount_amount: StrictInt | None = None
    tax_amount: StrictInt | None = None
    tax_code: str | None = None
    product_type: str | None = None
    product_data: dict[str, JsonValue] | None = None


class SessionFee(_Model):
    """A fee as the API answers it."""

    amount: StrictInt | None = None
    type: str | None = None
    description: str | None = None


class SessionShipping(_Model):
    """Shipping as the API answers it."""

    amount: StrictInt | None = None
    method_id: str | None = None
    method_name: str | None = None
    method_description: str | None = None


class SessionOrder(_Model):
    """`order` as the API answers it."""

    line_items: list[SessionLineItem] | None = None
    country_code: str | None = None
    retailer_country_code: str | None = None
    fees: list[SessionFee] | None = None
    shipping: SessionShipping | None = None


class SessionAddress(_Model):
    """An address as the API answers it."""

    first_name: str | None = None
    last_name: str | None = None
    address_line1: str | None = Field(default=None, alias="addressLine1")
    address_line2: str | None = Field(default=None, alias="addressLine2")
    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    postal_code: str | None = None


class SessionCustomer(_Model):
    """`customer` as the API answers it (`CustomerDetailsAPISchema`)."""

    email_address: str | None = None
    mobile_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    billing_address: SessionAddress | None = None
    shipping_address: SessionAddress | None = None
    tax_id: str | None = None
    national_document_id: str | None = None


class SessionPaymentMethod(_Model):
    """`paymentMethod` as the API answers it; `options` kept as the JSON object."""

    vault_on_success: StrictBool | None = None
    vault_on_3ds: StrictBool | None = Field(default=None, alias="vaultOn3DS")
    vault_on_agreement: StrictBool | None = None
    descriptor: str | None = None
    payment_type: str | None = None
    ordered_allowed_card_networks: list[str] | None = None
    options: dict[str, JsonValue] | None = None
    authorization_type: str | None = None
    first_payment_reason: str | None = None


class ClientSession(_Model):
    """A client session as `GET` and `PATCH /client-session` answer it (no token).

    Response models are lenient about rules (plain strings and integers, unknown keys
    kept): they hold what Primer said, even where that breaks a request rule. They are
    not lenient about types: a value of the wrong JSON type (`"amount": "12.50"`) makes
    the answer the client's `InvalidResponse` error.
    """

    __primer_schema__ = "ClientSessionAPIResponse"
    customer_id: str | None = None
    order_id: str | None = None
    currency_code: str | None = None
    amount: StrictInt | None = None
    metadata: dict[str, JsonValue] | None = None
    customer: SessionCustomer | None = None
    order: SessionOrder | None = None
    payment_method: SessionPaymentMethod | None = None
    approval_mode: str | None = None
    current_attempt_id: str | None = None

    def _repr_html_(self) -> str:
        """A session card in notebooks (`primer_nb.display`); `repr()` stays for consoles."""
        from primer_nb import display

        token = getattr(self, "client_token", None)
        return display.session_html(
            shown(self.to_wire(), shown_secrets()),
            token=short_token(token) if isinstance(token, str) else None,
            expiry=getattr(self, "client_token_expiration_date", None),
            now=display.backend_now(self),
        )


class ClientSessionWithToken(ClientSession):
    """The answer to `POST /client-session`: the session plus its client token.

    `client_token_expiration_date` is an aware UTC datetime in Python and Primer's naive
    `2023-12-12T09:18:02.346787` on the wire. `warnings` accepts a list or one object.
    """

    __primer_schema__ = "ClientSessionWithTokenAPIResponse"
    client_token: str
    client_token_expiration_date: ExpiryDate = Field(
        validation_alias=AliasChoices(
            "clientTokenExpirationDate", "clientExpirationDate", "client_token_expiration_date"
        ),
        serialization_alias="clientTokenExpirationDate",
    )
    warnings: Annotated[list[SessionWarning] | None, BeforeValidator(one_or_many)] = None

    def __repr_args__(self) -> Iterator[tuple[str | None, object]]:
        for name, value in super().__repr_args__():
            if name == "client_token" and isinstance(value, str):
                value = short_token(value)
            yield name, value


class ErrorDetail(_Model):
    """One validation error: JSONPath and description."""

    path: str
    description: str


class ValidationErrorGroup(_Model):
    """Validation errors of one schema (`model`)."""

    model: str
    errors: list[ErrorDetail] = []


class ErrorObject(_Model):
    """Primer's error object (inside the envelope's `error`)."""

    error_id: str
    description: str
    recovery_suggestion: str | None = None
    diagnostics_id: str | None = None
    validation_errors: list[ValidationErrorGroup] | None = None
    payment_id: str | None = None
    payment_status: str | None = None


class ErrorEnvelope(_Model):
    """`{"error": {...}}`, the body of every error answer."""

    error: ErrorObject


M = TypeVar("M", bound=BaseModel)


def check_request(data: object, model: type[M]) -> tuple[M | None, list[ValidationErrorDetail]]:
    """Validate a decoded JSON body against a request model, by Primer's wire names only.

    Returns the model and no errors, or `None` and every violation with its JSONPath.
    The emulator answers 422 with exactly these; the client raises them before sending.
    A Python name in the body (`order_id`) is an unknown key, never read as `orderId`.
    """
    name = getattr(model, "__primer_schema__", "") or model.__name__
    try:
        return model.__pydantic_validator__.validate_python(data, by_alias=True, by_name=False), []
    except pydantic.ValidationError as exc:
        return None, validation_details(exc, name, model, _currency_of(data))


def merged_total_problems(
    before: Mapping[str, object], after: Mapping[str, object]
) -> list[ValidationErrorDetail]:
    """Where the amount of a session after a PATCH (`after`, merged with `before`) would
    leave int64 >= 0: `check_order_totals` of its order, when no top-level `amount`
    replaces the computed one and the order changed (or an amount was cleared). A PATCH
    body is not checked alone (an amount set earlier counts): the emulator and the
    PatchBuilder both judge the merged session with this."""
    order, amount = after.get("order"), after.get("amount")
    changed = order != before.get("order") or before.get("amount") is not None
    if not isinstance(order, Mapping) or amount is not None or not changed:
        return []
    # the path may name a line the PATCH did not send (an override cleared with `null`
    # makes the stored order's total count): say which session it is about
    return [
        detail._replace(description=detail.description + _IN_THE_MERGED_SESSION)
        for detail in check_request({"order": order}, ClientSessionRequest)[1]
    ]


_IN_THE_MERGED_SESSION = (
    " (in the session as this PATCH leaves it, its stored order merged with the PATCH: "
    "no top-level amount replaces the order's total there)"
)


def check_request_keys(
    data: object, model: type[M]
) -> tuple[M | None, list[ValidationErrorDetail], list[UnknownKey]]:
    """`check_request`, and for a valid body its `unknown_keys` too, found without a walk
    through the body when validation met no key a schema does not declare.

    Every key `unknown_keys` reports is one a request model keeps as an extra, and each
    model says when it has extras; a body without any (the usual one) needs no walk.
    """
    seen: list[bool] = []
    token = _UNDECLARED_SEEN.set(seen)
    try:
        parsed, details = check_request(data, model)
    finally:
        _UNDECLARED_SEEN.reset(token)
    if details or not seen:
        return parsed, details, []
    return parsed, details, unknown_keys(data, model)


def nested_too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when decoded JSON nests objects and arrays more than `limit` levels deep (the
    top value is level 0; a key or value inside a container is one level below it)."""
    children: Collection[object]
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return False
    if limit == 0:  # a container at the last level: anything in it is too deep
        return len(children) > 0
    for child in children:
        if isinstance(child, (dict, list)) and nested_too_deep(child, limit - 1):
            return True
    return False


def metadata_has_empty_key(body: object) -> bool:
    """True when `metadata` has an empty-string key (400 MetadataContainsEmptyKey)."""
    metadata = body.get("metadata") if isinstance(body, dict) else None
    return isinstance(metadata, dict) and "" in metadata


class UnknownKey(NamedTuple):
    """A key a request's schema does not declare: its JSONPath and a close wire name.

    `parent` is the JSONPath of the object holding it; `belongs` is where the schema
    declares that name instead, when it is a top-level field sent inside an object
    (`$.order.currencyCode` -> `$.currencyCode`).
    """

    path: str
    suggestion: str | None
    parent: str = "$"
    belongs: str | None = None

    def message(self, where: str = "") -> str:
        """`$.order_id is not a field of X; did you mean `orderId`?`, or for a nested
        key `$.order.currencyCode is not a field of $.order (in X); ... belongs at ...`."""
        owner = where if self.parent == "$" else f"{self.parent}{f' (in {where})' if where else ''}"
        text = f"{self.path} is not a field{f' of {owner}' if owner else ''}"
        if self.suggestion:
            return f"{text}; did you mean `{self.suggestion}`?"
        if self.belongs:
            return f"{text}; it belongs at {self.belongs}"
        return text


def unknown_keys(
    body: object,
    model: type[BaseModel],
    _loc: tuple[int | str, ...] = (),
    _root: type[BaseModel] | None = None,
) -> list[UnknownKey]:
    """Keys in a (valid) request body that its schema does not declare, with suggestions.

    Primer does not document what it does with them below the top level (the emulator
    accepts them); the client warns so typos (and Python names
    such as `line_items`) do not pass silently. Payment-method types under `options` and
    free-form objects (`metadata`, `extraMerchantData`) are not reported.
    """
    found: list[UnknownKey] = []
    if not isinstance(body, dict):
        return found
    root = model if _root is None else _root
    table = wire_fields(model)
    for key, value in body.items():
        slot = table.get(key)
        if slot is None:
            if model is PaymentMethodOptions:
                found.extend(unknown_keys(value, PaymentMethodOption, (*_loc, key), root))
                continue
            at_top = _loc and key in wire_fields(root)
            found.append(
                UnknownKey(
                    json_path((*_loc, key)),
                    suggest_field(key, model),
                    json_path(_loc),
                    json_path((key,)) if at_top else None,
                )
            )
        elif slot.model is not None and not slot.open:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    found.extend(unknown_keys(item, slot.model, (*_loc, key, i), root))
            else:
                found.extend(unknown_keys(value, slot.model, (*_loc, key), root))
    return found


def unknown_fields(body: object, model: type[BaseModel]) -> list[str]:
    """JSONPaths of the keys `unknown_keys` finds (without suggestions)."""
    return [found.path for found in unknown_keys(body, model)]
