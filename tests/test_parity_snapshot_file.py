"""A parity snapshot file edited by hand: every field parity reads is checked on load
(a usage error naming the JSONPath and the rule, exit 2, also under `--json`); recording
again over it keeps its known differences. `--list` marks the emulator's own choices."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from primer_nb.cli import main
from primer_nb.parity import DOCS_SNAPSHOT, SCENARIOS

URL = "https://sandbox.test"


def parity(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["parity", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _set(path: tuple[str | int, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _drop(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


BAD: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "known without step": (
        _drop(("knownDifferences", 0, "step")),
        "$.knownDifferences[0].step is required",
    ),
    "known with 'note' for 'reason'": (
        _drop(("knownDifferences", 1, "reason")),
        "$.knownDifferences[1].reason is required",
    ),
    "known differences not a list": (
        _set(("knownDifferences",), {"a": 1}),
        "$.knownDifferences must be a list",
    ),
    "scenarios not a list": (
        _set(("scenarios",), {"a": 1}),
        "$.scenarios must be a list",
    ),
    "an answer that is a string": (
        _set(("scenarios", 0, "answers"), ["x"]),
        "$.scenarios[0].answers[0] must be an object",
    ),
    "a status in quotes": (
        _set(("scenarios", 1, "answers", 1, "status"), "200"),
        "$.scenarios[1].answers[1].status must be an integer",
    ),
    "an answer without body": (
        _drop(("scenarios", 0, "answers", 0, "body")),
        "$.scenarios[0].answers[0].body is required",
    ),
    "a step without method": (
        _drop(("scenarios", 0, "steps", 0, "method")),
        "$.scenarios[0].steps[0].method is required",
    ),
    "a reason that is not text": (
        _set(("knownDifferences", 0, "reason"), 7),
        "$.knownDifferences[0].reason must be a string",
    ),
    "two scenarios of one name": (
        _set(("scenarios", 1, "name"), "v2.4-create"),
        "$.scenarios[1].name: 'v2.4-create' is the name of an earlier scenario",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_malformed_snapshot_is_a_usage_error_naming_the_json_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    data = json.loads(DOCS_SNAPSHOT.read_text())
    edit, problem = BAD[case]
    edit(data)
    path = tmp_path / "team.json"
    path.write_text(json.dumps(data))
    status, out, err = parity(capsys, "--snapshot", str(path))
    assert status == 2 and out == ""
    assert err == f"primer-nb parity: error: --snapshot {path}: {problem}\n"
    status, out, _ = parity(capsys, "--snapshot", str(path), "--json")
    assert status == 2
    assert json.loads(out) == {"error": f"--snapshot {path}: {problem}"}


# --- recording again over a snapshot (finding 6) -----------------------------------------


@pytest.fixture
def no_tax_sandbox(monkeypatch: pytest.MonkeyPatch, marker_key: str) -> Iterator[None]:
    """https://sandbox.test: an emulator without a tax connection behind httpx's network
    transport (no socket)."""
    from primer_nb.emulator import Emulator

    stand_in = Emulator(tax_connection=False)
    inner = stand_in.transport()

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "sandbox.test"
        return inner.handle_request(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    try:
        yield
    finally:
        stand_in.close()


@pytest.mark.usefixtures("no_tax_sandbox")
def test_recording_again_keeps_the_known_differences(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "team.json"
    status, out, _ = parity(capsys, "--against", URL, "--record", str(path))
    assert status == 1 and "kept" not in out
    recorded = json.loads(path.read_text())
    assert recorded["knownDifferences"] == []
    _, out, _ = parity(capsys, "--snapshot", str(path), "--json")
    warning = next(d for d in json.loads(out)["differences"] if d["scenario"] == "v2.4-create")
    accepted = {**warning, "reason": "our sandbox has no tax connection"}
    stale = {
        "scenario": "no-api-key",
        "step": "create",
        "path": "status",
        "emulator": 403,
        "other": 401,
        "reason": "an old difference",
    }
    recorded["knownDifferences"] = [accepted, stale]
    path.write_text(json.dumps(recorded))

    status, out, _ = parity(capsys, "--against", URL, "--record", str(path))
    assert f"kept 2 known differences from the earlier {path}" in out
    again = json.loads(path.read_text())
    assert again["knownDifferences"] == [accepted, stale]
    assert again["scenarios"] != [] and again["recorded"]
    # the run itself reports them as the snapshot will: one known, one stale
    assert "1 known differences listed in the snapshot, not counted" in out
    assert "(both sides agree now)" in out
    assert status == 1


@pytest.mark.usefixtures("no_tax_sandbox")
def test_a_snapshot_recorded_by_an_earlier_version_is_told_to_be_recorded_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "team.json"
    parity(capsys, "--against", URL, "--record", str(path))
    status, out, _ = parity(capsys, "--snapshot", str(path), "--no-tax-connection", "--json")
    assert status == 0 and json.loads(out)["notes"] == []
    # the shapes an earlier primer-nb wrote: a digit count, an expiry without request time
    text = path.read_text()
    text = text.replace(", request time + 24 h>", ">").replace('"<digits>"', '"<19 digits>"')
    path.write_text(text)
    status, out, _ = parity(capsys, "--snapshot", str(path), "--no-tax-connection")
    assert status == 1
    assert "note: this snapshot was recorded by an earlier primer-nb" in out
    assert "record it again with --record (its knownDifferences are kept)" in out


# --- --list marks the emulator's own choices (finding 12) ------------------------------


def test_list_marks_the_outcomes_that_are_the_emulators_choice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = parity(capsys, "--list")
    assert status == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    for name in ("disabled-currency", "get-400-invalid-token", "no-api-key"):
        assert "the emulator's" in lines[name], lines[name]
    assert len(lines) == len(SCENARIOS)
    # the shipped snapshot's descriptions are the scenarios' (it is rebuilt, not edited)
    shipped = json.loads(DOCS_SNAPSHOT.read_text())
    by_name = {s.name: s.description for s in SCENARIOS}
    assert all(s["description"] == by_name[s["name"]] for s in shipped["scenarios"])
