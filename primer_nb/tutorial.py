"""The one set-up call of every tutorial notebook: pick the backend and say which.

```python
from primer_nb.tutorial import tutorial_client

client = tutorial_client(seed=1)
# Backend: in-process emulator (seed 1, clock frozen at 2026-01-15 09:00:00 UTC). Set
# PRIMER_API_KEY to use Primer's sandbox instead.
```

Each notebook passes its own `seed` (never one another notebook uses: a test checks), so
client tokens and diagnosticsIds differ between notebooks as they would between real runs,
while each notebook's outputs stay the same on every run.

- Nothing set: a `PrimerClient` on a fresh in-process `Emulator(seed=7,
  start="2026-01-15T09:00:00", frozen=True)`. Same seed and start, same client tokens,
  expiry dates and diagnosticsIds, so the outputs stored in the notebooks stay true.
- `PRIMER_API_KEY` set: a client from the environment, i.e. Primer's sandbox (or the
  environment `PRIMER_ENV` names). `PRIMER_BASE_URL` set: the server at that URL (e.g. a
  running `primer-nb emulator`). The notebooks run unchanged; cells that need the
  in-process emulator (its clock, fault injection) check `client.emulator is not None`.

In a notebook it also turns on `primer_nb.notebook`: an uncaught `PrimerAPIError` shows
as a short error box instead of a long traceback (`%tb` prints the full one).

The printed line names the backend and never the API key. The call also silences
DeprecationWarnings that third-party libraries (Jupyter, dateutil, pandas, ...) emit,
so a notebook's stderr is the same in every environment; warnings from primer-nb itself
(e.g. `UnknownFieldWarning`) are left alone.
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict, Unpack
from urllib.parse import urlsplit, urlunsplit

from primer_nb.config import env_var
from primer_nb.models import short_token  # re-exported: the notebooks import it from here

if TYPE_CHECKING:
    from primer_nb.client import PrimerClient

__all__ = [
    "NOISY_MODULES",
    "CollapsibleJSON",
    "EmulatorOptions",
    "backend_line",
    "quiet_third_party_warnings",
    "short_token",
    "tutorial_client",
]

#: Third-party modules whose DeprecationWarnings vary between environments and say nothing
#: to a reader of the tutorials. Matched against the module a warning is attributed to.
NOISY_MODULES: tuple[str, ...] = (
    "anyio",
    "comm",
    "dateutil",
    "debugpy",
    "httpx",
    "IPython",
    "ipykernel",
    "ipywidgets",
    "jupyter_client",
    "jupyter_core",
    "jwt",
    "matplotlib",
    "nbformat",
    "numpy",
    "pandas",
    "pyarrow",
    "pydantic",
    "pyparsing",
    "starlette",
    "tqdm",
    "traitlets",
    "zmq",
)


def quiet_third_party_warnings() -> None:
    """Ignore DeprecationWarning and PendingDeprecationWarning from `NOISY_MODULES`."""
    pattern = r"(" + "|".join(NOISY_MODULES) + r")(\..*)?$"
    for category in (DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=pattern)


def _utc_text(start: str) -> str:
    """`2026-01-15T09:00:00` (naive = UTC, or with an offset) -> `2026-01-15 09:00:00 UTC`."""
    moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _safe_url(url: str) -> str:
    """A URL without user-info (`https://user:secret@host` -> `https://host`)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def backend_line(
    client: PrimerClient, *, seed: int | None = None, start: str | None = None, frozen: bool = True
) -> str:
    """One plain sentence naming the backend a client talks to; never the API key."""
    if client.emulator is not None:
        clock = "clock frozen at" if frozen else "clock started at"
        when = _utc_text(start) if start else "its start time"
        advice = "Set PRIMER_API_KEY to use Primer's sandbox instead."
        if env_var("PRIMER_ENV") and env_var("PRIMER_API_KEY"):  # chosen over the key
            advice = "PRIMER_ENV=emulator chose it: unset PRIMER_ENV to use Primer's sandbox."
        elif env_var("PRIMER_ENV"):
            advice = "Set PRIMER_API_KEY (and unset PRIMER_ENV) to use Primer's sandbox instead."
        return f"Backend: in-process emulator (seed {seed}, {clock} {when}). {advice}"
    environment = str(client.environment)
    base_url = env_var("PRIMER_BASE_URL")
    if environment == "emulator" and base_url:
        return (
            f"Backend: the emulator server at {_safe_url(base_url)} (from PRIMER_BASE_URL). "
            "Cells that need the in-process emulator are skipped."
        )
    names = {"sandbox": "Primer's sandbox", "production": "Primer's PRODUCTION API"}
    where = f" at {_safe_url(base_url)}" if base_url else ""
    return (
        f"Backend: {names.get(environment, environment)}{where}, with the API key from "
        "PRIMER_API_KEY. Outputs differ from the stored ones where Primer's values do; "
        "emulator-only cells are skipped."
    )


class EmulatorOptions(TypedDict, total=False):
    """The options of `Emulator(...)` that `tutorial_client` passes on (besides `seed` and
    `start`); `frozen` defaults to True there."""

    frozen: bool
    api_keys: Iterable[str]
    enabled_currencies: Iterable[str]
    tax_connection: bool
    latency: float
    max_sessions: int | None


def tutorial_client(
    *,
    seed: int = 7,
    start: str = "2026-01-15T09:00:00",
    **emulator_options: Unpack[EmulatorOptions],
) -> PrimerClient:
    """The client every tutorial notebook uses, after printing which backend it talks to.

    **Parameters:**

    * **seed**, **start** - the in-process emulator's seed and clock start (ISO text,
      naive = UTC), whenever the settings name the in-process emulator (no
      `PRIMER_API_KEY` or `PRIMER_BASE_URL`, or `PRIMER_ENV=emulator` without a URL);
      ignored otherwise.
    * **emulator_options** - passed on to `Emulator` (e.g. `tax_connection=False`,
      `enabled_currencies=("HUF",)`); the clock is frozen unless `frozen=False` is given.

    ```python
    client = tutorial_client()                       # emulator, seed 7, frozen clock
    client = tutorial_client(enabled_currencies=("HUF",))
    ```
    """
    quiet_third_party_warnings()
    from primer_nb import notebook
    from primer_nb.client import PrimerClient

    notebook.enable()  # the short box for uncaught PrimerAPIErrors (no-op outside IPython)

    from primer_nb.config import resolve_settings

    # the settings decide, as PrimerClient() would: PRIMER_ENV=emulator with a key in the
    # shell is the seeded emulator, and PRIMER_ENV=sandbox without a key says what is missing
    if not resolve_settings().in_process:
        client = PrimerClient()
        print(backend_line(client))
        return client

    from primer_nb.emulator import Emulator

    options: EmulatorOptions = {"frozen": True, **emulator_options}
    emulator = Emulator(seed=seed, start=start, **options)  # checks frozen is a bool
    client = PrimerClient(emulator=emulator)
    print(backend_line(client, seed=seed, start=start, frozen=emulator.clock.frozen))
    return client


class CollapsibleJSON:
    """JSON shown folded in HTML (`<details>`), in full as text: long answers, less wall.

    ```python
    CollapsibleJSON(session.to_wire(), "The whole answer (34 lines)")
    ```

    JupyterLab and the documentation site show the summary line, opened with a click; a
    plain-text view (a terminal, nbval) gets the summary and the whole JSON. The data is
    shown as given: shorten client tokens (`short_token`) before passing them in.
    """

    def __init__(self, data: object, summary: str | None = None) -> None:
        self.text = json.dumps(data, indent=2, ensure_ascii=False)
        lines = self.text.count("\n") + 1
        self.summary = summary or f"JSON, {lines} lines"

    def __repr__(self) -> str:
        return f"{self.summary}\n{self.text}"

    def _repr_html_(self) -> str:
        return (
            f"<details><summary>{html.escape(self.summary)}</summary>"
            f"<pre>{html.escape(self.text)}</pre></details>"
        )
