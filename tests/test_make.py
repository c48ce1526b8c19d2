"""The README's two commands: `make lab` serves JupyterLab; the install step is idempotent.

The install comes from the committed uv.lock with `uv sync --locked`, reruns only when
uv.lock or pyproject.toml changed, and bootstraps uv into `.venv-uv` when there is none.
The dry runs (`make -n`) print the commands without running them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_install_step_is_up_to_date_after_make_test() -> None:
    """`make -q install` exits 0: a second `make lab`/`make test` reinstalls nothing."""
    result = subprocess.run(["make", "-q", "install"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("changed", ["uv.lock", "pyproject.toml"])
def test_install_reruns_when_the_lock_or_the_ranges_change(changed: str) -> None:
    """`make -q -W FILE install` asks: would install run if FILE were newer? It must."""
    result = subprocess.run(["make", "-q", "-W", changed, "install"], cwd=ROOT, check=False)
    assert result.returncode == 1
    commands = _dry_run("-W", changed, "install")
    assert "sync --quiet --locked --extra dev --compile-bytecode" in commands
    assert "UV_PYTHON_DOWNLOADS=never" in commands
    assert "pip install" not in commands


def test_make_lab_installs_the_lab_without_the_test_tools() -> None:
    """`make lab` syncs without the dev extra, and keeps what `make test` installed."""
    commands = _dry_run("-W", "uv.lock", "lab")
    sync = next(line for line in commands.splitlines() if " sync " in line)
    assert "--locked --inexact" in sync
    assert "--extra dev" not in sync


def test_install_bootstraps_uv_into_its_own_venv_when_uv_is_missing() -> None:
    commands = _dry_run("-B", "install", "UV=.venv-uv/bin/uv").splitlines()
    venv = next(i for i, c in enumerate(commands) if " -m venv .venv-uv" in c)
    pip = next(i for i, c in enumerate(commands) if ".venv-uv/bin/python -m pip install" in c)
    sync = next(i for i, c in enumerate(commands) if ".venv-uv/bin/uv sync" in c)
    assert venv < pip < sync
    assert "'uv==" in commands[pip]  # a pinned uv, never the system pip


def test_uv_lock_matches_pyproject() -> None:
    """The committed lock is current: `make install` (`uv sync --locked`) would accept it."""
    uv = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".venv-uv" / "bin" / "uv")
    result = subprocess.run(
        [uv, "lock", "--check", "--offline"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"run `make lock` and commit uv.lock:\n{result.stderr}"


def test_make_lab_serves_jupyterlab_on_the_notebooks(tmp_path: Path) -> None:
    port = _free_port()
    token = "make-lab-test-token"
    env = dict(os.environ)
    for name in (
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTERLAB_SETTINGS_DIR",
        "JUPYTERLAB_WORKSPACES_DIR",
    ):
        (tmp_path / name).mkdir()
        env[name] = str(tmp_path / name)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --port={port} --ServerApp.token={token}"
    proc = subprocess.Popen(
        ["make", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(
                    f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=2
                )
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert status is not None and status.status_code == 200, "JupyterLab did not answer"
        contents = httpx.get(
            f"http://127.0.0.1:{port}/api/contents", params={"token": token}, timeout=5
        ).json()
        names = {item["name"] for item in contents["content"]}
        assert "01-create-a-client-session.ipynb" in names or "README.md" in names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode is not None


@pytest.mark.parametrize("target", ["lab", "test"])
def test_readme_shows_the_two_commands(target: str) -> None:
    assert f"make {target}" in (ROOT / "README.md").read_text()
