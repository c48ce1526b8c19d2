"""What `SessionBuilder` and `PatchBuilder` share: the form, preview, Send and failure.

A builder is a generated `RequestForm` over one request model (money in major units,
the currency dropdown), a `Preview` of the request, a Send button gated by the form's
own check with the reason beside it, a result area, and a `HandlerLog` that keeps
handler exceptions visible with the API key redacted. A subclass adds what its request
needs (`refresh`, `submit`, extra widgets beside the preview).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Self, TypedDict, Unpack

import ipywidgets as w
from pydantic import BaseModel

from primer_nb.errors import (
    DisabledCurrencyError,
    PrimerAPIError,
    PrimerConnectionError,
    PrimerError,
    PrimerValidationError,
    RateLimitError,
    ValidationErrorDetail,
    may_have_been_processed,
    refused_before_sending,
)
from primer_nb.widgets._common import ERROR_COLOR, OK_COLOR, HandlerLog, Looks, escape, message
from primer_nb.widgets.form import CurrencyNode, Evaluation, FormContext, RequestForm
from primer_nb.widgets.preview import Preview
from primer_nb.widgets.results import error_html

if TYPE_CHECKING:
    from primer_nb.client import PrimerClient
    from primer_nb.widgets.expiry import Clock

__all__ = [
    "BoxOptions",
    "RequestBuilder",
    "api_key_of",
    "clock_of",
    "default_client",
    "reason_html",
]


class BoxOptions(TypedDict, total=False):
    """Keyword options a builder passes on to its `ipywidgets.VBox`."""

    layout: w.Layout | dict[str, str]
    box_style: str
    tooltip: str | None
    tabbable: bool | None


def default_client() -> PrimerClient:
    """`PrimerClient()`: the backend the environment selects (README, "Backends"): the
    in-process emulator by default, Primer's sandbox with PRIMER_API_KEY, a server at
    PRIMER_BASE_URL."""
    from primer_nb.client import PrimerClient

    return PrimerClient()


def api_key_of(client: object) -> str | None:
    """The client's key, only so that it can be redacted from anything shown."""
    key = getattr(getattr(client, "settings", None), "api_key", None)
    return key if isinstance(key, str) else None


def clock_of(client: object) -> Clock | None:
    """The emulator's clock when the client targets the in-process emulator, else None."""
    emulator = getattr(client, "emulator", None)
    clock: Clock | None = getattr(emulator, "clock", None)
    return clock


def reason_html(evaluation: Evaluation, ready: str) -> str:
    """Why Send is disabled (the first problems), or `ready` when it is not."""
    if evaluation.valid:
        return message(escape(ready), OK_COLOR, "status")
    shown = "; ".join(f"{p}: {m}" for p, m in evaluation.errors[:3])
    more = len(evaluation.errors) - 3
    extra = f" (+{more} more)" if more > 0 else ""
    count = len(evaluation.errors)
    text = f"Send is disabled: {count} problem{'s' if count != 1 else ''}: {escape(shown)}{extra}"
    return message(text, ERROR_COLOR, "status")


class RequestBuilder(w.VBox):  # type: ignore[misc]
    """The common body of the builders (not used on its own).

    **Parameters:** `client`; `model`, the request model the form is generated from;
    `title` (HTML), `send_label`, `css_class`; `method` for the preview's snippets;
    `skip`, form fields left out; `beside`, widgets shown under the preview; `buttons`,
    widgets after Send; `looks`, the shared layouts and styles (the builder makes its own
    when none is given).
    """

    #: the form as the last `refresh` read it: the body, the model, every problem
    evaluation: Evaluation | None = None

    def __init__(
        self,
        client: PrimerClient,
        model: type[BaseModel],
        *,
        title: str,
        send_label: str,
        css_class: str,
        method: str = "POST",
        skip: frozenset[str] = frozenset(),
        beside: Sequence[w.Widget] = (),
        buttons: Sequence[w.Widget] = (),
        looks: Looks | None = None,
        **kwargs: Unpack[BoxOptions],
    ) -> None:
        self.client = client
        #: layout and style models shared by every widget of this builder (`Looks`)
        self.looks = looks = looks or Looks()
        from primer_nb.client import redaction_secrets

        self.handlers = HandlerLog(secrets=redaction_secrets(client), looks=looks)
        self.failure: PrimerError | None = None
        self.ctx = FormContext(
            on_change=self.handlers.guard(self.refresh),
            guard=self.handlers.guard,
            currency=self._currency,
            looks=looks,
        )
        self.form = RequestForm(
            model, self.ctx, skip=skip, overrides={"currency_code": CurrencyNode}
        )
        self.preview = Preview(client, method=method, looks=looks)
        self.status = looks.make(w.HTML, value="", classes=["primer-status"])
        self.send_button = looks.make(w.Button, description=send_label, button_style="primary")
        self.send_button.on_click(self.handlers.guard(lambda _b: self._clicked()))
        self.result = looks.make(w.VBox, [], classes=["primer-result"])
        side = looks.make(w.VBox, [self.preview.widget, *beside]) if beside else self.preview.widget
        children = [
            looks.make(w.HTML, title),
            looks.make(w.HBox, [self.form.widget, side]),
            looks.make(w.HBox, [self.send_button, *buttons, self.status]),
            self.result,
            self.handlers.output,
        ]
        super().__init__(children=children, **kwargs)
        self.add_class(css_class)

    @property
    def errors(self) -> list[str]:
        """Tracebacks of exceptions raised inside handlers (should stay empty)."""
        return self.handlers.errors

    def _currency(self) -> str | None:
        """The currency typed in the form (the form asks for it to show money)."""
        value = self.form.root.fields["currencyCode"].value  # type: ignore[attr-defined]
        return value if isinstance(value, str) else None

    def fill(self, values: Mapping[str, object]) -> Self:
        """Type values by wire name, nested like the body (money as major-unit text).

        ```python
        builder.fill({
            "orderId": "o-9", "currencyCode": "EUR",
            "order": {"lineItems": [{"itemId": "shoe", "amount": "59.90", "quantity": 2}]},
            "metadata": {"campaign": "spring"},
        })
        ```

        A list of objects (`order.lineItems`, `order.fees`) becomes one row per item and
        `metadata` its key/value rows, each value sent as given; both replace the rows
        the form had, as the body's value would. To change one row, fill that row
        (`form.node("$.order.lineItems[0]").fill({...})`); to add one, `add_line_item`
        (`SessionBuilder`) or `form.node("$.order.lineItems").add_row({...})`.

        Money is major units as text or a Decimal (`"12.99"`): an int is refused, since a
        wire body's `1299` is minor units (`primer_nb.currency.from_minor_units(1299,
        "EUR")` gives `Decimal('12.99')`). Everything is checked before anything is
        typed, so a fill that raises changes nothing: an unknown key raises
        `UnknownFieldError` (a KeyError) naming its JSONPath and the wire name meant
        (`$.order_id is not a field of ClientSessionRequest; did you mean `orderId`?`),
        and a value its control cannot hold (a wrong type, a choice not in the list, an
        int amount) raises TypeError or ValueError naming the JSONPath and what it takes
        (`$.currencyCode: 'eur' is not one of ...; did you mean 'EUR'?`). Other values
        are typed in as given (a number into a text field becomes its text) and checked
        like typed text: what the API would refuse is listed in `problems` and keeps Send
        disabled.
        """
        self.form.root.fill(values)
        return self

    def refresh(self) -> None:
        """Re-read the form and update everything shown."""
        raise NotImplementedError

    def submit(self) -> BaseModel:
        """Send the request (what the Send button does) and return the answer; raises
        what refused it (shown in the widget too), as the client does."""
        raise NotImplementedError

    def _clicked(self) -> None:
        """The Send button: a refusal is shown in the widget (`_show_failure`), so the
        `PrimerError` that `submit` raises for code goes no further."""
        with contextlib.suppress(PrimerError):
            self.submit()

    def _not_sendable(self) -> PrimerValidationError:
        """The form's problems as the client's error before sending (`local=True`), every
        one at its JSONPath: `submit()` on a form Send is disabled for raises it, where it
        returned None and the next cell's `session.client_token` failed without a reason."""
        model = getattr(self.form.model, "__primer_schema__", "") or self.form.model.__name__
        errors = self.evaluation.errors if self.evaluation is not None else []
        details = [ValidationErrorDetail(model, path, text) for path, text in errors]
        return refused_before_sending(details)

    #: What may have happened all the same when no answer, a 5xx, a 408 or a 429 came back
    #: (each builder says it for its own request).
    _unsure = "the request may have been processed all the same"

    def _failure_status(self, exc: PrimerError) -> str:
        """Who refused the request, or, when the outcome is unknown, that it may have been
        processed: "refused" there invited a second Send, and a second session (a POST
        answered 5xx may have created one; behaviour.md §4, as the batch says)."""
        environment = self.client.environment
        where = "the emulator" if environment == "emulator" else f"Primer ({environment})"
        if getattr(exc, "local", False):
            return "primer-nb's check refused the request before sending it; the form is unchanged."
        if isinstance(exc, PrimerConnectionError):
            if not exc.sent:
                return f"Could not reach {where}: nothing was sent; the form is unchanged."
            got = f"No answer came from {where}"
        elif isinstance(exc, PrimerAPIError) and may_have_been_processed(exc.status_code):
            wait = exc.retry_after if isinstance(exc, RateLimitError) else None
            asks = f", asking to wait {wait:g} s" if wait is not None else ""
            got = f"{where[0].upper()}{where[1:]} answered {exc.status_code}{asks}"
        else:
            return f"{where[0].upper()}{where[1:]} refused the request; the form is unchanged."
        return f"{got}: {self._unsure}. The form is unchanged."

    def _show_failure(self, exc: PrimerError, status: str | None = None) -> None:
        """The error in the result area, its messages at their fields, and a status
        (`status`, plain text, or one that names who refused: the client before sending,
        the emulator or Primer); the form stays."""
        self.failure = exc
        self.result.children = [
            self.looks.make(w.HTML, error_html(exc), classes=["primer-error-box"])
        ]
        text = escape(status) if status is not None else self._failure_status(exc)
        self.status.value = message(text, ERROR_COLOR, "alert")
        details = getattr(exc, "validation_errors", [])
        at_fields = [(d.path, d.description) for d in details]
        if isinstance(exc, DisabledCurrencyError) and "$.currencyCode" in self.form.nodes:
            # a 400 without validationErrors, about one field: said there too
            at_fields.append(("$.currencyCode", str(exc.description)))
        self.form.annotate(at_fields)
