"""The live preview beside a form: the total, the JSON body, curl and Python snippets."""

from __future__ import annotations

import json
from collections.abc import Mapping

import ipywidgets as w

from primer_nb.amounts import AmountBreakdown, breakdown
from primer_nb.currency import UnknownCurrencyError, format_amount
from primer_nb.models import shown, shown_secrets
from primer_nb.widgets._common import Looks, code_block, escape
from primer_nb.widgets.snippets import curl_snippet, python_snippet, snippet_target

__all__ = ["Preview", "describe_total", "money"]


def money(units: int | None, code: str | None) -> str:
    """`EUR 12.99`, or `1299 minor units` when the currency is unknown."""
    if units is None:
        return "—"
    if code:
        try:
            return format_amount(units, code)
        except (UnknownCurrencyError, TypeError):
            pass
    return f"{units} minor units"


def describe_total(parts: AmountBreakdown, code: str | None) -> str:
    """One line: the total the API will answer and how it is made up."""
    if parts.total is None:
        return "Total: — (no amount, line items, fees or shipping yet)"
    made_of = (
        f"line items {money(parts.line_items, code)} + fees {money(parts.fees, code)}"
        f" + shipping {money(parts.shipping, code)}"
    )
    if parts.override is not None:
        computed = money(parts.computed, code) if parts.computed is not None else "—"
        return f"Total: {money(parts.total, code)} (amount overrides the computed {computed})"
    return f"Total: {money(parts.total, code)} ({made_of})"


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


class Preview:
    """Total, JSON and snippets for one request body, refreshed by `update()`."""

    def __init__(self, client: object, method: str = "POST", looks: Looks | None = None) -> None:
        self.method = method
        self.base_url, self.api_version, self.note = snippet_target(client)
        looks = looks or Looks()
        self.total = looks.make(w.HTML, value="", classes=["primer-total"])
        self.json = looks.make(w.HTML, value="", classes=["primer-json"])
        self.curl = looks.make(w.HTML, value="", classes=["primer-curl"])
        self.python = looks.make(w.HTML, value="", classes=["primer-python"])
        self.tabs = looks.make(w.Tab, children=[self.json, self.curl, self.python])
        self.tabs.titles = ("JSON body", "curl", "Python")
        self.widget = looks.make(
            w.VBox,
            [looks.make(w.HTML, "<b>Preview</b>"), self.total, self.tabs],
            css={"width": "560px", "margin": "0 0 0 16px"},
        )
        self.body_text = ""
        self.total_text = ""
        self.curl_text = ""
        self.python_text = ""

    def update(
        self,
        body: Mapping[str, object],
        total_of: Mapping[str, object] | None = None,
        problems: int = 0,
    ) -> None:
        """Show `body`; the total is computed (amounts.py) from `total_of` or `body`.

        With `problems` (the form's, shown beside its fields), the body is not one to send
        (a field the form cannot read is left out of it): the total says so rather than
        show a sum without it, and the snippets say so in their first line."""
        source = body if total_of is None else total_of
        code = _text_or_none(source.get("currencyCode"))
        parts = breakdown(source)
        self.total_text = describe_total(parts, code)
        incomplete = None
        if problems:
            what = "problem" if problems == 1 else "problems"
            incomplete = f"not sendable yet: {problems} {what} in the form"
            self.total_text = f"Total: — ({incomplete})"
        self.total.value = f"<b>{escape(self.total_text)}</b>"
        # a key pasted into a field shows as `***`, here and in the snippets
        self.body_text = json.dumps(shown(body, shown_secrets()), indent=2, ensure_ascii=False)
        self.json.value = code_block(self.body_text)
        try:
            self.curl_text = curl_snippet(
                body,
                method=self.method,
                base_url=self.base_url,
                api_version=self.api_version,
                note=self.note,
            )
            self.python_text = python_snippet(
                body,
                method=self.method,
                base_url=self.base_url,
                api_version=self.api_version,
                note=self.note,
            )
        except (TypeError, ValueError) as exc:  # a value JSON cannot hold: no snippet to copy
            self.curl_text = self.python_text = f"# not sendable: {exc}"
        if incomplete is not None:
            self.curl_text = f"# {incomplete}\n{self.curl_text}"
            self.python_text = f"# {incomplete}\n{self.python_text}"
        self.curl.value = code_block(self.curl_text)
        self.python.value = code_block(self.python_text)
