"""The wheel works on its own: built, installed (not editable) in a clean venv, used there.

One module-scoped venv: `uv build --wheel` of this checkout, `uv venv`, then
`uv pip install <wheel>` with the runtime pins of uv.lock as constraints (so the install
comes from uv's cache and matches what `make test` tests). Every check runs with the venv's
interpreter from a temp folder, so the source tree is never on `sys.path`.

uv is the one `make` uses (`$UV`, exported by the Makefile), else `uv` on PATH, else the
`.venv-uv` bootstrap. Without any of them the tests are skipped with that reason, except
when `CI` is set: then they fail (the Makefile always provides uv).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SERVING = re.compile(r"serving (http://[^\s/]+)/client-session")


def _uv() -> str:
    candidates = [os.environ.get("UV", ""), shutil.which("uv") or "", ".venv-uv/bin/uv"]
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate) if Path(candidate).is_absolute() else ROOT / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    reason = "uv is not available ($UV, PATH, .venv-uv): run `make test`, which provides it"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must test the wheel, so this is an error")
    pytest.skip(reason)


@dataclass(frozen=True)
class WheelVenv:
    wheel: Path
    python: Path
    bin: Path
    workdir: Path

    def env(self) -> dict[str, str]:
        """The caller's environment without PRIMER_* settings or a PYTHONPATH into the tree."""
        drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMER_")}
        for name in drop:
            env.pop(name, None)
        return env

    def run(self, code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), "-c", code],
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _check(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WheelVenv]:
    uv = _uv()
    base = tmp_path_factory.mktemp("wheel")
    dist, venv, workdir = base / "dist", base / "venv", base / "work"
    workdir.mkdir()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)

    def uv_run(*args: str) -> str:
        proc = subprocess.run(
            [uv, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        return _check(proc)

    uv_run("build", "--wheel", "--out-dir", str(dist), "--quiet")
    (wheel,) = dist.glob("primer_nb-*.whl")
    pins = uv_run("export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes")
    constraints = base / "constraints.txt"
    constraints.write_text(pins)
    python = Path(os.path.realpath(sys.executable))  # the interpreter running the tests
    uv_run("venv", "--quiet", "--python", str(python), str(venv))
    venv_python = venv / "bin" / "python"
    uv_run(
        "pip",
        "install",
        "--quiet",
        "--python",
        str(venv_python),
        "--constraints",
        str(constraints),
        str(wheel),
    )
    yield WheelVenv(wheel, venv_python, venv / "bin", workdir)


def test_the_wheel_carries_the_package_and_its_data_only(wheel_venv: WheelVenv) -> None:
    names = set(zipfile.ZipFile(wheel_venv.wheel).namelist())
    for path in sorted((ROOT / "primer_nb").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(ROOT).as_posix()
            assert name in names, f"{name} is not in {wheel_venv.wheel.name}"
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "benchmarks/"))]
    assert "primer_nb/py.typed" in names


def test_installed_package_is_the_wheel_not_the_source_tree(wheel_venv: WheelVenv) -> None:
    code = (
        "import importlib.metadata as md, json, primer_nb\n"
        "dist = md.distribution('primer-nb')\n"
        "direct = dist.read_text('direct_url.json') or '{}'\n"
        "print(json.dumps([primer_nb.__file__, primer_nb.__version__, json.loads(direct)]))"
    )
    where, version, direct = json.loads(_check(wheel_venv.run(code)))
    venv_root = wheel_venv.python.parent.parent
    assert Path(where).is_relative_to(venv_root), where
    assert not Path(where).is_relative_to(ROOT), where
    assert not direct.get("dir_info", {}).get("editable", False)
    assert version == md_version(wheel_venv.wheel)


def md_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def test_data_files_are_found_at_run_time(wheel_venv: WheelVenv) -> None:
    """Every file of primer_nb/data is readable through importlib.resources, byte for byte."""
    shipped = sorted(p.name for p in (ROOT / "primer_nb" / "data").iterdir() if p.is_file())
    assert any(name.endswith(".json") for name in shipped)
    code = (
        "import hashlib, json\n"
        "from importlib.resources import files\n"
        "data = files('primer_nb') / 'data'\n"
        "out = {}\n"
        "for item in data.iterdir():\n"
        "    raw = item.read_bytes()\n"
        "    if item.name.endswith('.json'):\n"
        "        json.loads(raw)\n"
        "    out[item.name] = hashlib.sha256(raw).hexdigest()\n"
        "print(json.dumps(out))"
    )
    found: dict[str, str] = json.loads(_check(wheel_venv.run(code)))
    import hashlib

    for name in shipped:
        assert name in found, f"primer_nb/data/{name} is missing from the installed wheel"
        digest = hashlib.sha256((ROOT / "primer_nb" / "data" / name).read_bytes()).hexdigest()
        assert found[name] == digest, name


def test_readme_example_runs_in_the_wheel_venv(wheel_venv: WheelVenv) -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    out = _check(wheel_venv.run(block.group(1))).splitlines()
    assert len(out) == 2, out
    assert out[0].startswith("2598 ")  # 1299 x 2 in minor units
    assert out[1] == "500"


def test_primer_nb_emulator_serves_from_the_wheel(wheel_venv: WheelVenv) -> None:
    script = wheel_venv.bin / "primer-nb"
    assert script.is_file()
    proc = subprocess.Popen(
        [str(script), "emulator", "--port", "0", "--api-key", "wheel-test-key"],
        cwd=wheel_venv.workdir,
        env={**wheel_venv.env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            match = SERVING.search(line)
            if match:
                url = match.group(1)
                break
        assert url, "primer-nb emulator did not print its serving line"
        headers = {"X-API-KEY": "wheel-test-key", "X-API-VERSION": "2.4"}
        answer = httpx.post(
            f"{url}/client-session",
            json={"orderId": "wheel-1", "currencyCode": "EUR", "amount": 500},
            headers=headers,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["orderId"] == "wheel-1" and body["clientToken"]
        again = httpx.get(
            f"{url}/client-session",
            params={"clientToken": body["clientToken"]},
            headers=headers,
            timeout=10,
        )
        assert again.status_code == 200 and again.json()["amount"] == 500
        refused = httpx.post(f"{url}/client-session", json={"orderId": "x"}, headers={}, timeout=10)
        assert refused.status_code == 403
        assert refused.json()["error"]["errorId"] == "SecurityPolicyBlock"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0


def test_primer_nb_tutorials_gives_a_pip_user_notebooks_that_run(wheel_venv: WheelVenv) -> None:
    """No clone: `primer-nb tutorials` copies the notebooks and the files they open, byte
    for byte, and notebook 9 (which reads ../data/orders.csv) runs there top to bottom on
    the wheel's own kernel, without the source tree."""
    from primer_nb.tutorial_files import TUTORIAL_FILES

    proc = subprocess.run(
        [str(wheel_venv.bin / "primer-nb"), "tutorials", "tut"],
        cwd=wheel_venv.workdir,
        env=wheel_venv.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert _check(proc).splitlines()[-1] == "open them with: jupyter lab tut/notebooks"
    copy = wheel_venv.workdir / "tut"
    for name in TUTORIAL_FILES:
        assert (copy / name).read_bytes() == (ROOT / name).read_bytes(), name
    code = (
        "import nbformat\n"
        "from nbclient import NotebookClient\n"
        "book = nbformat.read('09-many-sessions-and-warnings.ipynb', as_version=4)\n"
        "cells = len(book.cells)\n"
        "# which interpreter and primer_nb the kernel ran (not a user's own python3 kernel)\n"
        "book.cells.append(nbformat.v4.new_code_cell(\n"
        "    'import sys, primer_nb; print(sys.prefix); print(primer_nb.__file__)'))\n"
        "NotebookClient(book, timeout=120, kernel_name='python3').execute()\n"
        "def planned(cell): return 'raises-exception' in cell.metadata.get('tags', [])\n"
        "errors = [o for c in book.cells if c.cell_type == 'code' and not planned(c)\n"
        "          for o in c.outputs if o.output_type == 'error']\n"
        "print(cells, len(errors))\n"
        "print(book.cells[-1].outputs[0]['text'], end='')"
    )
    jupyter = wheel_venv.workdir / "jupyter"  # no kernelspec of the user's is found first
    run = subprocess.run(
        [str(wheel_venv.python), "-c", code],
        cwd=copy / "notebooks",
        env={**wheel_venv.env(), "JUPYTER_DATA_DIR": str(jupyter), "JUPYTER_PATH": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    counts, prefix, module = _check(run).splitlines()
    cells, errors = counts.split()
    assert int(cells) > 10 and errors == "0"
    venv_root = wheel_venv.python.parent.parent
    assert Path(prefix) == venv_root and Path(module).is_relative_to(venv_root), (prefix, module)
