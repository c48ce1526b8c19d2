"""The benchmark scripts run (in `--quick` mode) and end with one parsable JSON line.

The ratios themselves are not asserted: these machines are noisy and the scripts are
the place where figures are measured (see benchmarks/README.md). The scripts run
concurrently, as subprocesses with this interpreter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.reliability.conftest import ROOT, bench

SCRIPTS = [
    "client_overhead",
    "emulator_throughput",
    "emulator_memory",
    "batch_vs_sequential",
    "import_time",
    "nbval_time",
    "sessions_frame",
]
KEYS = {"benchmark", "ratio", "goal", "met"}


@pytest.fixture(scope="module")
def outputs() -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Every script started at once; their completed processes by name."""
    running = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--quick"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SCRIPTS
    }
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    try:
        for name, process in running.items():
            out, err = process.communicate(timeout=240)
            done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    yield done


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_ends_with_its_json_line(
    outputs: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    proc = outputs[name]
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) >= 2, "a human-readable line comes before the JSON line"
    record: dict[str, Any] = json.loads(lines[-1])
    assert set(record) >= KEYS, record
    assert record["benchmark"] == name
    assert isinstance(record["met"], bool)
    assert record["ratio"] is None or isinstance(record["ratio"], int | float)
    assert isinstance(record["goal"], str) and record["goal"].split()[0] in {"<", "<=", ">", ">="}
    assert record.get("quick") is True
    if record["ratio"] is None:
        assert record["met"] is False and record.get("reason")


def test_throughput_says_clearly_when_wrk_is_missing(tmp_path: Path) -> None:
    """P2 needs wrk: without it on PATH the script explains and exits non-zero."""
    bare = tmp_path / "bin"
    bare.mkdir()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "emulator_throughput.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(bare)},
    )
    assert proc.returncode == 2
    assert "`wrk` is not installed" in proc.stderr and "apt-get install wrk" in proc.stderr
    assert not proc.stdout.strip()  # no server was started, no figure printed


def test_p1_and_p3_report_the_issue_figures(
    outputs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    """P1 carries `hook_ratio` (the ledger attached); P3's ratio is a share of its ceiling."""
    p1 = json.loads(outputs["client_overhead"].stdout.strip().splitlines()[-1])
    assert p1["goal"] == "<= 1.15" and p1["hook_goal"] == "<= 1.3"
    assert p1["hook_ratio"] > 0
    p3 = json.loads(outputs["batch_vs_sequential"].stdout.strip().splitlines()[-1])
    assert p3["batch_failed"] == 0
    assert 0 < p3["ratio"] <= 1.0  # the ceiling cannot be beaten
    assert p3["ratio"] == pytest.approx(p3["ceiling_s"] / p3["batch_s"], abs=0.002)
    assert p3["speedup"] > 1
    p2 = json.loads(outputs["emulator_throughput"].stdout.strip().splitlines()[-1])
    assert p2["load_generator"] == "wrk"
    assert p2["sessions_answered"] <= p2["sessions_stored"]
    assert p3["sessions_stored"] == 1 + p3["sequential_sample"] + p3["creates"]
    p7 = json.loads(outputs["emulator_memory"].stdout.strip().splitlines()[-1])
    assert p7["sessions"] == 2000 and p7["bytes_per_session"] > 0
    assert p7["ratio_without_token"] > p7["ratio"]  # the token is counted, not stored
    # figures only (a quick run is too short for their sign to mean anything)
    assert isinstance(p1["hook_added_us"], int | float) and p1["best_ratio"] > 0


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "primer_nb_benchmarks_run_all", ROOT / "benchmarks" / "run_all.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "benchmarks"))  # run_all imports _common by name
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_run_all_finds_the_scripts_and_collects_records(tmp_path: Path) -> None:
    run_all = _run_all()
    names = [p.stem for p in run_all.scripts([])]
    assert set(SCRIPTS) <= set(names)
    assert not {"run_all", "_common", "_echo_server"} & set(names)
    good = tmp_path / "good.py"
    good.write_text(
        "import json, sys\n"
        "print('human line')\n"
        "print(json.dumps({'benchmark': 'good', 'ratio': 1.0, 'goal': '<= 2', 'met': True,"
        " 'argv': sys.argv[1:]}))  # --quick\n"
    )
    record = run_all.run(good, quick=True)
    assert record["benchmark"] == "good" and record["met"] is True
    assert record["argv"] == ["--quick"]
    bad = tmp_path / "bad.py"
    bad.write_text("raise SystemExit('broken')  # --quick\n")
    record = run_all.run(bad, quick=True)
    assert record["met"] is False and "error" in record
    plain = tmp_path / "plain.py"
    plain.write_text("print('{}')\n")
    record = run_all.run(plain, quick=True)
    assert record["met"] is False and "no --quick" in record["reason"]


def test_common_helpers() -> None:
    assert bench.goal_met(1.2, "<= 1.3") and not bench.goal_met(1.4, "<= 1.3")
    assert bench.goal_met(0.6, ">= 0.5") and not bench.goal_met(0.4, ">= 0.5")
    assert bench.goal_met(0.9, "< 1") and not bench.goal_met(1.0, "< 1")
    record = bench.result("x", 1.23456, "<= 2", extra=0.123456)
    assert record == {
        "benchmark": "x",
        "ratio": 1.235,
        "goal": "<= 2",
        "met": True,
        "extra": 0.1235,
    }
    assert bench.last_json_line('hello\n{"a": 1}\n') == {"a": 1}
    assert bench.last_json_line('{"a": 1}\nnot json at the end\n') is None
    calls: list[str] = []
    samples = bench.interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, rounds=3, number=2
    )
    assert {k: len(v) for k, v in samples.items()} == {"a": 3, "b": 3}
    assert calls[:4] == ["a", "a", "b", "b"] and calls[4:8] == ["b", "b", "a", "a"]
