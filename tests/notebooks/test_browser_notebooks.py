"""Every tutorial notebook in a real JupyterLab: Run All Cells completes without errors.

Reuses the harness of `tests/browser/conftest.py`: `start_jupyterlab` (one server for all
notebooks, serving a temp copy of `notebooks/` and `data/`, with its own settings), the
`LabPage` helpers, the chromium arguments and `require_chromium` (skipped with a reason
without `/usr/bin/chromium`, a failure when `CI` is set). Added here:

- the indexes of the cells *meant* to fail (tag `raises-exception`), passed to
  `LabPage.run_all(raises=...)`: JupyterLab's Run All carries on past those;
- the server (the session's `jupyterlab` fixture, shared with the builder test) runs
  kernels without the developer's `PRIMER_*` settings, so notebooks use the emulator;
- Playwright runs in one worker thread of its own. Its sync API allows one instance per
  thread, and the widget tests' session-scoped browser may already live in the main
  thread when these tests run in the same pytest session.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import pytest

from tests.browser.conftest import (
    CELLS_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PANEL,
    STDERR,
    JupyterLab,
    LabPage,
    require_chromium,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RAISES = "raises-exception"

_T = TypeVar("_T")


class BrowserThread:
    """Debian's chromium under Playwright's sync API, driven from one worker thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks-browser")
        self._playwright: Any = None
        self.browser: Any = None
        self.context: Any = None

    def call(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run `function(*args)` in the browser's thread and return its result."""
        return self._pool.submit(function, *args).result()

    def start(self) -> None:
        def launch() -> None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self.browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            # one context for every notebook: JupyterLab's scripts load from its cache
            self.context = self.browser.new_context(viewport={"width": 1600, "height": 1200})

        self.call(launch)

    def stop(self) -> None:
        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self.call(close)
        finally:
            self._pool.shutdown()


def _raises_indexes(path: Path) -> list[int]:
    """Indexes (among all code cells) of the cells tagged `raises-exception`."""
    nb: Any = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [i for i, c in enumerate(code) if RAISES in c.get("metadata", {}).get("tags", [])]


@pytest.fixture(scope="session")
def browser_thread() -> Iterator[BrowserThread]:
    require_chromium()
    thread = BrowserThread()
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def open_and_run(context: Any, lab: JupyterLab, path: Path) -> dict[str, Any]:
    """In the browser's thread: open `path` in a new page, Run All, report each code cell."""
    raises = _raises_indexes(path)
    lab.delete_sessions()
    page = context.new_page()
    try:
        page.set_default_timeout(30_000)
        lab_page = LabPage(page, lab)
        page.on("pageerror", lambda e: lab_page.page_errors.append(str(e)))
        lab_page.open_notebook(path.name)
        seconds = lab_page.run_all(raises=raises)
        cells = page.evaluate(CELLS_JS, [PANEL, STDERR])
        return {"cells": cells, "seconds": seconds, "page_errors": lab_page.page_errors}
    finally:
        page.close()
        lab.delete_sessions()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_run_all_cells_without_errors(
    jupyterlab: JupyterLab, browser_thread: BrowserThread, path: Path
) -> None:
    raises = _raises_indexes(path)
    report = browser_thread.call(open_and_run, browser_thread.context, jupyterlab, path)
    cells: list[dict[str, Any]] = report["cells"]

    unexpected = {i: c["errors"] for i, c in enumerate(cells) if c["errors"] and i not in raises}
    assert unexpected == {}, f"{path.name}: error output in code cells {unexpected}"
    for i in raises:
        assert cells[i]["errors"], f"{path.name}: code cell {i} is tagged {RAISES} but ran clean"

    counts = [re.search(r"\[(\d+)\]", c["prompt"]) for c in cells]
    missing = [i for i, m in enumerate(counts) if m is None]
    assert missing == [], f"{path.name}: code cells {missing} got no execution count"
    numbers = [int(m.group(1)) for m in counts if m is not None]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), numbers
    assert report["page_errors"] == [], report["page_errors"]
    print(f"{path.name}: Run All {report['seconds']:.1f} s")
