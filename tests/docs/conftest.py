"""The documentation site, built once and served over HTTP on 127.0.0.1 for the tests.

- `site_dir`: `site/` as `make docs` leaves it; built here (docs/build.py) when it is
  missing or older than any of its sources, so `pytest tests/docs` works on its own and
  `make test` (whose `docs` target has just built it) does not build it twice.
- `site_url`: `python -m http.server` on a free port serving `site_dir`, stopped by PID.
- `docs_browser`: Debian's chromium through Playwright, launched as the other browser
  tests launch it, for one test module at a time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
SCREENSHOTS = ROOT / "build" / "docs"


def _sources() -> list[Path]:
    # every page conf.py builds: the top-level *.md (ARCHITECTURE.md...), the READMEs,
    # the notebooks, docs/ and the package's docstrings
    patterns = ["*.md", "*/README.md", "notebooks/*.ipynb", "docs/*", "docs/_static/*"]
    patterns.append("tests/data/primer/*.md")  # the records docs/behaviour.md ... include
    found = [path for pattern in patterns for path in ROOT.glob(pattern) if path.is_file()]
    return [*found, *(ROOT / "primer_nb").rglob("*.py")]


def _is_stale(site: Path) -> bool:
    index = site / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    return any(path.stat().st_mtime > built for path in _sources())


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if _is_stale(SITE):
        result = subprocess.run(
            [sys.executable, str(ROOT / "docs" / "build.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"make docs failed:\n{result.stdout}\n{result.stderr}"
    return SITE


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/index.html", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the HTTP server for site/ exited"
            assert time.monotonic() < deadline, "the HTTP server for site/ did not start"
            time.sleep(0.1)
        yield url
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def docs_browser() -> Iterator[object]:
    """Chromium for one test module.

    Not session-wide: Playwright's sync API keeps an asyncio loop running while it is
    open, and later tests run their own loops.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
