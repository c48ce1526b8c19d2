"""Notebook integration: a `PrimerAPIError` shows as a short box, not a 30-line traceback.

```python
import primer_nb.notebook

primer_nb.notebook.enable()    # or, as an IPython extension: %load_ext primer_nb.notebook
```

From then on, an uncaught `PrimerAPIError` in a cell shows the error box of
`primer_nb.display` (status, errorId, diagnosticsId, each JSONPath with its description,
the recovery suggestion) and one line of error text; the cell still fails as before
(Run All stops, nbval's `raises-exception` still applies, `ename`/`evalue` unchanged).
Other exceptions keep IPython's usual traceback.

**The full traceback, one flag away:** run `%tb` in the next cell (it prints the last
exception's traceback), or switch the box off for good with
`primer_nb.notebook.enable(full_traceback=True)` (`disable()` restores IPython's own
handling).

This uses IPython's documented hook for custom tracebacks,
`InteractiveShell.set_custom_exc((PrimerAPIError,), handler)`. Since IPython 8 the value
that hook returns is not shown by IPython itself, so the handler shows its structured
traceback through the shell's `_showtraceback` (what ipykernel overrides to send the
error message). It lives here, above `errors` and `display`, because it needs the
exception class (see `primer_nb.display` for why the renderer sits below `models`).
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from primer_nb import display
from primer_nb.errors import PrimerAPIError

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["disable", "enable", "is_enabled", "load_ipython_extension", "unload_ipython_extension"]

FOOTER = "Full traceback: run <code>%tb</code> in the next cell."


def _shell(shell: InteractiveShell | None) -> Any:
    if shell is not None:
        return shell
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


class _ErrorBox:
    """What `display()` shows for the error: the box in HTML, its one line in text."""

    def __init__(self, error: PrimerAPIError) -> None:
        self.error = error

    def _repr_html_(self) -> str:
        return display.error_box(self.error, footer=FOOTER)

    def __repr__(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"


def _handler(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    # %tb reads these, as after any other uncaught exception
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
    if getattr(shell, "_primer_full_traceback", False) or not isinstance(value, PrimerAPIError):
        stb: list[str] = shell.InteractiveTB.structured_traceback(
            etype, value, tb, tb_offset=tb_offset
        )
    else:
        from IPython.display import display as show

        show(_ErrorBox(value))  # type: ignore[no-untyped-call]
        stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def enable(shell: InteractiveShell | None = None, *, full_traceback: bool = False) -> None:
    """Show uncaught `PrimerAPIError`s as the short box (does nothing outside IPython).

    `full_traceback=True` keeps IPython's full traceback instead. Returns None, so a
    set-up cell that ends with it shows nothing.
    """
    active = _shell(shell)
    if active is None:
        return
    active._primer_full_traceback = full_traceback
    active.set_custom_exc((PrimerAPIError,), _handler)


def disable(shell: InteractiveShell | None = None) -> None:
    """Restore IPython's own handling of every exception."""
    active = _shell(shell)
    if active is not None and is_enabled(active):
        active.set_custom_exc((), None)


def is_enabled(shell: InteractiveShell | None = None) -> bool:
    """True when this shell has a handler for `PrimerAPIError`, as `enable` installs: the
    short box, or IPython's full traceback after `enable(full_traceback=True)`."""
    active = _shell(shell)
    return active is not None and PrimerAPIError in tuple(active.custom_exceptions)


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """`%load_ext primer_nb.notebook`."""
    enable(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """`%unload_ext primer_nb.notebook`."""
    disable(ipython)
