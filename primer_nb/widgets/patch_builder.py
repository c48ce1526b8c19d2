"""`PatchBuilder`: change a client session with a form, see the diff and Primer's rules.

```python
patcher = PatchBuilder(client, session.client_token)   # GETs the session, fills the form
patcher.fill({"orderId": "order-1b"})
patcher.changes          # {'orderId': 'order-1b'}: only what differs is sent
patcher.submit()         # PATCH; patcher.session is the new ClientSession
patcher.reload()         # GET again, keeping what was typed (the Reload button)
```

The form is the session form (generated from `ClientSessionUpdateRequest`) loaded with
the current session. The body sent holds only what changed, following Primer's PATCH
rules, which the widget lists as they apply:

- arrays (`order.lineItems`, `order.fees`, `orderedAllowedCardNetworks`) are replaced
  whole, so a changed array is sent complete;
- `customer`, `order` and `paymentMethod` are merged one level deep (a sub-object such
  as `billingAddress` is replaced whole); `metadata` is replaced whole;
- `null` clears a field (emptying a field that had a value sends `null`);
- `paymentMethod.options` and `approvalMode` cannot be updated (not in this form).

`amount` is left empty when the session's amount is the one computed from its order;
typing one sets a top-level override. A session that already holds an override (an
amount its order does not add up to) shows it there, so the total is the one the API
will answer and emptying the field clears it (`null`).

When a PATCH gets no answer, or a 5xx, 408 or 429, the change may have been made all the
same. **Reload** (`reload()`) reads the session again and applies what was typed to it:
the diff and Send then hold only what is still to change, nothing when the PATCH had been
made, so a second Send cannot apply it twice. It does the same after someone else changed
the session.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Unpack, cast

import ipywidgets as w
from pydantic import JsonValue

from primer_nb.amounts import breakdown, session_amount
from primer_nb.errors import METADATA_EMPTY_KEY, PrimerError
from primer_nb.merging import MERGED_ONE_LEVEL, apply_patch, patch_of
from primer_nb.models import (
    ClientSession,
    ClientSessionUpdateRequest,
    merged_total_problems,
    shown,
    shown_secrets,
)
from primer_nb.widgets._builder import BoxOptions, RequestBuilder, reason_html
from primer_nb.widgets._common import (
    ERROR_COLOR,
    OK_COLOR,
    Looks,
    as_json,
    code_block,
    escape,
    message,
    table,
)
from primer_nb.widgets.form import UNSET, Evaluation, LeafNode, MoneyNode
from primer_nb.widgets.preview import money

if TYPE_CHECKING:
    from primer_nb.client import PrimerClient

__all__ = ["MERGED", "PatchBuilder", "flatten", "merge_preview", "patch_of"]

#: Objects PATCH merges one level deep (`primer_nb.merging.MERGED_ONE_LEVEL`).
MERGED = MERGED_ONE_LEVEL
SKIP = frozenset({"client_token", "approval_mode", "payment_method.options"})
_SHORT = 60


def merge_preview(session: Mapping[str, object], patch: Mapping[str, object]) -> dict[str, object]:
    """The session as it will be after `patch` (for the predicted total): the emulator's
    own rule, `primer_nb.merging.apply_patch`."""
    return apply_patch(session, patch)


def flatten(value: object, path: str = "$") -> dict[str, object]:
    """Leaves by JSONPath; arrays are leaves (PATCH replaces them whole)."""
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}"))
        return out
    return {path: value}


def _changes(old: object, new: object, path: str = "$") -> Iterator[tuple[str, object, object]]:
    """`(JSONPath, before, after)` of each leaf that differs, `UNSET` where a key is
    absent. Objects are walked key by key; an array item by item when both sides have as
    many items (which line changed), else it is one row, as PATCH replaces it whole."""
    mappings = (isinstance(old, Mapping) or old is UNSET) and (
        isinstance(new, Mapping) or new is UNSET
    )
    if mappings and (isinstance(old, Mapping) or isinstance(new, Mapping)):
        before = old if isinstance(old, Mapping) else {}
        after = new if isinstance(new, Mapping) else {}
        for key in [*after, *(k for k in before if k not in after)]:
            yield from _changes(before.get(key, UNSET), after.get(key, UNSET), f"{path}.{key}")
    elif isinstance(old, list) and isinstance(new, list) and old and len(old) == len(new):
        for index, (one, other) in enumerate(zip(old, new, strict=True)):
            yield from _changes(one, other, f"{path}[{index}]")
    elif old != new:
        yield path, old, new


def _show(value: object) -> str:
    if value is UNSET:
        return "—"
    if value is None:
        return "null (cleared)"
    text = as_json(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def diff_html(
    before: Mapping[str, object],
    after: Mapping[str, object],
    empty: str = "No changes yet: edit a field to build a PATCH.",
) -> str:
    """A table of the JSONPaths that change: before → after (`empty` when none do); an
    array of as many items on both sides item by item (cut short, it hid what changed)."""
    rows = [
        (path, _show(old), _show(None if new is UNSET else new))  # absent after: cleared
        for path, old, new in _changes(before, after)
    ]
    if not rows:
        return f"<span class='primer-diff'>{escape(empty)}</span>"
    return "<b>Changes</b>" + table(("path", "before", "after"), rows, "primer-diff")


def rules_for(patch: Mapping[str, object]) -> list[str]:
    """The PATCH rules that apply to this body (and the two that always do); the
    emulator's own choices among them say so."""
    rules: list[str] = []
    for path, value in flatten(patch).items():
        if isinstance(value, list):
            rules.append(f"{path} is an array: PATCH replaces it whole, so every item is sent.")
        elif value is None:
            rules.append(f"{path} is null: null clears the field.")
    for key in MERGED & patch.keys():
        rules.append(
            f"$.{key} is merged one level deep; a sub-object in it is replaced whole "
            "(the emulator's rule: Primer's texts disagree on the depth)."
        )
    if "metadata" in patch and patch["metadata"] is not None:
        rules.append(
            "$.metadata is replaced whole: keys you removed are gone, and so are keys "
            "with empty values, which GET leaves out of what this form loaded."
        )
    if patch.get("amount") is not None:
        rules.append(
            "$.amount overrides the computed total; the emulator keeps it until it is "
            "cleared with null (Primer does not say how long)."
        )
    rules.append("$.paymentMethod.options cannot be updated: create a new client session.")
    rules.append("$.approvalMode is set at creation only.")
    return rules


class _NotReloaded(ValueError):
    """`reload()` refused (its status says why): the form holds what it would lose."""


class PatchBuilder(RequestBuilder):
    """A form over an existing session that sends `PATCH /client-session`.

    Attributes: `before` (the session as loaded), `changes` (the PATCH body without the
    token), `request` (the valid `ClientSessionUpdateRequest`, else None), `session`
    (the answer to the last PATCH), `failure`, `errors` (handler exceptions),
    `reload_button` (what `reload()` does).
    """

    _unsure = (
        "the change may have been made all the same: press Reload (reload()) to read the "
        "session again, keeping what you typed, before sending it again"
    )

    def __init__(
        self, client: PrimerClient, client_token: str, **kwargs: Unpack[BoxOptions]
    ) -> None:
        self.client_token = client_token
        self.before: ClientSession = client.get_session(client_token)
        self.session: ClientSession | None = None
        self.request: ClientSessionUpdateRequest | None = None
        self.changes: dict[str, object] = {}
        self.baseline: dict[str, JsonValue] = {}
        self.same_as_total = False  # set by _load: an amount equal to the order's total
        looks = Looks()
        self.diff = looks.make(w.HTML, value="", classes=["primer-diff-box"])
        self.rules = looks.make(w.HTML, value="", classes=["primer-rules"])
        self.reload_button = looks.make(
            w.Button,
            description="Reload",
            tooltip="Read the session again (GET), keeping what you typed",
        )
        super().__init__(
            client,
            ClientSessionUpdateRequest,
            title="<b>Update a client session</b> — PATCH /client-session",
            send_label="Send PATCH",
            css_class="primer-patch-builder",
            method="PATCH",
            skip=SKIP,
            beside=(self.diff, self.rules),
            buttons=(self.reload_button,),
            looks=looks,
            **kwargs,
        )
        self.reload_button.on_click(self.handlers.guard(lambda _b: self._reload_clicked()))
        self._load(self.before)

    def _currency(self) -> str | None:
        typed = super()._currency()
        return typed if typed is not None else self.before.currency_code

    def _load(self, session: ClientSession) -> None:
        wire = session.to_wire()
        amount = wire.pop("amount", None)
        computed = session_amount(wire)
        # The API answers the order's total or an override: only an override is a field.
        if amount is not None and amount != computed:
            wire["amount"] = amount
        # An override equal to the total looks like no override at all (a GET cannot tell
        # them apart): when the order changes, the rules say what the PATCH may answer.
        items = session.order.line_items if session.order is not None else None
        self.same_as_total = amount is not None and amount == computed and bool(items)
        self.ctx.held = True
        try:
            self.form.root.load(wire)
        finally:
            self.ctx.held = False
        self.baseline, _ = self.form.collect()
        self.refresh()

    def refresh(self) -> None:
        """Recompute the PATCH body, diff, rules, inline messages and Send's state."""
        after, found = self.form.collect()
        self.changes = patch_of(self.baseline, after)
        body = {"clientToken": self.client_token, **self.changes}
        before = self.before.to_wire()
        predicted = merge_preview(before, self.changes)
        if "amount" not in self.changes and "amount" not in self.baseline:
            predicted.pop("amount", None)  # no override: the total comes from the order
            before.pop("amount", None)
        # A PATCH body is valid on its own whatever its lines' totals: the session it makes
        # is judged, as the emulator does (a discount larger than its line -> 422)
        for detail in merged_total_problems(before, predicted):
            found.errors.setdefault(detail.path, detail.description)
        self.evaluation = evaluation = self.form.check(body, found)
        model = evaluation.model if evaluation.valid else None
        self.request = model if isinstance(model, ClientSessionUpdateRequest) else None
        sent = {"clientToken": "$PRIMER_CLIENT_TOKEN", **self.changes}
        self.preview.update(sent, total_of=predicted)
        secrets = shown_secrets()  # a key in the session or typed in shows as `***`
        self.diff.value = diff_html(shown(self.baseline, secrets), shown(after, secrets))
        rules = rules_for(self.changes)
        if self.same_as_total and "order" in self.changes and "amount" not in self.changes:
            rules.append(
                "$.amount equals the order's total, so the preview follows the items. If "
                "the session was created with an amount, that override is kept and answered "
                "instead, until cleared: update_session(token, {'amount': None})."
            )
        self.rules.value = (
            "<b>Rules</b><ul>" + "".join(f"<li>{escape(r)}</li>" for r in rules) + "</ul>"
        )
        self._gate(evaluation)

    def _gate(self, evaluation: Evaluation) -> None:
        if evaluation.valid and not self.changes:
            self.status.value = "Nothing to send yet: change a field."
        else:
            self.status.value = reason_html(evaluation, "Ready: PATCH /client-session")
        self.send_button.disabled = self.request is None or not self.changes

    def _clicked(self) -> None:
        """The button with nothing changed (a click that beat the refresh disabling it):
        the status says so; no error for the log."""
        if not self.changes:
            self.refresh()
            return
        super()._clicked()

    def submit(self) -> ClientSession:
        """Send the PATCH (what the button does) and return the new session.

        A form with problems raises `PrimerValidationError` (`local=True`) with each at its
        JSONPath, and one with no change a `ValueError` (there is nothing to send); a
        refused PATCH shows its error in the widget and raises it, as
        `client.update_session` does.
        """
        self.refresh()
        if self.request is None:
            raise self._not_sendable()
        if not self.changes:
            raise ValueError("nothing to send yet: change a field of the session first")
        old = self.before
        try:
            new: ClientSession = self.client.update_session(self.client_token, self.changes)
        except PrimerError as exc:
            self._show_failure(exc)
            raise
        self.session, self.failure, self.before = new, None, new
        self.result.children = [self.looks.make(w.HTML, self._outcome_html(old, new))]
        self._load(new)
        return new

    def reload(self) -> ClientSession:
        """Read the session again (`GET /client-session`), keeping what was typed.

        `before` becomes the session as it is now, and the changes typed in the form are
        applied to it (by the PATCH rules), so `changes`, the diff and Send hold only what
        is still to change: nothing when a PATCH whose answer was lost had been made. A
        GET that fails shows its error and raises it; the form is then unchanged. Text that
        is not a value yet (`12,50` in an amount) is kept as typed; in a row of a list
        (a line item), whose rows the reload may change, or a problem in another kind of
        field (a metadata key typed twice), it stops the reload: a `ValueError` names
        those fields.
        """
        texts, others = self._unread()
        refused = self._refusal(texts, others)
        if refused is not None:
            raise _NotReloaded(refused)
        typed = dict(self.changes)
        try:
            fresh: ClientSession = self.client.get_session(self.client_token)
        except PrimerError as exc:
            name = type(exc).__name__
            self._show_failure(
                exc, f"Could not read the session again ({name}); the form is unchanged."
            )
            raise
        self.before, self.failure = fresh, None
        self.result.children = []
        self._load(fresh)  # the form and its baseline: the session as it is now
        if typed or texts:
            self.ctx.held = True
            try:
                # what the form shows is JSON (collected from it), and so is the PATCH of it
                self.form.root.load(cast(JsonValue, apply_patch(self.baseline, typed)))
                for path, text in texts.items():  # not values yet: put back as typed
                    node = self.form.nodes.get(path)
                    if isinstance(node, (LeafNode, MoneyNode)):
                        node.control.value = text
            finally:
                self.ctx.held = False
            self.refresh()
        if typed and not self.changes:
            text = "Read again: the session already has every change you typed; nothing to send."
            self.status.value = message(escape(text), OK_COLOR, "status")
        return fresh

    def _unread(self) -> tuple[dict[str, str], dict[str, str]]:
        """What the reload could lose, by JSONPath: the text of each plain field the form
        cannot read as a value yet (put back as typed), and the problem of every other
        field (a metadata key typed twice keeps one row in what the form reads)."""
        _, found = self.form.collect()
        texts: dict[str, str] = {}
        others: dict[str, str] = {}
        for path, problem in found.errors.items():
            node = found.nodes.get(path)
            if isinstance(node, (LeafNode, MoneyNode)) and isinstance(node.control.value, str):
                texts[path] = node.control.value
            elif problem != METADATA_EMPTY_KEY[1]:  # an empty key is read, and kept
                others[path] = problem
        return texts, others

    def _refusal(self, texts: Mapping[str, str], others: Mapping[str, str]) -> str | None:
        """Why the form cannot be reloaded (shown as the status), or None: unreadable text
        in a list's row, whose rows the reload may change (a teammate's PATCH), or a
        problem in a field whose text the reload cannot put back."""
        problems = [
            *(f"{p}: text that is not a value yet, in a list's row" for p in texts if "[" in p),
            *(f"{p}: {problem}" for p, problem in others.items()),
        ]
        if not problems:
            return None
        text = (
            f"Not reloaded: {'; '.join(problems)}. The reload keeps what the form can read, "
            "so fix this first."
        )
        self.status.value = message(escape(text), ERROR_COLOR, "alert")
        return text

    def _reload_clicked(self) -> None:
        """The Reload button: what stops it is shown in the widget, not raised further."""
        with contextlib.suppress(PrimerError, _NotReloaded):
            self.reload()

    @staticmethod
    def _outcome_html(old: ClientSession, new: ClientSession) -> str:
        code = new.currency_code or old.currency_code
        before = money(breakdown(old.to_wire()).total if old.amount is None else old.amount, code)
        after = money(new.amount, new.currency_code)
        change = f"<b>amount</b> {escape(before)} → <b>{escape(after)}</b>"
        # what the PATCH changed stays in view: the form's own diff starts again from the
        # updated session
        secrets = shown_secrets()  # a key in the session (a metadata note) shows as `***`
        before_wire, after_wire = shown(old.to_wire(), secrets), shown(new.to_wire(), secrets)
        changed = diff_html(before_wire, after_wire, empty="The session is unchanged.")
        session_json = code_block(json.dumps(after_wire, indent=2))
        return f"<div class='primer-patched'>Updated. {change}<br>{changed}{session_json}</div>"

    def __repr__(self) -> str:
        valid = self.request is not None or not self.changes
        return (
            f"PatchBuilder(changes={len(self.changes)}, valid={valid}, "
            f"sent={self.session is not None})"
        )
