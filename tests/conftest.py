"""Shared fixtures: Primer's reference data (tests/data/primer), its examples, a marker API key."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
#: Primer's reference data, copied into the repository (see tests/data/primer/README.md).
SPEC = ROOT / "tests" / "data" / "primer"
#: Primer's documented request/response pairs ship with the package (parity uses them).
EXAMPLES = ROOT / "primer_nb" / "data" / "primer-examples.json"

#: A key-shaped marker: tests send it through every path and then search for it.
#: Built from parts so that no key-shaped literal sits in the repository for scanners to flag.
MARKER_KEY = "sk_" + "sandbox_" + "MARKERKEY0123456789abcdef"
#: The marker key with characters that messages escape (a `repr()`, JSON, a JSONPath):
#: a double quote and a backslash; a single quote and a percent sign. Every spelling of
#: them still holds `MARKERKEY`, so a test looks for that.
QUOTED_MARKER_KEYS = (
    "sk_" + '"q\\b_' + "MARKERKEY0123456789",
    "sk_" + "'sq%41_" + "MARKERKEY0123456789",
)


#: No timed tests (speed is measured in benchmarks/ only): Hypothesis's per-example deadline
#: would fail a property test because a shared machine was busy, so it is off everywhere.
settings.register_profile("primer-nb", deadline=None)
settings.load_profile("primer-nb")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """The skip rule: a skip must say why, and a browser test never skips in CI.

    A skip with an empty reason fails everywhere. When `CI` is set, a skipped test marked
    `browser` fails with its reason: CI installs chromium (`.ci/run`), so a skip there would
    hide that the browser tests did not run.
    """
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
    reason = reason.removeprefix("Skipped: ").strip()
    if reason in ("", "Skipped", "unconditional skip"):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped without a reason: say why in the skip"
    elif os.environ.get("CI") and item.get_closest_marker("browser") is not None:
        report.outcome = "failed"
        report.longrepr = f"browser test skipped in CI ({reason}); CI must run it"


def spec_file(name: str) -> Path:
    """A file of Primer's reference data in tests/data/primer (never skipped: it is committed)."""
    path = SPEC / name
    assert path.is_file(), f"{path} is missing: see tests/data/primer/README.md"
    return path


@pytest.fixture(scope="session")
def examples() -> list[dict[str, Any]]:
    """Primer's request/response pairs (primer_nb/data/primer-examples.json)."""
    data: list[dict[str, Any]] = json.loads(EXAMPLES.read_text())
    return data


@pytest.fixture
def marker_key() -> str:
    return MARKER_KEY


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One JupyterLab server for every browser test of the session (tests/browser harness).

    It serves a temp copy of notebooks/ and data/, without the developer's PRIMER_*
    settings, and is stopped by PID at the end.
    """
    from tests.browser.conftest import require_chromium, start_jupyterlab

    require_chromium()
    lab = start_jupyterlab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(autouse=True)
def _no_primer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real PRIMER_* settings."""
    for name in (
        "PRIMER_API_KEY",
        "PRIMER_ENV",
        "PRIMER_API_VERSION",
        "PRIMER_BASE_URL",
        "PRIMER_NB_LEDGER",
    ):
        monkeypatch.delenv(name, raising=False)
