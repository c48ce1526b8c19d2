"""The redaction rules of `primer_nb.redaction`, and the shortcut the ledger takes with them."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from primer_nb.redaction import is_secret_name, may_name_a_secret, scrub_secret_names

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
