"""Forms generated from the request models' fields: one source of truth for the builders.

Every field of `ClientSessionRequest` (and of the models inside it) becomes a widget by
walking `model_fields`: its wire name (alias) is the label, its type picks the control
(text, whole number, dropdown of enum values, true/false/unset, ordered tags for a list
of enum values, rows for a list of objects, a collapsible section for a nested object,
JSON text for free-form objects), and the request is checked with the same
`check_request()` the emulator uses for its 422s, so an inline message sits next to the
widget at the very JSONPath the API would name. A field added to the models appears in
the form without touching this module.

## Why a small generator of our own, not `ipywidgets-jsonschema`

`ipywidgets-jsonschema` (`Form(schema)`, data in `form.data`) is a good general-purpose
JSON-schema form. It was evaluated against pydantic's `model_json_schema()` of the
request models and rejected for this kit because:

- **"Unset" is not a state it has.** It fills every property with a default value, but
  Primer's contract is "what you did not set is not sent" (`exclude_unset`); an empty
  text field must mean *absent*, not `""`.
- **Errors must land next to a widget by JSONPath.** The kit's messages come from
  `check_request()` (`$.order.lineItems[0].amount`); the library validates the whole
  document with its own messages and has no per-path hook to show ours.
- **Pydantic's schema is `anyOf [T, null]` everywhere** (every optional field) with
  `$defs`/`$ref`; the library's `anyOf` support is a selector widget per field, which
  doubles the form's size for no meaning.
- **The money widgets need the currency**: amounts are typed in major units and shown in
  minor units, which is a cross-field rule a schema form cannot express; we would have
  to replace most leaf widgets anyway.
- It is one more dependency (not installed in this kit), and we would still write most
  of the form ourselves.

A walk over `model_fields` keeps the pydantic types (enums, `Annotated` limits,
aliases) instead of a lossy JSON rendering of them.

## Pieces

- `Node`: one widget tree with `collect(loc, found)` (the JSON value or `UNSET`),
  `load(value)`, inline `show_errors()`; `LeafNode`, `MoneyNode`, `CurrencyNode`,
  `ModelNode`, `ListNode`, `MetadataNode`.
- `RequestForm`: a root `ModelNode` for a request model plus `evaluate()`, which
  collects the body, checks it and routes every message to its widget.
"""

from __future__ import annotations

import enum
import functools
import json
import math
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import (
    Annotated,
    Final,
    Literal,
    ParamSpec,
    Protocol,
    TypeGuard,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)

import ipywidgets as w
from pydantic import BaseModel, JsonValue
from pydantic.fields import FieldInfo

from primer_nb import currency as cur
from primer_nb.errors import MAX_JSON_DEPTH, METADATA_EMPTY_KEY
from primer_nb.models import (
    PaymentMethodOptions,
    UnknownKey,
    check_request,
    json_path,
    nested_too_deep,
    shown_secrets,
)
from primer_nb.redaction import redact_each
from primer_nb.widgets._common import ERROR_COLOR, NOTE_COLOR, Looks, escape
from primer_nb.wire_errors import suggest_field, wire_fields

__all__ = [
    "UNSET",
    "CurrencyNode",
    "Evaluation",
    "FormContext",
    "Guard",
    "LeafNode",
    "ListNode",
    "MetadataNode",
    "ModelNode",
    "MoneyNode",
    "Node",
    "RequestForm",
    "UnknownFieldError",
    "Unset",
    "parent_path",
]

Loc = tuple[int | str, ...]


class Unset(enum.Enum):
    """The type of `UNSET`, the marker for "the user left this empty": the key is left
    out of the form's body (a `PatchBuilder` then sends `null` for a field that had a
    value)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    __str__ = __repr__


UNSET: Final = Unset.UNSET
LABEL_WIDTH = "170px"
#: Models shown as JSON text rather than generated (open dictionaries keyed by type).
JSON_MODELS: tuple[type[BaseModel], ...] = (PaymentMethodOptions,)


_P = ParamSpec("_P")
_R = TypeVar("_R")


class Guard(Protocol):
    """A handler wrapper (`HandlerLog.guard`): `fn`'s result, or None when it raised."""

    def __call__(self, fn: Callable[_P, _R], /) -> Callable[_P, _R | None]: ...


@dataclass
class FormContext:
    """What every node of one form shares: change callback, handler guard, currency."""

    on_change: Callable[[], None]
    guard: Guard
    currency: Callable[[], str | None] = lambda: None
    held: bool = False
    #: the layout and style models every widget of the form shares (`Looks`)
    looks: Looks = field(default_factory=Looks)
    #: the request model the form builds (set by `RequestForm`): where a top-level field
    #: typed inside an object belongs (`$.order.currencyCode` -> `$.currencyCode`)
    request_model: type[BaseModel] | None = None

    def changed(self) -> None:
        """Tell the form a value changed (unless changes are being applied in bulk)."""
        if not self.held:
            self.on_change()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Apply many changes and refresh once at the end."""
        before, self.held = self.held, True
        try:
            yield
        finally:
            self.held = before
        self.changed()


@dataclass
class Found:
    """What one `collect()` pass found: widgets by JSONPath, local (parse) errors, and
    notes: what is sent otherwise than it may look (they do not stop a Send)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


#: The controls' CSS, the messages beside them, the label width, the metadata columns
FIELD: Final = {"width": "420px"}
BESIDE: Final = {"margin": "0 0 0 8px"}
LABELLED: Final = {"description_width": LABEL_WIDTH}
KEY_COLUMN: Final = {"width": "180px"}
VALUE_COLUMN: Final = {"width": "240px"}
REMOVE: Final = {"width": "90px"}


def _error_html(looks: Looks) -> w.HTML:
    return looks.make(w.HTML, value="", css=BESIDE, classes=["primer-error"])


def _message_html(messages: Sequence[str]) -> str:
    text = "; ".join(messages)
    return f"<span style='color:{ERROR_COLOR}'>⚠ {escape(text)}</span>" if messages else ""


def _note_html(text: str) -> str:
    return f"<span style='color:{NOTE_COLOR}'>ℹ {escape(text)}</span>"


class UnknownFieldError(KeyError):
    """`fill()` was given a key the form has no field for; the message names its JSONPath
    and the wire name it was probably meant to be (`$.order_id ...; did you mean
    `orderId`?`)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: What `Node.prepare` returns: the call that types the checked value in.
Apply = Callable[[], None]


class Node:
    """A widget for one JSON value of the request."""

    key: str
    widget: w.Widget
    error: w.HTML
    #: where this node is in the body (set by its parent), e.g. ('order', 'lineItems', 0)
    loc: Loc = ()
    #: the form's shared state (the nodes `fill()` is called on set it)
    ctx: FormContext

    @property
    def path(self) -> str:
        """This node's JSONPath, e.g. `$.order.lineItems[0].amount`."""
        return json_path(self.loc)

    def place(self, loc: Loc) -> None:
        """Record where this node is in the body (its children's places follow)."""
        self.loc = loc

    def prepare(self, value: object) -> Apply:
        """Check `value` for `fill()` and return the call that types it in.

        A value this node cannot take raises here, naming the JSONPath and the rule,
        so a `fill()` that raises has changed nothing.
        """
        raise TypeError(f"{self.path} cannot be filled")

    def _fill_all(self, value: object) -> None:
        """`fill()`'s work: check all of `value` (`prepare`), then type it in with the
        form's updates held (one redraw), so a refused value changes nothing."""
        apply = self.prepare(value)
        with self.ctx.hold():
            apply()

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        """The JSON value to send (or `UNSET`), registering this node at `loc`'s path."""
        raise NotImplementedError

    def load(self, value: JsonValue) -> None:
        """Show a JSON value from a session (minor units for money)."""
        raise NotImplementedError

    def children(self) -> list[Node]:
        return []

    def show_errors(self, messages: Sequence[str]) -> None:
        self.error.value = _message_html(messages)
        self.describe("; ".join(messages))

    def clear_errors(self) -> None:
        self.error.value = ""
        self.describe("")
        for child in self.children():
            child.clear_errors()

    def describe(self, text: str, *, more: bool = False) -> None:
        """The messages beside a field as its control's tooltip too (`title`), so a screen
        reader says them with the field instead of leaving them in another element;
        `more` adds `text` to what is there."""
        control: w.DOMWidget | None = getattr(self, "control", None)
        if control is not None:
            if more and control.tooltip:
                text = f"{control.tooltip}; {text}"
            control.tooltip = text or None


# --- leaves ---------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")


def _max_digits() -> float:
    """How many digits int() reads from text and json writes (Python's limit, 4300 by
    default; 0 means none)."""
    return sys.get_int_max_str_digits() or math.inf


def _too_many_digits() -> str:
    return f"Value must have at most {sys.get_int_max_str_digits()} digits"


class LeafNode(Node):
    """A scalar field: text, whole number, number, enum, true/false, tags or JSON text.

    `value` is the control's value (`""`/`None`/`[]` means unset).
    """

    def __init__(self, key: str, kind: str, ctx: FormContext, options: Sequence[object] = ()):
        self.key, self.kind, self.ctx = key, kind, ctx
        self.control = self._make_control(key, kind, list(options), ctx.looks)
        self.error = _error_html(ctx.looks)
        parts: list[w.Widget] = [self.control, self.error]
        if kind == "tags":  # ipywidgets draws no description for tags: a label of its own
            parts.insert(0, ctx.looks.make(w.Label, value=key, css={"width": LABEL_WIDTH}))
        self.widget = ctx.looks.make(w.HBox, parts)
        self.control.observe(ctx.guard(lambda _change: ctx.changed()), names="value")

    @staticmethod
    def _make_control(key: str, kind: str, options: list[object], looks: Looks) -> w.ValueWidget:
        labelled = functools.partial(looks.make, description=key, css=FIELD, style=LABELLED)

        if kind == "enum":
            choices: list[tuple[str, str | bool | None]] = [
                ("—", None),
                *((str(o), str(o)) for o in options),
            ]
            return labelled(w.Dropdown, options=choices, index=0)
        if kind == "bool":
            choices = [("—", None), ("true", True), ("false", False)]  # unset, not False
            return labelled(w.Dropdown, options=choices, index=0)
        if kind == "tags":
            return looks.make(w.TagsInput, value=[], allowed_tags=[str(o) for o in options])
        if kind == "json":
            return labelled(w.Textarea, value="", placeholder="JSON")
        placeholder = {"int": "whole number", "number": "number"}.get(kind, "")
        return labelled(w.Text, value="", placeholder=placeholder)

    @property
    def value(self) -> object:
        """The control's value: text, a dropdown's choice (None for "—") or a list of tags."""
        return self.control.value

    @value.setter
    def value(self, new: object) -> None:
        self.prepare(new)()

    def prepare(self, value: object) -> Apply:
        control, path = self.control, self.path
        if isinstance(control, w.Dropdown):
            return self._choice(value)
        if isinstance(control, w.TagsInput):
            allowed = list(control.allowed_tags)
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise TypeError(
                    f"{path}: fill it with a list of {_choices(allowed)} ([] for none), "
                    f"not {_shown(value)}"
                )
            wrong = [v for v in value if allowed and v not in allowed]
            if wrong:
                raise ValueError(
                    f"{path}: {_names(wrong)} {'is' if len(wrong) == 1 else 'are'} not "
                    f"{_choices(allowed)}{_upper_hint(wrong[0], allowed)}"
                )
            tags = list(value)
            return lambda: setattr(control, "value", tags)
        if self.kind == "json":
            text = value if isinstance(value, str) else _json_text(path, value)
            return lambda: setattr(control, "value", text)
        if isinstance(value, str):
            text = value
        elif isinstance(value, int | Decimal | float) and not isinstance(value, bool):
            try:
                text = str(value)  # as typed: `fill({"quantity": 3})` is "3"
            except ValueError:  # an int longer than Python writes
                raise ValueError(f"{path}: {_shown(value)}: {_too_many_digits()}") from None
        else:
            rule = {
                "int": "a whole number (2 or '2')",
                "number": "a number (1.5 or '1.5')",
            }.get(self.kind, "text (a str)")
            raise TypeError(
                f"{path}: fill it with {rule}, not {type(value).__name__} ({_shown(value)}); "
                "'' leaves it empty (not sent)"
            )
        return lambda: setattr(control, "value", text)

    def _choice(self, value: object) -> Apply:
        """A dropdown's choice: one of its values (None for "—", unset)."""
        control = self.control
        allowed = [v for _label, v in control.options if v is not None]
        wanted: type = bool if self.kind == "bool" else str
        if value is None:
            return lambda: setattr(control, "index", 0)  # shows "—" rather than a blank
        if isinstance(value, wanted) and value in allowed:
            return lambda: setattr(control, "value", value)
        raise ValueError(
            f"{self.path}: {_shown(value)} is not {_choices(allowed)}, or None to leave it unset"
            + _upper_hint(value, allowed)
        )

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        path = json_path(loc)
        found.nodes[path] = self
        raw = self.control.value
        if raw in ("", None, [], ()):
            return UNSET
        try:
            return self._parse(raw)
        except ValueError as exc:
            found.errors[path] = str(exc)
            return UNSET

    def _parse(self, raw: str | bool | list[str]) -> JsonValue:
        if isinstance(raw, bool):  # a true/false dropdown
            return raw
        if self.kind == "tags":
            return list(raw)
        if isinstance(raw, list):
            raise TypeError(f"a {self.kind} control does not hold a list")
        if self.kind == "int":
            if not _INT.match(raw.strip()):
                raise ValueError("Value must be a whole number, e.g. 2")
            if len(raw.strip().lstrip("+-")) > _max_digits():
                raise ValueError(_too_many_digits())
            return int(raw)
        if self.kind == "number":
            number = Decimal(raw.strip()) if _is_decimal(raw) else None
            if number is None:
                raise ValueError("Value must be a number, e.g. 1.5")
            if number == number.to_integral_value():
                # `1e5000` would be an int no JSON encoder here writes (nor reads back)
                if number and number.adjusted() >= _max_digits():
                    raise ValueError(_too_many_digits())
                return int(number)
            as_float = float(number)
            if not math.isfinite(as_float) or as_float == 0:  # 1.5e400, 1.5e-400
                raise ValueError(
                    "Value is out of range for a number with decimals (about 1e-308 to 1e308)"
                )
            return as_float
        if self.kind == "json":
            try:
                return _strict_json(raw, len(self.loc))
            except _TooDeep as exc:
                raise ValueError(str(exc)) from None
            except json.JSONDecodeError as exc:
                raise ValueError(f"Value must be JSON ({exc.msg}, line {exc.lineno})") from None
            except ValueError as exc:  # NaN, Infinity, 1e999, an int past Python's limit
                raise ValueError(f"Value must be JSON ({exc})") from None
        return raw

    def load(self, value: JsonValue) -> None:
        if value is None:
            self.value = {"enum": None, "bool": None, "tags": []}.get(self.kind, "")
        elif self.kind == "json":
            self.control.value = json.dumps(value, indent=2)
        elif self.kind in ("enum", "bool"):
            self.control.value = value if self.kind == "bool" else str(value)
        elif self.kind == "tags":
            self.control.value = [str(v) for v in _iterable(value)]
        else:
            self.control.value = str(value)


def _names(values: Sequence[object]) -> str:
    return ", ".join(repr(v) for v in values)


def _choices(allowed: Sequence[object]) -> str:
    """`one of 'A', 'B'`, or for a long list `one of its 249 choices ('AD', 'AE', ...)`."""
    if len(allowed) <= 12:
        return f"one of {_names(allowed)}"
    return f"one of its {len(allowed)} choices ({_names(allowed[:4])}, ...)"


def _upper_hint(value: object, allowed: Sequence[object]) -> str:
    if isinstance(value, str) and value != value.upper() and value.upper() in allowed:
        return f" (codes are upper case: did you mean {value.upper()!r}?)"
    return ""


def _json_text(path: str, value: object) -> str:
    """A JSON value as the text a JSON field shows; one JSON cannot hold raises by path."""
    try:
        return json.dumps(value, indent=2, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{path}: {_shown(value)} cannot be written as JSON ({exc})") from None


def _iterable(value: JsonValue) -> Iterable[object]:
    """A JSON value's items (a text's characters, an object's keys), as `for` reads them."""
    if isinstance(value, list | dict | str):
        return value
    raise TypeError(f"{type(value).__name__!r} object is not iterable")


def _is_decimal(text: str) -> bool:
    return bool(re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text.strip()))


class MoneyNode(Node):
    """An amount typed in major units (`12.99`), sent in minor units (`1299`).

    The conversion is `currency.to_minor_units`, so `5.5` JPY is refused with its rule.
    A loaded amount (a session's, in the PatchBuilder) is kept in the minor units it was
    loaded with, and sent unchanged, until the field is edited: choosing another currency
    never rescales it (Primer's amounts are integers, never converted). One loaded while
    no currency is known (a session without `currencyCode`) is shown in minor units.
    """

    def __init__(self, key: str, ctx: FormContext):
        self.key, self.ctx = key, ctx
        looks = ctx.looks
        self.control = looks.make(
            w.Text,
            value="",
            description=key,
            placeholder="major units, e.g. 12.99",
            css=FIELD,
            style=LABELLED,
        )
        self.minor = looks.make(w.HTML, value="", css=BESIDE, classes=["primer-minor-units"])
        self.error = _error_html(looks)
        #: (the text shown, the minor units, the currency then) of a loaded amount
        self.as_loaded: tuple[str, int, str | None] | None = None
        self.widget = looks.make(w.HBox, [self.control, self.minor, self.error])
        self.control.observe(ctx.guard(lambda _change: ctx.changed()), names="value")

    @property
    def value(self) -> str:
        return str(self.control.value)

    @value.setter
    def value(self, new: str | Decimal) -> None:
        self.prepare(new)()

    def prepare(self, value: object) -> Apply:
        """Text or a Decimal in major units. An int is refused: it is how a wire body
        writes minor units, so `1299` read as major units would become `129900`."""
        path = self.path
        if isinstance(value, int) and not isinstance(value, bool):
            raise TypeError(
                f"{path}: fill() takes an amount in major units, as text or a Decimal "
                f"(e.g. '12.99'), not the int {_shown(value)}: an int is how a wire body "
                "writes minor units. Convert it: " + _converted(value, self.ctx.currency())
            )
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{path}: {_shown(value)} is not an amount (a finite number)")
        if not isinstance(value, str | Decimal):
            raise TypeError(
                f"{path}: an amount is typed in major units as a Decimal or str (e.g. "
                f"Decimal('12.99') or '12.99'), not {type(value).__name__} ({_shown(value)})"
                + (
                    ": a float cannot hold most decimal amounts exactly"
                    if isinstance(value, float)
                    else ""
                )
            )
        text = str(value)
        return lambda: setattr(self.control, "value", text)

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        path = json_path(loc)
        found.nodes[path] = self
        text = self.control.value.strip()
        self.minor.value = ""
        if not text:
            return UNSET
        code = self.ctx.currency()
        if self.as_loaded is not None and text == self.as_loaded[0]:
            units, then = self.as_loaded[1], self.as_loaded[2]
            kept = "" if then is not None and then == code else ", as loaded"
            self.minor.value = f"<code>{units}</code> minor units{kept}"
            return units
        if code is None:
            found.errors[path] = "choose currencyCode first: amounts are typed in major units"
            return UNSET
        try:
            units = cur.to_minor_units(text, code)
        except cur.TooManyDecimalsError as exc:  # Decimal.quantize is for code, not a text box
            digits = exc.digits
            places = f"{digits} decimal place{'s' if digits > 1 else ''}"
            typed = f"Type at most {places}." if digits else "Type a whole number."
            found.errors[path] = f"{exc.problem} {typed}"
            return UNSET
        except ValueError as exc:
            found.errors[path] = str(exc)
            return UNSET
        self.minor.value = f"<code>{units}</code> minor units"
        return units

    def load(self, value: JsonValue) -> None:
        code = self.ctx.currency()
        self.as_loaded = None
        if value is None:
            self.control.value = ""
        elif isinstance(value, int) and not isinstance(value, bool):
            # minor units as they are when no currency can convert them
            text = str(value) if code is None else str(cur.from_minor_units(value, code))
            self.as_loaded = (text, value, code)
            self.control.value = text
        else:
            self.control.value = str(value)


def _shown(value: object, limit: int = 80) -> str:
    """`repr(value)` for a message, shortened, an API key in it as `***`
    (`models.shown_secrets`); an int too long for Python to print is
    `<an int of about 5001 digits>`."""
    try:
        text = redact_each(repr(value), shown_secrets())
    except ValueError:  # sys.get_int_max_str_digits()
        digits = int(abs(cast(int, value)).bit_length() * math.log10(2)) + 1
        return f"<an int of about {digits} digits>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _converted(units: int, code: str | None) -> str:
    """`primer_nb.currency.from_minor_units(1299, 'EUR') -> Decimal('12.99')`, in the
    form's currency when it has one (else EUR, as an example)."""
    if abs(units) >= 10**40:  # too long to show converted
        return f"primer_nb.currency.from_minor_units(units, {code or 'EUR'!r})"
    call = f"primer_nb.currency.from_minor_units({units}, {code or 'EUR'!r})"
    shown = f"{call} -> {cur.from_minor_units(units, code or 'EUR')!r}"
    return shown if code else f"e.g. {shown}"


def currency_options() -> list[tuple[str, str | None]]:
    """Dropdown choices: `("JPY — 0 minor units", "JPY")` for each of Primer's currencies;
    where Primer publishes no minor units (`currency.CHOSEN_BY_PRIMER_NB`), the label
    says the number is primer-nb's choice, and a currency Primer disables by default
    (`currency.DISABLED_BY_DEFAULT`: an account must have it enabled) says so."""
    return [("—", None)] + [
        (
            f"{code} — {units} minor units"
            + (" (primer-nb's choice)" if code in cur.CHOSEN_BY_PRIMER_NB else "")
            + (", disabled by default" if code in cur.DISABLED_BY_DEFAULT else ""),
            code,
        )
        for code, _name, units in cur.currency_table()
    ]


class CurrencyNode(LeafNode):
    """`currencyCode`: Primer's currencies, each labelled with its minor units."""

    def __init__(self, key: str, ctx: FormContext):
        super().__init__(key, "enum", ctx)
        self.control.options = currency_options()
        self.control.index = 0


# --- containers -----------------------------------------------------------------------


def _section(title: str, body: w.Widget, looks: Looks) -> w.Accordion:
    """A collapsible section (closed until opened)."""
    return looks.make(w.Accordion, children=[body], titles=(title,), selected_index=None)


class ModelNode(Node):
    """A pydantic model: one child node per field, nested objects in collapsible sections."""

    def __init__(
        self,
        model: type[BaseModel],
        ctx: FormContext,
        *,
        key: str = "$",
        skip: frozenset[str] = frozenset(),
        overrides: Mapping[str, Callable[[str, FormContext], Node]] | None = None,
        prefix: str = "",
    ):
        self.model, self.key, self.ctx = model, key, ctx
        self.error = _error_html(ctx.looks)
        self.fields: dict[str, Node] = {}
        leaves: list[w.Widget] = []
        sections: list[w.Widget] = []
        for name, info in model.model_fields.items():
            dotted = f"{prefix}{name}"
            if dotted in skip:
                continue
            alias = info.alias or name
            make = (overrides or {}).get(dotted)
            node = make(alias, ctx) if make else _node_for(info, name, alias, ctx, skip, dotted)
            self.fields[alias] = node
            node.place((alias,))
            is_leaf = isinstance(node, LeafNode | MoneyNode)
            (leaves if is_leaf else sections).append(
                node.widget if is_leaf else _section(alias, node.widget, ctx.looks)
            )
        self.widget = ctx.looks.make(w.VBox, [self.error, *leaves, *sections])

    def children(self) -> list[Node]:
        return list(self.fields.values())

    def place(self, loc: Loc) -> None:
        self.loc = loc
        for alias, node in self.fields.items():
            node.place((*loc, alias))

    def __getitem__(self, alias: str) -> Node:
        return self.fields[alias]

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        return self.collect_object(loc, found)

    def collect_object(self, loc: Loc, found: Found) -> dict[str, JsonValue]:
        """`collect()` of a model: always an object (empty when nothing is set)."""
        found.nodes[json_path(loc)] = self
        out: dict[str, JsonValue] = {}
        for alias, node in self.fields.items():
            value = node.collect((*loc, alias), found)
            if value is not UNSET:
                out[alias] = value
        return out

    def load(self, value: JsonValue) -> None:
        data = value if isinstance(value, Mapping) else {}
        # the currency first: money fields read it while loading
        for alias in sorted(self.fields, key=lambda a: a != "currencyCode"):
            self.fields[alias].load(data.get(alias))

    def fill(self, values: Mapping[str, object]) -> ModelNode:
        """Type values into the controls by wire name (`{"name": "Shoes", "amount": "12.99"}`).

        A nested object takes a mapping of its own. A list of objects (`lineItems`,
        `fees`) takes a list of mappings and becomes one row per item, each filled the
        same way (the rows it had are replaced, as the body's list would be); `metadata`
        takes a mapping and becomes its key/value rows (replaced too), each value sent as
        given. Money is major units as text or a Decimal (`"12.99"`; an int, a wire
        body's minor units, is refused); any other value goes to the control as typed
        (text, or a number shown as text; a choice, None for unset; a list of tags).

        Everything is checked before anything is typed: an unknown key raises
        `UnknownFieldError` (`$.order_id is not a field of ...; did you mean `orderId`?`),
        a value a control cannot take raises TypeError or ValueError naming its JSONPath
        and the rule, and the form is then unchanged.
        """
        self._fill_all(values)
        return self

    def prepare(self, value: object) -> Apply:
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{self.path} is an object: fill it with a mapping, not {_shown(value)}"
            )
        steps: list[Apply] = []
        for key, item in value.items():
            node = self.fields.get(key) if isinstance(key, str) else None
            if node is None:
                raise self._unknown(key)
            steps.append(node.prepare(item))

        def apply() -> None:
            for step in steps:
                step()

        return apply

    def _unknown(self, key: object) -> Exception:
        """The error for a key this form has no field for, with the wire name meant (a
        key pasted as the name shows as `***`)."""
        if not isinstance(key, str):
            return TypeError(
                f"{self.path}: keys are wire names (str), not {type(key).__name__} ({_shown(key)})"
            )
        error = self._unknown_key(key)
        text = str(error)
        hidden = redact_each(text, shown_secrets())
        return error if hidden == text else UnknownFieldError(hidden)

    def _unknown_key(self, key: str) -> Exception:
        path = json_path((*self.loc, key))
        meant = key if key in wire_fields(self.model) else suggest_field(key, self.model)
        if meant is not None and meant not in self.fields:
            return UnknownFieldError(
                f"{path}: this form leaves `{meant}` out, so it cannot be filled here"
            )
        where = "" if self.loc else self.model.__name__
        top = self.ctx.request_model
        belongs = json_path((key,)) if self.loc and top and key in wire_fields(top) else None
        return UnknownFieldError(UnknownKey(path, meant, self.path, belongs).message(where))


class _NestedModelNode(ModelNode):
    """A nested object: an empty one is not sent at all."""

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        out = self.collect_object(loc, found)
        return out if out else UNSET


class ListNode(Node):
    """A list of objects (line items, fees) as rows you can add and remove."""

    def __init__(self, key: str, item: type[BaseModel], ctx: FormContext, skip: frozenset[str]):
        self.key, self.item, self.ctx, self.skip = key, item, ctx, skip
        self.rows: list[ModelNode] = []
        self._chrome: dict[int, tuple[w.HTML, w.Button, w.VBox]] = {}
        looks = ctx.looks
        self.error = _error_html(looks)
        self.rows_box = looks.make(w.VBox, [])
        self.add_button = looks.make(
            w.Button, description=f"+ add {key[:-1] if key.endswith('s') else key}"
        )
        self.add_button.on_click(ctx.guard(lambda _b: self.add_row()))
        self.widget = looks.make(w.VBox, [self.error, self.rows_box, self.add_button])

    def children(self) -> list[Node]:
        return list(self.rows)

    def place(self, loc: Loc) -> None:
        self.loc = loc
        for i, row in enumerate(self.rows):
            row.place((*loc, i))

    def _new_row(self, index: int) -> ModelNode:
        row = ModelNode(self.item, self.ctx, key=self.key, skip=self.skip)
        row.place((*self.loc, index))
        return row

    def add_row(self, values: Mapping[str, object] | None = None) -> ModelNode:
        """Append a row, optionally typing `values` into it (as `ModelNode.fill` does;
        values it cannot take raise before the row is added); returns the row."""
        row = self._new_row(len(self.rows))
        apply = row.prepare(values or {})
        with self.ctx.hold():
            apply()
            self.rows.append(row)
            self._redraw()
        return row

    def fill(self, items: Sequence[Mapping[str, object]]) -> ListNode:
        """Replace the rows with one row per item, each typed in as `ModelNode.fill` does
        (`[{"name": "Shoes", "amount": "12.99"}]`). A row that cannot be filled raises
        before any row is changed."""
        self._fill_all(items)
        return self

    def prepare(self, value: object) -> Apply:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise TypeError(
                f"{self.path} is a list of objects: fill it with a list of mappings, one per "
                f"row ([] for none), not {_shown(value)}"
            )
        rows = [self._new_row(i) for i in range(len(value))]
        steps = [row.prepare(item) for row, item in zip(rows, value, strict=True)]

        def apply() -> None:
            for step in steps:
                step()
            self.rows = rows
            self._redraw()

        return apply

    def remove_row(self, index: int) -> None:
        del self.rows[index]
        self._redraw()
        self.ctx.changed()

    def _redraw(self) -> None:
        """Show the rows; a row's title and remove button are made once, then renumbered."""
        self.place(self.loc)
        self._chrome = {id(r): self._chrome.get(id(r)) or self._frame(r) for r in self.rows}
        for i, (title, remove, _box) in enumerate(self._chrome.values()):
            title.value = f"<b>{escape(self.key)}[{i}]</b>"
            remove.tooltip = f"remove {self.key}[{i}]"  # which row, for a screen reader too
        self.rows_box.children = [box for _title, _remove, box in self._chrome.values()]

    def _frame(self, row: ModelNode) -> tuple[w.HTML, w.Button, w.VBox]:
        looks = self.ctx.looks
        remove = looks.make(w.Button, description="remove", css=REMOVE)
        remove.on_click(self.ctx.guard(lambda _b: self.remove_row(self.rows.index(row))))
        title = looks.make(w.HTML)
        # the button's handler holds `row`, so its id is not reused while `_chrome` has it
        return title, remove, looks.make(w.VBox, [looks.make(w.HBox, [title, remove]), row.widget])

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        found.nodes[json_path(loc)] = self
        if not self.rows:
            return UNSET
        items: list[JsonValue] = [
            row.collect_object((*loc, i), found) for i, row in enumerate(self.rows)
        ]
        return items

    def load(self, value: JsonValue) -> None:
        self.rows = []
        for item in value if isinstance(value, list) else []:
            row = ModelNode(self.item, self.ctx, key=self.key, skip=self.skip)
            row.load(item)
            self.rows.append(row)
        self._redraw()


class MetadataNode(Node):
    """`metadata` as key/value rows. A whole-number value is sent as an integer, text that
    starts with `{` or `[` and reads as JSON as that JSON (text that does not read, a typo
    included, as the string typed, with a note beside the rows saying why), anything else
    as a string. A loaded value whose text
    is left as it was is sent as it was loaded (`"123"` stays a string, `1.5` a number,
    `true` a boolean): a PATCH replaces metadata whole, so the keys not edited must not
    change type on the way."""

    def __init__(self, key: str, ctx: FormContext):
        self.key, self.ctx = key, ctx
        self.rows: list[tuple[w.Text, w.Text]] = []
        #: each loaded value's Text (by id) -> (that Text, the text shown, the value loaded)
        self._loaded: dict[int, tuple[w.Text, str, JsonValue]] = {}
        self._boxes: dict[int, w.HBox] = {}
        looks = ctx.looks
        self.error = _error_html(looks)
        self.rows_box = looks.make(w.VBox, [])
        self.add_button = looks.make(w.Button, description="+ add key")
        self.add_button.on_click(ctx.guard(lambda _b: self.add_row()))
        self.widget = looks.make(w.VBox, [self.error, self.rows_box, self.add_button])

    def add_row(self, name: str = "", value: str = "") -> tuple[w.Text, w.Text]:
        """Append a key/value row; returns its two Text widgets."""
        pair = self._pair(name, value, ("key", "value"))
        for text in pair:
            text.observe(self.ctx.guard(lambda _c: self.ctx.changed()), names="value")
        self.rows.append(pair)
        self._redraw()
        self.ctx.changed()
        return pair

    def fill(self, values: Mapping[str, object]) -> MetadataNode:
        """Replace the rows with `values`' keys and values, each sent exactly as given
        (`"123"` stays a string, `1.5` a number) until its text is edited. A key that is
        not a str, or a value JSON cannot hold, raises before any row is changed."""
        self._fill_all(values)
        return self

    def prepare(self, value: object) -> Apply:
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{self.path} is an object: fill it with a mapping ({{}} for none), "
                f"not {_shown(value)}"
            )
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError(
                    f"{self.path}: keys are text, not {type(name).__name__} ({_shown(name)})"
                )
            _json_text(json_path((*self.loc, name)), item)
        loaded = cast(dict[str, JsonValue], dict(value))  # checked above: JSON values
        return lambda: self.load(loaded)

    def _redraw(self) -> None:
        """Show the rows; a row's box and remove button are made once per row."""
        self._boxes = {id(p): self._boxes.get(id(p)) or self._frame(p) for p in self.rows}
        self.rows_box.children = list(self._boxes.values())

    def _frame(self, pair: tuple[w.Text, w.Text]) -> w.HBox:
        remove = self.ctx.looks.make(
            w.Button, description="remove", tooltip="remove this metadata entry", css=REMOVE
        )
        remove.on_click(self.ctx.guard(lambda _b: self._remove(pair)))
        # the button's handler holds `pair`, so its id is not reused while `_boxes` has it
        return self.ctx.looks.make(w.HBox, [*pair, remove])

    def _pair(self, name: str, value: str, placeholders: tuple[str, str]) -> tuple[w.Text, w.Text]:
        looks = self.ctx.looks
        return (
            # tooltips name them for a screen reader: a placeholder goes once text is typed
            looks.make(
                w.Text,
                value=name,
                placeholder=placeholders[0],
                tooltip="metadata key",
                css=KEY_COLUMN,
            ),
            looks.make(
                w.Text,
                value=value,
                placeholder=placeholders[1],
                tooltip="metadata value",
                css=VALUE_COLUMN,
            ),
        )

    def _remove(self, pair: tuple[w.Text, w.Text]) -> None:
        self.rows.remove(pair)
        self._redraw()
        self.ctx.changed()

    def collect(self, loc: Loc, found: Found) -> JsonValue | Unset:
        path = json_path(loc)
        found.nodes[path] = self
        if not self.rows:
            return UNSET
        out: dict[str, JsonValue] = {}
        problems: list[str] = []  # every one, not the last: each names what to fix
        notes: list[str] = []
        for name, value in self.rows:
            if name.value in out:
                problems.append(f"duplicate key {_shown(name.value)}")
            loaded = self._loaded.get(id(value))
            if loaded is not None and loaded[0] is value and loaded[1] == value.value:
                out[name.value] = loaded[2]  # untouched: as the session holds it
                continue
            try:
                out[name.value], why_text = _metadata_value(value.value, len(loc) + 1)
            except _TooDeep as exc:  # valid JSON the API refuses: not sent as text
                problems.append(f"{_shown(name.value)}: {exc}")
                out[name.value] = value.value
            else:
                if why_text is not None:  # a typo in JSON would otherwise go unseen
                    notes.append(f"{_shown(name.value)} is sent as text, not JSON: {why_text}")
        if "" in out:
            problems.append(METADATA_EMPTY_KEY[1])
        if problems:
            found.errors[path] = "; ".join(problems)
        if notes:
            found.notes[path] = "; ".join(notes)
        return out

    def load(self, value: JsonValue) -> None:
        self.rows = []
        self._loaded = {}
        self._redraw()
        for name, item in _object(value or {}).items():
            text = item if isinstance(item, str) else json.dumps(item)
            self.rows.append(self._pair(name, text, ("", "")))
            shown = self.rows[-1][1]
            self._loaded[id(shown)] = (shown, text, item)
            for t in self.rows[-1]:
                t.observe(self.ctx.guard(lambda _c: self.ctx.changed()), names="value")
        self._redraw()


def _object(value: JsonValue) -> dict[str, JsonValue]:
    if not isinstance(value, dict):
        raise AttributeError(f"{type(value).__name__!r} object has no attribute 'items'")
    return value


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: no JSON encoder writes it back
        raise ValueError(f"{text} is too large for a number with decimals")
    return number


class _TooDeep(ValueError):
    """JSON typed into a field that would nest the body past `MAX_JSON_DEPTH`."""


def _strict_json(text: str, level: int = 0) -> JsonValue:
    """`json.loads`, but only what JSON itself holds: `NaN`, `Infinity` and `1e999` (which
    Python reads, then cannot write as JSON) are a `ValueError`, as is an int past
    Python's digit limit. Nesting that takes the body past `MAX_JSON_DEPTH` levels (the
    value sits at `level`) is `_TooDeep`: the API answers 400, and deeper still the form
    itself failed with a `RecursionError` traceback."""
    too_deep = _TooDeep(
        f"nested more than {MAX_JSON_DEPTH} levels deep in the body, the most the API "
        "takes: nest its objects and arrays less deeply"
    )
    try:
        parsed: JsonValue = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        raise too_deep from None
    if nested_too_deep(parsed, MAX_JSON_DEPTH - level):
        raise too_deep
    return parsed


def _metadata_value(text: str, level: int = 2) -> tuple[JsonValue, str | None]:
    """What a metadata row's `text` sends, and why text that starts like JSON is sent as
    text (None otherwise)."""
    if re.fullmatch(r"-?(0|[1-9]\d*)", text) and len(text) <= _max_digits():
        return int(text), None
    if text[:1] in ("{", "["):
        try:
            return _strict_json(text, level), None
        except _TooDeep:
            raise
        except ValueError as exc:  # not JSON (NaN, a typo): the text itself, as any other
            return text, str(exc)
    return text, None


# --- from a field's type to a node ------------------------------------------------------


def _plain(annotation: object) -> object:
    """`X | None`, `Annotated[X, ...]` -> X (the first non-None member of a union)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) > 1 and set(map(_plain, members)) <= {int, float}:
                return float
            annotation = members[0]
        else:
            return annotation


def _is_model(tp: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_money(name: str, tp: object) -> bool:
    return tp is int and (name == "amount" or name.endswith("_amount"))


def _scalar_kind(tp: object) -> tuple[str, Sequence[object]]:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "enum", [m.value for m in tp]
    if get_origin(tp) is Literal:
        return "enum", get_args(tp)
    kinds: dict[object, str] = {bool: "bool", int: "int", float: "number", str: "text"}
    return kinds.get(tp, "json"), ()


def _node_for(
    info: FieldInfo, name: str, alias: str, ctx: FormContext, skip: frozenset[str], dotted: str
) -> Node:
    tp = _plain(info.annotation)
    if _is_money(name, tp):
        return MoneyNode(alias, ctx)
    if _is_model(tp) and tp not in JSON_MODELS:
        return _NestedModelNode(tp, ctx, key=alias, skip=skip, prefix=f"{dotted}.")
    if get_origin(tp) is list:
        item = _plain(get_args(tp)[0])
        if _is_model(item):
            return ListNode(alias, item, ctx, skip)
        kind, options = _scalar_kind(item)
        return LeafNode(alias, "tags" if kind == "enum" else "json", ctx, options)
    if get_origin(tp) is dict and name == "metadata":
        return MetadataNode(alias, ctx)
    kind, options = _scalar_kind(tp)
    return LeafNode(alias, kind, ctx, options)


# --- the whole form ---------------------------------------------------------------------


_LAST_SEGMENT = re.compile(r"(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['(?:[^'\\]|\\.)*'\])$")


def parent_path(path: str) -> str:
    """`$.order.lineItems[0].amount` -> `$.order.lineItems[0]` -> ... -> `$`."""
    return _LAST_SEGMENT.sub("", path) if path != "$" else "$"


@dataclass
class Evaluation:
    """One look at the form: the body it would send and every problem, by JSONPath."""

    body: Mapping[str, object]
    model: BaseModel | None
    errors: list[tuple[str, str]]

    @property
    def valid(self) -> bool:
        return self.model is not None and not self.errors


class RequestForm:
    """A request model's form: `evaluate()` collects, checks and shows errors inline."""

    def __init__(
        self,
        model: type[BaseModel],
        ctx: FormContext,
        *,
        skip: frozenset[str] = frozenset(),
        overrides: Mapping[str, Callable[[str, FormContext], Node]] | None = None,
    ):
        self.model, self.ctx = model, ctx
        ctx.request_model = model
        self.root = ModelNode(model, ctx, skip=skip, overrides=overrides)
        self.nodes: dict[str, Node] = {}

    @property
    def widget(self) -> w.Widget:
        return self.root.widget

    def node(self, path: str) -> Node:
        """The node at a JSONPath of the last evaluation, e.g. `$.order.lineItems[0].amount`."""
        return self.nodes[path]

    def collect(self) -> tuple[dict[str, JsonValue], Found]:
        found = Found()
        body = self.root.collect_object((), found)
        self.nodes = found.nodes
        return body, found

    def check(self, body: Mapping[str, object], found: Found) -> Evaluation:
        """Validate `body` and show each message beside the widget at (or above) its path."""
        model, details = check_request(body, self.model)
        errors = list(found.errors.items())
        errors += [(d.path, d.description) for d in details if d.path not in found.errors]
        self.root.clear_errors()
        by_node: dict[int, tuple[Node, list[str]]] = {}
        # a key typed as an object's key (in options, metadata) is in the path itself: shown
        # as `***`, as values are, once the path has found its widget
        secrets = shown_secrets()
        for path, message in errors:
            node = self._nearest(path)
            shown = redact_each(f"{path}: {message}", secrets)
            by_node.setdefault(id(node), (node, []))[1].append(shown)
        errors = [(redact_each(p, secrets), redact_each(m, secrets)) for p, m in errors]
        for node, messages in by_node.values():
            node.show_errors(messages)
        for path, note in found.notes.items():
            text = redact_each(f"{path}: {note}", secrets)  # a metadata key is in the note
            self._add_beside(path, _note_html(text), text)
        return Evaluation(body, model if not errors else None, errors)

    def annotate(self, errors: Sequence[tuple[str, str]]) -> None:
        """Add messages (e.g. from the server's 422) beside the widgets at their paths."""
        for path, message in errors:
            text = f"{path}: {message}"
            self._add_beside(path, _message_html([text]), text)

    def _add_beside(self, path: str, html: str, text: str) -> None:
        """Add a message, as `html`, beside the widget at (or above) `path`."""
        node = self._nearest(path)
        node.error.value = f"{node.error.value}<br>{html}" if node.error.value else html
        node.describe(text, more=True)

    def evaluate(self) -> Evaluation:
        body, found = self.collect()
        return self.check(body, found)

    def _nearest(self, path: str) -> Node:
        while path not in self.nodes and path != "$":
            path = parent_path(path)
        return self.nodes.get(path, self.root)
