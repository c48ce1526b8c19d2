"""Fixtures of the reliability drills: a real `primer-nb emulator` process.

The process is started and stopped (by its PID) with the helpers of
`benchmarks/_common.py`, loaded by path so the benchmarks folder need not be a package.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench_common() -> ModuleType:
    name = "primer_nb_benchmarks_common"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench = _bench_common()
#: The key the emulator subprocess accepts (not a secret).
SERVER_KEY: str = bench.BENCH_KEY


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Any]:
    """A `primer-nb emulator --port 0 --api-key SERVER_KEY` for the module; `.url`."""
    server = bench.start_emulator(api_key=SERVER_KEY)
    try:
        yield server
    finally:
        server.stop()
        assert server.process.returncode == 0, server.output[-10:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing drill's report (traceback, captured logs and output) never shows the marker.

    The secret drills assert counts only, but pytest would print captured logs and the
    failing locals; the marker is replaced by `<MARKER_KEY>` there.
    """
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.passed:
        return
    from tests.conftest import MARKER_KEY

    def clean(text: str) -> str:
        return text.replace(MARKER_KEY, "<MARKER_KEY>")

    if report.longrepr is not None:
        report.longrepr = clean(str(report.longrepr))
    report.sections = [(title, clean(content)) for title, content in report.sections]
