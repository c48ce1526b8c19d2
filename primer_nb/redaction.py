"""Keeping secrets out of what people and files see: one home for the redaction rules.

- `redact(text, secret)` / `redact_all(text, secrets)`: every occurrence of a secret (an
  API key) in a text becomes `***` (longest secret first, so a key containing another is
  replaced whole; `longest_first` + `redact_each` do the same with the sorting done once).
  A secret shorter than `SHORT_SECRET` (8) characters is replaced only where no letter or
  digit touches it, so an emulator key such as `k` leaves `Unknown` as it is. A secret
  holding a character that messages escape (`"`, `'`, `\\`) is also replaced
  where a message spells it escaped (`spellings`): inside a `repr()`, inside JSON, or in
  a JSONPath segment (`$['it\\'s']`). A secret without such a character has one spelling,
  and costs nothing more;
- `redact_json(value, secret)`: the same inside decoded JSON, keys and values, at any
  depth (what the client hands its hooks and puts in errors);
- `scrub_secret_names(value)`: in decoded JSON, every entry whose key is named like an API
  key (`X-API-KEY`, `apiKey`, `api_key`, `Authorization`, ...) gets the value `***`;
- `short_token(token)`: a client token for display, `eyJhbGci…x9Qk`. A client token is
  not the API key but a 24 h credential for one checkout: tables, widgets and reprs show
  it shortened, models and the ledger keep it whole (behaviour.md §4);
- `remember_secrets(secrets)` / `remembered_secrets()`: the keys this process's clients
  were given, for what shows data without a client at hand (a model's repr and card, a
  snippet): a key pasted into a body, such as a metadata note, is shown as `***` there
  too, as the client, the ledger and the widgets show it.

Used by `config` (and so the client), the ledger, the tables and the widgets. Imports
nothing of ours.

```python
>>> redact("key sk_live_1 failed", "sk_live_1")
'key *** failed'
>>> scrub_secret_names({"headers": {"X-API-KEY": "k", "Accept": "json"}})
{'headers': {'X-API-KEY': '***', 'Accept': 'json'}}
>>> short_token("eyJhbGciOiJIUzI1NiJ9.payload.signature-x9Qk")
'eyJhbGci…x9Qk'

```
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import JsonValue

__all__ = [
    "REDACTED",
    "SHORT_SECRET",
    "is_secret_name",
    "longest_first",
    "may_name_a_secret",
    "redact",
    "redact_all",
    "redact_each",
    "redact_json",
    "redact_json_each",
    "remember_secrets",
    "remembered_secrets",
    "scrub_secret_names",
    "short_token",
    "spellings",
]

#: What a secret is replaced with.
REDACTED = "***"


#: A secret shorter than this (an emulator key such as `k` or `demo`; Primer's keys are
#: UUIDs) is replaced only where it stands alone, not inside a longer run of letters and
#: digits: `k` must not turn `Unknown` into `Un***nown`, nor a JSONPath into nonsense.
SHORT_SECRET = 8


#: What may stand before a short secret: no letter or digit, or one that ends an escape
#: (`\n`, `\x01`, `\u20ac`: a repr or JSON wrote a character there, not a word).
_BEFORE = (
    r"(?:(?<![^\W_])|(?<=\\[abfnrtv])|(?<=\\x[0-9a-fA-F]{2})"
    r"|(?<=\\u[0-9a-fA-F]{4})|(?<=\\U[0-9a-fA-F]{8}))"
)


@functools.lru_cache(maxsize=64)
def _standalone(secret: str) -> re.Pattern[str]:
    return re.compile(rf"{_BEFORE}{re.escape(secret)}(?![^\W_])")


@functools.lru_cache(maxsize=256)
def spellings(secret: str) -> tuple[str, ...]:
    """The ways a message may write `secret`, longest first: as it is, inside a `repr()`
    (`'it\\'s'`), inside JSON (`"say \\"hi\\""`, also as ASCII) and as a JSONPath segment
    (`$['it\\'s']`, see `wire_errors.json_path`), and one of these inside another (the
    repr of a JSON text). Usually all the same: then `(secret,)`.

    ```python
    >>> spellings("sk_live_1")
    ('sk_live_1',)
    >>> 'a\\\\"b' in spellings('a"b')  # JSON's spelling
    True

    ```
    """
    forms = _escaped(secret)
    if len(forms) == 1:
        return (secret,)
    # one escape inside another too: a repr() of JSON text that holds the key
    forms = {twice for form in forms for twice in _escaped(form)}
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


def _escaped(text: str) -> set[str]:
    """`text` as it is, and as a repr(), JSON and a JSONPath segment write it."""
    return {
        text,
        repr(text)[1:-1],
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        text.replace("\\", "\\\\").replace("'", "\\'"),
    }


def _replace(text: str, form: str, short: bool) -> str:
    if short:
        return _standalone(form).sub(REDACTED, text)
    return text.replace(form, REDACTED)


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` replaced by `***` (a secret shorter than
    `SHORT_SECRET` characters only where no letter or digit touches it), in each of its
    `spellings`: as it is, and escaped as a `repr()`, JSON or a JSONPath writes it."""
    if not secret:
        return text
    return _redact_forms(text, spellings(secret), len(secret) < SHORT_SECRET)


def _redact_forms(text: str, forms: tuple[str, ...], short: bool) -> str:
    if len(forms) == 1:  # the usual key: one spelling, one look
        return _replace(text, forms[0], short) if forms[0] in text else text
    for form in forms:  # longest first: an escaped spelling holds parts of the plain one
        if form in text:
            text = _replace(text, form, short)
    return text


def redact_all(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***`, the longest first."""
    return redact_each(text, longest_first(secrets))


def _many(secrets: object, name: str) -> None:
    """A single str where a list of secrets belongs would be read one character at a
    time, and the secret itself never replaced: `TypeError`, never the secret."""
    if isinstance(secrets, str | bytes):
        raise TypeError(
            f"{name} must be a list of strings, such as [key], not a single "
            f"{type(secrets).__name__} (it would be read one character at a time)"
        )


def longest_first(secrets: Iterable[str]) -> list[str]:
    """The distinct non-empty secrets, longest first: the order `redact_all` uses, so a
    key containing another is replaced whole. Sort once, then `redact_each` many texts."""
    _many(secrets, "secrets")
    return sorted({s for s in secrets if s}, key=len, reverse=True)


def redact_each(text: str, ordered: Sequence[str]) -> str:
    """`text` with each secret of `ordered` replaced by `***`, in that order
    (`redact_all` without sorting again: pass it `longest_first(secrets)`)."""
    _many(ordered, "secrets")
    for secret in ordered:
        text = redact(text, secret)
    return text


def redact_json(value: JsonValue, secret: str | None) -> JsonValue:
    """`value` (decoded JSON) with the secret redacted from every string in it, keys too
    (in each of its `spellings`, as `redact`)."""
    return redact_json_each(value, [secret] if secret else [])


def redact_json_each(value: JsonValue, ordered: Sequence[str]) -> JsonValue:
    """`redact_json` for each secret of `ordered` (`longest_first(secrets)`), in one walk
    through `value`, as `redact_each` is `redact` for each."""
    _many(ordered, "secrets")
    plans = [(spellings(s), len(s) < SHORT_SECRET) for s in ordered if s]
    return _redact_json(value, plans) if plans else value


def _redact_json(value: JsonValue, plans: Sequence[tuple[tuple[str, ...], bool]]) -> JsonValue:
    if isinstance(value, str):
        return _redact_text(value, plans)
    if isinstance(value, dict):
        return {_redact_text(k, plans): _redact_json(v, plans) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v, plans) for v in value]
    return value


def _redact_text(text: str, plans: Sequence[tuple[tuple[str, ...], bool]]) -> str:
    for forms, short in plans:
        text = _redact_forms(text, forms, short)
    return text


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True for a header or field name that holds an API key (`X-API-KEY`, `api_key`...)."""
    plain = name.lower().replace("-", "").replace("_", "")
    return "apikey" in plain or plain in ("authorization", "xapikey")


def may_name_a_secret(text: str) -> bool:
    """False when no name in `text` (e.g. JSON) can be one `is_secret_name` accepts.

    Every such name holds `apikey` or is `authorization` once lower-cased without `-`
    and `_`, and JSON writes those letters as they are: a text without either needs no
    walk through its decoded value. True may be a false alarm (names run together).
    """
    plain = text.lower().replace("-", "").replace("_", "")
    return "apikey" in plain or "authorization" in plain


#: JSON's leaves, returned as they are without a look at their type's ancestry.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def scrub_secret_names(value: object) -> object:
    """`value` with every mapping entry named like an API key set to `***` (at any depth;
    tuples become lists, as in JSON)."""
    if type(value) in _LEAVES:
        return value
    if isinstance(value, (dict, Mapping)):  # a dict is found before the ABC check
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_name(k) else scrub_secret_names(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub_secret_names(v) for v in value]
    return value


def short_token(token: str) -> str:
    """A client token for display: `eyJhbGci…x9Qk` (first 8 and last 4 characters).

    Tables, widgets and reprs show this; the full token stays on the model
    (behaviour.md §4).
    """
    return token if len(token) <= 16 else f"{token[:8]}…{token[-4:]}"


#: Every key `remember_secrets` was given, and the same longest first; both replaced whole
#: (never changed in place) under `_REMEMBER_LOCK`, so a reader needs no lock. Keys are
#: never taken back: a key once used is still a key when a session shown later holds it.
_REMEMBERED: frozenset[str] = frozenset()
_REMEMBERED_SORTED: tuple[str, ...] = ()
_REMEMBER_LOCK = threading.Lock()


def remember_secrets(secrets: Iterable[str]) -> None:
    """Add `secrets` (a client's API key) to what displays redact (`remembered_secrets`).

    A key shorter than `SHORT_SECRET` is not remembered: an emulator's `demo` would turn
    every later `demo-order-1` shown in this process into `***-order-1` (the client that
    uses such a key still redacts it from its own messages).
    """
    global _REMEMBERED, _REMEMBERED_SORTED
    _many(secrets, "secrets")
    given = {s for s in secrets if len(s) >= SHORT_SECRET}
    if given <= _REMEMBERED:  # the usual case, without the lock
        return
    with _REMEMBER_LOCK:
        merged = _REMEMBERED | given
        _REMEMBERED_SORTED = tuple(longest_first(merged))
        _REMEMBERED = merged


def remembered_secrets() -> tuple[str, ...]:
    """The keys `remember_secrets` was given, longest first (for `redact_each`)."""
    return _REMEMBERED_SORTED
