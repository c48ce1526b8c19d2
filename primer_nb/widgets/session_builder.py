"""`SessionBuilder`: build a client session by filling a form, see the request, send it.

```python
from primer_nb.widgets import SessionBuilder

builder = SessionBuilder(client)          # client=None -> PrimerClient()
builder                                   # the form, the live preview and a Send button
builder.fill({"orderId": "order-1", "currencyCode": "EUR"})
builder.add_line_item({"name": "Shoes", "amount": "12.99", "quantity": "2"})
builder.fill({"metadata": {"campaign": "spring"}})   # lineItems too: a list, one per row
builder.submit()                          # same as clicking Send; returns the session
builder.request, builder.session          # pydantic models for the next cell
```

The form is generated from `ClientSessionRequest` (see `primer_nb.widgets.form` for why
our own generator); money is typed in major units and sent in minor units; the preview
shows the total (from `amounts.py`, like the emulator), the JSON body and the same
request as `curl` and Python, with the key as `$PRIMER_API_KEY`. Messages appear next to
the field, at the JSONPath the API's 422 would name, and Send stays disabled, with the
reason beside it, until the form is valid. A failed Send shows Primer's error and leaves
the form exactly as typed; `submit()` in code also raises it (and, for a form with
problems, a `PrimerValidationError` naming each), as the client does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Unpack

import ipywidgets as w

from primer_nb.errors import PrimerError
from primer_nb.models import ClientSessionRequest, ClientSessionWithToken
from primer_nb.widgets._builder import (
    BoxOptions,
    RequestBuilder,
    api_key_of,
    clock_of,
    default_client,
    reason_html,
)
from primer_nb.widgets._common import OK_COLOR, escape, message
from primer_nb.widgets.expiry import ExpiryCountdown
from primer_nb.widgets.form import (
    Evaluation,
    ListNode,
    MetadataNode,
    ModelNode,
    Node,
)
from primer_nb.widgets.preview import money
from primer_nb.widgets.results import token_html, warnings_html

if TYPE_CHECKING:
    from primer_nb.client import PrimerClient

__all__ = ["SessionBuilder", "api_key_of", "clock_of", "default_client"]


class SessionBuilder(RequestBuilder):
    """A form for `POST /client-session` with a live preview, Send, token and warnings.

    Attributes for the next cell: `request` (the valid `ClientSessionRequest`, else
    None), `session` (the last `ClientSessionWithToken` created), `failure` (the last
    `PrimerError`), `countdown`, and `errors` (exceptions raised in handlers: empty
    unless something is broken).
    """

    _unsure = (
        "the session may have been created all the same, and a second Send could make a "
        "second one (Primer has no way to look a session up without its client token)"
    )

    def __init__(self, client: PrimerClient | None = None, **kwargs: Unpack[BoxOptions]) -> None:
        self.request: ClientSessionRequest | None = None
        self.session: ClientSessionWithToken | None = None
        self.countdown: ExpiryCountdown | None = None
        self.evaluation: Evaluation | None = None
        self._displayed = False
        super().__init__(
            client if client is not None else default_client(),
            ClientSessionRequest,
            title="<b>Client session</b> — POST /client-session",
            send_label="Send",
            css_class="primer-session-builder",
            **kwargs,
        )
        self.send_button.add_class("primer-send")
        self.refresh()

    # --- reading and filling the form -------------------------------------------------

    @property
    def problems(self) -> list[str]:
        """What keeps Send disabled, as `JSONPath: message` lines (empty when valid)."""
        evaluation = self.evaluation
        return [f"{p}: {m}" for p, m in evaluation.errors] if evaluation else []

    def field(self, path: str) -> Node:
        """The widget node at a JSONPath, e.g. `$.orderId` or `$.order.lineItems[0].amount`."""
        return self.form.node(path)

    @property
    def line_items(self) -> ListNode:
        order = self.form.root.fields["order"]
        assert isinstance(order, ModelNode)
        items = order.fields["lineItems"]
        assert isinstance(items, ListNode)
        return items

    @property
    def metadata(self) -> MetadataNode:
        node = self.form.root.fields["metadata"]
        assert isinstance(node, MetadataNode)
        return node

    def add_line_item(self, values: Mapping[str, object] | None = None) -> ModelNode:
        """Add a line-item row, e.g. `{"name": "Shoes", "amount": "12.99", "quantity": "2"}`."""
        return self.line_items.add_row(values)

    # --- live evaluation ----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the form: inline messages, preview, Send enabled or not (with reason)."""
        evaluation = self.form.evaluate()
        self.evaluation = evaluation
        model = evaluation.model if evaluation.valid else None
        self.request = model if isinstance(model, ClientSessionRequest) else None
        if self.request is not None:
            self.preview.update(self.request.to_wire())
        else:  # what the form can read so far, the problems counted
            self.preview.update(evaluation.body, problems=len(evaluation.errors))
        self.status.value = reason_html(evaluation, "Ready: POST /client-session")
        self.send_button.disabled = self.request is None

    # --- sending ------------------------------------------------------------------------

    def submit(self) -> ClientSessionWithToken:
        """Send the request (what the Send button does) and return the session.

        A form Send is disabled for raises `PrimerValidationError` (`local=True`) with every
        problem at its JSONPath; a refused request shows its error in the widget and
        raises it, as `client.create_session` does.
        """
        self.refresh()
        request = self.request
        if request is None:
            raise self._not_sendable()
        self.send_button.disabled = True
        self.status.value = "Sending…"
        try:
            session = self.client.create_session(request)
        except PrimerError as exc:
            self._show_failure(exc)
            raise
        except Exception:
            self.status.value = "Send failed with an unexpected error (raised: see the log)."
            raise
        finally:
            self.send_button.disabled = self.request is None
        self._show_session(session)
        return session

    def _show_session(self, session: ClientSessionWithToken) -> None:
        self.session, self.failure = session, None
        if self.countdown is not None:
            self.countdown.close()
        self.countdown = ExpiryCountdown(session, clock=clock_of(self.client))
        if self._displayed:
            self.countdown.start()
        self.result.children = [
            self.looks.make(w.HTML, token_html(session.client_token)),
            self.countdown,
            self.looks.make(w.HTML, warnings_html(session.warnings)),
        ]
        self.status.value = message(
            f"Created: amount {escape(money(session.amount, session.currency_code))}",
            OK_COLOR,
            "status",
        )

    # --- display ------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: object) -> object:
        self._displayed = True
        if self.countdown is not None:
            self.countdown.start()
        return super()._repr_mimebundle_(**kwargs)

    def close(self) -> None:
        if self.countdown is not None:
            self.countdown.close()
        super().close()

    def __repr__(self) -> str:
        rows = len(self.line_items.rows)
        valid = self.request is not None
        return (
            f"SessionBuilder(currency={self._currency()!r}, line_items={rows}, "
            f"valid={valid}, sent={self.session is not None})"
        )
