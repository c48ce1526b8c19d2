"""curl and Python snippets: exact commands, and never a key or a live token."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from typing import Any

import pytest

from primer_nb.models import ClientSessionRequest, ClientSessionUpdateRequest
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


def test_curl_for_the_local_emulator_works_without_a_key_set() -> None:
    """`$PRIMER_API_KEY` unset sent an empty key, which `primer-nb emulator` answers 403,
    while the Python snippet's client sends the emulator key: curl now falls back to it."""
    text = curl_snippet({"orderId": "o-1"}, base_url=LOCAL_EMULATOR_URL, api_version="2.4")
    assert '  -H "X-API-KEY: ${PRIMER_API_KEY:-primer-nb-emulator}" \\\n' in text
    sandbox = curl_snippet({"orderId": "o-1"}, base_url=SANDBOX, api_version="2.4")
    assert '"X-API-KEY: $PRIMER_API_KEY"' in sandbox  # a real server: no fallback key


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


# --- a model, or a value JSON cannot hold (from an audit of bad input) -------------------


def test_a_request_model_is_written_as_its_wire_body() -> None:
    """`dict(model)` gave Python names and nulls (`order_id`, `currency_code: null`),
    which Primer answers with 422; python_snippet raised AttributeError."""
    request = ClientSessionRequest(order_id="m-1", currency_code="EUR", amount=1299)
    curl = curl_snippet(request, base_url=SANDBOX, api_version="2.4")
    assert curl.endswith("""-d '{"orderId": "m-1", "currencyCode": "EUR", "amount": 1299}'""")
    text = python_snippet(request)
    call = ast.parse(text).body[-1].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == request.to_wire()
    update = ClientSessionUpdateRequest(client_token="eyJsecret", order_id="m-2")
    patch = curl_snippet(update, method="PATCH", base_url=SANDBOX, api_version="2.4")
    assert """-d '{"clientToken": "'"$PRIMER_CLIENT_TOKEN"'", "orderId": "m-2"}'""" in patch
    assert "eyJsecret" not in patch + python_snippet(update, method="PATCH")


@pytest.mark.parametrize("snippet", ["curl_snippet", "python_snippet"])
@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (
            {"amount": Decimal("12.99")},
            TypeError,
            "$.amount: Decimal('12.99') cannot be written as JSON (JSON has no Decimal; an "
            "amount is an int in minor units, e.g. "
            "primer_nb.currency.to_minor_units(Decimal('12.99'), 'EUR'))",
        ),
        (
            {"order": {"lineItems": [{"amount": float("nan")}]}},
            ValueError,
            "$.order.lineItems[0].amount: nan cannot be written as JSON "
            "(NaN and infinity are not JSON numbers)",
        ),
        (
            {"metadata": {"tags": {"a", "b"}}},
            TypeError,
            "$.metadata.tags: ",
        ),
        (["orderId"], TypeError, "takes the request body as a dict of wire names"),
    ],
)
def test_a_value_json_cannot_hold_is_named_not_written(
    snippet: str, body: Any, error: type[Exception], message: str
) -> None:
    make = {
        "curl_snippet": lambda b: curl_snippet(b, base_url=SANDBOX, api_version="2.4"),
        "python_snippet": python_snippet,
    }[snippet]
    with pytest.raises(error) as caught:
        make(body)
    assert str(caught.value).startswith(f"{snippet}()")
    assert message in str(caught.value)


# --- run in a shell (from an audit of the snippets) --------------------------------------


class _Recorder:
    """A local HTTP server that keeps each request's body and headers, answering 200."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen = self.seen = []  # type: list[tuple[bytes, dict[str, str]]]

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen.append((self.rfile.read(length), dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_PATCH = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Any:
    server = _Recorder()
    yield server
    server.close()


def _bash(command: str, tmp_path: Any, **env: str) -> None:
    import os
    import subprocess

    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env}
    script = tmp_path / "pasted.sh"  # as pasted into a terminal: no limit on its length
    script.write_text(command + "\n", encoding="utf-8")
    subprocess.run(
        ["bash", str(script)],
        check=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        capture_output=True,
    )


def test_a_url_with_shell_characters_runs_nothing(recorder: Any, tmp_path: Any) -> None:
    """The base URL was written unquoted: `;touch pwned;` in it ran in the shell."""
    url = f"{recorder.url}/p;touch${{IFS}}pwned;&x=$(touch${{IFS}}pwned2)"
    _bash(curl_snippet({"orderId": "o-1"}, base_url=url, api_version="2.4"), tmp_path)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()
    assert recorder.seen[0][0] == b'{"orderId": "o-1"}'


def test_only_the_client_token_becomes_the_shell_variable(recorder: Any, tmp_path: Any) -> None:
    """A metadata value spelled like the placeholder was replaced by the token too."""
    body = {"clientToken": "live", "metadata": {"t": "@@PRIMER_CLIENT_TOKEN@@"}}
    text = curl_snippet(body, method="PATCH", base_url=recorder.url, api_version="2.4")
    _bash(text, tmp_path, PRIMER_CLIENT_TOKEN="TOKEN-XYZ", PRIMER_API_KEY="k")
    sent = json.loads(recorder.seen[0][0])
    assert sent == {"clientToken": "TOKEN-XYZ", "metadata": {"t": "@@PRIMER_CLIENT_TOKEN@@"}}


def test_a_body_too_long_for_one_argument_goes_through_stdin(recorder: Any, tmp_path: Any) -> None:
    """Over 128 KiB, curl's `-d` argument failed with "Argument list too long"."""
    # under 100,000 characters, but over 128 KiB of UTF-8: the limit is in bytes
    body = {"clientToken": "live", "metadata": {f"k{i}": "😀" * 40 for i in range(1500)}}
    body["metadata"]["q"] = "x'$(touch pwned)"  # type: ignore[index]
    assert len(json.dumps(body, ensure_ascii=False)) < 100_000
    text = curl_snippet(body, method="PATCH", base_url=recorder.url, api_version="2.4")
    assert text.startswith("printf '%s' ") and "--data-binary @-" in text
    _bash(text, tmp_path, PRIMER_CLIENT_TOKEN="T", PRIMER_API_KEY="k")
    raw, headers = recorder.seen[0]
    assert json.loads(raw) == {**body, "clientToken": "T"}
    assert not (tmp_path / "pwned").exists()
    assert headers["X-API-KEY"] == "k"


def test_the_python_snippet_goes_where_the_curl_snippet_goes() -> None:
    """It was always `PrimerClient()`: in the terminal notebook 10 sets up (a key
    exported) that is Primer's sandbox, not the emulator the curl command targets."""
    from primer_nb.enums import Currency

    text = python_snippet(
        {"orderId": "o-1", "currencyCode": Currency.EUR},
        base_url="http://127.0.0.1:8010/",
        api_version="2.3",
        note="# a note",
    )
    assert "# a note\nclient = PrimerClient(base_url='http://127.0.0.1:8010', " in text
    assert "api_version='2.3')" in text
    call = ast.parse(text).body[-1].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.args[0]) == {"orderId": "o-1", "currencyCode": "EUR"}
    same = python_snippet({"orderId": "o-1"}, base_url=SANDBOX, api_version="2.4")
    assert f"PrimerClient(base_url='{SANDBOX}')" in same  # the default version is left out


def test_a_lone_surrogate_does_not_break_the_size_check() -> None:
    """`json.loads('"\\ud800"')` gives such a string: the byte count raised
    UnicodeEncodeError, naming no field."""
    text = curl_snippet({"orderId": "a\ud800b"}, base_url=SANDBOX, api_version="2.4")
    assert text.startswith("curl -X POST ")


def test_the_python_snippet_for_production_makes_a_client_that_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its client line raised "the client also needs allow_production=True", while the
    curl command beside it targeted https://api.primer.io."""
    from primer_nb.client import PrimerClient

    monkeypatch.setenv("PRIMER_ENV", "production")
    monkeypatch.setenv("PRIMER_API_KEY", "a-production-key-for-a-test")
    target, version, _ = snippet_target(PrimerClient(allow_production=True))
    text = python_snippet({"orderId": "o-1"}, base_url=target, api_version=version)
    line = next(x for x in text.splitlines() if x.startswith("client = "))
    made = line.split(" = ", 1)[1].split("  #")[0]
    assert made == "PrimerClient(base_url='https://api.primer.io', allow_production=True)"
    client = eval(made, {"PrimerClient": PrimerClient})  # what the learner would run
    assert client.settings.environment == "production"
