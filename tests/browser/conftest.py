"""A real JupyterLab driven by Playwright and Debian's chromium, reusable by any test.

```python
@pytest.mark.browser
def test_something(lab_page: LabPage) -> None:
    lab_page.open_notebook("10-session-builder.ipynb")
    lab_page.run_all()
    assert lab_page.error_outputs() == []
```

- `jupyterlab` (session scope, defined in tests/conftest.py so the notebook tests share
  it): a `jupyter lab` server on a free 127.0.0.1 port with a
  token, `--allow-root` when root, its own config/runtime/settings/workspaces dirs
  (news and update checks off, autosave off, `windowingMode: none`), serving a temp
  copy of `notebooks/` and `data/`, so no checkpoint or autosave lands in the repo.
  Stopped by the PID in its `jpserver-<pid>.json`.
- `lab_page`: a fresh chromium page on it (`LabPage`, helpers below); kernel sessions
  are deleted before and after. Console and page errors are collected.
- A Run All that does not finish fails with the code cells' prompts, a screenshot and
  every kernel thread's Python stack (`LabPage.stuck_report`), not a bare timeout.
- Without `/usr/bin/chromium` the tests are skipped with the reason, except when `CI`
  is set: then they fail, because CI installs chromium (`.ci/run`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BUILD = ROOT / "build"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: Tracebacks and stderr streams both render with this selector.
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def require_chromium() -> None:
    """Skip (locally) or fail (in CI) when Debian's chromium is missing."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests, so this is an error")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        path = settings_dir / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class JupyterLab:
    """A running JupyterLab server."""

    url: str
    token: str
    root_dir: Path
    runtime_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    pid: int = 0

    def api(self, method: str, path: str) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=10)

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/notebooks/{name}?reset&token={self.token}"

    def delete_sessions(self) -> None:
        """Shut down every kernel session (they outlive the page)."""
        answer = self.api("GET", "/api/sessions")
        for session in answer.json() if answer.status_code == 200 else []:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def server_pid(self) -> int:
        """The jupyter-lab process, from `jpserver-<pid>.json` in the runtime dir."""
        for info in self.runtime_dir.glob("jpserver-*.json"):
            data = json.loads(info.read_text())
            if str(data.get("token")) == self.token:
                return int(data["pid"])
        return self.process.pid

    def stop(self) -> None:
        with contextlib.suppress(httpx.HTTPError):
            self.delete_sessions()
        pid = self.pid or self.server_pid()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kernel_pids(self) -> list[int]:
        """The server's kernel processes (children running `ipykernel_launcher`)."""
        server = self.pid or self.server_pid()
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes()
                if ppid == server and b"ipykernel" in cmdline:
                    pids.append(int(stat.parent.name))
        return pids

    def dump_kernel_stacks(self) -> str:
        """Every kernel's Python stacks (SIGUSR1, see `KERNEL_STARTUP`), from the log."""
        before = self.log_path.stat().st_size
        for pid in self.kernel_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)
        time.sleep(1.0)
        with self.log_path.open("rb") as log:
            log.seek(before)
            return log.read().decode(errors="replace")[-12000:]


#: An IPython startup file for the test server's kernels: SIGUSR1 writes every thread's
#: Python stack to the kernel's stderr, which lands in the server's log. Used only to
#: explain a Run All that never finishes (`LabPage.run_all`).
KERNEL_STARTUP = """import faulthandler, signal, sys
faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
"""


def start_jupyterlab(
    base: Path, timeout: float = 60, extra_env: dict[str, str] | None = None
) -> JupyterLab:
    """Start JupyterLab on a temp copy of notebooks/ and data/; wait until it answers.

    Kernels get no `PRIMER_*` variables (so notebooks use the in-process emulator)
    unless `extra_env` passes some.
    """
    root_dir = base / "root"
    for folder in ("notebooks", "data"):
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder,
                root_dir / folder,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
    names = ("config", "runtime", "settings", "workspaces", "ipython")
    dirs = {name: base / name for name in names}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    _write_settings(dirs["settings"])
    startup = dirs["ipython"] / "profile_default" / "startup" / "00-stack-dump.py"
    startup.parent.mkdir(parents=True)
    startup.write_text(KERNEL_STARTUP)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PRIMER_")},
        **(extra_env or {}),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(dirs["ipython"]),
    }
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root_dir}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root_dir
        )
    lab = JupyterLab(
        f"http://127.0.0.1:{port}", token, root_dir, dirs["runtime"], process, log_path
    )
    _wait_ready(lab, timeout)
    lab.pid = lab.server_pid()
    return lab


def _wait_ready(lab: JupyterLab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited ({lab.process.returncode}):\n{lab.log()}")
        try:
            if lab.api("GET", "/api/status").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    lab.stop()
    raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{lab.log()}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright (never `playwright install`).

    Module scope, not session: Playwright's sync API keeps an asyncio loop marked as
    running in this thread while it lives, which would break later async tests.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# Done when every code cell has a number, or when a cell that is not meant to fail has an
# error output and nothing is still running (Run All stopped there).
_FINISHED_JS = """([panel, stderr, raises]) => {
  const cells = [...document.querySelectorAll(panel + ' .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '');
  if (prompts.every(p => /\\[\\d+\\]/.test(p))) return true;
  const running = prompts.some(p => p.includes('*'));
  const failed = cells.some((c, i) => !raises.includes(i) && c.querySelector(stderr));
  return failed && !running;
}"""


_TAB_JS = """() => (document.querySelector('.lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel')
  || {}).textContent || 'notebook'"""
#: Each code cell's prompt (`[3]:`, `[*]:`) and the texts of its error outputs.
CELLS_JS = """([panel, stderr]) =>
  [...document.querySelectorAll(panel + ' .jp-CodeCell')].map(c => ({
    prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    errors: [...c.querySelectorAll(stderr)].map(e => e.innerText),
  }))"""


@dataclass
class LabPage:
    """A chromium page on JupyterLab, with the few actions notebook tests need."""

    page: Any
    lab: JupyterLab
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def panel(self) -> Any:
        """The visible notebook (hidden ones from other tabs never match)."""
        return self.page.locator(PANEL)

    def open_notebook(self, name: str, timeout: float = 60_000) -> None:
        """Open `notebooks/<name>` with `?reset` and wait for the kernel to be idle."""
        self.page.goto(self.lab.notebook_url(name))
        self.panel.locator(".jp-Cell").first.wait_for(timeout=timeout)
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float = 60_000) -> None:
        """Wait for the status bar's `| Idle`."""
        idle = self.page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle"))
        idle.first.wait_for(timeout=timeout)

    def menu(self, menu: str, item: str) -> None:
        """Click a main-menu item by exact labels (e.g. "Run" → "Run All Cells")."""
        exact = re.compile(rf"^{re.escape(menu)}$")
        self.page.locator(".lm-MenuBar-itemLabel", has_text=exact).click()
        label = re.compile(rf"^{re.escape(item)}$")
        self.page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel", has_text=label).click()

    def run_all(self, raises: Sequence[int] = (), timeout: float = 120_000) -> float:
        """Clear outputs, Run All Cells, wait until every code cell has a fresh count.

        `raises` are the indexes (among code cells) of cells meant to fail (tag
        `raises-exception`): Run All carries on past them. An error in any other cell
        stops Run All, so the wait ends there too. Returns the seconds it took.
        """
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(
            """panel => [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputArea-prompt')]
                 .every(p => !/\\d/.test(p.textContent))""",
            arg=PANEL,
            timeout=timeout,
        )
        started = time.monotonic()
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.menu("Run", "Run All Cells")
        try:
            self.page.wait_for_function(
                _FINISHED_JS, arg=[PANEL, STDERR, list(raises)], timeout=timeout
            )
        except PlaywrightTimeout:
            raise AssertionError(self.stuck_report(timeout)) from None
        self.wait_idle(timeout)
        return time.monotonic() - started

    def stuck_report(self, timeout: float) -> str:
        """What a Run All that did not finish left behind: prompts, page, kernel stacks."""
        prompts = [cell["prompt"] for cell in self.page.evaluate(CELLS_JS, [PANEL, STDERR])]
        tab = self.page.evaluate(_TAB_JS)
        path = self.screenshot(f"run-all-stuck-{Path(tab).stem}.png")
        status = self.page.locator(".jp-StatusBar-Widget").all_inner_texts()
        hint = (
            "\nThe kernel is idle but a cell still shows [*]: a message from the kernel was "
            "lost, which JupyterLab does past about a thousand in one burst (widget models: "
            "share layouts and styles, see primer_nb.widgets._common.Looks).\n"
            if "[*]:" in prompts and any("| Idle" in text for text in status)
            else ""
        )
        return (
            f"Run All did not finish within {timeout / 1000:.0f} s.\n"
            f"code cell prompts: {prompts}\n{hint}"
            f"status bar: {status}\n"
            f"page errors: {self.page_errors}\nscreenshot: {path}\n"
            f"kernel stacks and server log:\n{self.lab.dump_kernel_stacks() or self.lab.log()}"
        )

    def error_outputs(self) -> list[str]:
        """Texts of every stderr/traceback output in the visible notebook."""
        return [str(t) for t in self.panel.locator(STDERR).all_inner_texts()]

    def screenshot(self, name: str, locator: Any = None) -> Path:
        """Save `build/<name>` (of `locator`, or the whole page)."""
        BUILD.mkdir(exist_ok=True)
        path = BUILD / name
        (locator or self.page).screenshot(path=str(path))
        return path


@pytest.fixture
def lab_page(jupyterlab: JupyterLab, chromium: Any) -> Iterator[LabPage]:
    """A fresh page (1600x1200) on the session's JupyterLab; kernels cleaned up after."""
    jupyterlab.delete_sessions()
    context = chromium.new_context(viewport={"width": 1600, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(30_000)
    lab_page = LabPage(page, jupyterlab)
    page.on(
        "console", lambda m: lab_page.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: lab_page.page_errors.append(str(e)))
    try:
        yield lab_page
    finally:
        context.close()
        jupyterlab.delete_sessions()
