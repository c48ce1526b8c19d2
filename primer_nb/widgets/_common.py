"""Small pieces shared by the builders: handler guard, token shortening, HTML helpers."""

from __future__ import annotations

import functools
import html
import json
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import ParamSpec, TypeVar

import ipywidgets as w

from primer_nb.config import redact
from primer_nb.redaction import short_token

__all__ = ["HandlerLog", "code_block", "escape", "short_token", "table"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def escape(value: object) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def code_block(text: str) -> str:
    """A `<pre>` block for JSON and shell snippets."""
    return f'<pre style="margin:0;white-space:pre-wrap;font-size:12px">{escape(text)}</pre>'


def as_json(value: object) -> str:
    """Compact, stable JSON for tables (`—` for nothing)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], css_class: str = "") -> str:
    """A small HTML table; every cell is escaped."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 8px'>{escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table class='{escape(css_class)}'><tr>{head}</tr>{body}</table>"


class HandlerLog:
    """Records exceptions raised in widget handlers instead of letting ipywidgets log them.

    ipywidgets swallows exceptions in `on_click`/`observe` callbacks. Every handler of
    the builders runs through `guard()`: a failure is appended to `errors` (tracebacks,
    with the API key redacted) and shown in the `output` widget, so neither a reader nor
    a test can miss it.
    """

    def __init__(self, secret: str | None = None) -> None:
        self.errors: list[str] = []
        self.output = w.Output(layout=w.Layout(max_height="200px", overflow="auto"))
        self._secret = secret

    def guard(self, fn: Callable[_P, _R]) -> Callable[_P, _R | None]:
        """`fn` wrapped so that an exception is recorded and shown, never lost (then None)."""

        @functools.wraps(fn)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R | None:
            try:
                return fn(*args, **kwargs)
            except Exception:
                self.record(traceback.format_exc())
                return None

        return run

    def record(self, text: str) -> None:
        """Append one failure (redacted) to `errors` and to the output widget."""
        text = redact(text, self._secret)
        self.errors.append(text)
        self.output.append_stderr(text)
