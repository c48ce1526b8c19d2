"""Where requests go, with which key and API version: settings from arguments or env vars.

| variable | meaning | default |
|---|---|---|
| `PRIMER_API_KEY` | your API key (sent as `X-API-KEY`, never shown) | none |
| `PRIMER_ENV` | `emulator`, `sandbox` or `production` | `sandbox` with a key, else `emulator` |
| `PRIMER_API_VERSION` | `X-API-VERSION` header | `2.4` |
| `PRIMER_BASE_URL` | another server, e.g. `primer-nb emulator`'s URL | by environment |
| `PRIMER_NB_LEDGER` | the ledger file `Ledger()` opens | in the user data directory |
| `PRIMER_NB_EMULATOR_KEYS` | keys `primer-nb emulator` accepts, one per line | none: any key |
| `PRIMER_NB_DATA_DIR` | where exercise progress is kept (`progress.json`) | user data directory |

Every variable is read here (`resolve_settings`, `env_var`), nowhere else in the package.

Production is never a default: it needs `PRIMER_ENV=production` (or `environment=`) **and**
`allow_production=True` in code; any configuration whose URL is Primer's production host
without both raises `ConfigurationError` before a request is made. A URL on Primer's hosts
must be `https` (the key would cross the network in clear text), and the sandbox's URL is
the sandbox environment (with a key), never labelled `emulator`; another URL is an emulator's
unless `PRIMER_ENV` says otherwise. `PRIMER_API_KEY` (usually the sandbox key) is not sent
over plain `http` to another machine: such a URL must be `https`, or on this machine
(`primer-nb parity --against` has the same rule).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from primer_nb.errors import ConfigurationError

# REDACTED and redact are re-exported: the client imports them here
from primer_nb.redaction import REDACTED, redact, redact_all

__all__ = [
    "API_VERSIONS",
    "BASE_URLS",
    "DEFAULT_API_VERSION",
    "EMULATOR_URL",
    "REDACTED",
    "Environment",
    "Settings",
    "env_var",
    "redact",
    "resolve_settings",
]

#: The API's one path; a base URL ending with it (as `primer-nb emulator` prints its
#: address) means the URL before it.
API_PATH = "/client-session"

Environment = Literal["emulator", "sandbox", "production"]

BASE_URLS: Mapping[str, str] = {
    "sandbox": "https://api.sandbox.primer.io",
    "production": "https://api.primer.io",
}
PRODUCTION_HOST = "api.primer.io"
SANDBOX_HOST = "api.sandbox.primer.io"
#: The base URL of the in-process emulator (no socket: the transport calls the ASGI app).
EMULATOR_URL = "http://emulator.primer-nb.invalid"
#: The key sent to an emulator when none is configured (the emulator requires one).
EMULATOR_KEY = "primer-nb-emulator"
DEFAULT_API_VERSION = "2.4"
#: Values of X-API-VERSION Primer has used, oldest first (v2 was the date 2021-09-27).
API_VERSIONS: tuple[str, ...] = ("2021-09-27", "2021-10-19", "2.1", "2.2", "2.3", "2.4")


@dataclass(frozen=True)
class Settings:
    """Resolved client settings. The key is kept out of `repr()`."""

    environment: Environment
    base_url: str
    api_version: str
    api_key: str | None = field(default=None, repr=False)
    in_process: bool = False
    #: True when no key was configured and `api_key` is the kit's default emulator key.
    default_key: bool = False

    @property
    def api_key_hint(self) -> str:
        """`***` when a key is set, `(none)` otherwise: safe to print."""
        return REDACTED if self.api_key else "(none)"


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(name)
    return value.strip() if value and value.strip() else None


#: The variable `primer-nb emulator` also reads the keys it accepts from, one per line.
EMULATOR_KEYS_VARIABLE = "PRIMER_NB_EMULATOR_KEYS"


def emulator_keys(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """`PRIMER_NB_EMULATOR_KEYS` as a list (one key per line), or None when it is unset.

    Set but holding no key (an unset `$KEY` in `PRIMER_NB_EMULATOR_KEYS="$KEY"`) is an
    error, as an empty `--api-key` is: it must not quietly open a locked server. Blank
    lines at the end (a file's last newline) are dropped; a blank line between keys, or a
    key a server cannot take, is a `ConfigurationError` naming its line and the rule
    (`configured_key_problem`), never the key.
    """
    value = (os.environ if environ is None else environ).get(EMULATOR_KEYS_VARIABLE)
    if value is None:
        return None
    keys = value.splitlines()
    while keys and not keys[-1].strip():
        keys.pop()
    if not keys:
        raise ConfigurationError(f"{EMULATOR_KEYS_VARIABLE} is set but holds no key")
    for line, key in enumerate(keys, start=1):
        problem = configured_key_problem(key)
        if problem is not None:
            raise ConfigurationError(f"{EMULATOR_KEYS_VARIABLE} line {line}: {problem}")
    return keys


def env_var(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The stripped value of the environment variable `name`, or None when unset or blank."""
    return _env(name, os.environ if environ is None else environ)


def api_key_problem(key: str) -> str | None:
    """Why an HTTP header cannot carry `key`, naming the position, never the key; or None.

    httpx refuses a control character in a header (its message then repeats the key as
    bytes, where no redaction finds it) and cannot encode a non-ASCII one. The client
    checks its key with this, the emulator its configured keys.
    """
    for position, char in enumerate(key):
        if not " " <= char <= "~":
            kind = "a non-ASCII character" if ord(char) > 0x7F else "a control character"
            return f"has {kind} at position {position}, which an HTTP header cannot carry"
    return None


def configured_key_problem(key: str) -> str | None:
    """Why a server (the emulator) cannot be configured with `key`: the rule, never the
    key; or None. Empty or blank (an unset `$KEY`) must not quietly open a locked server;
    surrounding whitespace is stripped off by servers, so no request could match it."""
    if not key.strip():
        return "an API key must not be empty or blank"
    if key != key.strip():
        return "an API key must not have surrounding whitespace (servers strip it off)"
    problem = api_key_problem(key)
    return None if problem is None else f"an API key {problem}"


def configured_keys(keys: Iterable[str]) -> list[str]:
    """`keys` as a list once each is one a server can be configured with; otherwise
    `TypeError` (not a list of str) or `ValueError` naming the key's position and the
    rule (`configured_key_problem`), never the key."""
    if isinstance(keys, str | bytes):
        raise TypeError("api_keys must be a list of keys, not a single str")
    checked = list(keys)
    for position, key in enumerate(checked):
        if not isinstance(key, str):
            raise TypeError(f"api_keys[{position}]: an API key must be a str")
        problem = configured_key_problem(key)
        if problem is not None:
            raise ValueError(f"api_keys[{position}]: {problem}")
    return checked


def http_url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL a request can go to, or None.

    `urlsplit` raises for a broken IPv6 host (`http://[::1`) at once, and for a bad port
    (`:abc`, `:99999`) only when `.port` is read, so httpx fails later, or (past 65535)
    the OS wraps the port and the request goes elsewhere: checked here, with the rule,
    before anything is sent.
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not host:
        return "is not an http(s) URL"
    if port == 0:
        return "has port 0 (a server's port is from 1 to 65535)"
    return None


def _host_as_sent(hostname: str) -> str:
    """`hostname` as it goes on the wire: IDNA (what httpx applies) folds the ideographic
    and full-width full stops into dots, so `api。primer。io` is Primer's production host;
    lower case, without the root's final dot. A name IDNA refuses is compared as given."""
    with contextlib.suppress(UnicodeError):
        hostname = hostname.encode("idna").decode("ascii")
    return hostname.lower().rstrip(".")


def _is_primer_host(host: str) -> bool:
    return host == "primer.io" or host.endswith(".primer.io")


def _api_version(given: str | None, environ: Mapping[str, str], key: str | None) -> str:
    """The `X-API-VERSION` to send: `api_version`, else `PRIMER_API_VERSION`, else the
    default; one Primer does not accept (behaviour.md §2 lists them) is refused before any
    request, naming its setting, where it got a 400 that named neither."""
    source = "api_version" if given is not None else "PRIMER_API_VERSION"
    value = given.strip() if given is not None else _env("PRIMER_API_VERSION", environ)
    if not value:
        if given is not None:
            raise ConfigurationError(
                f"api_version is empty: pass one of {', '.join(API_VERSIONS)}, or leave it "
                f"out ({DEFAULT_API_VERSION} is sent then)"
            )
        return DEFAULT_API_VERSION
    if value in API_VERSIONS:
        return value
    # "v2.4", "2,4", a non-breaking hyphen in a date: the version meant, where one is
    plain = value.lower().removeprefix("v").replace(",", ".")
    plain = "".join("-" if c in "\u2010\u2011\u2012\u2013\u2212" else c for c in plain)
    hint = f"; did you mean {plain!r}?" if plain in API_VERSIONS else ""
    raise ConfigurationError(
        f"{source} must be one of {', '.join(API_VERSIONS)} (the X-API-VERSION values "
        f"Primer accepts), not {_shown_setting(value, environ, key)}{hint}"
    )


def _shown_setting(value: str, environ: Mapping[str, str], key: str | None = None) -> str:
    """A wrong setting's value for its error: short ones as given (a typo is seen), a
    long one by its length only (it may be a key pasted in the wrong place), and any key
    the client knows as `***`."""
    if len(value) > 16:
        return f"a text of {len(value)} characters"
    keys = [key or "", _env("PRIMER_API_KEY", environ) or "", env_var("PRIMER_API_KEY") or ""]
    return redact_all(repr(value), keys)


def _check_key(key: str | None, source: str) -> None:
    """Refuse a key an HTTP header cannot carry, before it can reach an error message."""
    problem = api_key_problem(key) if key else None
    if problem is not None:
        raise ConfigurationError(
            f"{source} {problem}: check how the key was read or pasted (the key is not shown)."
        )


_STR_EXAMPLES: Mapping[str, str] = {
    "api_key": "your sandbox API key as a str",
    "environment": "'emulator', 'sandbox' or 'production'",
    "api_version": 'a str such as "2.4"',
    "base_url": 'an http(s) URL as a str, such as "http://127.0.0.1:8010"',
}


def _check_str_arguments(**arguments: object) -> None:
    """Refuse a setting given as another type (`api_version=2.4`, `base_url=8000`) with
    its parameter's name and rule, before `.strip()` or httpx fails on it. A wrong-typed
    api_key is not shown: it may be the key itself."""
    for name, value in arguments.items():
        if value is not None and not isinstance(value, str):
            shown = "" if name == "api_key" else f" {value!r}"
            hint = ""
            if name == "api_version" and isinstance(value, (int, float)):
                hint = f' (quote it: api_version="{value}")'
            raise ConfigurationError(
                f"{name} must be {_STR_EXAMPLES[name]}, not {type(value).__name__}{shown}{hint}"
            )


def resolve_settings(
    *,
    api_key: str | None = None,
    environment: str | None = None,
    api_version: str | None = None,
    base_url: str | None = None,
    allow_production: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Combine arguments (first) and `PRIMER_*` variables (second) into `Settings`.

    ```python
    resolve_settings()                       # in-process emulator
    resolve_settings(api_key="...")          # Primer sandbox
    resolve_settings(base_url="http://127.0.0.1:8010")   # a `primer-nb emulator` server
    ```
    """
    _check_str_arguments(
        api_key=api_key, environment=environment, api_version=api_version, base_url=base_url
    )
    env = os.environ if environ is None else environ
    if api_key is not None:
        # stripped like PRIMER_API_KEY: `open("key.txt").read()` ends with a newline
        key: str | None = api_key.strip()
        if not key:  # os.environ.get("MY_KEY", ""): an unset variable, not "no key"
            raise ConfigurationError(
                "api_key is empty or blank: pass your API key, or leave api_key out "
                "(PRIMER_API_KEY is read then, and without it the emulator is used)"
            )
        _check_key(key, "api_key")
    else:
        key = _env("PRIMER_API_KEY", env)
        _check_key(key, "PRIMER_API_KEY")
    url = base_url if base_url is not None else _env("PRIMER_BASE_URL", env)
    version = _api_version(api_version, env, key)
    url_host = ""
    if url is not None:
        url = url.rstrip("/")
        if url.endswith(API_PATH):  # the URL `primer-nb emulator` prints, pasted whole
            url = url[: -len(API_PATH)]
        problem = http_url_problem(url)
        if problem is not None:
            source = "PRIMER_BASE_URL" if base_url is None else "base_url"
            # a key pasted as the URL is not shown: the one given, and PRIMER_API_KEY's
            example = "http://127.0.0.1:8010"
            keys = [key or "", _env("PRIMER_API_KEY", env) or "", env_var("PRIMER_API_KEY") or ""]
            raise ConfigurationError(
                redact_all(
                    f"{source} must be an http(s) URL such as {example}: {url!r} {problem}", keys
                )
            )
        parts = urlsplit(url)
        url_host = _host_as_sent(parts.hostname or "")
        if parts.scheme == "http" and _is_primer_host(url_host):
            # the key would cross the network in clear text (Primer answers http with a 301)
            raise ConfigurationError(
                f"Primer's API is served over https only: use https://{url_host}"
            )
        source = "PRIMER_BASE_URL" if base_url is None else "base_url"
        problem = clear_text_key_problem(
            source,
            parts.scheme,
            url_host,
            "; a server started with --api-key takes its key as api_key= in code",
        )
        if api_key is None and key and problem is not None:
            raise ConfigurationError(problem)
    given = environment or _env("PRIMER_ENV", env) or ""
    name = given.lower()
    if not name:
        # Primer's sandbox named by its URL is the sandbox, whatever gave the URL
        name = "sandbox" if key and (not url or url_host == SANDBOX_HOST) else "emulator"
    source = "environment" if environment else "PRIMER_ENV"
    if name not in ("emulator", "sandbox", "production"):
        raise ConfigurationError(
            f"{source} must be 'emulator', 'sandbox' or 'production', not "
            f"{_shown_setting(given, env, key)}"
        )
    if name == "emulator" and url_host == SANDBOX_HOST:
        raise ConfigurationError(
            f"{SANDBOX_HOST} is Primer's sandbox, not an emulator: set PRIMER_API_KEY "
            "to your sandbox key (and PRIMER_ENV=sandbox or leave it unset)."
        )
    in_process = name == "emulator" and url is None
    resolved_url = url or (EMULATOR_URL if name == "emulator" else BASE_URLS[name])
    opted_in = name == "production" and allow_production
    # without a URL the host follows the name: only "production" names Primer's production
    if (name == "production" or url_host == PRODUCTION_HOST) and not opted_in:
        setting = "PRIMER_ENV=production" if source == "PRIMER_ENV" else "environment='production'"
        if name != "production":
            missing = f"set {setting} and pass allow_production=True to the client"
        else:  # only the opt-in is missing
            missing = f"{setting} is set; the client also needs allow_production=True"
        raise ConfigurationError(
            f"Refusing to use Primer's production API: {missing} to opt in explicitly."
        )
    if name in ("sandbox", "production") and not key:
        named = f"PRIMER_ENV={given}" if source == "PRIMER_ENV" else f"environment={given!r}"
        raise ConfigurationError(
            f"The {name} environment needs an API key: set PRIMER_API_KEY or pass api_key= "
            f"({named} says {name}; without it the emulator is used)."
        )
    default_key = name == "emulator" and not key
    if default_key:
        key = EMULATOR_KEY
    return Settings(
        environment=name,  # type: ignore[arg-type]
        base_url=resolved_url,
        api_version=version,
        api_key=key,
        in_process=in_process,
        default_key=default_key,
    )


def clear_text_key_problem(source: str, scheme: str, host: str, more: str = "") -> str | None:
    """Why `PRIMER_API_KEY`, usually the sandbox key, must not be sent to this URL (plain
    http to another machine: across a network in clear text), naming `source`; or None.
    The client's settings and `primer-nb parity --against` both apply this rule."""
    if scheme != "http" or on_this_machine(host):
        return None
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address, as a URL writes it
    return (
        f"{source} http://{shown} would send PRIMER_API_KEY over the network in clear text: "
        "use https://, a server on this machine (127.0.0.1), or unset PRIMER_API_KEY (the "
        f"emulator's own key is sent then{more})"
    )


def on_this_machine(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1): a request never leaves it.

    Only the name `localhost` itself is trusted by name (`/etc/hosts`); another name, even
    `*.localhost`, may go to DNS and resolve anywhere.
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
