"""curl and Python snippets: exact commands, and never a key or a live token."""

from __future__ import annotations

import ast
from typing import Any

from primer_nb.widgets.snippets import (
    LOCAL_EMULATOR_URL,
    curl_snippet,
    python_snippet,
    snippet_target,
)

SANDBOX = "https://api.sandbox.primer.io"


def test_curl_for_the_sandbox() -> None:
    text = curl_snippet({"orderId": "o-1", "amount": 500}, base_url=SANDBOX, api_version="2.4")
    assert text == (
        "curl -X POST https://api.sandbox.primer.io/client-session \\\n"
        '  -H "X-API-KEY: $PRIMER_API_KEY" \\\n'
        '  -H "X-API-VERSION: 2.4" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        """  -d '{"orderId": "o-1", "amount": 500}'"""
    )


def test_curl_quotes_single_quotes_and_hides_the_client_token() -> None:
    body = {"clientToken": "eyJsecret.token", "customer": {"lastName": "O'Brien"}}
    text = curl_snippet(body, method="PATCH", base_url=SANDBOX, api_version="2.4")
    assert "eyJsecret" not in text
    assert """-d '{"clientToken": "'"$PRIMER_CLIENT_TOKEN"'",""" in text
    assert "O'\"'\"'Brien" in text


def test_python_snippet_is_valid_python_with_the_same_body() -> None:
    body = {"orderId": "o-1", "order": {"lineItems": [{"amount": 1, "name": "x"}]}, "m": {}}
    text = python_snippet(body)
    assert "PrimerClient()" in text and "PRIMER_API_KEY" in text
    tree = ast.parse(text)
    call = tree.body[-1].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == body
    patch = python_snippet({"clientToken": "eyJsecret", "orderId": "o-2"}, method="PATCH")
    assert "update_session(client_token, {" in patch and "eyJsecret" not in patch


def test_target_of_an_in_process_client(client: Any, marker_key: str) -> None:
    base, version, note = snippet_target(client)
    assert (base, version) == (LOCAL_EMULATOR_URL, "2.4")
    assert note is not None and "primer-nb emulator" in note
    assert marker_key not in curl_snippet({}, base_url=base, api_version=version, note=note)
