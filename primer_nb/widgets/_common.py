"""Small pieces shared by the builders: handler guard, token shortening, HTML helpers."""

from __future__ import annotations

import functools
import html
import json
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import ipywidgets as w

from primer_nb.redaction import longest_first, redact_each, short_token

__all__ = ["HandlerLog", "Looks", "code_block", "escape", "short_token", "table"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_W = TypeVar("_W")


#: Text colours of the widgets' messages: JupyterLab's theme colours where they are defined
#: (readable in its light and dark themes, at least 4.5:1), else the light theme's.
ERROR_COLOR = "var(--jp-error-color1, #b00020)"
OK_COLOR = "var(--jp-success-color0, #1b5e20)"
NOTE_COLOR = "var(--jp-ui-font-color2, #666)"


def message(text_html: str, color: str, role: str) -> str:
    """`text_html` in `color`, as an ARIA `role` (`status`: said when a screen reader is
    idle; `alert`: said at once), so a message is heard, not only seen in its colour."""
    return f"<span role='{role}' style='color:{color}'>{text_html}</span>"


def escape(value: object) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def code_block(text: str) -> str:
    """A `<pre>` block for JSON and shell snippets."""
    return f'<pre style="margin:0;white-space:pre-wrap;font-size:12px">{escape(text)}</pre>'


def as_json(value: object) -> str:
    """One line of JSON for a table cell, keys in their order (`null` for None; callers
    show `—` for a field left out)."""
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

    def __init__(
        self,
        secret: str | None = None,
        looks: Looks | None = None,
        *,
        secrets: Iterable[str] = (),
    ) -> None:
        self.errors: list[str] = []
        looks = looks or Looks()
        self.output = looks.make(w.Output, css={"max_height": "200px", "overflow": "auto"})
        #: `secret` and `secrets` (a client's `redaction_secrets`), longest first
        self._secrets = longest_first([secret or "", *secrets])

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
        text = redact_each(text, self._secrets)
        self.errors.append(text)
        self.output.append_stderr(text)


class Looks:
    """The `Layout` and style models that the widgets of one builder share.

    Unless given one, ipywidgets makes each widget its own `Layout` model and, for most
    kinds, its own style model: three models, so three messages from the kernel to the
    browser, per widget. A form has hundreds of widgets, and past about a thousand
    messages in one burst JupyterLab can lose some (a cell stays at `[*]`; a widget
    does not render). Nothing here changes a layout or a style after it is made, so
    one model per distinct look serves every widget of a builder (ipywidgets allows a
    model to be shared), and `make` passes it:

    ```python
    looks = Looks()
    looks.make(w.Text, description="orderId", css={"width": "420px"},
               style={"description_width": "170px"})
    looks.make(w.HBox, [a, b])
    ```
    """

    def __init__(self) -> None:
        self._layouts: dict[tuple[tuple[str, str], ...], Any] = {}
        self._styles: dict[tuple[type, tuple[tuple[str, str], ...]], Any] = {}

    def layout(self, **css: str) -> w.Layout:
        """The shared `Layout` with these CSS properties (none: the default one)."""
        key = tuple(sorted(css.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**css)
        return self._layouts[key]

    def style(self, kind: type[_W], **values: str) -> _W:
        """The shared style model of class `kind` (`w.TextStyle`, ...) with these values."""
        key = (kind, tuple(sorted(values.items())))
        if key not in self._styles:
            self._styles[key] = kind(**values)
        made: _W = self._styles[key]
        return made

    def make(
        self,
        cls: type[_W],
        /,
        *args: object,
        css: Mapping[str, str] | None = None,
        style: Mapping[str, str] | None = None,
        classes: Sequence[str] = (),
        **kwargs: object,
    ) -> _W:
        """`cls(*args, **kwargs)` with this builder's shared layout and style models.

        `classes` are CSS classes given at creation: `add_class` afterwards would send
        one more message per widget.
        """
        kwargs["layout"] = self.layout(**(css or {}))
        if classes:
            kwargs["_dom_classes"] = tuple(classes)
        trait = cls.class_traits().get("style")  # type: ignore[attr-defined]
        style_class = getattr(trait, "klass", None)
        if isinstance(style_class, type):
            kwargs["style"] = self.style(style_class, **(style or {}))
        elif style:
            raise TypeError(f"{cls.__name__} has no style to set {dict(style)}")
        return cls(*args, **kwargs)

    @property
    def models(self) -> int:
        """How many layout and style models the builder's widgets share."""
        return len(self._layouts) + len(self._styles)
