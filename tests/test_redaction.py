"""The redaction rules of `primer_nb.redaction`, and the shortcut the ledger takes with them."""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb import redaction
from primer_nb.batch import create_sessions
from primer_nb.client import Exchange, PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import PrimerValidationError
from primer_nb.ledger import Ledger
from primer_nb.redaction import (
    is_secret_name,
    longest_first,
    may_name_a_secret,
    redact,
    redact_all,
    redact_each,
    redact_json,
    redact_json_each,
    scrub_secret_names,
    short_token,
    spellings,
)
from primer_nb.wire_errors import json_path
from tests.conftest import MARKER_KEY, QUOTED_MARKER_KEYS

#: Names near the secret ones: cases, separators, prefixes, letters JSON must escape.
NAMES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["X-API-KEY", "x_api_key", "apiKey", "Authorization", "API-key", "k\nApiKey"]),
    st.builds(
        lambda pre, sep, post: f"{pre}api{sep}Key{post}",
        st.text(max_size=3),
        st.sampled_from(["", "-", "_", "--"]),
        st.text(max_size=3),
    ),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=12,
)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test works out a secret's spellings and patterns itself, not from the cache an
    earlier test (or `make mutation`'s first run, which its mutants are forked from) left."""
    redaction.spellings.cache_clear()
    redaction._standalone.cache_clear()
    redaction.is_secret_name.cache_clear()


def names(value: object) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [n for v in value.values() for n in names(v)]
    if isinstance(value, list):
        return [n for v in value for n in names(v)]
    return []


@given(JSON)
def test_a_text_without_the_hint_holds_no_secret_name(value: object) -> None:
    """What lets the ledger write a body without walking it: no false "no"."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if any(is_secret_name(name) for name in names(value)):
        assert may_name_a_secret(text)
    if not may_name_a_secret(text):
        assert scrub_secret_names(value) == value


def test_secret_names() -> None:
    for name in ["X-API-KEY", "x-api-key", "apiKey", "api_key", "Authorization", "PRIMER_API_KEY"]:
        assert is_secret_name(name), name
    for name in ["orderId", "authorizationType", "key", "apiVersion", "X-API-VERSION"]:
        assert not is_secret_name(name), name


@pytest.mark.parametrize(
    ("text", "secret", "shown"),
    [
        ("Unknown field", "k", "Unknown field"),  # inside a word: not the key
        ("$.order.lineItems[0].amount", "k", "$.order.lineItems[0].amount"),
        ("$.metadata.k", "k", "$.metadata.***"),  # alone: the key
        ("key=demo&x=1", "demo", "key=***&x=1"),
        ("a_demo_b", "demo", "a_***_b"),
        ("demo1 demo", "demo", "demo1 ***"),
        # after an escape a repr or JSON wrote, the letter is the escape's, not a word's
        ("Value 'x\\ndemo'", "demo", "Value 'x\\n***'"),
        ('"x\\u20acdemo"', "demo", '"x\\u20ac***"'),
        ("'\\x01demo'", "demo", "'\\x01***'"),
        (f"x{MARKER_KEY}y", MARKER_KEY, "x***y"),  # a long key: wherever it is
    ],
)
def test_a_short_secret_is_redacted_where_it_stands_alone(
    text: str, secret: str, shown: str
) -> None:
    assert redact(text, secret) == shown
    assert redact_all(text, [secret]) == shown


def test_a_short_key_leaves_the_clients_errors_readable() -> None:
    """With an emulator key such as `k`, a JSONPath and its rule are shown as they are."""
    client = PrimerClient(api_key="k", emulator=Emulator(api_keys=["k"]))
    with pytest.raises(PrimerValidationError) as caught:
        client.create_session({"unknownTop": 1, "metadata": {"note": "k"}, "order": {"k": []}})
    details = caught.value.validation_errors
    assert [(d.path, d.description[:13]) for d in details] == [("$.unknownTop", "Unknown field")]
    client.close()


# --- a key holding a quote, a backslash or a percent sign (audit 26) -----------------------

#: What every spelling of the quoted marker keys still holds.
MARK = "MARKERKEY"


def test_a_plain_key_has_one_spelling() -> None:
    assert spellings(MARKER_KEY) == (MARKER_KEY,)
    assert spellings("k") == ("k",)


#: More keys that messages escape: a backslash with a single quote (no double quote), and
#: a letter JSON writes as `\u00e9` unless told to keep it, with a double quote.
ESCAPED_KEYS = (
    *QUOTED_MARKER_KEYS,
    "sk_" + "\\'bs_" + "MARKERKEY0123456789",
    "sk_" + 'caf\u00e9"_' + "MARKERKEY0123456789",
)


@pytest.mark.parametrize(
    "key", ESCAPED_KEYS, ids=["double-quote", "single-quote", "backslash-quote", "non-ascii"]
)
def test_a_key_is_redacted_however_a_message_escapes_it(key: str) -> None:
    path = json_path(("customer", key))
    texts = [
        f"Value {key!r} is not a valid currency code",  # repr, as errors quote values
        f"not a decimal amount: {[key]}",
        json.dumps({"note": key}),  # JSON
        json.dumps({"note": key}, ensure_ascii=False),  # JSON as the ledger writes it
        f"{path}: Unknown field",  # $['...'] with \\ and \'
        f"{key} as it is",
        f"{json.dumps({'clientToken': key})!r} is not the path",  # a repr of JSON text
        repr(f'{path}: Value "x" is not allowed'),  # an error's repr: the path escaped again
    ]
    for text in texts:
        shown = redact(text, key)
        assert MARK not in shown and "***" in shown, (text, shown)
        assert MARK not in redact_all(text, [key, "other"]), text
        assert MARK not in json.dumps(redact_json({text: [text]}, key)), text


def test_a_short_key_with_a_quote_is_still_replaced_only_where_it_stands_alone() -> None:
    assert redact("$['k\\'']: Unknown field", "k'") == "$['***']: Unknown field"
    assert redact("Unknown 'k\\''", "k'") == "Unknown '***'"
    assert redact("ok'", "k'") == "ok'"  # inside a word: not the key


def _shown(error: BaseException) -> str:
    html = getattr(error, "_repr_html_", lambda: "")()
    return f"{error}{error!r}{html}"


@pytest.mark.parametrize("key", QUOTED_MARKER_KEYS, ids=["double-quote", "single-quote"])
def test_a_quoted_key_never_reaches_errors_warnings_exchanges_or_the_ledger(
    key: str, tmp_path: Path
) -> None:
    seen: list[Exchange] = []
    client = PrimerClient(api_key=key, emulator=Emulator(api_keys=[key]), hooks=[seen.append])
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.attach(client)
    shown: list[str] = []
    for body, validate in [
        ({"orderId": "o1", "currencyCode": key}, True),  # checked here
        ({"orderId": "o1", "currencyCode": key}, False),  # the emulator's 422
        ({key: 1}, True),
        ({key: 1}, False),
    ]:
        with pytest.raises(PrimerValidationError) as caught:
            client.create_session(body, validate=validate)
        shown.append(_shown(caught.value))
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        client.create_session({"orderId": "o2", "customer": {key: 1}})
    shown += [str(w.message) for w in caught_warnings]
    assert len(shown) == 5
    shown += [repr(exchange) for exchange in seen]
    shown.append(ledger.frame(full_tokens=True).to_csv())
    for text in shown:
        assert MARK not in text, text
    ledger.close()
    client.close()
    for path in tmp_path.iterdir():  # the database and its WAL, byte by byte
        assert MARK.encode() not in path.read_bytes(), path.name
    rows = sqlite3.connect(tmp_path / "l.sqlite3").execute("SELECT * FROM exchanges").fetchall()
    assert len(rows) == len(seen) == 3 and MARK not in repr(rows)


@pytest.mark.parametrize("key", QUOTED_MARKER_KEYS, ids=["double-quote", "single-quote"])
def test_a_quoted_key_in_a_batch_cell_is_redacted_from_its_error(key: str) -> None:
    client = PrimerClient(api_key=key, emulator=Emulator(api_keys=[key]))
    rows: list[dict[str, Any]] = [
        {"order_id": "b1", "currency_code": key},
        {"order_id": "b2", "currency_code": "EUR", "amount_major": key},
    ]
    result = create_sessions(rows, client=client, progress=False)
    assert len(result.errors) == 2
    for error in result.errors:
        assert MARK not in str(error) and "***" in str(error), str(error)
    assert MARK not in result.frame().to_csv()
    client.close()


def _pieces(key: str, size: int = 10) -> list[str]:
    return [key[i : i + size] for i in range(len(key) - size + 1)]


def test_a_long_refused_value_is_never_shown_in_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error quoted a refused value cut at 40 characters, and a batch cell at 30, before
    any redaction: the key in it was cut in two and its first part shown. A long value is
    now given by its length only, by the client, the emulator and the batch alike."""
    from primer_nb.batch import create_sessions

    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    client = PrimerClient(api_key=MARKER_KEY, emulator=Emulator(api_keys=[MARKER_KEY]))
    body = {"orderId": "o-1", "currencyCode": f"EUR {MARKER_KEY}"}
    with pytest.raises(PrimerValidationError) as local:
        client.create_session(body)
    with pytest.raises(PrimerValidationError) as answered:
        client.create_session(body, validate=False)
    assert answered.value.validation_errors[0].description.startswith("Value (40 characters)")
    rows = [{"order_id": "r-1", "currency_code": "USD", "amount": f"{MARKER_KEY}-and-more"}]
    result = create_sessions(rows, client=client, progress=False)
    shown = [str(local.value), str(answered.value), str(result.errors[0])]
    shown += result.frame()["error"].dropna().tolist()
    assert [p for text in shown for p in _pieces(MARKER_KEY) if p in text] == []
    client.close()


def test_a_single_str_of_secrets_is_refused_not_read_character_by_character(
    tmp_path: Path, marker_key: str
) -> None:
    """`Ledger(secrets=key)` (a str, not a list) made every character a secret and the key
    none: the key went into the file in clear. Now a TypeError says to pass a list, and
    never shows the key; a list works as documented."""
    for call in (
        lambda: Ledger(tmp_path / "l.sqlite", secrets=marker_key),
        lambda: redact_all(f"key {marker_key}", marker_key),
        lambda: redact_each(f"key {marker_key}", marker_key),
        lambda: redact_json_each({"k": marker_key}, marker_key),
    ):
        with pytest.raises(TypeError, match=r"must be a list of strings") as caught:
            call()
        assert marker_key not in str(caught.value)
        assert str(caught.value).startswith(
            "secrets must be a list of strings, such as [key], not a single str (it would"
        )
    with pytest.raises(TypeError, match=r"^secrets must .* not a single bytes \(it would"):
        longest_first(marker_key.encode())  # type: ignore[arg-type]
    ledger = Ledger(tmp_path / "l.sqlite", secrets=[marker_key])
    ledger.record({"method": "POST", "path": "/x", "request_body": {"note": marker_key}})
    assert ledger.frame().request_body[0] == {"note": "***"}
    ledger.close()
    assert marker_key.encode() not in (tmp_path / "l.sqlite").read_bytes()


def test_a_secret_of_eight_characters_is_redacted_inside_a_word_too() -> None:
    """Only a secret shorter than 8 characters (`SHORT_SECRET`) must stand alone; from 8
    on it is replaced wherever it is, in a text and in decoded JSON alike."""
    assert redact("id=xsk_12345y", "sk_12345") == "id=x***y"
    assert redact_json({"n": ["xsk_12345y"]}, "sk_12345") == {"n": ["x***y"]}
    assert redact_json_each({"xsk_12345y": 1}, ["sk_12345"]) == {"x***y": 1}
    assert redact("id=xsk_1234y", "sk_1234") == "id=xsk_1234y"  # 7: inside a word, kept


def test_redact_json_gives_the_value_with_the_secret_replaced_at_any_depth() -> None:
    value = {"a": [f"key {MARKER_KEY} here", 3, None, True], MARKER_KEY: {"b": MARKER_KEY}}
    expected = {"a": ["key *** here", 3, None, True], "***": {"b": "***"}}
    assert redact_json(value, MARKER_KEY) == expected
    assert redact_json(value, None) == value
    assert redact_json(value, "") == value


def test_a_secret_holding_another_is_replaced_whole_whatever_their_order() -> None:
    """Longest first: `a-key-...` holds `key-...`; replaced in the other order, `a-` of the
    longer secret would be left in front of `***`."""
    short, whole = "key-" + "12345678", "a-key-" + "12345678"
    assert longest_first([short, "", whole, short]) == [whole, short]
    for secrets in ([short, whole], [whole, short]):
        assert redact_all(f"x {whole} y {short}", secrets) == "x *** y ***"


def test_a_client_token_is_shortened_from_17_characters_on() -> None:
    """`short_token`: up to 16 characters shown whole (a shortened one would be 13),
    longer ones as the first 8 and the last 4."""
    assert short_token("0123456789abcdef") == "0123456789abcdef"
    assert short_token("0123456789abcdefg") == "01234567…defg"
    assert short_token("") == ""
