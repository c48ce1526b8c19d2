"""HTML for notebooks: session cards, error boxes, ledger and batch counts, exercise results.

Objects a learner looks at most render themselves in Jupyter through `_repr_html_`
(their plain-text `repr` stays for consoles); this module only turns plain data into
HTML. Colours come from JupyterLab's CSS variables (`--jp-*`, with neutral fallbacks
outside JupyterLab), so the light and the dark theme are both readable. The HTML is
deterministic (no element ids, no wall-clock times), because nbval compares `text/html`
in the stored notebooks: the time left on a session is computed on the backend's clock,
which the tutorials freeze.

**Where this module sits.** `models` and `errors` are the lowest rooms, and ARCHITECTURE.md
wants imports to point down with no two modules importing each other, not even lazily.
So this module is a low room of its own: it imports nothing of primer-nb but `currency`
(another low room), and never `models` or `errors`. It works on plain values the caller
passes in (a session's wire dict, an error's fields). `ClientSessionWithToken._repr_html_`
and `PrimerAPIError._repr_html_` import it lazily (down), `ledger`, `batch` and `exercises`
import it from above. The other way to keep the models free of HTML, registering
renderers with IPython's formatters from an upper module, would leave a session without
its card whenever that module was not imported first; a low, dependency-free renderer
avoids the ordering trap.

The short error box for uncaught `PrimerAPIError`s in a notebook (IPython's custom
exception hook) needs the exception class, so it lives one floor up, in
`primer_nb.notebook`.

```python
from primer_nb import display

display.session_html(
    session.to_wire(),
    token="eyJhbGci…x9Qk",
    expiry=session.client_token_expiration_date,  # the expiry and time-left rows
    now=clock.now(),
)
display.time_left(expiry, now)        # '23 h 59 min left'
```
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any, Protocol, cast

from primer_nb.currency import format_amount

__all__ = [
    "BackendClock",
    "backend_now",
    "batch_html",
    "error_box",
    "error_html",
    "exercise_html",
    "ledger_html",
    "note_html",
    "progress_html",
    "remember_backend_clock",
    "result_html",
    "session_html",
    "time_left",
]

# JupyterLab theme variables, with fallbacks for other front ends.
FG = "var(--jp-ui-font-color1, inherit)"
MUTED = "var(--jp-ui-font-color2, #616161)"
BORDER = "var(--jp-border-color2, #bdbdbd)"
PANEL = "var(--jp-layout-color1, transparent)"
TITLE = "var(--jp-ui-font-color0, inherit)"
#: A tint behind warnings: translucent, so it only tints the theme's own background
#: (a little darker on a light theme, a little lighter on a dark one); the text on it keeps
#: the theme's own font colour.
WARN_TINT = "rgba(255, 152, 0, 0.14)"
CODE_BG = "var(--jp-cell-editor-background, transparent)"
MONO = "var(--jp-code-font-family, monospace)"
#: A table row without JupyterLab's zebra and hover backgrounds (they lower the contrast).
TR = '<tr style="background:transparent">'
COLORS = {
    "ok": "var(--jp-success-color1, #388e3c)",
    "error": "var(--jp-error-color1, #d32f2f)",
    "warn": "var(--jp-warn-color1, #f57c00)",
    "info": "var(--jp-info-color1, #0288d1)",
    "muted": "var(--jp-border-color1, #9e9e9e)",
}


# --- the backend's clock ----------------------------------------------------------------------

_CLOCK_ATTR = "_primer_backend_clock"


class BackendClock:
    """Reads "now" on the clock of the backend that answered.

    The in-process emulator's clock is read live (so a card shown after
    `clock.advance(hours=25)` says the token expired); for a server, the answer's `Date`
    header plus the time elapsed since. Copies share it; a pickle keeps a snapshot.
    """

    def __init__(
        self, live: Callable[[], datetime] | None = None, date: datetime | None = None
    ) -> None:
        self._live = live
        self._date = date
        self._since = time.monotonic()

    def now(self) -> datetime | None:
        """The backend's current time, or None when the answer did not say."""
        if self._live is not None:
            return self._live()
        if self._date is None:
            return None
        return self._date + timedelta(seconds=time.monotonic() - self._since)

    def __deepcopy__(self, memo: dict[int, object]) -> BackendClock:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (BackendClock, (None, self.now()))


def remember_backend_clock(
    model: object, live: Callable[[], datetime] | None, date_header: str | None
) -> None:
    """Attach the answering backend's clock to a response model (the client calls this).

    Stored outside the model's fields: it never appears in dumps, reprs or equality.
    """
    date: datetime | None = None
    if live is None and date_header:
        try:
            date = parsedate_to_datetime(date_header).astimezone(UTC)
        except (TypeError, ValueError):
            date = None
    if live is None and date is None:
        return
    object.__setattr__(model, _CLOCK_ATTR, BackendClock(live, date))


def backend_now(model: object) -> datetime | None:
    """Now on the clock of the backend that answered with `model`, if known."""
    clock = getattr(model, "__dict__", {}).get(_CLOCK_ATTR)
    return clock.now() if isinstance(clock, BackendClock) else None


# --- boxes ---------------------------------------------------------------------------------


def _box(accent: str, title: str, body: str, *, css_class: str) -> str:
    style = (
        f"border:1px solid {BORDER};border-left:4px solid {COLORS[accent]};"
        f"border-radius:3px;padding:6px 10px;margin:2px 0;color:{FG};"
        f"background:{PANEL};font-family:var(--jp-ui-font-family, sans-serif);"
        "font-size:var(--jp-ui-font-size1, 13px);line-height:1.4;max-width:60em"
    )
    head = f'<div style="font-weight:600;color:{TITLE}">{title}</div>'
    return f'<div class="primer-nb {css_class}" style="{style}">{head}{body}</div>'


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f'{TR}<th style="text-align:left;padding:1px 12px 1px 0;color:{MUTED};'
        f'font-weight:normal;vertical-align:top">{escape(k)}</th>'
        f'<td style="text-align:left;padding:1px 0">{v}</td></tr>'
        for k, v in pairs
    )
    return f'<table style="border-collapse:collapse;margin:4px 0">{cells}</table>'


def _code(text: str) -> str:
    # the box's text colour, not a page's own code colour: a docs theme's pink for inline
    # code vanished on the grey it gives outputs in dark mode (1.01:1)
    return f'<code style="font-family:{MONO};color:inherit">{escape(text)}</code>'


def _details(summary: str, text: str) -> str:
    pre = (
        f'<pre style="font-family:{MONO};background:{CODE_BG};color:{FG};margin:4px 0;'
        f'padding:4px;white-space:pre-wrap">{escape(text, quote=False)}</pre>'
    )
    return (
        f'<details style="margin-top:4px"><summary style="cursor:pointer;color:{MUTED}">'
        f"{escape(summary)}</summary>{pre}</details>"
    )


def time_left(expiry: datetime, now: datetime) -> str:
    """`'23 h 59 min left'` or `'expired 1 h 0 min ago'` (whole minutes, rounded down).

    At the expiry instant itself the token has expired (`'expired 0 h 0 min ago'`), as the
    emulator, the tables and the countdown widget say."""
    delta = expiry - now
    ahead = delta > timedelta(0)
    minutes = int(abs(delta).total_seconds() // 60)
    text = f"{minutes // 60} h {minutes % 60} min"
    return f"{text} left" if ahead else f"expired {text} ago"


def _utc(moment: datetime) -> str:
    """An aware time in UTC (a naive one is taken as UTC, as Primer sends them)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _amount(amount: Any, currency: Any) -> str:
    if isinstance(amount, int) and not isinstance(amount, bool):
        if isinstance(currency, str):
            try:
                return f"{escape(format_amount(amount, currency))} ({amount} minor units)"
            except (KeyError, ValueError):
                pass
        return f"{amount} minor units{f' {escape(str(currency))}' if currency else ''}"
    return "not set (no line items or amount)"


def session_html(
    wire: Mapping[str, object],
    *,
    token: str | None = None,
    expiry: datetime | None = None,
    now: datetime | None = None,
) -> str:
    """A session card: order, amount with its currency, the shortened token, the expiry
    with the time left at `now` on the backend's clock, warnings highlighted, and the
    JSON (token shortened) folded in a `<details>`.

    `wire` is the session's JSON (`session.to_wire()`); `token` the shortened client token.
    """
    pairs: list[tuple[str, str]] = []
    if wire.get("orderId") is not None:
        pairs.append(("orderId", _code(str(wire["orderId"]))))
    pairs.append(("amount", _amount(wire.get("amount"), wire.get("currencyCode"))))
    if token:
        pairs.append(("clientToken", _code(token)))
    if expiry is not None:
        when = _utc(expiry)
        if now is not None:
            left = time_left(expiry, now)
            when += (
                f' · <span style="font-weight:600">{escape(left)}</span>'
                f' <span style="color:{MUTED}">(backend clock {_utc(now)})</span>'
            )
        pairs.append(("expires", when))
    raw = wire.get("warnings")
    warnings = [raw] if isinstance(raw, Mapping) else list(cast("Iterable[Any]", raw or []))
    warning_html = "".join(
        f'<div style="border-left:3px solid {COLORS["warn"]};background:{WARN_TINT};'
        f'padding:2px 6px;margin:2px 0;font-weight:600">⚠ '
        f"{escape(str(w.get('type')))} / {escape(str(w.get('code')))}: "
        f'<span style="font-weight:normal;color:{FG}">{escape(str(w.get("message")))}</span>'
        "</div>"
        for w in warnings
        if isinstance(w, Mapping)
    )
    shown = dict(wire)
    if token and "clientToken" in shown:
        shown["clientToken"] = token
    body = (
        _rows(pairs)
        + warning_html
        + _details("JSON", json.dumps(shown, indent=2, ensure_ascii=False))
    )
    accent = "warn" if warning_html else "info"
    title = "Client session" + (f" · {len(warnings)} warning(s)" if warning_html else "")
    return _box(accent, escape(title), body, css_class="primer-session")


def error_html(
    *,
    kind: str,
    status_code: int,
    error_id: str,
    description: str,
    diagnostics_id: str | None,
    recovery_suggestion: str | None,
    validation_errors: Sequence[tuple[str, str]] = (),
    local: bool = False,
    footer: str | None = None,
) -> str:
    """An API error: status, errorId, diagnosticsId, a table of JSONPath and description,
    and the recovery suggestion. `local` marks an error raised before sending."""
    where = " (refused before sending)" if local else ""
    title = f"{escape(kind)}: {status_code} {escape(error_id)}{where}"
    pairs = [("description", escape(description))]
    if diagnostics_id:
        pairs.append(("diagnosticsId", _code(diagnostics_id)))
    body = _rows(pairs)
    if validation_errors:
        head = (
            f'{TR}<th style="text-align:left;padding:1px 12px 1px 0;color:{MUTED}">JSONPath</th>'
            f'<th style="text-align:left;color:{MUTED}">description</th></tr>'
        )
        rows = "".join(
            f'{TR}<td style="text-align:left;padding:1px 12px 1px 0;vertical-align:baseline">'
            f'{_code(path)}</td><td style="text-align:left;vertical-align:baseline">'
            f"{escape(text)}</td></tr>"
            for path, text in validation_errors
        )
        body += (
            f'<table style="border-collapse:collapse;margin:4px 0;border-top:1px solid {BORDER}">'
            f"{head}{rows}</table>"
        )
    if recovery_suggestion:
        body += (
            f'<div style="margin-top:4px"><span style="font-weight:600">What to do:</span> '
            f"{escape(recovery_suggestion)}</div>"
        )
    if footer:
        body += f'<div style="margin-top:4px;color:{MUTED}">{footer}</div>'
    return _box("error", title, body, css_class="primer-error")


class DetailLike(Protocol):
    """One validation error, as `error_box` reads it."""

    @property
    def path(self) -> str: ...
    @property
    def description(self) -> str: ...


class APIErrorLike(Protocol):
    """What `error_box` reads of a `PrimerAPIError` (by attribute: no import of `errors`)."""

    @property
    def status_code(self) -> int: ...
    @property
    def error_id(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def diagnostics_id(self) -> str | None: ...
    @property
    def recovery_suggestion(self) -> str | None: ...
    @property
    def validation_errors(self) -> Sequence[DetailLike]: ...
    @property
    def local(self) -> bool: ...


def error_box(error: APIErrorLike, *, footer: str | None = None) -> str:
    """`error_html` for a `PrimerAPIError` (read by attribute, so this module need not
    import `errors`)."""
    return error_html(
        kind=type(error).__name__,
        status_code=int(error.status_code),
        error_id=str(error.error_id),
        description=str(error.description),
        diagnostics_id=error.diagnostics_id,
        recovery_suggestion=error.recovery_suggestion,
        validation_errors=[(v.path, v.description) for v in error.validation_errors],
        local=bool(error.local),
        footer=footer,
    )


def ledger_html(name: str, counts: Mapping[tuple[str, int | None], int]) -> str:
    """The ledger: its file name and how many exchanges per method and status."""
    total = sum(counts.values())
    pairs = [("file", _code(name)), ("exchanges", str(total))]
    for (method, status), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        label = "no answer" if status is None else str(status)
        pairs.append((f"{method} {label}", f'<span style="font-weight:600">{n}</span>'))
    return _box("info", "Ledger", _rows(pairs), css_class="primer-ledger")


def batch_html(
    *, rows: int, ok: int, failed: int, resumed: int, error_ids: Mapping[str, int]
) -> str:
    """A batch result: rows, created, resumed, failed, and failures by errorId."""
    pairs = [
        ("rows", str(rows)),
        ("sessions", f'<span style="font-weight:600">{ok}</span>'),
        ("resumed from the ledger", str(resumed)),
        (
            "failed",
            f'<span style="font-weight:600">{failed}</span>',
        ),
    ]
    pairs += [(f"  {error_id}", str(n)) for error_id, n in sorted(error_ids.items())]
    accent = "warn" if failed else "ok"
    return _box(accent, "Batch result", _rows(pairs), css_class="primer-batch")


_RESULT = {
    "passed": ("ok", "✓ Passed"),
    "failed": ("error", "✗ Not yet"),
    "not attempted": ("muted", "… Not attempted yet"),
}


def result_html(exercise_id: str, status: str, message: str) -> str:
    """An exercise's result: pass, feedback, or not attempted yet."""
    accent, label = _RESULT[status]
    title = f"{label} · {escape(exercise_id)}"
    return _box(accent, title, f"<div>{escape(message)}</div>", css_class="primer-exercise")


def exercise_html(exercise_id: str, title: str, task: str, call: str) -> str:
    """An exercise's task, with the cell that checks it (`call`: its `check(...)` line)."""
    cell = f"answer = ...\n{call}"
    body = f"<div>{escape(task)}</div>" + (
        f'<pre style="font-family:{MONO};background:{CODE_BG};color:{FG};margin:4px 0;'
        f'padding:4px;white-space:pre-wrap">{escape(cell, quote=False)}</pre>'
    )
    title_html = f"Exercise · {escape(exercise_id)}: {escape(title)}"
    return _box("info", title_html, body, css_class="primer-exercise-task")


def note_html(exercise_id: str, kind: str, text: str, code: str) -> str:
    """A hint or a solution."""
    body = f"<div>{escape(text)}</div>"
    if code:
        body += (
            f'<pre style="font-family:{MONO};background:{CODE_BG};color:{FG};margin:4px 0;'
            f'padding:4px;white-space:pre-wrap">{escape(code, quote=False)}</pre>'
        )
    accent = "info" if kind == "hint" else "ok"
    title = f"{escape(kind.capitalize())} · {escape(exercise_id)}"
    return _box(accent, title, body, css_class="primer-note")


def progress_html(rows: Sequence[tuple[str, str, str, int]]) -> str:
    """Exercises per notebook with their status for this user."""
    marks = {"passed": ("ok", "✓"), "tried": ("warn", "✗"), "not attempted": ("muted", "·")}
    passed = sum(1 for r in rows if r[2] == "passed")
    lines = "".join(
        f'{TR}<td style="padding:1px 8px 1px 0;font-weight:600">'
        f'{marks[s][1]}</td><td style="padding:1px 12px 1px 0">{_code(i)}</td>'
        f'<td style="padding:1px 12px 1px 0;color:{MUTED}">{escape(nb)}</td>'
        f"<td>{escape(s)}{f' ({n} attempts)' if n else ''}</td></tr>"
        for i, nb, s, n in rows
    )
    # header cells, so a screen reader names each column as it reads a row
    head = "".join(
        f'<th scope="col" style="text-align:left;padding:1px 12px 1px 0;color:{MUTED};'
        f'font-weight:normal">{name}</th>'
        for name in ("", "exercise", "notebook", "status")
    )
    body = f'<table style="border-collapse:collapse">{TR}{head}</tr>{lines}</table>'
    return _box(
        "info", f"Progress: {passed} of {len(rows)} passed", body, css_class="primer-progress"
    )
