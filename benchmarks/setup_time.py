"""Set-up time: a fresh clone's `make lab` until JupyterLab answers, vs `pip install jupyterlab`.

Subject: `git clone` of this repository's HEAD into a temp folder, then `make lab` there
(no uv on PATH, so the Makefile bootstraps it into `.venv-uv` from the package index, then
`uv sync --locked --inexact` installs the project and its dependencies from uv.lock, no dev
tools), timed from the start of `make` until JupyterLab answers `GET /api/status` with 200.

Baseline: the least a user does by hand to get a lab: `python -m venv`, then
`pip install jupyterlab` (the lab alone: none of primer-nb, its test tools or its
notebooks' libraries), then `jupyter lab`, timed the same way until `/api/status` answers.

Both sides use the same interpreter (`--python`, default Debian's `/usr/bin/python3`), the
machine's ordinary pip and index configuration, bytecode written on import as on a user's
machine (`PYTHONDONTWRITEBYTECODE` removed), and **cold, separate caches**
(`UV_CACHE_DIR`, `PIP_CACHE_DIR`, `XDG_CACHE_HOME` in fresh temp folders), so every wheel is
downloaded. Rounds alternate which side goes first; the best round of each is compared.
Ratio = subject / baseline; goal <= 0.5. Details: each side's median, `make install` alone
in a second fresh clone (`uv sync --locked --extra dev`: the project and every dev tool,
more than `make lab` installs) and, as a second subject, the same `make lab` with uv already
on PATH (no bootstrap).

`--quick` runs one round with warm caches (the user's own), the subject only with uv on
PATH: a smoke run of the command lines, not a figure.

    python benchmarks/setup_time.py [--quick] [--rounds N] [--python /usr/bin/python3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from _common import ROOT, emit, result, say

GOAL = "<= 0.5"
#: A side that has not answered by then is stopped and reported as missed.
TIMEOUT = 900.0


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="warm caches, one round: smoke run")
    parser.add_argument("--json-only", action="store_true", help="print only the closing line")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (default 2)")
    parser.add_argument("--python", default="/usr/bin/python3", help="interpreter of both sides")
    args = parser.parse_args(argv)
    if args.json_only:
        import _common

        _common._QUIET = True
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def path_without_uv() -> str:
    """PATH without the folders that hold a `uv`: a machine that never had uv."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    return os.pathsep.join(d for d in keep if not (Path(d) / "uv").exists())


def base_env(work: Path, *, cold: bool, uv_on_path: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIMER_", "UV_", "VIRTUAL"))}
    env.pop("UV", None)
    # A user's machine writes bytecode as it imports (this VM's environment may say not to,
    # which would make every import recompile and the side installed without .pyc slower).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not uv_on_path:
        env["PATH"] = path_without_uv()
    if cold:
        for name in ("UV_CACHE_DIR", "PIP_CACHE_DIR", "XDG_CACHE_HOME"):
            folder = work / "cache" / name.lower()
            folder.mkdir(parents=True, exist_ok=True)
            env[name] = str(folder)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        folder = work / "jupyter" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(work / "jupyter" / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(work / "jupyter" / "workspaces")
    return env


def lab_args(port: int, token: str) -> list[str]:
    args = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}"]
    args.append(f"--ServerApp.token={token}")
    if os.geteuid() == 0:
        args.append("--allow-root")
    return args


def wait_for_lab(process: subprocess.Popen[bytes], port: int, token: str, started: float) -> float:
    """Seconds from `started` until `/api/status` answers 200 (raises if it never does)."""
    url = f"http://127.0.0.1:{port}/api/status"
    while time.perf_counter() - started < TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before JupyterLab answered")
        try:
            if httpx.get(url, params={"token": token}, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not answer within {TIMEOUT:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the process group this script started (make, its shell and jupyter)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


def timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    port, token = free_port(), secrets.token_hex(8)
    command = [part.replace("{PORT}", str(port)).replace("{TOKEN}", token) for part in command]
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            return wait_for_lab(process, port, token, started)
        except RuntimeError as exc:
            raise RuntimeError(f"{' '.join(command)}: {exc}\n{log.read_text()[-3000:]}") from None
        finally:
            stop(process)


def clone(work: Path) -> Path:
    target = work / "primer-nb"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def subject(python: str, *, cold: bool, uv_on_path: bool) -> float:
    """A fresh clone's `make lab` until JupyterLab answers."""
    with tempfile.TemporaryDirectory(prefix="setup-time-") as tmp:
        work = Path(tmp)
        repo = clone(work)
        env = base_env(work, cold=cold, uv_on_path=uv_on_path)
        args = " ".join(lab_args(0, "x")).replace("--port=0", "--port={PORT}")
        args = args.replace("--ServerApp.token=x", "--ServerApp.token={TOKEN}")
        args = args.replace(" --allow-root", "")  # the Makefile adds it for root
        command = ["make", "lab", f"PYTHON={python}", f"LAB_ARGS={args}"]
        return timed(command, repo, env, work / "make-lab.log")


def install_only(python: str, *, cold: bool, uv_on_path: bool) -> float:
    """A fresh clone's `make install` alone (the part the lock makes fast)."""
    with tempfile.TemporaryDirectory(prefix="setup-time-") as tmp:
        work = Path(tmp)
        repo = clone(work)
        env = base_env(work, cold=cold, uv_on_path=uv_on_path)
        started = time.perf_counter()
        subprocess.run(
            ["make", "install", f"PYTHON={python}"],
            cwd=repo,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def baseline(python: str, *, cold: bool) -> float:
    """`python -m venv` + `pip install jupyterlab` + `jupyter lab` until it answers."""
    with tempfile.TemporaryDirectory(prefix="setup-time-") as tmp:
        work = Path(tmp)
        env = base_env(work, cold=cold, uv_on_path=True)
        venv = work / "venv"
        pip = f"{venv}/bin/python -m pip install --quiet jupyterlab"
        lab = " ".join([f"{venv}/bin/jupyter", "lab", *lab_args(0, "x")])
        lab = lab.replace("--port=0", "--port={PORT}").replace("=x", "={TOKEN}")
        script = f"set -e; {python} -m venv {venv}; {pip}; exec {lab}"
        (work / "notebooks").mkdir()
        return timed(["sh", "-c", script], work / "notebooks", env, work / "baseline.log")


def main() -> None:
    args = parse()
    python = str(Path(args.python))
    if not Path(python).exists() or shutil.which("make") is None or shutil.which("git") is None:
        reason = f"needs {python}, make and git"
        say(reason)
        emit(result("setup_time", None, GOAL, met=False, reason=reason, quick=args.quick))
        return
    cold = not args.quick
    rounds = 1 if args.quick else max(1, args.rounds)
    samples: dict[str, list[float]] = {"make_lab": [], "pip_jupyterlab": []}
    for r in range(rounds):
        order = ["make_lab", "pip_jupyterlab"] if r % 2 == 0 else ["pip_jupyterlab", "make_lab"]
        for side in order:
            if side == "make_lab":
                seconds = subject(python, cold=cold, uv_on_path=args.quick)
            else:
                seconds = baseline(python, cold=cold)
            samples[side].append(seconds)
            say(f"round {r + 1}: {side:<15} {seconds:6.1f} s")
    with_uv = subject(python, cold=cold, uv_on_path=True) if not args.quick else None
    install = install_only(python, cold=cold, uv_on_path=args.quick)
    best = {side: min(values) for side, values in samples.items()}
    ratio = best["make_lab"] / best["pip_jupyterlab"]
    say(
        f"best: make lab {best['make_lab']:.1f} s, pip install jupyterlab "
        f"{best['pip_jupyterlab']:.1f} s: ratio {ratio:.2f} (goal {GOAL})"
    )
    say(f"make install alone: {install:.1f} s")
    if with_uv is not None:
        say(f"make lab with uv already on PATH: {with_uv:.1f} s")
    emit(
        result(
            "setup_time",
            ratio,
            GOAL,
            make_lab_s=best["make_lab"],
            pip_jupyterlab_s=best["pip_jupyterlab"],
            make_lab_median_s=statistics.median(samples["make_lab"]),
            pip_jupyterlab_median_s=statistics.median(samples["pip_jupyterlab"]),
            make_install_s=install,
            make_lab_uv_on_path_s=with_uv,
            uv_bootstrapped=not args.quick,
            cold_caches=cold,
            rounds=rounds,
            quick=args.quick,
            python=python,
        )
    )


if __name__ == "__main__":
    main()
