"""HTML for what comes back: the shortened token, warnings, and Primer's errors."""

from __future__ import annotations

from collections.abc import Sequence

from primer_nb.errors import PrimerAPIError, PrimerError
from primer_nb.models import SessionWarning
from primer_nb.widgets._common import ERROR_COLOR, NOTE_COLOR, escape, short_token, table

__all__ = ["error_html", "token_html", "warnings_html"]


def token_html(token: str) -> str:
    """The client token, shortened (`eyJhbGci…x9Qk`); the full one is `builder.session`."""
    return (
        f"<b>clientToken</b> <code class='primer-token'>{escape(short_token(token))}</code>"
        f" <span style='color:{NOTE_COLOR}'>(full token: "
        "<code>builder.session.client_token</code>)</span>"
    )


def warnings_html(warnings: Sequence[SessionWarning] | None) -> str:
    """Warnings as a small table (type, code, message), or a line saying there are none."""
    if not warnings:
        return "<span class='primer-warnings'>No warnings.</span>"
    rows = [(x.type or "", x.code or "", x.message or "") for x in warnings]
    return "<b>Warnings</b>" + table(("type", "code", "message"), rows, "primer-warnings")


def error_html(exc: PrimerError) -> str:
    """Primer's error: status, errorId, description, recovery, diagnosticsId, every path."""
    if not isinstance(exc, PrimerAPIError):
        name = escape(type(exc).__name__)
        return f"<div class='primer-failure' role='alert'><b>{name}</b>: {escape(exc)}</div>"
    where = " (refused before sending)" if exc.local else ""
    lines = [
        f"<b>{exc.status_code} {escape(exc.error_id)}</b>{escape(where)}: {escape(exc.description)}"
    ]
    if exc.recovery_suggestion:
        lines.append(f"recoverySuggestion: {escape(exc.recovery_suggestion)}")
    if exc.diagnostics_id:
        lines.append(f"diagnosticsId: <code>{escape(exc.diagnostics_id)}</code>")
    body = "<br>".join(lines)
    if exc.validation_errors:
        rows = [(v.model, v.path, v.description) for v in exc.validation_errors]
        body += table(("model", "path", "description"), rows, "primer-validation-errors")
    return f"<div class='primer-failure' role='alert' style='color:{ERROR_COLOR}'>{body}</div>"
