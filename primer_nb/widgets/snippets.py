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
environment by `PrimerClient()` (Python). For `primer-nb emulator`'s URL, curl falls
back to the key the Python client sends an emulator when none is set
(`${PRIMER_API_KEY:-primer-nb-emulator}`), so both snippets work as they are; an empty
key got the emulator's 403. A key typed into the body (a metadata note, say)
is written `***` there, as every display of the kit shows it (`models.shown_secrets`).
A PATCH body's `clientToken` becomes `$PRIMER_CLIENT_TOKEN` / `client_token`, so a
snippet never holds a live token either.

Both take the body as a dict of wire names (`{"orderId": ...}`, amounts in minor
units) or as a request model, which is written as its `to_wire()`. A value JSON cannot
hold (a `Decimal`, NaN or infinity, a `set`, a non-text key) raises, naming its JSONPath,
rather than giving a snippet the API would refuse or could not read.

The in-process emulator has no URL a shell could reach: for it both snippets target
`http://127.0.0.1:8010`, where `primer-nb emulator` serves an emulator of the same kind
(a separate one: sessions made in the notebook are not on it), and say so
in a comment line; the Python snippet's client is made for the curl command's server and
API version (`snippet_target`). Every part of the command is shell-quoted (the URL too),
and a body too long for one argument (over 100,000 bytes) is piped in from the shell's
own `printf`.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urlsplit

from pydantic import BaseModel, JsonValue

from primer_nb.config import DEFAULT_API_VERSION, EMULATOR_KEY, PRODUCTION_HOST
from primer_nb.models import shown, shown_secrets
from primer_nb.wire_errors import json_path

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


def _wire_body(body: Mapping[str, object] | BaseModel, function: str) -> dict[str, JsonValue]:
    """The body as plain JSON: a model's `to_wire()`, or a mapping checked value by value.

    Raises TypeError (a value of a type JSON lacks, a key that is not text, a body that
    is neither a mapping nor a model) or ValueError (NaN, infinity, an int longer than
    Python writes), naming the function and the JSONPath of the value.
    """
    if isinstance(body, BaseModel):
        to_wire = getattr(body, "to_wire", None)
        if callable(to_wire):
            wire: object = to_wire()
        else:
            wire = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    elif isinstance(body, Mapping):
        wire = body
    else:
        raise TypeError(
            f"{function}() takes the request body as a dict of wire names (or a request "
            f"model), not {type(body).__name__}"
        )
    plain = _json_value(wire, (), function)
    assert isinstance(plain, dict)
    # a key pasted into the body (a metadata note) is written `***`, as everywhere else
    redacted: dict[str, JsonValue] = shown(plain, shown_secrets())
    return redacted


def _json_value(value: object, loc: tuple[int | str, ...], function: str) -> JsonValue:
    """`value` as JSON's own types (dict, list, str, int, finite float, bool, None)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return "" + value  # a plain str: an enum member (`Currency.EUR`) is written "EUR"
    if isinstance(value, int):
        try:
            str(value)  # what json.dumps does; Python refuses ints past its digit limit
        except ValueError:
            why = f"it has more than {sys.get_int_max_str_digits()} digits"
            raise ValueError(_cannot(function, loc, "an int", why)) from None
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(
                _cannot(function, loc, repr(value), "NaN and infinity are not JSON numbers")
            )
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    _cannot(function, loc, f"the key {key!r}", "an object's keys are text")
                )
            out[key] = _json_value(item, (*loc, key), function)
        return out
    if isinstance(value, list | tuple):
        return [_json_value(item, (*loc, i), function) for i, item in enumerate(value)]
    why = f"JSON has no {type(value).__name__}"
    if isinstance(value, Decimal):
        why += (
            "; an amount is an int in minor units, e.g. "
            f"primer_nb.currency.to_minor_units({value!r}, 'EUR')"
        )
    raise TypeError(_cannot(function, loc, repr(value)[:80], why))


def _cannot(function: str, loc: tuple[int | str, ...], what: str, why: str) -> str:
    return f"{function}(): {json_path(loc)}: {what} cannot be written as JSON ({why})"


#: A curl argument longer than this, in UTF-8 bytes, goes through `printf` (a shell
#: builtin) and stdin: Linux refuses one argument over 128 KiB to a program ("Argument
#: list too long").
_LONGEST_ARGUMENT = 100_000
#: What a header's value may hold to be written inside double quotes as it is.
_PLAIN_HEADER = re.compile(r"[A-Za-z0-9._-]*")


def _quoted_body(wire: dict[str, JsonValue]) -> list[str]:
    """The body's JSON as shell words: single-quoted text, and `"$PRIMER_CLIENT_TOKEN"`
    in place of a PATCH's `clientToken` (only there: a value elsewhere that looks like the
    placeholder stays as it is)."""
    if "clientToken" not in wire:
        return [shlex.quote(json.dumps(wire, ensure_ascii=False, allow_nan=False))]
    placeholder = _TOKEN_PLACEHOLDER
    others = json.dumps(wire, ensure_ascii=False, allow_nan=False)
    while placeholder in others:  # a placeholder the body does not hold anywhere
        placeholder += "@"
    text = json.dumps({**wire, "clientToken": placeholder}, ensure_ascii=False, allow_nan=False)
    before, after = text.split(placeholder)  # inside the JSON's quotes: `"clientToken": "`
    return [shlex.quote(before), '"$PRIMER_CLIENT_TOKEN"', shlex.quote(after)]


def curl_snippet(
    body: Mapping[str, object] | BaseModel,
    *,
    method: str = "POST",
    base_url: str,
    api_version: str,
    note: str | None = None,
) -> str:
    """The request as a `curl` command; the key is `$PRIMER_API_KEY` (for the local
    emulator's URL, the emulator key when that is unset, as `PrimerClient` does).

    `body` is a dict of wire names or a request model (its `to_wire()`); a value JSON
    cannot hold raises, naming its JSONPath.
    """
    wire = _wire_body(body, "curl_snippet")
    words = _quoted_body(wire)
    url = shlex.quote(f"{base_url.rstrip('/')}/client-session")  # a URL with `&` or `;`
    version = (
        f'"X-API-VERSION: {api_version}"'
        if _PLAIN_HEADER.fullmatch(api_version)
        else shlex.quote(f"X-API-VERSION: {api_version}")
    )
    key = "$PRIMER_API_KEY"
    if base_url.rstrip("/") == LOCAL_EMULATOR_URL:
        key = f"${{PRIMER_API_KEY:-{EMULATOR_KEY}}}"
    lines = [
        f"curl -X {shlex.quote(method)} {url}",
        f'-H "X-API-KEY: {key}"',
        f"-H {version}",
        '-H "Content-Type: application/json"',
    ]
    if sum(len(word.encode("utf-8", "surrogatepass")) for word in words) <= _LONGEST_ARGUMENT:
        command = " \\\n  ".join([*lines, "-d " + "".join(words)])
    else:  # too long for one argument of a program: stdin, from the shell's own printf
        printf = f"printf '%s' {' '.join(words)}"  # the format is reused for each word
        command = f"{printf} \\\n| " + " \\\n  ".join([*lines, "--data-binary @-"])
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


def python_snippet(
    body: Mapping[str, object] | BaseModel,
    *,
    method: str = "POST",
    base_url: str | None = None,
    api_version: str | None = None,
    note: str | None = None,
) -> str:
    """The request with `PrimerClient`, which reads `PRIMER_API_KEY` from the environment.

    `body` is a dict of wire names or a request model (its `to_wire()`): the snippet
    sends it as JSON, so a value JSON cannot hold raises, naming its JSONPath. A
    `base_url`, and an `api_version` other than the default, are each passed to
    `PrimerClient(...)`, so the client is made for the curl snippet's server and version
    (`snippet_target`); with neither, `PrimerClient()` takes everything from the
    environment.
    """
    wire = _wire_body(body, "python_snippet")
    payload = {k: v for k, v in wire.items() if k != "clientToken"}
    literal = python_literal(payload)
    arguments = [] if base_url is None else [f"base_url={base_url.rstrip('/')!r}"]
    if api_version is not None and api_version != DEFAULT_API_VERSION:
        arguments.append(f"api_version={api_version!r}")
    if base_url is not None and urlsplit(base_url).hostname == PRODUCTION_HOST:
        # as the builder's own client was made: without it the snippet's client refuses
        arguments.append("allow_production=True")
    made = f"PrimerClient({', '.join(arguments)})"
    head = [
        "from primer_nb import PrimerClient",
        "",
        *([note] if note else []),
        f"client = {made}  # PRIMER_API_KEY from the environment"
        if arguments
        else f"client = {made}  # PRIMER_API_KEY (and PRIMER_ENV) from the environment",
    ]
    if method.upper() == "PATCH":  # the token from the environment, as curl's is
        head[:1] = ["import os", "", "from primer_nb import PrimerClient"]
        head.append('client_token = os.environ["PRIMER_CLIENT_TOKEN"]')
        call = f"session = client.update_session(client_token, {literal})"
    else:
        call = f"session = client.create_session({literal})"
    return "\n".join([*head, call])
