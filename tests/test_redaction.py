"""The redaction rules of `primer_nb.redaction`, and the shortcut the ledger takes with them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import PrimerValidationError
from primer_nb.redaction import (
    is_secret_name,
    may_name_a_secret,
    redact,
    redact_all,
    scrub_secret_names,
)
from tests.conftest import MARKER_KEY

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
