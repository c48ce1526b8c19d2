"""The same request as `curl` and as Python: copyable, and never carrying the API key.

```python
>>> print(curl_snippet({"orderId": "o-1"}, base_url="https://api.sandbox.primer.io",
...                    api_version="2.4"))
curl -X POST https://api.sandbox.primer.io/client-session \\
  -H "X-API-KEY: $PRIMER_API_KEY" \\
  -H "X-API-VERSION: 2.4" \\
  -H "Content-Type: application/json" \\
  -d '{"orderId": "o-1"}'

```

The key is always the shell variable `$PRIMER_API_KEY` (curl) or read from the
environment by `PrimerClient()` (Python). A PATCH body's `clientToken` becomes
`$PRIMER_CLIENT_TOKEN` / `client_token`, so a snippet never holds a live token either.

The in-process emulator has no URL a shell could reach: for it the curl snippet targets
`http://127.0.0.1:8010`, where `primer-nb emulator` serves the same emulator, and says so
in a comment line.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping

__all__ = [
    "LOCAL_EMULATOR_URL",
    "curl_snippet",
    "python_literal",
    "python_snippet",
    "snippet_target",
]

#: Where `primer-nb emulator` listens by default.
LOCAL_EMULATOR_URL = "http://127.0.0.1:8010"
_TOKEN_PLACEHOLDER = "@@PRIMER_CLIENT_TOKEN@@"
_EMULATOR_NOTE = (
    "# in-process emulator: run `primer-nb emulator` to serve it at "
    f"{LOCAL_EMULATOR_URL} (Primer's sandbox: https://api.sandbox.primer.io)"
)


def snippet_target(client: object) -> tuple[str, str, str | None]:
    """`(base_url, api_version, note)` for a client: the local emulator URL when in-process."""
    settings = getattr(client, "settings", None)
    version = str(getattr(client, "api_version", None) or getattr(settings, "api_version", "2.4"))
    if getattr(settings, "in_process", False) or getattr(client, "emulator", None) is not None:
        return LOCAL_EMULATOR_URL, version, _EMULATOR_NOTE
    base = getattr(client, "base_url", None) or getattr(settings, "base_url", "")
    return str(base), version, None


def _without_token(body: Mapping[str, object]) -> dict[str, object]:
    if "clientToken" not in body:
        return dict(body)
    return {**body, "clientToken": _TOKEN_PLACEHOLDER}


def curl_snippet(
    body: Mapping[str, object],
    *,
    method: str = "POST",
    base_url: str,
    api_version: str,
    note: str | None = None,
) -> str:
    """The request as a `curl` command; the key is `$PRIMER_API_KEY`."""
    text = json.dumps(_without_token(body), ensure_ascii=False)
    quoted = '"$PRIMER_CLIENT_TOKEN"'.join(shlex.quote(p) for p in text.split(_TOKEN_PLACEHOLDER))
    lines = [
        f"curl -X {method} {base_url.rstrip('/')}/client-session",
        '-H "X-API-KEY: $PRIMER_API_KEY"',
        f'-H "X-API-VERSION: {api_version}"',
        '-H "Content-Type: application/json"',
        f"-d {quoted}",
    ]
    command = " \\\n  ".join(lines)
    return f"{note}\n{command}" if note else command


def python_literal(value: object, level: int = 0) -> str:
    """`value` as Python source, one key or item per line, indented by four spaces."""
    inner, outer = "    " * (level + 1), "    " * level
    if isinstance(value, dict) and value:
        items = [f"{inner}{k!r}: {python_literal(v, level + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{outer}}}"
    if isinstance(value, list) and value:
        items = [f"{inner}{python_literal(v, level + 1)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{outer}]"
    return repr(value)


def python_snippet(body: Mapping[str, object], *, method: str = "POST") -> str:
    """The request with `PrimerClient`, which reads `PRIMER_API_KEY` from the environment."""
    payload = {k: v for k, v in body.items() if k != "clientToken"}
    literal = python_literal(payload)
    head = [
        "from primer_nb import PrimerClient",
        "",
        "client = PrimerClient()  # PRIMER_API_KEY (and PRIMER_ENV) from the environment",
    ]
    if method.upper() == "PATCH":  # the token from the environment, as curl's is
        head[:1] = ["import os", "", "from primer_nb import PrimerClient"]
        head.append('client_token = os.environ["PRIMER_CLIENT_TOKEN"]')
        call = f"session = client.update_session(client_token, {literal})"
    else:
        call = f"session = client.create_session({literal})"
    return "\n".join([*head, call])
