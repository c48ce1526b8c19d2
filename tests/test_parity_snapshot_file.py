"""A parity snapshot file edited by hand: every field parity reads is checked on load
(a usage error naming the JSONPath and the rule, exit 2, also under `--json`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from primer_nb.cli import main
from primer_nb.parity import DOCS_SNAPSHOT


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
