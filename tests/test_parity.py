"""`primer-nb parity`: the emulator against real `primer-nb emulator` processes, the shipped
snapshot of Primer's documented examples, recorded snapshots, JSON and DataFrame output.

The sandbox path (`--against sandbox`) needs a key this repository does not have; it is
the same code as `--against URL` (only the base URL and the key differ), exercised here.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pandas as pd
import pytest

from primer_nb.cli import main
from primer_nb.emulator.process import EmulatorProcess
from primer_nb.parity import (
    ABSENT,
    DOCS_SNAPSHOT,
    SCENARIOS,
    Scenario,
    compare,
    normalise,
)

TAXJAR = {
    "type": "TAXJAR",
    "code": "MISSING_DATA",
    "message": "Shipping details are required for calculating tax.",
}
TAX_ADVICE = "your account has no tax connection: use `--no-tax-connection`"
N = len(SCENARIOS)


@pytest.fixture(scope="module")
def default_server() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as server:
        yield server


@pytest.fixture(scope="module")
def no_tax_server() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(extra_args=["--no-tax-connection"]) as server:
        yield server


def parity(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["parity", *args])
    out, err = capsys.readouterr()
    return status, out, err


def parity_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = parity(capsys, *args, "--json")
    data: dict[str, Any] = json.loads(out)
    return status, data


# --- the scenario set -------------------------------------------------------------------


def _bodies(scenario: Scenario) -> list[Any]:
    return [step.body for step in scenario.steps]


def test_scenarios_cover_every_valid_documented_request(examples: list[dict[str, Any]]) -> None:
    sent = [body for scenario in SCENARIOS for body in _bodies(scenario)]
    requests = [e for e in examples if e["request"] and e["status"] in (200, None)]
    assert len(requests) >= 8
    for example in requests:
        request = example["request"]
        fixed = copy.deepcopy(request)
        if fixed.get("order", {}).get("countryCode") == "FR,":  # behaviour.md §5: a typo
            fixed["order"]["countryCode"] = "FR"
        # PATCH examples carry the client token an earlier step of the scenario received
        patched = {**request, "clientToken": "{{clientToken}}"} if "clientToken" in request else {}
        assert request in sent or fixed in sent or patched in sent, example["id"]
    # the reference page's request (the one tutorial 01 sends) and a create-get-patch-get flow
    by_name = {s.name: s for s in SCENARIOS}
    assert by_name["reference-page-request"].steps[0].body["currencyCode"] == "AED"
    flow = [(step.method, step.label) for step in by_name["create-get-patch-get"].steps]
    assert [m for m, _ in flow] == ["POST", "GET", "PATCH", "GET"]
    assert len({s.name for s in SCENARIOS}) == N


def test_documented_error_cases_are_replayed(examples: list[dict[str, Any]]) -> None:
    documented = {
        e["response"]["error"]["errorId"]
        for e in examples
        if isinstance(e["response"], dict) and "error" in e["response"]
    }
    assert documented == {
        "ClientSessionValidationError",
        "MetadataContainsEmptyKey",
        "RequestValidationError",
        "DisabledCurrencyError",
    }
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    replayed = {
        answer["body"]["error"]["errorId"]
        for scenario in shipped["scenarios"]
        for answer in scenario["answers"]
        if answer is not None and "error" in answer["body"]
    }
    assert replayed == documented  # and the shipped-snapshot test shows the emulator agrees
    names = {s.name for s in SCENARIOS}
    assert {"get-400-invalid-token", "v2.4-create-as-documented", "no-api-key"} <= names


# --- normalising -----------------------------------------------------------------------


def test_an_expiry_given_as_a_number_is_no_earlier_primer_nbs_shape() -> None:
    """Its shape is today's: the note to record again would never clear."""
    from primer_nb.parity import _older_shapes, normalise

    body = normalise({"clientTokenExpirationDate": 1767258000})
    assert body == {"clientTokenExpirationDate": "<a number, not ISO 8601 text>"}
    assert _older_shapes({"s": [{"step": "create", "status": 200, "body": body}]}) is False
    old = {"clientTokenExpirationDate": "<naive UTC, 6 fractional digits>"}
    assert _older_shapes({"s": [{"step": "create", "status": 200, "body": old}]}) is True


def test_volatile_values_become_their_shapes() -> None:
    token = jwt.encode(
        {"exp": 1702372682, "accessToken": "a", "intent": "CHECKOUT"},
        "s" * 32,
        algorithm="HS256",
        headers={"kid": "client-token-signing-key"},
    )
    answer = {
        "clientToken": token,
        "clientTokenExpirationDate": "2023-12-12T09:18:02.346787",
        "metadata": {"when": "2019-08-24T14:15:22Z"},
        "error": {"diagnosticsId": "9942005157443145021"},
        "orderId": "order-1",
    }
    assert normalise(answer) == {
        "clientToken": "<JWT alg=HS256 kid=client-token-signing-key typ=JWT; "
        "claims: accessToken, exp, intent; exp = clientTokenExpirationDate to the second>",
        "clientTokenExpirationDate": "<naive UTC, 6 fractional digits>",
        "metadata": {"when": "<UTC with Z, 0 fractional digits>"},
        "error": {"diagnosticsId": "<digits>"},  # real ids vary in length
        "orderId": "order-1",
    }
    # a token that is not a JWT may be any credential: only its length shows
    assert normalise({"clientToken": "client-session-token"}) == {
        "clientToken": "<client token: not a JWT, 20 chars>"
    }


# --- against a running `primer-nb emulator` --------------------------------------------


def test_against_a_second_emulator_with_default_flags_nothing_differs(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    status, out, err = parity(capsys, "--against", default_server.url)
    assert status == 0, out + err
    assert out.rstrip().splitlines()[-1] == f"parity: {N} scenarios, 0 differ"
    assert N >= 20


def test_no_tax_connection_gives_exactly_the_taxjar_differences_and_the_flag(
    capsys: pytest.CaptureFixture[str], no_tax_server: EmulatorProcess
) -> None:
    status, data = parity_json(capsys, "--against", no_tax_server.url)
    assert status == 1
    differences = data["differences"]
    assert differences
    for difference in differences:
        assert difference["path"] == "$.warnings"
        assert difference["emulator"] == [TAXJAR]
        assert difference["other"] == ABSENT
        assert difference["step"] == "create"  # only POST answers carry warnings
    differing = set(data["differingScenarios"])
    # the scenarios whose shipping address lacks what TaxJar needs, and only those
    assert {"reference-page-request", "v2.4-create", "create-get-patch-get"} <= differing
    assert not differing & {
        "android-fixture-replay",  # full shipping address: no warning on either side
        "migration-v2-request",
        "disabled-currency",
        "get-400-invalid-token",
        "v2.4-create-as-documented",
    }
    assert data["differ"] == len(differing) == len(differences)
    assert data["suggestions"] == [{"flag": "--no-tax-connection", "message": TAX_ADVICE}]

    status, out, _ = parity(capsys, "--against", no_tax_server.url)
    assert status == 1
    assert TAX_ADVICE in out
    assert f"parity: {N} scenarios, {len(differing)} differ" == out.rstrip().splitlines()[-1]
    header = next(line for line in out.splitlines() if line.startswith("scenario"))
    assert header.split() == ["scenario", "JSONPath", "emulator", "other"]

    # the user confirms the suggestion: the emulator side configured the same way
    status, out, _ = parity(capsys, "--against", no_tax_server.url, "--no-tax-connection")
    assert status == 0
    assert out.rstrip().splitlines()[-1] == f"parity: {N} scenarios, 0 differ"


def test_a_currency_the_other_side_accepts_suggests_enable_currency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with EmulatorProcess(extra_args=["--enable-currency", "HUF"]) as server:
        status, data = parity_json(capsys, "--against", server.url)
        assert status == 1
        assert data["differingScenarios"] == ["disabled-currency"]
        paths = {d["path"]: d for d in data["differences"]}
        assert paths["status"]["emulator"] == 400 and paths["status"]["other"] == 200
        assert paths["$.error"]["other"] == ABSENT
        assert {
            "flag": "--enable-currency HUF",
            "message": (
                "your account accepts HUF, which Primer disables by default: "
                "use `--enable-currency HUF`"
            ),
        } in data["suggestions"]
        status, _ = parity_json(capsys, "--against", server.url, "--enable-currency", "HUF")
        assert status == 0


def test_a_server_that_is_down_exits_2_with_a_clear_message() -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    done = subprocess.run(
        [sys.executable, "-m", "primer_nb.cli", "parity", "--against", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith(f"primer-nb parity: error: cannot reach {url}")
    assert "Is the server running" in done.stderr


def test_a_refused_default_key_says_primer_api_key_is_unset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's server takes `--api-key KEY`; parity without PRIMER_API_KEY sent the
    kit's default key and was told to "check that PRIMER_API_KEY holds an active key"."""
    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    with EmulatorProcess(api_keys=["the-only-accepted-key"]) as server:
        status, _, err = parity(capsys, "--against", server.url)
    assert status == 2
    assert err.strip().endswith(
        "refused the API key (403 SecurityPolicyBlock): PRIMER_API_KEY is not set, so the "
        "kit's default emulator key was sent; an emulator given keys of its own (--api-key, "
        "PRIMER_NB_EMULATOR_KEYS) takes only those: set PRIMER_API_KEY to one of them."
    )


def test_a_refused_key_exits_2_and_the_key_is_never_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, marker_key: str
) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    with EmulatorProcess(api_keys=["the-only-accepted-key"]) as server:
        status, out, err = parity(capsys, "--against", server.url)
        json_status, json_out, json_err = parity(capsys, "--against", server.url, "--json")
    assert status == json_status == 2
    assert "refused the API key" in err and "PRIMER_API_KEY" in err
    assert json.loads(json_out)["error"].startswith(f"{server.url} refused the API key")
    assert marker_key not in out + err + json_out + json_err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = parity(capsys, "--against", "sandbox")  # no PRIMER_API_KEY: no network
    assert status == 2 and "PRIMER_API_KEY" in err
    status, _, err = parity(capsys, "--against", "ftp://example.invalid")
    assert status == 2 and "http(s) URL" in err
    status, _, err = parity(capsys, "--snapshot", str(tmp_path / "missing.json"))
    assert status == 2 and "no such file" in err
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    status, _, err = parity(capsys, "--snapshot", str(tmp_path / "other.json"))
    assert status == 2 and "not a primer-nb parity snapshot" in err
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    for change, said in (
        ({"format": "primer-nb parity snapshot 2"}, "of format 'primer-nb parity snapshot 2'"),
        ({"scenarios": []}, "$.scenarios is empty: nothing to compare"),
        (
            {
                "scenarios": [
                    {**s, "answers": [None] * len(s["answers"])} for s in shipped["scenarios"]
                ]
            },
            "every answer is null",
        ),
    ):
        (tmp_path / "changed.json").write_text(json.dumps({**shipped, **change}))
        status, _, err = parity(capsys, "--snapshot", str(tmp_path / "changed.json"))
        assert status == 2 and said in err, err
    status, _, err = parity(capsys, "--enable-currency", "XYZ")
    assert status == 2 and "XYZ" in err
    status, _, err = parity(
        capsys, "--against", "http://127.0.0.1:1", "--record", str(tmp_path / "no" / "r.json")
    )
    assert status == 2 and "no such folder" in err  # before any request is sent
    for argv in (
        ["--record", str(tmp_path / "r.json")],
        ["--against", "http://127.0.0.1:1", "--snapshot", str(DOCS_SNAPSHOT)],
    ):
        with pytest.raises(SystemExit) as stopped:
            main(["parity", *argv])
        assert stopped.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--timeout", "0"], "argument --timeout: must be a finite number of seconds > 0"),
        (["--record", "r.json"], "--record needs --against URL|sandbox"),
        (["--against", "http://127.0.0.1:1", "--snapshot", "y.json"], "not allowed with"),
    ],
)
def test_with_json_a_usage_error_is_one_json_object_too(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    """`--json` prints one JSON object, the README says: a usage error printed nothing on
    stdout, and a script reading it found no JSON."""
    with pytest.raises(SystemExit) as stopped:
        main(["parity", "--json", *argv])
    out, err = capsys.readouterr()
    assert stopped.value.code == 2
    assert said in json.loads(out)["error"] and said in err
    # without --json, stdout stays empty, and a later command is not made to print JSON
    with pytest.raises(SystemExit):
        main(["parity", *argv])
    assert capsys.readouterr().out == ""


def test_json_list_is_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    status, data = parity_json(capsys, "--list")
    assert status == 0
    assert [s["name"] for s in data["scenarios"]] == [s.name for s in SCENARIOS]


# --- snapshots -------------------------------------------------------------------------


def test_the_shipped_snapshot_passes_offline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> httpx.Response:
        raise AssertionError("a snapshot check must not use the network")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)
    status, data = parity_json(capsys)  # no --against, no --snapshot: the shipped one
    assert status == 0, data["differences"]
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    assert data["differ"] == 0
    assert data["scenarios"] == len(shipped["scenarios"]) >= 10
    assert len(data["knownDifferences"]) == len(shipped["knownDifferences"])
    assert all(d["reason"] for d in data["knownDifferences"])
    assert data["staleKnownDifferences"] == []
    status, out, _ = parity(capsys, "--snapshot", str(DOCS_SNAPSHOT), "--show-known")
    assert status == 0
    assert "the documented token is a placeholder, not a JWT" in out


def test_the_shipped_snapshot_holds_primers_documented_answers(
    examples: list[dict[str, Any]],
) -> None:
    by_id = {e["id"]: e for e in examples}
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    compared = 0
    for scenario in shipped["scenarios"]:
        example = by_id[scenario["example"]]
        for answer in scenario["answers"]:
            if answer is None:  # a step Primer documents no answer for
                continue
            assert answer["status"] == example["status"]
            assert answer["body"] == normalise(example["response"])
            compared += 1
    assert compared == len(shipped["scenarios"])
    noted = {item["example"] for item in shipped["notReplayed"]}
    replayed = {s["example"] for s in shipped["scenarios"]}
    with_answers = {e["id"] for e in examples if e["response"] is not None}
    assert with_answers <= replayed | noted
    assert all(item["reason"] for item in shipped["notReplayed"])


def test_the_shipped_snapshot_catches_a_change_in_the_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Primer's documented POST answers carry the TAXJAR warning: an emulator without a
    # tax connection no longer matches them.
    status, data = parity_json(capsys, "--no-tax-connection")
    assert status == 1
    assert {d["path"] for d in data["differences"]} == {"$.warnings"}
    assert "v2.4-create" in data["differingScenarios"]


def test_record_then_snapshot_round_trip(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_tax_server: EmulatorProcess,
    tmp_path: Path,
    marker_key: str,
) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)  # the server accepts any key
    snapshot = tmp_path / "team.json"
    status, out, _ = parity(capsys, "--against", no_tax_server.url, "--record", str(snapshot))
    assert status == 1 and TAX_ADVICE in out
    text = snapshot.read_text()
    assert marker_key not in text
    recorded = json.loads(text)
    assert recorded["source"] == no_tax_server.url
    assert recorded["suggestedFlags"] == ["--no-tax-connection"]
    assert [s["name"] for s in recorded["scenarios"]] == [s.name for s in SCENARIOS]

    monkeypatch.delenv("PRIMER_API_KEY")
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", _no_network)
    status, out, _ = parity(capsys, "--snapshot", str(snapshot))
    assert status == 1 and TAX_ADVICE in out
    status, out, _ = parity(capsys, "--snapshot", str(snapshot), "--no-tax-connection")
    assert status == 0, out
    assert out.rstrip().splitlines()[-1] == f"parity: {N} scenarios, 0 differ"
    assert "record it again" not in out and "not compared" not in out
    assert "Primer documents no answer" not in out  # only where such a scenario differs

    # an answer Primer does not document differs: the note says whose choice it was
    changed = json.loads(text)
    no_key = next(s for s in changed["scenarios"] if s["name"] == "no-api-key")
    no_key["answers"][0] = {"status": 401, "body": {"message": "Unauthorized"}}
    # every violation is listed (behaviour.md §2): an account listing them in another
    # order, or only the first, differs, and that list is the emulator's choice too
    two = next(s for s in changed["scenarios"] if s["name"] == "post-422-two-fields")
    listed = two["answers"][0]["body"]["error"]["validationErrors"][0]["errors"]
    assert [e["path"] for e in listed] == ["$.currencyCode", "$.customerId"]
    listed.reverse()
    (tmp_path / "no-key.json").write_text(json.dumps(changed))
    status, data = parity_json(
        capsys, "--snapshot", str(tmp_path / "no-key.json"), "--no-tax-connection"
    )
    assert status == 1
    assert {d["scenario"] for d in data["differences"]} == {"no-api-key", "post-422-two-fields"}
    assert any(
        n.startswith(
            "Primer documents no answer for no-api-key, post-422-two-fields (a request "
            "without X-API-KEY; how many violations a 422 lists, and in which order)"
        )
        and "your account's is the one to trust" in n
        for n in data["notes"]
    ), data["notes"]

    # cut by hand (or an older primer-nb's): it passes, and says what it did not compare
    cut = {**recorded, "scenarios": recorded["scenarios"][:2]}
    cut["scenarios"][1] = {
        **cut["scenarios"][1],
        "answers": [None] * len(cut["scenarios"][1]["answers"]),
    }
    (tmp_path / "cut.json").write_text(json.dumps(cut))
    status, out, _ = parity(capsys, "--snapshot", str(tmp_path / "cut.json"), "--no-tax-connection")
    assert status == 0, out
    assert f"this snapshot holds 2 of the {N} scenarios this primer-nb plays" in out
    assert "no recorded answer (null) and" in out
    assert ", ...)" in out  # more than five are missing: the first five, then ...
    five = {**recorded, "scenarios": recorded["scenarios"][5:]}
    (tmp_path / "five.json").write_text(json.dumps(five))
    status, out, _ = parity(
        capsys, "--snapshot", str(tmp_path / "five.json"), "--no-tax-connection"
    )
    missing = ", ".join(s["name"] for s in recorded["scenarios"][:5])
    assert f"(not: {missing}): record it again" in out  # all five, no "..."

    # a recorded answer that the emulator does not give is found at its JSONPath
    flow = next(s for s in recorded["scenarios"] if s["name"] == "create-get-patch-get")
    assert flow["answers"][3]["body"]["amount"] == 1250 + 499 - 50
    flow["answers"][3]["body"]["amount"] = 1700
    snapshot.write_text(json.dumps(recorded))
    status, data = parity_json(capsys, "--snapshot", str(snapshot), "--no-tax-connection")
    assert status == 1
    assert data["differences"] == [
        {
            "scenario": "create-get-patch-get",
            "step": "get-after-patch",
            "path": "$.amount",
            "emulator": 1699,
            "other": 1700,
        }
    ]


def _no_network(*args: object, **kwargs: object) -> httpx.Response:
    raise AssertionError("a snapshot check must not use the network")


# --- machine output and notebooks ------------------------------------------------------


def test_json_output_shape(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    status, data = parity_json(capsys, "--against", default_server.url)
    assert status == 0
    created = data.pop("createdSessions")  # tests/test_parity_other_side.py counts them
    assert created and all(set(c) == {"scenario", "step", "orderId"} for c in created)
    assert data == {
        "against": default_server.url,
        "emulatorFlags": [],
        "scenarios": N,
        "differ": 0,
        "differingScenarios": [],
        "differences": [],
        "knownDifferences": [],
        "staleKnownDifferences": [],
        "suggestions": [],
        "notes": [],
        "summary": f"parity: {N} scenarios, 0 differ",
    }


def test_compare_returns_the_same_result_as_a_dataframe(
    capsys: pytest.CaptureFixture[str], no_tax_server: EmulatorProcess
) -> None:
    frame = compare(against=no_tax_server.url)
    _, data = parity_json(capsys, "--against", no_tax_server.url)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "scenario",
        "step",
        "path",
        "emulator",
        "other",
        "known",
        "reason",
    ]
    assert frame[["scenario", "step", "path"]].to_dict("records") == [
        {k: d[k] for k in ("scenario", "step", "path")} for d in data["differences"]
    ]
    assert frame.attrs["summary"] == data["summary"]
    assert frame.attrs["suggestions"] == [TAX_ADVICE]
    assert not frame["known"].any()

    docs = compare()  # the shipped snapshot: known differences only, each with its reason
    assert docs.attrs["summary"].endswith(", 0 differ")
    assert len(docs) > 0 and docs["known"].all() and docs["reason"].notna().all()


def test_a_rate_limited_answer_is_retried_not_reported(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    faults = {"faults": [{"status": 429, "times": 2, "retryAfter": 0}]}
    headers = {"X-API-KEY": "any"}
    answer = httpx.post(f"{default_server.url}/_emulator/faults", json=faults, headers=headers)
    assert answer.status_code == 200, answer.text
    status, data = parity_json(capsys, "--against", default_server.url)
    assert status == 0, data["differences"]
    left = httpx.get(f"{default_server.url}/_emulator/faults", headers=headers).json()
    assert left == {"faults": []}  # both 429s were answered, and retried


def test_a_dropped_post_says_it_may_have_created_a_session(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    """A connection closed after the POST went out was "cannot reach ...: Is the server
    running at that address?", and the session it may have made went uncounted."""
    faults = {"faults": [{"drop": True, "processed": True}]}
    headers = {"X-API-KEY": "any"}
    answer = httpx.post(f"{default_server.url}/_emulator/faults", json=faults, headers=headers)
    assert answer.status_code == 200, answer.text
    status, _, err = parity(capsys, "--against", default_server.url)
    assert status == 2
    assert f"{default_server.url} gave no answer to POST " in err
    assert "the POST may still have created a session there. Run parity again." in err
    assert "Is the server running" not in err and ".." not in err


def test_a_url_without_the_api_exits_2(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    status, _, err = parity(capsys, "--against", f"{default_server.url}/not-the-api")
    assert status == 2
    assert "has no /client-session (it answered 404)" in err
    # the URL the emulator prints (with /client-session) is accepted as it is
    status, _, _ = parity(capsys, "--against", f"{default_server.url}/client-session")
    assert status == 0


def test_known_differences_must_still_match(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    changed = copy.deepcopy(shipped)
    amount = next(
        d
        for d in changed["knownDifferences"]
        if (d["scenario"], d["path"]) == ("v2.4-create", "$.amount")
    )
    assert (amount["emulator"], amount["other"]) == (1000, 20)
    amount["emulator"] = 999  # the listed difference no longer describes the emulator
    changed["knownDifferences"].append(
        {
            "scenario": "disabled-currency",
            "step": "create",
            "path": "$.error.errorId",
            "emulator": "DisabledCurrencyError",
            "other": "SomethingElse",
            "reason": "listed, but both sides agree",
        }
    )
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    status, data = parity_json(capsys, "--snapshot", str(path))
    assert status == 1
    assert [(d["scenario"], d["path"], d["emulator"]) for d in data["differences"]] == [
        ("v2.4-create", "$.amount", 1000)
    ]
    assert [d["path"] for d in data["staleKnownDifferences"]] == ["$.error.errorId"]
    assert data["differingScenarios"] == ["v2.4-create", "disabled-currency"]
    status, out, _ = parity(capsys, "--snapshot", str(path))
    assert "(both sides agree now)" in out and "is stale" in out


def test_flags_the_other_side_does_not_share_are_named_for_removal(
    capsys: pytest.CaptureFixture[str], default_server: EmulatorProcess
) -> None:
    status, data = parity_json(
        capsys,
        "--against",
        default_server.url,
        "--no-tax-connection",
        "--enable-currency",
        "huf",
    )
    assert status == 1
    assert data["emulatorFlags"] == ["--enable-currency HUF", "--no-tax-connection"]
    messages = [s["message"] for s in data["suggestions"]]
    assert messages == [
        "the other side has a tax connection (TAXJAR warnings): drop `--no-tax-connection`",
        "your account refuses HUF: drop `--enable-currency HUF`",
    ]
    assert all(s["flag"] is None for s in data["suggestions"])


def test_a_token_with_other_claims_is_a_difference_no_flag_removes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    shipped["knownDifferences"] = [
        d
        for d in shipped["knownDifferences"]
        if (d["scenario"], d["path"]) != ("android-fixture-replay", "$.clientToken")
    ]
    path = tmp_path / "unlisted.json"
    path.write_text(json.dumps(shipped))
    status, data = parity_json(capsys, "--snapshot", str(path))
    assert status == 1
    (difference,) = data["differences"]
    assert difference["path"] == "$.clientToken"
    assert "analyticsUrl" in difference["other"] and "analyticsUrl" not in difference["emulator"]
    assert [s["flag"] for s in data["suggestions"]] == [None]
    assert "no flag changes what the emulator puts in a token" in data["suggestions"][0]["message"]


def test_the_sandbox_path_sends_the_key_to_the_sandbox_and_never_shows_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, marker_key: str
) -> None:
    """`--against sandbox` offline: the sandbox's requests are answered by an emulator
    behind httpx's network transport, so no byte leaves the machine."""
    from primer_nb.emulator import Emulator

    stand_in = Emulator()
    inner = stand_in.transport()
    seen: list[tuple[str, str, str | None]] = []

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append((request.url.scheme, request.url.host, request.headers.get("x-api-key")))
        return inner.handle_request(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    try:
        status, out, err = parity(capsys, "--against", "sandbox")
    finally:
        stand_in.close()
    assert status == 0, out + err
    assert out.splitlines()[0] == "emulator (default flags) vs Primer's sandbox"
    assert {(scheme, host) for scheme, host, _ in seen} == {("https", "api.sandbox.primer.io")}
    keys = [key for _, _, key in seen]
    assert keys.count(None) == 1  # the no-api-key scenario
    assert set(keys) == {marker_key, None}
    assert marker_key not in out + err


def test_the_docs_count_the_scenarios_there_are() -> None:
    """A scenario was added and three texts still said 21 (and 'three' of the emulator's
    own choices where there were four)."""
    root = Path(__file__).resolve().parents[1]
    texts = [(root / "README.md").read_text(), (root / "primer_nb" / "parity.py").read_text()]
    counts = [int(n) for text in texts for n in re.findall(r"parity: (\d+) scenarios", text)]
    assert counts and set(counts) == {N}
    from primer_nb.parity import _EMULATORS_CHOICE

    words = {3: "three", 4: "four", 5: "five"}
    said = words[len(_EMULATORS_CHOICE)]
    assert f"error cases and {said}" in texts[0] and f"error cases and {said}" in texts[1]


def test_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = parity(capsys, "--list")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == [s.name for s in SCENARIOS]


@pytest.mark.parametrize(
    ("where", "hint"),
    [
        (
            "Primer's sandbox",
            "Check this machine's network connection (and any proxy) to api.sandbox.primer.io.",
        ),
        ("http://127.0.0.1:8010", "Is the server running at that address?"),
    ],
)
def test_an_unreachable_backend_gets_a_hint_that_fits_it(where: str, hint: str) -> None:
    # "is the server running?" reads oddly when the server is Primer's sandbox
    from primer_nb.parity import ParityConnectionError, Step, _http_sender

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    http = httpx.Client(transport=httpx.MockTransport(refuse), base_url="http://x")
    send = _http_sender(http, "sk_test_parity_key", where)
    with pytest.raises(ParityConnectionError) as info:
        send(Step("create", "POST", body={}), {}, None)
    assert str(info.value) == f"cannot reach {where}: Name or service not known. {hint}"


@pytest.mark.parametrize(
    ("against", "problem"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("https://[zz]", "not a valid URL"),
        ("http://127.0.0.1:abc", "Port could not be cast"),
        ("http://127.0.0.1:99999", "out of range"),  # the OS would wrap it to 34463
        ("http://127.0.0.1:0", "port 0"),
    ],
)
def test_a_broken_against_url_is_a_usage_error_naming_the_flag(
    capsys: pytest.CaptureFixture[str], against: str, problem: str
) -> None:
    """No traceback and no exit 1 (which means "differences"), and no request to a port
    other than the one written."""
    status, out, err = parity(capsys, "--against", against)
    assert status == 2 and not out
    assert err.startswith("primer-nb parity: error: --against must be") and problem in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_key_pasted_as_a_flags_value_is_not_printed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    marker_key: str,
    tmp_path: Path,
) -> None:
    """`--against "$PRIMER_API_KEY"` (a variable mixed up): the error quotes the flag's value
    as `***`, on stderr and in `--json`, as argparse's own errors do."""
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    runs = [
        ("--against", marker_key),
        ("--json", "--against", marker_key),
        ("--snapshot", marker_key),
        ("--against", "sandbox", "--record", str(tmp_path / marker_key / "x.json")),
    ]
    for args in runs:
        status, out, err = parity(capsys, *args)
        assert status == 2 and "***" in err
        assert marker_key not in out + err


ENVIRON_KEY = "marker-key-123"


def test_a_key_given_through_environ_is_never_in_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`run()`, `record()` and `resolve_against()` take the key from `environ=`; a usage
    error quoting a flag's value that is that key showed it in full when the process
    environment had no PRIMER_API_KEY (only that one was redacted)."""
    from primer_nb.parity import ParityError, record, resolve_against, run

    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    environ = {"PRIMER_API_KEY": ENVIRON_KEY}
    calls = [
        lambda: run(ENVIRON_KEY, environ=environ),
        lambda: run(snapshot=ENVIRON_KEY, environ=environ),
        lambda: run(snapshot=tmp_path / ENVIRON_KEY, environ=environ),
        lambda: record("sandbox", tmp_path / ENVIRON_KEY / "x.json", environ=environ),
        lambda: record(ENVIRON_KEY, tmp_path / "x.json", environ=environ),
        lambda: resolve_against(ENVIRON_KEY, environ),
    ]
    for call in calls:
        with pytest.raises(ParityError) as caught:
            call()
        shown = [str(caught.value), repr(caught.value), *map(str, caught.value.args)]
        assert "***" in str(caught.value)
        assert not any(ENVIRON_KEY in text for text in shown), shown
    assert not (tmp_path / "x.json").exists()


def test_a_snapshot_file_named_as_the_environ_key_is_not_named_in_the_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from primer_nb.parity import run

    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    path = tmp_path / f"{ENVIRON_KEY}.json"
    path.write_text(DOCS_SNAPSHOT.read_text())
    result = run(snapshot=path, environ={"PRIMER_API_KEY": ENVIRON_KEY})
    shown = result.render() + json.dumps(result.to_json()) + repr(result.to_frame().attrs)
    assert ENVIRON_KEY not in shown and "snapshot ***.json" in shown


def test_a_snapshot_file_named_as_the_process_key_is_hidden_when_environ_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With `environ=` given, the label hid only that mapping's key, not the process's."""
    from primer_nb.parity import run

    monkeypatch.setenv("PRIMER_API_KEY", ENVIRON_KEY)
    path = tmp_path / f"{ENVIRON_KEY}.json"
    path.write_text(DOCS_SNAPSHOT.read_text())
    result = run(snapshot=path, environ={})
    shown = result.render() + json.dumps(result.to_json())
    assert ENVIRON_KEY not in shown and "snapshot ***.json" in shown
