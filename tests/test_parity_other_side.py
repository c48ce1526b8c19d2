"""`primer-nb parity --against` when the other side does not answer like the emulator: an
echoed key, tokens that are not JWTs, error pages, a WAF refusing one body, a 404 for
one GET, a short token lifetime, sessions created on the account.

The other side is a stand-in "sandbox" at https://sandbox.test: an in-process emulator
behind httpx's network transport (no socket, no byte leaves the machine), whose answers
each test changes with a hook.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from primer_nb.cli import main
from primer_nb.config import EMULATOR_KEY
from primer_nb.parity import (
    SCENARIOS,
    Difference,
    ParityResult,
    ParityUsageError,
    resolve_against,
)
from tests.conftest import MARKER_KEY
from tests.test_parity import parity, parity_json

URL = "https://sandbox.test"
ROOT = Path(__file__).resolve().parents[1]
Forward = Callable[[], httpx.Response]
Hook = Callable[[httpx.Request, Forward], httpx.Response]


@dataclass
class Fake:
    """The stand-in sandbox: `hook(request, forward)` answers each request (`forward()`
    gives the emulator's answer); `seen` holds (request, response) pairs."""

    send: Callable[[httpx.Request], httpx.Response]
    hook: Hook | None = None
    seen: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)

    def created(self) -> list[str | None]:
        """The orderId of each POST the stand-in answered 2xx (a session it created)."""
        out = []
        for request, response in self.seen:
            if request.method == "POST" and 200 <= response.status_code < 300:
                out.append(json.loads(request.content).get("orderId"))
        return out


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, marker_key: str) -> Iterator[Fake]:
    from primer_nb.emulator import Emulator

    stand_in = Emulator()
    inner = stand_in.transport()
    state = Fake(inner.handle_request)

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "sandbox.test", request.url
        request.read()

        def forward() -> httpx.Response:
            response = inner.handle_request(request)
            response.read()
            return response

        response = forward() if state.hook is None else state.hook(request, forward)
        state.seen.append((request, response))
        return response

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    try:
        yield state
    finally:
        stand_in.close()


def changed(edit: Callable[[httpx.Request, dict[str, Any]], None]) -> Hook:
    """A hook that lets `edit` change the emulator's JSON answer in place."""

    def hook(request: httpx.Request, forward: Forward) -> httpx.Response:
        response = forward()
        data = response.json()
        edit(request, data)
        return httpx.Response(response.status_code, json=data)

    return hook


def page(status: int, text: str = "<html>Bad gateway</html>", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=text.encode(), headers={"content-type": "text/html"})


# --- secrets (finding 7, 13) -------------------------------------------------------------


def test_a_key_the_other_side_echoes_is_redacted_from_every_output(
    capsys: pytest.CaptureFixture[str], fake: Fake, marker_key: str, tmp_path: Path
) -> None:
    def echo(request: httpx.Request, data: dict[str, Any]) -> None:
        key = request.headers.get("x-api-key", "")
        if "error" in data:
            data["error"]["description"] += f" key={key}"
            data["error"][f"seen-{key}"] = [key]  # in a name too

    fake.hook = changed(echo)
    status, out, err = parity(capsys, "--against", URL)
    json_status, data = parity_json(capsys, "--against", URL)
    snapshot = tmp_path / "team.json"
    record_status, record_out, record_err = parity(
        capsys, "--against", URL, "--record", str(snapshot)
    )
    assert status == json_status == record_status == 1
    written = snapshot.read_text()
    everything = out + err + json.dumps(data) + record_out + record_err + written
    assert marker_key not in everything
    # redacted, not dropped: the difference is still reported, with the key as ***
    descriptions = [
        d["other"]
        for d in data["differences"]
        if d["path"] == "$.error.description" and d["scenario"] != "no-api-key"  # no key sent
    ]
    assert descriptions and all(text.endswith(" key=***") for text in descriptions)
    assert any(d["path"] == '$.error["seen-***"]' for d in data["differences"])


def test_a_client_token_that_is_not_a_jwt_is_never_shown_or_recorded(
    capsys: pytest.CaptureFixture[str], fake: Fake, tmp_path: Path
) -> None:
    opaque = "opaque-SECRET-client-token-abc123"

    def swap(request: httpx.Request, data: dict[str, Any]) -> None:
        if "clientToken" in data:
            data["clientToken"] = opaque

    fake.hook = changed(swap)
    status, out, _ = parity(capsys, "--against", URL, "--record", str(tmp_path / "r.json"))
    _, data = parity_json(capsys, "--against", URL)
    assert status == 1
    assert opaque not in out + json.dumps(data) + (tmp_path / "r.json").read_text()
    tokens = {d["other"] for d in data["differences"] if d["path"] == "$.clientToken"}
    assert tokens == {f"<client token: not a JWT, {len(opaque)} chars>"}


@pytest.mark.parametrize("url", ["https://API.PRIMER.IO.", "https://api.primer.io./client-session"])
def test_production_with_a_trailing_dot_is_refused_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("nothing may be sent to production")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    status, _, err = parity(capsys, "--against", url)
    assert status == 2
    assert "parity never sends its scenarios to production" in err


CLEAR_TEXT = "would send PRIMER_API_KEY over the network in clear text"


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://api.sandbox.primer.io", "Primer's API is served over https only"),
        ("http://API.Sandbox.primer.io.", "Primer's API is served over https only"),
        ("http://emulator.team.example:8010", CLEAR_TEXT),  # another machine
        ("http://10.0.0.7:8010", CLEAR_TEXT),
        ("http://shop.localhost:8010", CLEAR_TEXT),  # a name DNS may resolve anywhere
        ("http://[::ffff:10.0.0.7]:8010", "--against http://[::ffff:10.0.0.7] would send"),
    ],
)
def test_the_api_key_never_crosses_a_network_in_clear_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, refusal: str
) -> None:
    def no_network(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("the key must not cross the network in clear text")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    monkeypatch.setenv("PRIMER_API_KEY", "sk_marker_TESTKEY_123456")
    status, out, err = parity(capsys, "--against", url)
    assert status == 2
    assert refusal in err
    assert "sk_marker_TESTKEY_123456" not in out + err


# --- the sessions a run creates (finding 1) ------------------------------------------------


def test_a_run_lists_the_client_sessions_it_created_on_the_other_side(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    status, data = parity_json(capsys, "--against", URL)
    assert status == 0
    created = data["createdSessions"]
    assert [c["orderId"] for c in created] == fake.created()
    assert len(created) >= 10
    first = created[0]
    assert first == {"scenario": "v2.4-create", "step": "create", "orderId": "order-abc"}
    assert {"scenario": "create-get-patch-get", "step": "create", "orderId": "parity-flow-1"} in (
        created
    )
    status, out, _ = parity(capsys, "--against", URL)
    assert f"created {len(created)} client sessions on {URL}:" in out
    assert "  - v2.4-create (create): orderId 'order-abc'" in out
    assert out.rstrip().endswith("0 differ")


def test_readme_and_help_say_how_many_sessions_a_run_creates(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    _, data = parity_json(capsys, "--against", URL)
    count = len(data["createdSessions"])  # against an account that answers like the emulator
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Check the emulator against your sandbox account")[1].split("\n## ")[
        0
    ]
    assert f"about {count} client sessions" in section
    with pytest.raises(SystemExit):
        main(["parity", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"about {count} client sessions" in help_text


def test_a_run_that_stops_part_way_names_the_sessions_it_created(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def time_out_on_the_flows_get(request: httpx.Request, forward: Forward) -> httpx.Response:
        token = request.url.params.get("clientToken", "")
        if request.method == "GET" and token.startswith("eyJ"):
            raise httpx.ReadTimeout("timed out", request=request)
        return forward()

    fake.hook = time_out_on_the_flows_get
    status, out, err = parity(capsys, "--against", URL, "--timeout", "7")
    assert status == 2 and out == ""
    assert "Traceback" not in err
    assert "did not answer scenario create-get-patch-get (GET get) within 7 s" in err
    assert "raise --timeout" in err
    created = fake.created()
    assert f"stopped part-way; it created {len(created)} client sessions on {URL}" in err
    assert "create-get-patch-get (create): orderId 'parity-flow-1'" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_part_way_names_the_sessions_it_created_without_a_traceback(
    capsys: pytest.CaptureFixture[str], fake: Fake, as_json: bool
) -> None:
    """Ctrl-C printed httpcore's KeyboardInterrupt traceback, with --json nothing on
    stdout, and the sessions already created (real ones, on a sandbox account) were not
    listed."""

    def interrupt_on_the_flows_get(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "GET" and request.url.params.get("clientToken", "").startswith("eyJ"):
            raise KeyboardInterrupt
        return forward()

    fake.hook = interrupt_on_the_flows_get
    flags = ["--json"] if as_json else []
    status, out, err = parity(capsys, "--against", URL, *flags)
    assert status == 130 and "Traceback" not in err
    said = f"interrupted part-way; it created {len(fake.created())} client sessions on {URL}"
    assert f"primer-nb parity: {said}" in err
    assert "create-get-patch-get (create): orderId 'parity-flow-1'" in err
    if as_json:
        assert json.loads(out)["error"].startswith(said)
    else:
        assert out == ""


def test_a_post_that_times_out_may_have_created_a_session(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def time_out(request: httpx.Request, forward: Forward) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    fake.hook = time_out
    status, _, err = parity(capsys, "--against", URL)
    assert status == 2
    assert "did not answer scenario v2.4-create (POST create) within 30 s" in err
    assert "the POST may still have created a session" in err


@pytest.mark.parametrize("where", ["folder", "not-a-snapshot", "dangling-link"])
def test_record_checks_the_file_before_any_request(
    capsys: pytest.CaptureFixture[str], fake: Fake, tmp_path: Path, where: str
) -> None:
    target = tmp_path
    if where == "not-a-snapshot":
        target = tmp_path / "notes.json"
        target.write_text('{"my": "notes"}')
    if where == "dangling-link":  # writing through it created the link's target
        target = tmp_path / "snapshot.json"
        target.symlink_to(tmp_path / "elsewhere.json")
    status, _, err = parity(capsys, "--against", URL, "--record", str(target))
    assert status == 2
    assert fake.seen == []  # no session was created
    if where == "folder":
        assert "is a folder: give a file name" in err
    elif where == "dangling-link":
        assert "elsewhere.json, which does not exist: give a file name" in err
        assert not (tmp_path / "elsewhere.json").exists()
    else:
        assert "is not a primer-nb parity snapshot" in err and "another file name" in err
        assert target.read_text() == '{"my": "notes"}'


# --- 401/403/404 after the first request; answers that are not the API (findings 2, 3) ---


def test_a_later_403_or_404_is_a_difference_not_a_refused_key_or_a_wrong_url(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def waf_and_404(request: httpx.Request, forward: Forward) -> httpx.Response:
        if b"<PAYMENT_METHOD_TYPE>" in request.content:  # a WAF refusing one body
            return httpx.Response(403, json={"message": "Forbidden"})
        if request.method == "GET" and request.url.params.get("clientToken") == (
            "not-a-client-token"
        ):
            error = {"errorId": "EntityNotFound", "description": "Client session not found"}
            return httpx.Response(404, json={"error": error})
        return forward()

    fake.hook = waf_and_404
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1, data
    statuses = {
        (d["scenario"], d["emulator"], d["other"])
        for d in data["differences"]
        if d["path"] == "status"
    }
    assert ("reference-page-request", 200, 403) in statuses
    assert ("get-400-invalid-token", 400, 404) in statuses
    assert data["differingScenarios"] == ["reference-page-request", "get-400-invalid-token"]
    assert len(data["createdSessions"]) == len(fake.created())


PAGES: dict[str, Callable[[], httpx.Response]] = {
    "html 200": lambda: page(200, "<html>hi</html>"),
    "html 502": lambda: page(502),
    "redirect 301": lambda: httpx.Response(301, headers={"location": "https://x.invalid/"}),
    "empty 204": lambda: httpx.Response(204),
    "json 500": lambda: httpx.Response(500, json={"error": "internal"}),
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_an_other_side_that_is_not_the_api_is_exit_2_not_differences(
    capsys: pytest.CaptureFixture[str], fake: Fake, kind: str, tmp_path: Path
) -> None:
    fake.hook = lambda request, forward: PAGES[kind]()
    status, out, err = parity(capsys, "--against", URL)
    assert status == 2 and out == ""
    assert f"{URL} does not answer as a Client Session API (POST /client-session: " in err
    assert "differ" not in err and "suggest" not in err
    assert len(fake.seen) == 1  # it stopped at the first request
    status, _, err = parity(capsys, "--against", URL, "--record", str(tmp_path / "r.json"))
    assert status == 2 and not (tmp_path / "r.json").exists()


def test_mostly_error_pages_after_the_first_answer_is_exit_2(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def first_then_pages(request: httpx.Request, forward: Forward) -> httpx.Response:
        return forward() if not fake.seen else page(502)

    fake.hook = first_then_pages
    status, data = parity_json(capsys, "--against", URL)
    assert status == 2
    assert re.search(
        rf"^{URL} did not answer as a Client Session API: \d+ of \d+ keyed requests", data["error"]
    )
    assert "created 1 client sessions" in data["error"]  # the first POST made one


def test_record_refuses_to_store_an_error_page_as_the_accounts_answer(
    capsys: pytest.CaptureFixture[str], fake: Fake, tmp_path: Path
) -> None:
    def one_page(request: httpx.Request, forward: Forward) -> httpx.Response:
        if b"<PAYMENT_METHOD_TYPE>" in request.content:
            return page(503, "<html>Service Unavailable</html>")
        return forward()

    fake.hook = one_page
    target = tmp_path / "team.json"
    status, _, err = parity(capsys, "--against", URL, "--record", str(target))
    assert status == 2
    assert not target.exists()
    assert f"--record: {target} not written: {URL} answered reference-page-request (create)" in err
    assert "503, <not JSON: text/html" in err
    assert f"This run created {len(fake.created())} client sessions on {URL}" in err


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (lambda: page(500, "<html>Internal Server Error</html>"), "500, <not JSON: text/html"),
        (
            lambda: httpx.Response(302, headers={"location": "https://login.example"}),
            "302, <not JSON",
        ),
    ],
    ids=["500", "302"],
)
def test_one_error_page_mid_run_is_one_row_and_stops_its_scenario(
    capsys: pytest.CaptureFixture[str],
    fake: Fake,
    answer: Callable[[], httpx.Response],
    shown: str,
) -> None:
    """A single 500 to the flow's first POST gave 19 rows: the error page's against the
    emulator's session, then the PATCH sent with the placeholder token and its 400, as
    if the emulator differed everywhere. Now: one row saying to run again, and a note
    that the scenario's later steps were not compared."""

    def flow_post_fails(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "POST" and b"parity-flow-1" in request.content:
            return answer()
        return forward()

    fake.hook = flow_post_fails
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1
    assert len(data["differences"]) == 1, data["differences"]
    row = data["differences"][0]
    assert (row["scenario"], row["step"], row["path"], row["emulator"]) == (
        "create-get-patch-get",
        "create",
        "status",
        200,
    )
    assert row["other"].startswith(f"<{shown}") and row["other"].endswith(
        ": no API answer; run parity again>"
    )
    assert (
        "create-get-patch-get: create got no API answer (a 5xx or a redirect), so its later "
        "steps (get, patch, get-after-patch) were not compared: run parity again"
    ) in data["notes"]


def test_a_passing_fault_in_a_scenario_primer_leaves_open_is_not_called_the_accounts_answer(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    """A 503 to the request without a key got "run parity again" and, beside it, the note
    that the account's answer is the one to trust and belongs in knownDifferences."""

    def no_key_503(request: httpx.Request, forward: Forward) -> httpx.Response:
        return page(503) if "x-api-key" not in request.headers else forward()

    fake.hook = no_key_503
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1 and [d["scenario"] for d in data["differences"]] == ["no-api-key"]
    assert "run parity again" in data["differences"][0]["other"]
    assert not any("Primer documents no answer" in n for n in data["notes"])


def test_a_plain_text_4xx_is_the_accounts_answer_not_a_passing_fault(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    """A gateway's plain-text 401 to the request without a key was "run parity again",
    which gave the same row every run: it is the account's answer, compared as such."""

    def no_key_401(request: httpx.Request, forward: Forward) -> httpx.Response:
        if "x-api-key" not in request.headers:
            return httpx.Response(401, text="Unauthorized", headers={"content-type": "text/plain"})
        return forward()

    fake.hook = no_key_401
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1
    rows = {(d["path"], str(d["other"])) for d in data["differences"]}
    assert ("status", "401") in rows
    assert not any("run parity again" in other for _, other in rows)
    assert any(n.startswith("Primer documents no answer for no-api-key") for n in data["notes"])


def test_a_proxy_that_refuses_says_nothing_was_sent(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    """A proxy's 407 reaches nothing: it was reported as "the POST may still have created
    a session there", without the proxy hint."""

    def refuse(request: httpx.Request, forward: Forward) -> httpx.Response:
        raise httpx.ProxyError("407 Proxy Authentication Required")

    fake.hook = refuse
    status, _, err = parity(capsys, "--against", URL)
    assert status == 2
    assert "cannot reach" in err and "proxy" in err
    assert "may still have created" not in err


def test_a_gateway_error_on_a_get_is_sent_again_once(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    failed: list[str] = []

    def first_get_502(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "GET" and not failed:
            failed.append(str(request.url))
            return page(502)
        return forward()

    fake.hook = first_get_502
    status, data = parity_json(capsys, "--against", URL)
    assert status == 0, data["differences"]
    assert failed


# --- suggestions only from sessions on both sides (finding 4) -----------------------------


def test_a_refused_request_suggests_nothing_about_tax(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def refuse_reference_page(request: httpx.Request, forward: Forward) -> httpx.Response:
        if b"<PAYMENT_METHOD_TYPE>" in request.content:
            error = {"errorId": "RequestValidationError", "description": "unknown method"}
            return httpx.Response(422, json={"error": error})
        return forward()

    fake.hook = refuse_reference_page
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1
    assert data["differingScenarios"] == ["reference-page-request"]
    assert data["suggestions"] == []


def test_a_request_only_the_other_side_accepts_suggests_nothing_about_tax(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    def lenient(request: httpx.Request, forward: Forward) -> httpx.Response:
        if b"order_id" in request.content:
            body = json.loads(request.content)
            del body["order_id"]
            headers = {k: v for k, v in request.headers.items() if k != "content-length"}
            accepted = httpx.Request("POST", request.url, headers=headers, json=body)
            response = fake.send(accepted)
            response.read()
            return response
        return forward()

    fake.hook = lenient
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1
    assert "post-422-python-style-key" in data["differingScenarios"]
    assert not any("TAXJAR" in s["message"] for s in data["suggestions"])


# --- diagnostics ids and the token's lifetime (findings 8, 9) -----------------------------


def test_diagnostics_ids_of_any_length_do_not_differ(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    lengths = iter([20, 18, 19, 20, 5] * 10)

    def real_ids(request: httpx.Request, data: dict[str, Any]) -> None:
        if isinstance(data.get("error"), dict) and "diagnosticsId" in data["error"]:
            data["error"]["diagnosticsId"] = "9" * next(lengths)

    fake.hook = changed(real_ids)
    status, data = parity_json(capsys, "--against", URL)
    assert status == 0, data["differences"]


@pytest.mark.parametrize(
    ("form", "shape"),
    [
        (lambda n: str(uuid.UUID(int=n)), "<not digits: 36 chars>"),
        (lambda n: n, "<a number>"),
    ],
    ids=["uuid", "number"],
)
def test_diagnostics_ids_in_another_form_are_one_stable_row(
    capsys: pytest.CaptureFixture[str], fake: Fake, form: Callable[[int], object], shape: str
) -> None:
    """A UUID or a JSON number was compared as it is: a new row value every run, which no
    knownDifferences entry could ever match. Its form is compared instead."""
    count = iter(range(10**6))

    def other_ids(request: httpx.Request, data: dict[str, Any]) -> None:
        if isinstance(data.get("error"), dict) and "diagnosticsId" in data["error"]:
            data["error"]["diagnosticsId"] = form(next(count) + 1)

    fake.hook = changed(other_ids)
    runs = [parity_json(capsys, "--against", URL) for _ in range(2)]
    assert [status for status, _ in runs] == [1, 1]
    first, second = (data["differences"] for _, data in runs)
    assert first == second and first
    assert {(d["path"], d["emulator"], d["other"]) for d in first} == {
        ("$.error.diagnosticsId", "<digits>", shape)
    }


@pytest.mark.parametrize(
    ("edit", "shape"),
    [
        (lambda t: t.replace("T", " "), "fractional digits, a space for T, request time + 24 h>"),
        (lambda t: datetime.fromisoformat(t).replace(tzinfo=UTC).timestamp(), "<a number, "),
    ],
    ids=["space", "epoch"],
)
def test_an_expiry_in_another_form_is_one_stable_row(
    capsys: pytest.CaptureFixture[str], fake: Fake, edit: Callable[[str], object], shape: str
) -> None:
    def other_form(request: httpx.Request, data: dict[str, Any]) -> None:
        if "clientTokenExpirationDate" in data:
            data["clientTokenExpirationDate"] = edit(data["clientTokenExpirationDate"])

    fake.hook = changed(other_form)
    runs = [parity_json(capsys, "--against", URL) for _ in range(2)]
    first, second = (data["differences"] for _, data in runs)
    rows = [d for d in first if d["path"] == "$.clientTokenExpirationDate"]
    assert rows and all(shape in str(d["other"]) for d in rows), rows
    assert [(d["scenario"], d["step"], d["other"]) for d in first] == [
        (d["scenario"], d["step"], d["other"]) for d in second
    ]


def _expiry_moved(hours: float, resign: bool) -> Hook:
    def edit(request: httpx.Request, data: dict[str, Any]) -> None:
        if "clientTokenExpirationDate" not in data:
            return
        moved = datetime.fromisoformat(data["clientTokenExpirationDate"]) + timedelta(hours=hours)
        data["clientTokenExpirationDate"] = moved.strftime("%Y-%m-%dT%H:%M:%S.%f")
        if resign and "clientToken" in data:
            claims = jwt.decode(data["clientToken"], options={"verify_signature": False})
            header = jwt.get_unverified_header(data["clientToken"])
            claims["exp"] += round(hours * 3600)
            data["clientToken"] = jwt.encode(claims, "k" * 32, headers={"kid": header["kid"]})

    return changed(edit)


def test_a_token_that_does_not_last_24_hours_is_a_difference(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    fake.hook = _expiry_moved(-23, resign=True)  # a 1 h token, its exp consistent
    status, data = parity_json(capsys, "--against", URL)
    assert status == 1
    expiries = [d for d in data["differences"] if d["path"] == "$.clientTokenExpirationDate"]
    assert len(expiries) == len(fake.created())
    for difference in expiries:
        assert difference["emulator"] == "<naive UTC, 6 fractional digits, request time + 24 h>"
        assert re.fullmatch(
            r"<naive UTC, 6 fractional digits, request time \+ (0 h 59|1 h 00) min>",
            difference["other"],
        ), difference["other"]
    assert not [d for d in data["differences"] if d["path"] == "$.clientToken"]


def test_a_token_whose_exp_is_not_the_expiry_is_a_difference(
    capsys: pytest.CaptureFixture[str], fake: Fake
) -> None:
    fake.hook = _expiry_moved(-23, resign=False)  # the expiry moved, the token's exp did not
    _, data = parity_json(capsys, "--against", URL)
    tokens = [d for d in data["differences"] if d["path"] == "$.clientToken"]
    assert len(tokens) == len(fake.created())
    assert tokens[0]["emulator"].endswith("; exp = clientTokenExpirationDate to the second>")
    assert tokens[0]["other"].endswith("; exp = clientTokenExpirationDate to the second +82800 s>")


# --- the text report (findings 11, 13) --------------------------------------------------


def test_long_values_are_cut_around_their_first_difference() -> None:
    start = "We were unable to validate your request, please check it, see "
    result = ParityResult(
        against=URL,
        flags=[],
        scenarios=["s"],
        differences=[Difference("s", "create", "$.d", start + "/docs/api", start + "x/docs/api")],
    )
    row = next(line for line in result.render().splitlines() if line.startswith("s "))
    cells = [cell for cell in row.split("  ") if cell.strip()]
    assert len(cells) == 4 and cells[2].strip() != cells[3].strip()
    assert cells[2].strip().endswith('see /docs/api"') and cells[3].strip().startswith("…")


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "primer_nb.cli", "parity", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # like `| head -0`: nobody reads
    err = child.stderr.read().decode()
    child.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert len(SCENARIOS) > 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8010", "http://localhost:8010", "http://[::1]:8010"]
)
def test_plain_http_with_a_key_is_fine_on_this_machine(url: str) -> None:
    other = resolve_against(url, {"PRIMER_API_KEY": "sk_marker_TESTKEY_123456"})
    assert other.key == "sk_marker_TESTKEY_123456"
    assert other.base_url == url


def test_a_key_in_the_urls_path_is_never_in_the_label() -> None:
    """The label is what every result line prints and a recorded file keeps as its
    `source` (a file teams commit): the key pasted into the path stays out of it, and the
    requests still go where the URL says."""
    url = f"http://127.0.0.1:8010/team/{MARKER_KEY}"
    other = resolve_against(url, {"PRIMER_API_KEY": MARKER_KEY})
    assert MARKER_KEY not in other.label and other.label == "http://127.0.0.1:8010/team/***"
    assert other.base_url == url


def test_plain_http_elsewhere_without_a_key_sends_the_emulators_key() -> None:
    other = resolve_against("http://emulator.team.example:8010", {})
    assert other.key == EMULATOR_KEY


@pytest.mark.parametrize(
    ("tail", "rule"),
    [("\nX", "a control character"), ("\u200b", "a non-ASCII character")],
    ids=["newline", "zero-width-space"],
)
def test_a_key_no_header_can_carry_is_refused_by_position_never_shown(
    tail: str, rule: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = MARKER_KEY + tail
    position = len(MARKER_KEY)
    with pytest.raises(ParityUsageError) as caught:
        resolve_against("http://127.0.0.1:9", {"PRIMER_API_KEY": key})
    assert f"PRIMER_API_KEY has {rule} at position {position}" in str(caught.value)
    assert MARKER_KEY not in str(caught.value)
    # through the CLI: exit 2 with that message, before anything is sent (port 9: nobody)
    monkeypatch.setenv("PRIMER_API_KEY", key)
    status, out, err = parity(capsys, "--against", "http://127.0.0.1:9")
    assert status == 2
    assert f"at position {position}" in err and "cannot reach" not in err
    assert MARKER_KEY not in out + err and MARKER_KEY[3:12] not in out + err


def test_compare_names_the_setting_it_refuses_not_another_flag() -> None:
    """A str tax_connection was reported as "--enable-currency: tax_connection must be..."."""
    from primer_nb.parity import compare

    with pytest.raises(ParityUsageError) as caught:
        compare(tax_connection="no")  # type: ignore[arg-type]
    assert str(caught.value) == "tax_connection must be True or False, not str 'no'"
    with pytest.raises(ParityUsageError, match=r"^--enable-currency: 'ZZZ' is not a currency"):
        compare(enable_currencies=["ZZZ"])
